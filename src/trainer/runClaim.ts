// Claiming a run folder for one run: the process that trains into a folder holds a lock file in it for the
// run's length. That keeps a second run out of a folder named twice (`cnn train --out DIR` in two terminals),
// refuses a folder that already holds a run unless this run continues it (then its metrics are appended to,
// never truncated), and makes it safe to clear what a killed run left there (half-written checkpoint files).

import { isCheckpointTemp } from '../engine';
import { host } from '../platform/host';
import { removeEmptyRunDir, runFiles } from './paths';

export class RunDirError extends Error {}

export interface RunDirClaim {
  readonly dir: string;
  /** What killed runs left that the claim removed: checkpoint temp files, and run folders left with nothing in them. */
  readonly removed: { temps: readonly string[]; folders: readonly string[] };
  /** Gives the folder up (idempotent; also done when the process exits). */
  release(): void;
}

interface LockHolder {
  pid: number;
  host: string;
}

function readHolder(path: string): LockHolder | null {
  try {
    const h = JSON.parse(host().files.readText(path)) as Partial<LockHolder>;
    return { pid: typeof h.pid === 'number' ? h.pid : -1, host: typeof h.host === 'string' ? h.host : '' };
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return null;
    // Unreadable or half-written: treat as a holder we cannot check.
    return { pid: -1, host: '' };
  }
}

/** Whether the process that holds a lock may still be running (a lock from another machine always may). */
function holderAlive(h: LockHolder): boolean {
  if (h.host !== host().hostname() || h.pid <= 0) return true;
  return host().processAlive(h.pid);
}

/** Takes `dir`'s lock file for this process, taking over one whose process is gone; returns the lock's text. */
function takeLock(dir: string): string {
  const { files } = host();
  const lock = runFiles(dir).lock;
  const mine = JSON.stringify({ pid: host().pid(), host: host().hostname() });
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      files.writeFileExclusive(lock, mine);
      return mine;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(lock);
    if (!holder) continue; // released in between: try again
    if (holderAlive(holder)) {
      throw new RunDirError(
        `${dir} is in use by another training (process ${holder.pid > 0 ? holder.pid : '?'}${holder.host && holder.host !== host().hostname() ? ` on ${holder.host}` : ''}). Train into another folder, or wait for that run to end. (If no training is running, delete ${lock}.)`,
      );
    }
    // The holder died (SIGKILL, power loss). Move its lock aside: a rename moves one file to one claimant, so
    // two runs that find the same stale lock cannot both take it; what was moved is checked to be that stale
    // lock and not a fresh one another claimant wrote in between (which is put back).
    const aside = `${lock}.${host().pid()}.stale`;
    try {
      files.rename(lock, aside);
    } catch {
      continue;
    }
    const moved = readHolder(aside);
    if (moved && (moved.pid !== holder.pid || moved.host !== holder.host)) {
      // Put the fresh lock back unless a third claimant holds the name now (an exclusive write, as link() was).
      try {
        files.writeFileExclusive(lock, files.readFile(aside));
      } catch {
        /* a third claimant holds it now */
      }
      files.remove(aside);
      continue;
    }
    files.remove(aside);
  }
  throw new RunDirError(`cannot claim ${dir}: its lock ${lock} keeps changing`);
}

/**
 * Claims `dir` for one run by this process: creates it if needed, takes its lock (refusing a folder a live run
 * holds), refuses a folder that already holds a run's files unless `continues` (this run resumes from that
 * folder's checkpoint and appends to its metrics), and removes checkpoint temp files an earlier killed run left.
 */
export function claimRunDir(dir: string, opts: { continues: boolean; sweep?: string }): RunDirClaim {
  host().files.mkdir(dir, { recursive: true });
  const mine = takeLock(dir);
  let released = false;
  let forget = () => {};
  const release = () => {
    if (released) return;
    released = true;
    forget();
    releaseLock(dir, mine);
  };
  forget = host().onExit(release);
  try {
    const { checkpoint, metrics } = runFiles(dir);
    if (!opts.continues) {
      const held = [checkpoint, metrics].filter((p) => exists(p));
      if (held.length) {
        throw new RunDirError(
          `${dir} already holds a run (${held.map((p) => p.slice(dir.length + 1)).join(', ')}); a new run there would overwrite it. Train into another folder, or continue that run from its checkpoint: cnn train FILE --init ${checkpoint} --out ${dir}`,
        );
      }
    }
    const removed = { temps: removeTemps(dir), folders: [] as string[] };
    if (opts.sweep) sweepKilledRuns(opts.sweep, removed);
    return { dir, removed, release };
  } catch (err) {
    release();
    throw err;
  }
}

function releaseLock(dir: string, mine: string): void {
  const lock = runFiles(dir).lock;
  try {
    if (host().files.readText(lock) === mine) host().files.remove(lock);
  } catch {
    /* already gone */
  }
}

/** Removes the checkpoint temp files in `dir` (whose lock the caller holds); returns their paths. */
function removeTemps(dir: string): string[] {
  const { files, path } = host();
  const out: string[] = [];
  for (const { name } of files.readDir(dir)) {
    if (!isCheckpointTemp(name)) continue;
    try {
      files.remove(path.join(dir, name));
      out.push(path.join(dir, name));
    } catch {
      /* gone already */
    }
  }
  return out;
}

/**
 * Tidies the run folders in `runs` that killed runs left: a folder whose lock names a process that is gone (a
 * SIGKILL skips the release) loses its checkpoint temp files and the lock, and goes entirely when nothing else
 * is in it. Folders without a lock (finished runs) and live runs' folders (the exported train.py takes the same
 * lock) are left alone; the lock is taken while tidying, so two runs starting together do not tidy the same folder.
 */
function sweepKilledRuns(runs: string, removed: { temps: string[]; folders: string[] }): void {
  const { path } = host();
  let names: string[];
  try {
    names = host().files.readDir(runs).map((e) => e.name);
  } catch {
    return;
  }
  for (const name of names) {
    const dir = path.join(runs, name);
    const holder = readHolder(runFiles(dir).lock);
    if (!holder || holderAlive(holder)) continue;
    let mine: string;
    try {
      mine = takeLock(dir);
    } catch {
      continue;
    }
    removed.temps.push(...removeTemps(dir));
    releaseLock(dir, mine);
    if (removeEmptyRunDir(dir)) removed.folders.push(dir);
  }
}

/** True when a run with `init` as its starting checkpoint continues the run in `dir` (same checkpoint file). */
export function continuesRun(dir: string, init: string | undefined): boolean {
  const { resolve } = host().path;
  return init !== undefined && resolve(init) === resolve(runFiles(dir).checkpoint);
}

function exists(path: string): boolean {
  return host().files.stat(path) !== null;
}
