// Messages between the extension host and the web worker trainer (src/trainer/webWorker.ts), besides the trainer
// protocol itself (trainer.ts, which both ends speak unchanged after the boot):
//
//   host → worker   WorkerBoot first (the engine's bytes, the run's input files), then HostMessages (start, stop, …)
//                   and PreloadMessages (a file read later: an image picked for a snapshot, ahead of its request)
//   worker → host   TrainerMessages, FsMessage (the writes the run made, in order), and ExitMessage last
//
// A Web Worker has no file system: the extension host reads what the run needs through vscode.workspace.fs and
// posts it in the boot message; the run writes into memory, and the worker posts those writes as an `fs` batch
// BEFORE any TrainerMessage that could tell the host a file exists (an epoch's row in metrics.jsonl, a
// checkpoint, `done`), so applying batches and messages in arrival order keeps the workspace ahead of the editor.

import type { FsOp } from '../platform/host';
import { type Check, arrayOf, isBool, isFiniteNum, isStr, optional, shape } from './check';
import { isHostMessage, isTrainerMessage, type HostMessage, type TrainerMessage } from './trainer';

export type { FsOp };

/** One input file of the run, preloaded: its path as the job names it (absolute, the host's separators) and bytes. */
export interface PreloadedFile {
  path: string;
  data: Uint8Array;
}

/** The worker's first message: everything it needs before it can take a job. */
export interface WorkerBoot {
  type: 'boot';
  /** The engine's builds (WASM_FILES in src/engine/wasm-module.ts): file name → bytes; absent builds are skipped. */
  wasm: Record<string, Uint8Array>;
  /** The files the run reads (the data, the checkpoint to start from, a picked image). */
  files: PreloadedFile[];
  /** Folders that exist, empty ones included (the run folder's parent, image class folders). */
  folders: string[];
  /** The folder relative paths resolve against (the .cnn file's folder). */
  cwd: string;
  /** The memory the run may plan for, in bytes (the budget the trainer checks a network against). */
  memoryBytes: number;
  /** Whether the engine may start threads; it still does only where the worker is cross-origin isolated. */
  threads: boolean;
}

/** Files the host read after the boot, posted ahead of the request that names them. */
export interface PreloadMessage {
  type: 'preload';
  files: PreloadedFile[];
}

/** The writes the run made since the last batch, in order (MemoryFiles.takeOps()). */
export interface FsMessage {
  type: 'fs';
  ops: FsOp[];
}

/** The worker's last message: the run is over and every write was posted. `error` when it died of one. */
export interface ExitMessage {
  type: 'exit';
  error?: string;
}

export type WorkerMessage = TrainerMessage | FsMessage | ExitMessage;
/** What the host posts: the boot, then these. */
export type WorkerHostMessage = WorkerBoot | PreloadMessage | HostMessage;

const isBytes: Check = (v) => v instanceof Uint8Array;
const isPath: Check = (v) => typeof v === 'string' && v.length > 0;

const fsOpFields: Record<FsOp['op'], Record<string, Check>> = {
  write: { path: isPath, data: isBytes },
  append: { path: isPath, text: isStr },
  rename: { from: isPath, to: isPath },
  mkdir: { path: isPath },
  remove: { path: isPath },
  rmdir: { path: isPath },
};
const fsOpChecks = new Map(Object.entries(fsOpFields).map(([op, fields]) => [op, shape(fields)]));

export function isFsOp(v: unknown): v is FsOp {
  if (typeof v !== 'object' || v === null) return false;
  const c = fsOpChecks.get((v as { op?: unknown }).op as string);
  return c !== undefined && c(v);
}

const isWasmTable: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(isBytes);

const isFiles = arrayOf(shape({ path: isPath, data: isBytes }));

const isBootShape = shape({
  type: (v) => v === 'boot',
  wasm: isWasmTable,
  files: isFiles,
  folders: arrayOf(isPath),
  cwd: isPath,
  memoryBytes: (v) => isFiniteNum(v) && (v as number) > 0,
  threads: isBool,
});

export function isWorkerBoot(v: unknown): v is WorkerBoot {
  return isBootShape(v);
}

const isPreloadShape = shape({ type: (v) => v === 'preload', files: isFiles });

export function isPreloadMessage(v: unknown): v is PreloadMessage {
  return isPreloadShape(v);
}

const isFsShape = shape({ type: (v) => v === 'fs', ops: arrayOf(isFsOp) });
const isExitShape = shape({ type: (v) => v === 'exit', error: optional(isStr) });

export function isWorkerMessage(v: unknown): v is WorkerMessage {
  return isFsShape(v) || isExitShape(v) || isTrainerMessage(v);
}

export function isWorkerHostMessage(v: unknown): v is WorkerHostMessage {
  return isWorkerBoot(v) || isPreloadShape(v) || isHostMessage(v);
}
