// Names and paths for a .cnn file: its stem, a network's name made safe for the file system, its run folders,
// and the file system as the checker sees it from the file's folder (data paths are relative to the file).
//
// A default run folder is `runs/<safe network name>-<yyyymmdd-hhmmss>[-k]/` beside the .cnn file, created
// exclusively (a plain `mkdir` that fails when the folder exists, then the next suffix), so two runs started in
// the same second never share one. The process that trains into a folder then claims it (runClaim.ts).

import { host, type DirEntry } from '../platform/host';
import { classFolderNames } from '../data/classFolders';
import { dataTaskIssue } from '../data/labelLayout';
import type { CheckHost } from '../language';

/** A file's name without its folder and `.cnn`: the network's name when the file gives none. */
export function fileStem(file: string): string {
  return file.split(/[\\/]/).pop()!.replace(/\.cnn$/, '');
}

/** Longest safe name, in UTF-8 bytes: a run folder's name adds a time stamp and a suffix, and file systems stop at 255. */
export const SAFE_NAME_MAX_BYTES = 64;

/**
 * A network's name as a file or folder name: letters and digits of any script, `_`, `.` and `-` are kept, every
 * other run of characters becomes `_`, leading dots go (no hidden files, no `..`), and an empty result is
 * `network`. A name longer than `maxBytes` in UTF-8 is cut at a character boundary and ends in `-` and a short
 * hash of the whole name, so two long names that share a beginning stay apart. The one home of this rule:
 * run folders, export folders and files, and the exported train.py's default run folder all use it.
 */
export function safeName(name: string, maxBytes = SAFE_NAME_MAX_BYTES): string {
  const safe = name.normalize('NFC').replace(/[^\p{L}\p{M}\p{N}_.-]+/gu, '_').replace(/^\.+/, '') || 'network';
  if (utf8Length(safe) <= maxBytes) return safe;
  const hash = host().sha256Hex(name).slice(0, 8);
  let cut = '';
  let bytes = 0;
  for (const ch of safe) {
    const n = utf8Length(ch);
    if (bytes + n > maxBytes - hash.length - 1) break;
    cut += ch;
    bytes += n;
  }
  return `${cut}-${hash}`;
}

/** The length of `text` in UTF-8 bytes (a lone surrogate counts as U+FFFD's three). */
function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** A run folder's files: the last checkpoint, the best validation figure's checkpoint, the metrics and the run's lock. */
export function runFiles(dir: string): { checkpoint: string; best: string; metrics: string; lock: string } {
  const { join } = host().path;
  return { checkpoint: join(dir, 'model.safetensors'), best: join(dir, 'best.safetensors'), metrics: join(dir, 'metrics.jsonl'), lock: join(dir, RUN_LOCK_NAME) };
}

/** The lock file a training run holds in its folder while it trains (runClaim.ts). */
export const RUN_LOCK_NAME = '.cnn-run.lock';

/** The time stamp in a run folder's name (local time, to the second). */
function stamp(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
}

/** The folder of a file's runs: `runs/` beside it. */
export function runsFolder(file: string): string {
  const { dirname, join, resolve } = host().path;
  return join(dirname(resolve(file)), 'runs');
}

/** True when `folderName` (a name inside runs/) is a run folder of the network `network`. */
export function isRunFolderOf(folderName: string, network: string): boolean {
  const prefix = `${safeName(network)}-`;
  return folderName.startsWith(prefix) && /^\d{8}-\d{6}(-\d+)?$/.test(folderName.slice(prefix.length));
}

/** The last checkpoint in a run folder, if it holds one. */
export function checkpointIn(dir: string): string | null {
  const { checkpoint } = runFiles(dir);
  return host().files.stat(checkpoint) ? checkpoint : null;
}

/**
 * The newest run of `network` beside `file`: the metrics.jsonl written last (by modification time) among its run
 * folders, or null when it has none. The one home of "the latest run on disk" (its checkpoint: checkpointIn).
 */
export function latestRunMetrics(file: string, network: string): string | null {
  const { files, path } = host();
  const runs = runsFolder(file);
  let best: { path: string; mtime: number } | null = null;
  let entries: DirEntry[];
  try {
    entries = files.readDir(runs);
  } catch {
    return null;
  }
  for (const e of entries) {
    if (e.kind !== 'dir' || !isRunFolderOf(e.name, network)) continue;
    const p = runFiles(path.join(runs, e.name)).metrics;
    // A run without metrics has no stat.
    const m = files.stat(p)?.mtimeMs;
    if (m !== undefined && (!best || m > best.mtime)) best = { path: p, mtime: m };
  }
  return best?.path ?? null;
}

/**
 * Creates a new, empty run folder for `network` beside `file` and returns its path: `runs/<name>-<stamp>/`, or
 * with `-2`, `-3`, … when a run started in the same second (in this or any other process) holds that name.
 * Every caller that starts a run (the CLI, the editor, with either engine) uses this.
 */
export function createRunDir(file: string, network: string, now = new Date()): string {
  const { files } = host();
  const runs = runsFolder(file);
  files.mkdir(runs, { recursive: true });
  const base = host().path.join(runs, `${safeName(network)}-${stamp(now)}`);
  for (let k = 1, again = 0; k <= 10_000; k++) {
    const dir = k === 1 ? base : `${base}-${k}`;
    try {
      files.mkdir(dir);
      return dir;
    } catch (err) {
      const code = (err as { code?: string }).code;
      // runs/ itself was just removed as empty by another run that failed (removeEmptyRunDir): make it again.
      if (code === 'ENOENT' && again++ < 3) {
        files.mkdir(runs, { recursive: true });
        k--;
        continue;
      }
      if (code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`cannot create a run folder in ${runs}: ${base} and 10,000 suffixes are taken`);
}

/**
 * Removes a run folder that holds nothing (a run that failed before writing anything); a folder with any file
 * in it stays. The `runs/` folder above it goes too when that leaves it empty (the first run of a file failed),
 * so a failed start leaves nothing behind. Returns whether the run folder was removed.
 */
export function removeEmptyRunDir(dir: string): boolean {
  const { files, path } = host();
  try {
    files.rmdir(dir);
  } catch {
    return false;
  }
  const parent = path.dirname(path.resolve(dir));
  if (path.basename(parent) === 'runs') {
    try {
      files.rmdir(parent);
    } catch {
      // other runs are in it: it stays
    }
  }
  return true;
}

/** The checker's view of the file system, for data paths relative to `file`'s folder. */
export function fileHost(file: string): CheckHost {
  const base = host().path.dirname(host().path.resolve(file));
  return {
    stat(path: string) {
      const st = host().files.stat(host().path.resolve(base, path));
      return st ? (st.kind === 'dir' ? 'dir' : 'file') : null;
    },
    // E055 from the .npz's label header (a few hundred bytes, cached per file version).
    dataTask: (data, net) => dataTaskIssue(data, net, base),
    // W105: the class folders' names (one directory listing).
    dataClasses: (data) => (data.kind === 'folder' ? classFolderNames(host().path.resolve(base, data.path)) : null),
  };
}
