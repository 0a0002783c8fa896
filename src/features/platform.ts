// What the editor features need of the extension host they run in, as one object: Node (extension.ts →
// nodePlatform.ts: the disk, trainer child processes, the PyTorch backend) or the browser's web worker host
// (web.ts → webPlatform.ts: vscode.workspace.fs, a Web Worker trainer). The features themselves are the same.
//
// Files: the features read run folders (the last run's metrics, "the latest checkpoint") and make run folders
// through src/platform's `host().files`, synchronously. On Node that is the disk. In the browser it is a mirror
// of the workspace's run folders kept in memory: `loadRuns` fills it (asynchronously, from workspace.fs) before a
// feature looks, and `flush` writes what the features changed back to the workspace.

import type * as vscode from 'vscode';
import type { Trainer } from '../trainer/client';
import type { BackendSetting } from './backend';

export interface EditorPlatform {
  readonly kind: 'node' | 'web';
  /**
   * The path the trainer and the run folders use for a document's file, or null when it has none the trainer
   * can read beside (an untitled document; on Node also a file of another file system).
   */
  fileOf(uri: vscode.Uri): string | null;
  /** The document URI of such a path; null for anything else (an untitled document's URI string). */
  uriOf(file: string): vscode.Uri | null;
  /** The backend to train with now, as a training starts (asks or explains when it must), or null: do not train. */
  chooseBackend(): Promise<BackendSetting | null>;
  /** A new trainer for the backend; a string says why none can start (e.g. the trainer is not built). */
  createTrainer(backend: BackendSetting): Trainer | string;
  /** A folder for the inspector's own trainer when the file has no run yet (nothing in it is kept). */
  readonly scratchDir: string;
  /**
   * Makes `file`'s run folders readable through host().files: the browser loads them (true when that brought
   * anything new), Node has them already (false).
   */
  loadRuns(file: string): Promise<boolean>;
  /** Writes made through host().files reach the workspace (the browser applies them through workspace.fs). */
  flush(): Promise<void>;
}
