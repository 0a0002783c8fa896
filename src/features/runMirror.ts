// The browser's copy of the workspace's run folders, in memory, so the features read them synchronously through
// host().files as they do from the disk on Node (platform.ts). `load` fills it from vscode.workspace.fs for one
// .cnn file (its runs/ folder: every run's metrics.jsonl, the other files by size and time only); the web trainer's
// writes are replayed into it as they reach the workspace; what the features write into it (a new run folder,
// an empty one removed) goes out with `flush`.

import * as vscode from 'vscode';
import type { FsOp } from '../platform/host';
import type { MemoryFiles } from '../platform/memory';
import { WorkspaceWriter } from './workspaceWriter';

/** Files of a run folder whose text the features read (the rest are looked at, not read). */
const READ_WHOLE = new Set(['metrics.jsonl']);

export class RunMirror {
  private readonly writer: WorkspaceWriter;

  /**
   * @param files the memory the web host reads (webHost(files))
   * @param uriOf the workspace URI of a path, or null for one outside it
   */
  constructor(
    readonly files: MemoryFiles,
    private readonly uriOf: (path: string) => vscode.Uri | null,
  ) {
    this.writer = new WorkspaceWriter(uriOf, (path) => files.readFile(path));
  }

  /** Loads the runs/ folder beside `file` (two levels: run folders and their files); true when it exists. */
  async load(file: string): Promise<boolean> {
    const runs = `${file.slice(0, file.lastIndexOf('/'))}/runs`;
    const uri = this.uriOf(runs);
    if (!uri) return false;
    const fs = vscode.workspace.fs;
    let entries: [string, vscode.FileType][];
    try {
      entries = await fs.readDirectory(uri);
    } catch {
      return false;
    }
    this.files.learn(runs, { kind: 'dir' });
    await Promise.all(
      entries
        .filter(([, type]) => type & vscode.FileType.Directory)
        .map(async ([name]) => {
          const dir = `${runs}/${name}`;
          const dirUri = vscode.Uri.joinPath(uri, name);
          this.files.learn(dir, { kind: 'dir' });
          let inside: [string, vscode.FileType][];
          try {
            inside = await fs.readDirectory(dirUri);
          } catch {
            return; // removed meanwhile
          }
          await Promise.all(
            inside
              .filter(([, type]) => type & vscode.FileType.File)
              .map(async ([leaf]) => {
                const leafUri = vscode.Uri.joinPath(dirUri, leaf);
                try {
                  const s = await fs.stat(leafUri);
                  const data = READ_WHOLE.has(leaf) ? await fs.readFile(leafUri) : null;
                  this.files.learn(`${dir}/${leaf}`, { kind: 'file', data, size: s.size, mtimeMs: s.mtime });
                } catch {
                  // removed meanwhile
                }
              }),
          );
        }),
    );
    return true;
  }

  /** The web trainer's writes: into the mirror (so the features see them), then to the workspace, in order. */
  async replay(ops: FsOp[]): Promise<void> {
    await this.flush();
    this.files.replay(ops);
    await this.writer.apply(ops);
  }

  /** What the features wrote into the mirror, to the workspace. */
  async flush(): Promise<void> {
    const ops = this.files.takeOps();
    if (ops.length) await this.writer.apply(ops);
  }
}
