// A run's errors as the user sees them: TrainError carries the stage (and a code such as E040 or E055), and
// reportError turns any error into the ErrorMessage the CLI and the editor show.

import { DataError } from '../data';
import type { ErrorMessage, ErrorStage, TrainerMessage } from '../protocol/trainer';

export class TrainError extends Error {
  constructor(
    readonly stage: ErrorStage,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Emits and returns the ErrorMessage of `err`: a TrainError keeps its stage and code, a DataError is E040 (or its own code). */
export function reportError(err: unknown, emit: (m: TrainerMessage) => void): ErrorMessage {
  const msg: ErrorMessage =
    err instanceof TrainError
      ? { type: 'error', stage: err.stage, message: err.message, ...(err.code ? { code: err.code } : {}) }
      : err instanceof DataError
        ? { type: 'error', stage: 'data', message: err.message, code: (err as { code: string }).code }
        : { type: 'error', stage: 'train', message: (err as Error)?.message ?? String(err) };
  emit(msg);
  return msg;
}

export function noDataLine(file: string): TrainError {
  return new TrainError('setup', `${file} has no data line. Add one, e.g. "data shapes" (built in) or "data idx mnist/".`, 'E040');
}
