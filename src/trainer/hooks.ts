// How a run talks to whoever started it (the trainer child process, `cnn train`, tests).

import type { ModelSpec } from '../language';
import type { RunRequest, TrainerMessage } from '../protocol/trainer';

export type { RunRequest };

export interface RunHooks {
  emit(m: TrainerMessage): void;
  /** True once a stop was requested; checked before every step. */
  stopRequested(): boolean;
  /** A pending snapshot, evaluation or augmentation-preview request, taken (and cleared) between steps. */
  takeRequest(): RunRequest | null;
  /** Inspect mode: waits for the next request; null when the parent asked to stop or went away. */
  nextRequest?(): Promise<RunRequest | null>;
  /** Reads an image file into H×W×C at the model's input size (for snapshots of a user's image). */
  readImage?(path: string, spec: ModelSpec): Promise<Float32Array>;
}
