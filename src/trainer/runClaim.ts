// Claiming a run folder for one run: the process that trains into a folder holds a lock file in it for the
// run's length. That keeps a second run out of a folder named twice (`cnn train --out DIR` in two terminals),
// refuses a folder that already holds a run unless this run continues it (then its metrics are appended to,
// never truncated), and makes it safe to clear what a killed run left there (half-written checkpoint files).

import { linkSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { isCheckpointTemp } from '../engine';
import { removeEmptyRunDir, runFiles } from './paths';

const LOCK = '.cnn-run.lock';

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
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    return { pid: typeof h.pid === 'number' ? h.pid : -1, host: typeof h.host === 'string' ? h.host : '' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // Unreadable or half-written: treat as a holder we cannot check.
    return { pid: -1, host: '' };
  }
}

/** Whether the process that holds a lock may still be running (a lock from another machine always may). */
function holderAlive(h: LockHolder): boolean {
  if (h.host !== hostname() || h.pid <= 0) return true;
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `dir`'s lock file for this process, taking over one whose process is gone; returns the lock's text. */
function takeLock(dir: string): string {
  const lock = join(dir, LOCK);
  const mine = JSON.stringify({ pid: process.pid, host: hostname() });
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      writeFileSync(lock, mine, { flag: 'wx' });
      return mine;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(lock);
    if (!holder) continue; // released in between: try again
    if (holderAlive(holder)) {
      throw new RunDirError(
        `${dir} is in use by another training (process ${holder.pid > 0 ? holder.pid : '?'}${holder.host && holder.host !== hostname() ? ` on ${holder.host}` : ''}). Train into another folder, or wait for that run to end. (If no training is running, delete ${lock}.)`,
      );
    }
    // The holder died (SIGKILL, power loss). Move its lock aside: a rename moves one file to one claimant, so
    // two runs that find the same stale lock cannot both take it; what was moved is checked to be that stale
    // lock and not a fresh one another claimant wrote in between (which is put back).
    const aside = `${lock}.${process.pid}.stale`;
    try {
      renameSync(lock, aside);
    } catch {
      continue;
    }
    const moved = readHolder(aside);
    if (moved && (moved.pid !== holder.pid || moved.host !== holder.host)) {
      try {
        linkSync(aside, lock);
      } catch {
        /* a third claimant holds it now */
      }
      unlinkSync(aside);
      continue;
    }
    unlinkSync(aside);
  }
  throw new RunDirError(`cannot claim ${dir}: its lock ${lock} keeps changing`);
}

/**
 * Claims `dir` for one run by this process: creates it if needed, takes its lock (refusing a folder a live run
 * holds), refuses a folder that already holds a run's files unless `continues` (this run resumes from that
 * folder's checkpoint and appends to its metrics), and removes checkpoint temp files an earlier killed run left.
 */
export function claimRunDir(dir: string, opts: { continues: boolean; sweep?: string }): RunDirClaim {
  mkdirSync(dir, { recursive: true });
  const mine = takeLock(dir);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    releaseLock(dir, mine);
  };
  process.on('exit', release);
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
  const lock = join(dir, LOCK);
  try {
    if (readFileSync(lock, 'utf8') === mine) unlinkSync(lock);
  } catch {
    /* already gone */
  }
}

/** Removes the checkpoint temp files in `dir` (whose lock the caller holds); returns their paths. */
function removeTemps(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!isCheckpointTemp(name)) continue;
    try {
      unlinkSync(join(dir, name));
      out.push(join(dir, name));
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
  let names: string[];
  try {
    names = readdirSync(runs);
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(runs, name);
    const holder = readHolder(join(dir, LOCK));
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
  return init !== undefined && resolve(init) === resolve(runFiles(dir).checkpoint);
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
