// Writes made in memory (the Web Worker trainer's run folder, the browser mirror's new run folders) reach the
// workspace through `vscode.workspace.fs`, one operation after another in the order they were made. A file is
// written beside its place under the atomic-write temp name every host uses (atomicTempName: a hidden file that
// the run folders' tidying knows as a cut-short write, isCheckpointTemp, should the page close between the two
// steps), then renamed over it, so a reader never sees half a checkpoint. An append writes the whole file as the
// mirror holds it (workspace.fs cannot append).

import * as vscode from 'vscode';
import { assertNever } from '../language/assertNever';
import { atomicTempName } from '../platform/atomicTemp';
import { type FsOp, host } from '../platform/host';

export class WorkspaceWriter {
  private queue: Promise<void> = Promise.resolve();

  /**
   * @param uriOf the workspace URI of a path, or null for a path outside the workspace (the inspector's scratch
   *   folder), whose operations are skipped
   * @param contents the whole file after an append, as the memory holds it
   */
  constructor(
    private readonly uriOf: (path: string) => vscode.Uri | null,
    private readonly contents: (path: string) => Uint8Array,
  ) {}

  /** Applies the operations in order after those given before; resolves when they are written (rejects on the first failure). */
  apply(ops: readonly FsOp[]): Promise<void> {
    const next = this.queue.then(async () => {
      for (const op of ops) await this.one(op);
    });
    // A failure is the caller's to report; the next batch still runs.
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async one(op: FsOp): Promise<void> {
    const fs = vscode.workspace.fs;
    switch (op.op) {
      case 'write':
      case 'append': {
        const uri = this.uriOf(op.path);
        if (!uri) return;
        const data = op.op === 'write' ? op.data : this.contents(op.path);
        const slash = uri.path.lastIndexOf('/');
        const temp = uri.with({ path: `${uri.path.slice(0, slash + 1)}${atomicTempName(uri.path.slice(slash + 1), host().pid(), Date.now())}` });
        await fs.writeFile(temp, data);
        await fs.rename(temp, uri, { overwrite: true });
        return;
      }
      case 'rename': {
        const from = this.uriOf(op.from);
        const to = this.uriOf(op.to);
        if (from && to) await fs.rename(from, to, { overwrite: true });
        return;
      }
      case 'mkdir': {
        const uri = this.uriOf(op.path);
        if (uri) await fs.createDirectory(uri);
        return;
      }
      case 'remove':
      case 'rmdir': {
        const uri = this.uriOf(op.path);
        if (uri) await fs.delete(uri, { recursive: false, useTrash: false });
        return;
      }
      default:
        assertNever(op);
    }
  }
}
