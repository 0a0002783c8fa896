// Which workspace files a run in the web worker trainer reads, worked out before it starts: a Web Worker has no
// file system, so the extension host reads these through vscode.workspace.fs and posts them in the boot message
// (src/protocol/webTrainer.ts). Pure: the workspace is asked through the two functions given.
//
//   the data        `data folder|idx|npz path=…` (relative to the .cnn file): the file, or every file and folder
//                   of the tree (an image folder's class folders, an IDX folder's files); nothing for `data shapes`
//   the checkpoint  job.init, the weights a run continues from or the inspector looks at
//   the run folder  what is in job.outDir already (its lock, a continued run's metrics.jsonl and best.safetensors),
//                   so the run sees what it would overwrite and who holds the folder
//   extra files     a picked image for a snapshot, known when the trainer starts

import { check } from '../language';
import type { DirEntry, PathOps } from '../platform/host';
import type { TrainJob } from '../protocol/trainer';

export interface WorkspaceFiles {
  /** What is at `path`, or null when nothing is. */
  stat(path: string): Promise<'file' | 'dir' | null>;
  /** A folder's entries (names, not paths). */
  list(path: string): Promise<DirEntry[]>;
}

export interface PreloadPlan {
  /** Files to read and post, each once. */
  files: string[];
  /** Folders that exist, parents before children (empty ones included). */
  folders: string[];
}

/** The most folders a data tree may hold before the plan stops (a `data folder` pointed at a whole disk). */
const MAX_FOLDERS = 20_000;

export class PreloadError extends Error {}

export async function planPreload(job: TrainJob, ws: WorkspaceFiles, path: PathOps, extra: readonly string[] = []): Promise<PreloadPlan> {
  const files = new Set<string>();
  const folders = new Set<string>();
  const base = path.dirname(job.file);
  const addFile = (p: string) => void files.add(p);

  const data = check(job.source).data;
  if (data && data.kind !== 'shapes') {
    const at = path.resolve(base, data.path);
    const s = await ws.stat(at);
    // Nothing there: the trainer reports the missing data itself (the message training always gives).
    if (s === 'file') addFile(at);
    else if (s === 'dir') await walk(at, ws, path, addFile, folders);
  }
  for (const p of [job.init, ...extra]) {
    if (!p) continue;
    const at = path.resolve(base, p);
    const s = await ws.stat(at);
    if (s === 'file') addFile(at);
  }
  const out = path.resolve(base, job.outDir);
  const o = await ws.stat(out);
  if (o === 'dir') {
    folders.add(out);
    for (const e of await ws.list(out)) if (e.kind === 'file') addFile(path.join(out, e.name));
  }
  return { files: [...files], folders: [...folders].sort(byDepth) };
}

/** Parents before children: shorter paths first, then by name. */
function byDepth(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

async function walk(root: string, ws: WorkspaceFiles, path: PathOps, addFile: (p: string) => void, folders: Set<string>): Promise<void> {
  const pending = [root];
  while (pending.length) {
    const dir = pending.shift()!;
    folders.add(dir);
    if (folders.size > MAX_FOLDERS) throw new PreloadError(`${root} holds more than ${MAX_FOLDERS.toLocaleString('en-US')} folders; point \`data\` at the dataset's own folder.`);
    const entries = [...(await ws.list(dir))].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.kind === 'dir') pending.push(p);
      else if (e.kind === 'file') addFile(p);
    }
  }
}
