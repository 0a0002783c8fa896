// Where a file's last run and its checkpoint are, as the inspector looks for them: this window's last run of the
// file, the checkpoint the training feature remembers, or the newest run folder beside the file. The run-folder
// conventions themselves (names, files, "the latest run on disk") live in src/trainer/paths.ts; this file only
// chooses among the candidates. No `vscode`: inspector.ts passes what it knows. Files through src/platform's host
// (the disk on Node; the browser's mirror of the run folders, loaded first: platform.ts).

import { host } from '../platform/host';
import { checkpointIn, latestRunMetrics, runFiles } from '../trainer/paths';

const dirname = (p: string) => host().path.dirname(p);

/** What is known about a file's runs, best first. */
export interface RunSources {
  /** The metrics.jsonl of this window's last finished or stopped run of the file, if any. */
  metricsFile: string | null;
  /** The checkpoint the training feature wrote last for the file, if any. */
  known: string | null;
  /** The network's name, to look in `runs/` beside the file; null when the file is not on disk. */
  network: string | null;
}

/** The file's latest checkpoint: the remembered one while it exists, else the one in the folder of its last run. */
export function fileCheckpoint(file: string, s: RunSources): string | null {
  if (s.known && host().files.stat(s.known)?.kind === 'file') return s.known;
  const metrics = s.metricsFile ?? (s.network !== null ? latestRunMetrics(file, s.network) : null);
  return metrics ? checkpointIn(dirname(metrics)) : null;
}

/**
 * The metrics.jsonl of the file's last run and its text: this window's last run, the remembered checkpoint's
 * run, or the newest run folder beside the file; the first that can be read (null: none can).
 */
export function lastRun(file: string, s: RunSources): { path: string; text: string } | null {
  const candidates = [s.metricsFile, s.known ? runFiles(dirname(s.known)).metrics : null, s.network !== null ? latestRunMetrics(file, s.network) : null];
  for (const path of candidates) {
    if (!path) continue;
    try {
      return { path, text: host().files.readText(path) };
    } catch {
      // gone or unreadable: the next candidate
    }
  }
  return null;
}

/** Whether the run folder of a metrics.jsonl holds a checkpoint. */
export function runHasCheckpoint(metricsPath: string): boolean {
  return checkpointIn(dirname(metricsPath)) !== null;
}
