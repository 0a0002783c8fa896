// What the Training tab says about the file's latest run when none is going on: finished, stopped or failed
// (the host's word, from the run's real state), and where its metrics are, relative to the .cnn file. Pure.

import type { RunPhase, RunStatus } from '../../src/protocol/webview';
import { relativeTo } from './format';
import type { RunState } from './inspector';

export interface RunHeadline {
  phase: RunPhase;
  /** One sentence: `Finished after 3 epochs.` */
  text: string;
  /** The metrics file, relative to the .cnn file's folder where it can be; null when there is none. */
  path: string | null;
  /** The full path, for a tooltip. */
  fullPath: string | null;
}

const epochs = (n: number) => `${n} epoch${n === 1 ? '' : 's'}`;
const ofPlanned = (run: number, planned: number | null) => (planned !== null && planned !== run ? `${run} of ${epochs(planned)}` : epochs(run));

/** The headline for an idle Training tab; `file` is the .cnn file (paths are shown relative to its folder). */
export function runHeadline(run: RunState, status: RunStatus | null, file: string | null): RunHeadline {
  const info = status?.run ?? fromMessages(run);
  const fullPath = run.source === 'last' ? run.path : null;
  const path = fullPath ? relativeTo(fullPath, file) : null;
  let text: string;
  switch (info.phase) {
    case 'none':
      text = fullPath ? 'Last run.' : 'No training run yet for this file.';
      break;
    case 'running':
      text = 'Training…';
      break;
    case 'finished':
      text = `Finished after ${ofPlanned(info.epochsRun, info.epochs)}.`;
      break;
    case 'stopped':
      text = info.epochsRun === 0 ? 'Stopped in its first epoch.' : `Stopped after ${ofPlanned(info.epochsRun, info.epochs)}.`;
      break;
    case 'failed':
      text = `Failed${info.epochsRun ? ` after ${ofPlanned(info.epochsRun, info.epochs)}` : ''}${info.message && !run.error ? `: ${info.message}` : '.'}`;
      break;
  }
  return { phase: info.phase, text, path, fullPath };
}

/** Before the host's status arrives: what the run's own messages say (a history alone says no more than "last run"). */
function fromMessages(run: RunState): { phase: RunPhase; epochsRun: number; epochs: number | null; message: string | null } {
  const planned = run.started?.epochs ?? null;
  if (run.error) return { phase: 'failed', epochsRun: run.rows.length, epochs: planned, message: run.error.message };
  if (run.done) return { phase: run.done.stopped ? 'stopped' : 'finished', epochsRun: run.done.epochsRun, epochs: planned, message: null };
  return { phase: 'none', epochsRun: 0, epochs: null, message: null };
}
