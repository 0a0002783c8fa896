// A training run, shared by the trainer child process and `cnn train`: claim the run folder, prepare (check the
// model and data, build the network: prepare.ts), train (the epoch loop: epochs.ts) and report errors; or, in
// inspect mode, only answer the inspector's requests (snapshots.ts) until stopped.
//
//   errors.ts       TrainError, reportError          hooks.ts        RunHooks (how a run talks to its caller)
//   prepare.ts      modelFromJob, openModelData, prepare, class counts and weights
//   epochs.ts       the epoch loop, test figures      evaluation.ts   a split's loss, accuracy, AUC, ROC, …
//   checkpoints.ts  model.safetensors, best.safetensors
//   snapshots.ts    snapshots and request answers

import type { DoneMessage, ErrorMessage, TrainJob } from '../protocol/trainer';
import { trainPrepared, startedMessage } from './epochs';
import { reportError, TrainError } from './errors';
import type { RunHooks } from './hooks';
import { prepare, type Prepared } from './prepare';
import { runsFolder } from './paths';
import { claimRunDir, continuesRun, RunDirError, type RunDirClaim } from './runClaim';
import { Snapshots } from './snapshots';
import { Startup, StoppedBeforeStart } from './startup';
import { createYielder } from './yielder';

export type { RunHooks } from './hooks';
// The tests of the engine and the PyTorch export compare snapshots of one sample.
export { snapshot } from './snapshots';

export async function runTraining(job: TrainJob, hooks: RunHooks): Promise<DoneMessage | ErrorMessage> {
  try {
    return await train(job, hooks);
  } catch (err) {
    return reportError(err, hooks.emit);
  }
}

/** Inspect mode: no training; answer snapshot, evaluation and augmentation-preview requests until stopped. */
export async function runInspect(job: TrainJob, hooks: RunHooks): Promise<DoneMessage | ErrorMessage> {
  let p: Prepared | null = null;
  try {
    try {
      p = await prepare(job, startupFor(hooks));
    } catch (err) {
      if (err instanceof StoppedBeforeStart) return stoppedBeforeStart(hooks);
      throw err;
    }
    hooks.emit(startedMessage(p, 0));
    const snaps = new Snapshots(p, hooks);
    await snaps.send();
    for (;;) {
      const req = hooks.nextRequest ? await hooks.nextRequest() : null;
      if (!req) break;
      await snaps.answer(req);
    }
    p.data.close();
    const done: DoneMessage = { type: 'done', checkpoint: job.init ?? '', metricsFile: '', stopped: true, epochsRun: 0, final: null, test: null, best: null };
    hooks.emit(done);
    return done;
  } catch (err) {
    return reportError(err, hooks.emit);
  } finally {
    await p?.net.dispose();
  }
}

async function train(job: TrainJob, hooks: RunHooks): Promise<DoneMessage> {
  const claim = claimOutDir(job);
  const { temps, folders } = claim.removed;
  if (temps.length || folders.length) {
    const what = [temps.length ? `${temps.length} unfinished checkpoint file${temps.length === 1 ? '' : 's'}` : '', folders.length ? `${folders.length} empty run folder${folders.length === 1 ? '' : 's'}` : ''];
    hooks.emit({ type: 'log', message: `Removed ${what.filter(Boolean).join(' and ')} that interrupted runs left: ${[...temps, ...folders].join(', ')}.` });
  }
  try {
    let p: Prepared;
    try {
      p = await prepare(job, startupFor(hooks));
    } catch (err) {
      if (err instanceof StoppedBeforeStart) return stoppedBeforeStart(hooks);
      throw err;
    }
    try {
      return await trainPrepared(job, hooks, p);
    } finally {
      // Stops the engine's worker threads (threads > 1), whether training ended, stopped or failed.
      await p.net.dispose();
    }
  } finally {
    claim.release();
  }
}

function startupFor(hooks: RunHooks): Startup {
  return new Startup(hooks.emit, createYielder(() => hooks.stopRequested()));
}

/** Stopped during start-up: nothing was trained, so nothing is written (no checkpoint, no metrics). */
function stoppedBeforeStart(hooks: RunHooks): DoneMessage {
  const done: DoneMessage = { type: 'done', checkpoint: '', metricsFile: '', stopped: true, epochsRun: 0, final: null, test: null, best: null };
  hooks.emit(done);
  return done;
}

/** The run folder is this run's alone until it ends (runClaim.ts): claimed before anything is read. */
function claimOutDir(job: TrainJob): RunDirClaim {
  try {
    return claimRunDir(job.outDir, { continues: continuesRun(job.outDir, job.init), sweep: runsFolder(job.file) });
  } catch (err) {
    if (err instanceof RunDirError) throw new TrainError('setup', err.message);
    throw new TrainError('checkpoint', `cannot use ${job.outDir} as the run folder: ${(err as Error).message}`);
  }
}
