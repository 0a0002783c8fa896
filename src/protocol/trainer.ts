// Messages between the extension host (or the CLI) and the trainer child process.
// Sent with child_process.fork({ serialization: 'advanced' }), so Float32Arrays cross as typed arrays.

import { type Check, arrayOf, isBool, isF32, isFiniteNum, isInt, isNum, isStr, nullable, oneOf, optional, shape, tagged } from './check';

export type Backend = 'builtin' | 'pytorch';

/** Everything the trainer needs; the model is re-checked from `source` in the child. */
export interface TrainJob {
  /** Absolute path of the .cnn file (data paths are relative to its folder). */
  file: string;
  /** The file's text at the moment training was started. */
  source: string;
  /** Folder for model.safetensors and metrics.jsonl. */
  outDir: string;
  /** Overrides the file's `train epochs=`. */
  epochs?: number;
  /** A checkpoint to start from. */
  init?: string;
  /** Worker threads for the engine (default 1). */
  threads?: number;
  /** Send a snapshot of the chosen sample at most this often while training (ms); 0 = only on request. */
  snapshotIntervalMs?: number;
  /**
   * `train` (default) trains; `inspect` builds the network (from `init` when given, else fresh weights),
   * opens the data and only answers snapshot and evaluation requests until stopped.
   */
  mode?: 'train' | 'inspect';
}

export interface ProgressMessage {
  type: 'progress';
  epoch: number; // 1-based
  epochs: number;
  step: number; // 1-based within the epoch
  steps: number; // steps per epoch
  loss: number; // running mean over the epoch so far
  accuracy: number; // running, 0…1
  samplesPerSec: number;
  etaSec: number;
}

export interface EpochMessage {
  type: 'epoch';
  epoch: number;
  epochs: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  seconds: number;
}

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

export interface LayerActivation extends Tensor {
  /** Layer statement index (`layers.{i}`). */
  index: number;
  kind: string;
  line: number;
}

export interface SnapshotMessage {
  type: 'snapshot';
  /** Which sample: from the dataset split, or an image file. */
  source: string;
  label: number | null;
  /** The input as [H, W, C] (channels last, as the data gives it). */
  input: Tensor;
  /** Every layer's output for the sample: volumes as [C, H, W] channel planes, vectors as [N]. */
  activations: LayerActivation[];
  /** Every conv and deconv layer's weights in PyTorch's layout: conv K×C/G×F_h×F_w, deconv C_in×K×F_h×F_w. */
  filters: (Tensor & { index: number; line: number })[];
  probabilities: number[];
  classes: string[];
}

/** The validation set's confusion matrix and some misclassified samples, after each epoch and on request. */
export interface EvaluationMessage {
  type: 'evaluation';
  classes: string[];
  /** confusion[true][predicted] = count. */
  confusion: number[][];
  /** Up to 24 misclassified validation samples. */
  misclassified: { index: number; label: number; predicted: number; probabilities: number[]; input: Tensor }[];
  /** Which split was evaluated. */
  split: 'validation' | 'training';
}

export interface StartedMessage {
  type: 'started';
  epochs: number;
  stepsPerEpoch: number;
  trainSize: number;
  valSize: number;
  classes: string[];
  params: number;
  backend: Backend;
  /** Data warnings (odd files skipped and the like). */
  warnings: string[];
}

export interface DoneMessage {
  type: 'done';
  checkpoint: string;
  metricsFile: string;
  /** True when stopped by the user before the last epoch. */
  stopped: boolean;
  epochsRun: number;
  final: { trainLoss: number; trainAccuracy: number; valLoss: number | null; valAccuracy: number | null } | null;
}

export type ErrorStage = 'setup' | 'data' | 'train' | 'checkpoint' | 'snapshot';

export interface ErrorMessage {
  type: 'error';
  stage: ErrorStage;
  message: string;
  /** E040 for data problems, otherwise absent. */
  code?: string;
}

/**
 * Start-up that takes more than a moment (a network of thousands of layers, large data): what the trainer is
 * doing before `started`, e.g. "building the network", once per stage.
 */
export interface PreparingMessage {
  type: 'preparing';
  /** What is being done now, lower case, without the network's name: "checking the data". */
  stage: string;
  /** Layer statements of the network (0 while not yet known). */
  layers: number;
  /** Seconds since the job arrived. */
  seconds: number;
}

/** The one wording of a PreparingMessage, for the CLI's line and the editor's progress notification. */
export function preparingText(m: PreparingMessage): string {
  const layers = m.layers > 0 ? `, ${m.layers.toLocaleString('en-US')} layers` : '';
  return `preparing: ${m.stage} (${Math.round(m.seconds)} s${layers})…`;
}

export interface LogMessage {
  type: 'log';
  message: string;
}

export type TrainerMessage = PreparingMessage | StartedMessage | ProgressMessage | EpochMessage | SnapshotMessage | EvaluationMessage | DoneMessage | ErrorMessage | LogMessage;

export interface StartRequest {
  type: 'start';
  job: TrainJob;
}
export interface StopRequest {
  type: 'stop';
}
export interface SnapshotRequest {
  type: 'snapshot';
  /** A sample of the validation split (else training) by index, or an image file. */
  sample?: number;
  imagePath?: string;
}

export interface EvaluateRequest {
  type: 'evaluate';
}

export type HostMessage = StartRequest | StopRequest | SnapshotRequest | EvaluateRequest;

const tensor: Record<string, Check> = { shape: arrayOf(isInt), data: isF32 };

export const isTrainerMessage = tagged<TrainerMessage['type']>({
  started: { epochs: isInt, stepsPerEpoch: isInt, trainSize: isInt, valSize: isInt, classes: arrayOf(isStr), params: isInt, backend: oneOf('builtin', 'pytorch'), warnings: arrayOf(isStr) },
  progress: { epoch: isInt, epochs: isInt, step: isInt, steps: isInt, loss: isNum, accuracy: isNum, samplesPerSec: isNum, etaSec: isNum },
  epoch: { epoch: isInt, epochs: isInt, trainLoss: isNum, trainAccuracy: isNum, valLoss: nullable(isNum), valAccuracy: nullable(isNum), seconds: isNum },
  snapshot: {
    source: isStr,
    label: nullable(isInt),
    input: shape(tensor),
    activations: arrayOf(shape({ ...tensor, index: isInt, kind: isStr, line: isInt })),
    filters: arrayOf(shape({ ...tensor, index: isInt, line: isInt })),
    probabilities: arrayOf(isFiniteNum),
    classes: arrayOf(isStr),
  },
  evaluation: {
    classes: arrayOf(isStr),
    confusion: arrayOf(arrayOf(isInt)),
    misclassified: arrayOf(shape({ index: isInt, label: isInt, predicted: isInt, probabilities: arrayOf(isFiniteNum), input: shape(tensor) })),
    split: oneOf('validation', 'training'),
  },
  done: { checkpoint: isStr, metricsFile: isStr, stopped: isBool, epochsRun: isInt, final: nullable(shape({ trainLoss: isNum, trainAccuracy: isNum })) },
  error: { stage: oneOf('setup', 'data', 'train', 'checkpoint', 'snapshot'), message: isStr, code: optional(isStr) },
  log: { message: isStr },
  preparing: { stage: isStr, layers: isInt, seconds: isNum },
}) as (v: unknown) => v is TrainerMessage;

export const isHostMessage = tagged<HostMessage['type']>({
  start: {
    job: shape({
      file: isStr,
      source: isStr,
      outDir: isStr,
      epochs: optional(isInt),
      init: optional(isStr),
      threads: optional(isInt),
      snapshotIntervalMs: optional(isFiniteNum),
      mode: optional(oneOf('train', 'inspect')),
    }),
  },
  stop: {},
  evaluate: {},
  snapshot: { sample: optional(isInt), imagePath: optional(isStr) },
}) as (v: unknown) => v is HostMessage;
