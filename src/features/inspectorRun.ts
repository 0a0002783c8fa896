// A file's training run as the inspector's host knows it, and where that run stands. Pure (no `vscode`, no
// file system): the host feeds it the trainer's messages and the text of a run folder's metrics.jsonl, and
// sends the webview what it returns, so the panel's state comes from the run's real state whenever it opens,
// reloads or follows another file. (inspector.ts is the glue; checkCache.ts is the model of the split.)

import type { EvaluationMessage, ProgressMessage, SnapshotMessage, StartedMessage, TrainerMessage } from '../protocol/trainer';
import { type EpochRow, parseMetrics, type RunInfo } from '../protocol/webview';
import { assertNever } from '../language/assertNever';

/** Everything remembered about one file's runs in this window, so a reopened or reloaded webview gets it back. */
export interface FileRun {
  started: StartedMessage | null;
  progress: ProgressMessage | null;
  rows: EpochRow[];
  snapshot: SnapshotMessage | null;
  evaluation: EvaluationMessage | null;
  /** The metrics.jsonl of this window's last finished or stopped run. */
  metricsFile: string | null;
  /** A training run's trainer is going on (between its `started` and its end). */
  live: boolean;
  /** How this window's last training run ended; null before one has ended. */
  ended: RunInfo | null;
}

export function emptyFileRun(): FileRun {
  return { started: null, progress: null, rows: [], snapshot: null, evaluation: null, metricsFile: null, live: false, ended: null };
}

/** The message that TrainingFeature sends when the trainer's process has gone, with or without `done`. */
export const TRAINER_EXITED = 'trainer exited';

/**
 * One trainer message. `from: 'inspect'` is an inspect-only trainer (feature maps of a checkpoint): no training
 * run, so only its snapshots and evaluations count.
 */
export function reduceFileRun(r: FileRun, m: TrainerMessage, from: 'training' | 'inspect'): FileRun {
  if (from === 'inspect') {
    if (m.type === 'snapshot') return { ...r, snapshot: m };
    if (m.type === 'evaluation') return { ...r, evaluation: m };
    return r;
  }
  switch (m.type) {
    case 'preparing':
      // Before `started`: the run is not under way yet (TrainingFeature already counts it as training).
      return r;
    case 'started':
      return { ...r, started: m, rows: [], progress: null, live: true, ended: null };
    case 'progress':
      return { ...r, progress: m };
    case 'epoch':
      return {
        ...r,
        rows: [...r.rows.filter((x) => x.epoch !== m.epoch), { epoch: m.epoch, trainLoss: m.trainLoss, trainAccuracy: m.trainAccuracy, valLoss: m.valLoss, valAccuracy: m.valAccuracy, valAuc: m.valAuc }],
      };
    case 'snapshot':
      return { ...r, snapshot: m };
    case 'evaluation':
      return { ...r, evaluation: m };
    case 'done':
      return {
        ...r,
        live: false,
        metricsFile: m.metricsFile || r.metricsFile,
        ended: { phase: m.stopped ? 'stopped' : 'finished', epochsRun: m.epochsRun, epochs: r.started?.epochs ?? null, message: null },
      };
    case 'error':
      // A snapshot that could not be computed does not end the run.
      if (m.stage === 'snapshot') return r;
      return { ...r, live: false, ended: { phase: 'failed', epochsRun: r.rows.length, epochs: r.started?.epochs ?? null, message: `${m.stage}: ${m.message}` } };
    case 'augmentPreview':
    case 'health':
    case 'explanation':
    case 'galleryExplanation':
      // For the panel only (the augmentation grid, the gradient-flow chart, the Explain tab); nothing about the run.
      return r;
    case 'log':
      if (m.message !== TRAINER_EXITED || !r.live) return r;
      // Gone without `done` or `error`: it crashed or was killed.
      return { ...r, live: false, ended: { phase: 'failed', epochsRun: r.rows.length, epochs: r.started?.epochs ?? null, message: 'the trainer exited without finishing' } };
    default:
      return assertNever(m);
  }
}


/**
 * What a run folder says about its run: its metrics.jsonl (one line per completed epoch, each with the epochs
 * planned) and whether it holds a checkpoint. The last epoch line decides: all planned epochs done is `finished`,
 * fewer is `stopped`; a folder with no epoch and no checkpoint ended before its first epoch: `failed`.
 */
export function runFromDisk(metricsText: string, hasCheckpoint: boolean): RunInfo {
  const rows = parseMetrics(metricsText);
  const last = rows[rows.length - 1];
  const planned = plannedEpochs(metricsText);
  if (!last) {
    return hasCheckpoint
      ? { phase: 'stopped', epochsRun: 0, epochs: planned, message: null }
      : { phase: 'failed', epochsRun: 0, epochs: planned, message: 'it ended before its first epoch, without a checkpoint' };
  }
  const finished = planned === null || last.epoch >= planned;
  return { phase: finished ? 'finished' : 'stopped', epochsRun: last.epoch, epochs: planned, message: null };
}

/** The `epochs` (planned) of the last epoch line of a metrics.jsonl, or null. */
function plannedEpochs(text: string): number | null {
  const lines = text.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const t = lines[i]!.trim();
    if (!t) continue;
    try {
      const v = JSON.parse(t) as { epoch?: unknown; epochs?: unknown };
      if (typeof v.epoch === 'number' && typeof v.epochs === 'number' && Number.isInteger(v.epochs) && v.epochs >= 1) return v.epochs;
    } catch {
      // an odd line: look further up
    }
  }
  return null;
}

const NO_RUN: RunInfo = { phase: 'none', epochsRun: 0, epochs: null, message: null };

/**
 * Where the file's latest run stands: a live trainer for the file in this window is `running`; otherwise how
 * this window's last run ended, if one did; otherwise its run folder on disk (`disk`), if any.
 */
export function runInfo(training: boolean, r: FileRun | undefined, disk: RunInfo | null): RunInfo {
  if (training) return { phase: 'running', epochsRun: r?.live ? r.rows.length : 0, epochs: r?.live ? (r.started?.epochs ?? null) : null, message: null };
  return r?.ended ?? disk ?? NO_RUN;
}

/** What a reopened panel is sent again of the run's messages: the start and progress of a live run only. */
export function replay(r: FileRun): { before: TrainerMessage[]; after: TrainerMessage[] } {
  return {
    // Before the history: `started` clears the panel's rows.
    before: r.live ? [r.started, r.progress].filter((m): m is StartedMessage | ProgressMessage => m !== null) : [],
    after: [r.snapshot, r.evaluation].filter((m): m is SnapshotMessage | EvaluationMessage => m !== null),
  };
}
