// Messages between the extension host (or the CLI) and the trainer child process.
// Sent with child_process.fork({ serialization: 'advanced' }), so Float32Arrays cross as typed arrays.

import { type Check, arrayOf, isBool, isF32, isFiniteNum, isInt, isNum, isStr, nullable, oneOf, optional, shape, tagged } from './check';
import type { AugmentSpec, Task } from '../language/model';
import { healthFields, type HealthMessage } from './health';
import { explainGalleryFields, explainRequestFields, explanationFields, galleryExplanationFields, type ExplainGalleryRequest, type ExplainRequest, type ExplanationMessage, type GalleryExplanationMessage } from './explain';

export type { AugmentSpec, Task };
export type { HealthCode, HealthDiagnostic, HealthMessage, LayerHealth } from './health';
export type { ExplainGalleryRequest, ExplainMethodName, ExplainRequest, ExplanationMap, ExplanationMessage, GalleryExplanationMessage, GalleryMap } from './explain';

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
  /**
   * The validation split's AUC: the macro one-vs-rest mean over classes (single-label), the mean over labels
   * (multi-label); null without validation or when no class/label has both positives and negatives.
   */
  valAuc: number | null;
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
  /** Multi-label: the sample's 0/1 per label (`label` is null); absent for single-label and image files. */
  truth?: number[];
  /** The input as [H, W, C] (channels last, as the data gives it). */
  input: Tensor;
  /** Every layer's output for the sample: volumes as [C, H, W] channel planes, vectors as [N]. */
  activations: LayerActivation[];
  /** Every conv and deconv layer's weights in PyTorch's layout: conv K×C/G×F_h×F_w, deconv C_in×K×F_h×F_w. */
  filters: (Tensor & { index: number; line: number })[];
  probabilities: number[];
  classes: string[];
}

/** One ROC curve: false and true positive rates from (0,0) to (1,1), thinned to at most 200 points. */
export interface RocCurve {
  fpr: number[];
  tpr: number[];
}

/** Precision, recall and F1 of one class (single-label) or one label at 0.5 (multi-label); support = true positives' count. */
export interface ClassScore {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/**
 * A misclassified sample. Single-label: `label` the true class, `predicted` the argmax. Multi-label: `label` and
 * `predicted` are −1, `truth` the 0/1 labels, `probabilities` the per-label sigmoid outputs.
 */
export interface Misclassified {
  index: number;
  label: number;
  predicted: number;
  probabilities: number[];
  input: Tensor;
  truth?: number[];
}

/** The validation set's figures and some misclassified samples, after each epoch and on request. */
export interface EvaluationMessage {
  type: 'evaluation';
  task: Task;
  /** Class names (single-label) or label names (multi-label). */
  classes: string[];
  /** confusion[true][predicted] = count; [] for multi-label. */
  confusion: number[][];
  /** Up to 24 misclassified validation samples (multi-label: a sample with any label wrong at 0.5). */
  misclassified: Misclassified[];
  /** Which split was evaluated. */
  split: 'validation' | 'training';
  /** AUC per class (one-vs-rest) or label, null where the split lacks positives or negatives; mean over the defined ones. */
  auc: { mean: number | null; perClass: (number | null)[] };
  /** One ROC curve per class or label (empty curves where its AUC is null). */
  roc: RocCurve[];
  /** Per class (single-label) or per label at 0.5 (multi-label). */
  perClass: ClassScore[];
  /** Multi-label: the fraction right per label at 0.5; null for single-label. */
  labelAccuracy: number[] | null;
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
  /** Data warnings (odd files skipped and the like), and the class-imbalance warning. */
  warnings: string[];
  task: Task;
  /** Samples per class of the training split (multi-label: positives per label). */
  classCounts: number[];
  /** The loss's class weights (multi-label: pos_weight per label) from `train class_weights`, or null. */
  classWeights: number[] | null;
  /**
   * The built-in engine's threads for this run: the setting, bounded by the cores, and 1 in a browser page that
   * is not cross-origin isolated (shared memory cannot reach a Web Worker there). Absent from PyTorch runs.
   */
  threads?: number;
}

export interface DoneMessage {
  type: 'done';
  checkpoint: string;
  metricsFile: string;
  /** True when stopped by the user before the last epoch. */
  stopped: boolean;
  epochsRun: number;
  final: { trainLoss: number; trainAccuracy: number; valLoss: number | null; valAccuracy: number | null } | null;
  /** The test split's figures with the last weights, when the data has a test split (and the run was not stopped). */
  test: TestFigures | null;
  /** best.safetensors (the weights of the best validation figure), or null when no epoch was validated. */
  best: string | null;
}

export interface TestFigures {
  samples: number;
  loss: number;
  accuracy: number;
  auc: number | null;
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

export interface LogMessage {
  type: 'log';
  message: string;
}

/** The inspector's augmentation grid: `images` are `count` augmented versions of a training sample (answers AugmentPreviewRequest). */
export interface AugmentPreviewMessage {
  type: 'augmentPreview';
  /** The training split's sample index (clamped to the split). */
  sample: number;
  /** The sample's class (single-label) or the labels it carries (multi-label), as indices into `classes`. */
  labels: number[];
  classes: string[];
  /** The sample as the network sees it without augmentation, [H, W, C]. */
  input: Tensor;
  /** The augmented versions, [H, W, C] each. */
  images: Tensor[];
  /** The settings they were made with (the request's), so the panel knows which edit they show. */
  augment: AugmentSpec;
  seed: number;
}

export type TrainerMessage =
  | PreparingMessage
  | StartedMessage
  | ProgressMessage
  | EpochMessage
  | SnapshotMessage
  | EvaluationMessage
  | DoneMessage
  | ErrorMessage
  | LogMessage
  | AugmentPreviewMessage
  | HealthMessage
  | ExplanationMessage
  | GalleryExplanationMessage;

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

/**
 * `count` augmented versions of training sample `sample` under `augment`: the settings of the editor's text now
 * (newer than the job's source), answered in inspect mode and between training steps.
 */
export interface AugmentPreviewRequest {
  type: 'augmentPreview';
  sample: number;
  count: number;
  augment: AugmentSpec;
  /** The random draws (default: the file's `train seed`): the same seed shows the same draws under every edit. */
  seed?: number;
}

/** The most augmented images one preview request may ask for. */
export const AUGMENT_PREVIEW_MAX = 64;

export type HostMessage = StartRequest | StopRequest | SnapshotRequest | EvaluateRequest | AugmentPreviewRequest | ExplainRequest | ExplainGalleryRequest;

/** The requests a run answers between steps (and, in inspect mode, while it waits). */
export type RunRequest = SnapshotRequest | EvaluateRequest | AugmentPreviewRequest | ExplainRequest | ExplainGalleryRequest;

const tensor: Record<string, Check> = { shape: arrayOf(isInt), data: isF32 };
const isTask: Check = oneOf('single', 'multilabel');
const isNonNegInt: Check = (v) => isInt(v) && (v as number) >= 0;
const isNonNegNum: Check = (v) => isFiniteNum(v) && (v as number) >= 0;
/** An `augment` statement's settings: every field in range (the checker's limits; the trainer trusts them). */
export const isAugmentSpec: Check = shape({
  flip: oneOf('none', 'horizontal', 'vertical', 'both'),
  rotate: (v) => isNonNegNum(v) && (v as number) <= 180,
  shift: isNonNegInt,
  zoom: nullable((v) => Array.isArray(v) && v.length === 2 && v.every((z) => isFiniteNum(z) && (z as number) > 0) && (v[0] as number) <= (v[1] as number)),
  brightness: (v) => isNonNegNum(v) && (v as number) <= 1,
  contrast: (v) => isNonNegNum(v) && (v as number) <= 1,
  line: isNonNegInt,
});

export const isTrainerMessage = tagged<TrainerMessage['type']>({
  started: {
    epochs: isInt,
    stepsPerEpoch: isInt,
    trainSize: isInt,
    valSize: isInt,
    classes: arrayOf(isStr),
    params: isInt,
    backend: oneOf('builtin', 'pytorch'),
    warnings: arrayOf(isStr),
    task: isTask,
    classCounts: arrayOf(isInt),
    classWeights: nullable(arrayOf(isFiniteNum)),
    threads: optional(isInt),
  },
  progress: { epoch: isInt, epochs: isInt, step: isInt, steps: isInt, loss: isNum, accuracy: isNum, samplesPerSec: isNum, etaSec: isNum },
  epoch: { epoch: isInt, epochs: isInt, trainLoss: isNum, trainAccuracy: isNum, valLoss: nullable(isNum), valAccuracy: nullable(isNum), valAuc: nullable(isNum), seconds: isNum },
  snapshot: {
    source: isStr,
    label: nullable(isInt),
    truth: optional(arrayOf(isInt)),
    input: shape(tensor),
    activations: arrayOf(shape({ ...tensor, index: isInt, kind: isStr, line: isInt })),
    filters: arrayOf(shape({ ...tensor, index: isInt, line: isInt })),
    probabilities: arrayOf(isFiniteNum),
    classes: arrayOf(isStr),
  },
  evaluation: {
    task: isTask,
    classes: arrayOf(isStr),
    confusion: arrayOf(arrayOf(isInt)),
    misclassified: arrayOf(shape({ index: isInt, label: isInt, predicted: isInt, probabilities: arrayOf(isFiniteNum), input: shape(tensor), truth: optional(arrayOf(isInt)) })),
    split: oneOf('validation', 'training'),
    auc: shape({ mean: nullable(isFiniteNum), perClass: arrayOf(nullable(isFiniteNum)) }),
    roc: arrayOf(shape({ fpr: arrayOf(isFiniteNum), tpr: arrayOf(isFiniteNum) })),
    perClass: arrayOf(shape({ precision: isFiniteNum, recall: isFiniteNum, f1: isFiniteNum, support: isInt })),
    labelAccuracy: nullable(arrayOf(isFiniteNum)),
  },
  done: {
    checkpoint: isStr,
    metricsFile: isStr,
    stopped: isBool,
    epochsRun: isInt,
    final: nullable(shape({ trainLoss: isNum, trainAccuracy: isNum })),
    test: nullable(shape({ samples: isInt, loss: isNum, accuracy: isFiniteNum, auc: nullable(isFiniteNum) })),
    best: nullable(isStr),
  },
  error: { stage: oneOf('setup', 'data', 'train', 'checkpoint', 'snapshot'), message: isStr, code: optional(isStr) },
  log: { message: isStr },
  preparing: { stage: isStr, layers: isInt, seconds: isNum },
  health: healthFields,
  explanation: explanationFields,
  galleryExplanation: galleryExplanationFields,
  augmentPreview: {
    sample: isNonNegInt,
    labels: arrayOf(isNonNegInt),
    classes: arrayOf(isStr),
    input: shape(tensor),
    images: arrayOf(shape(tensor)),
    augment: isAugmentSpec,
    seed: isInt,
  },
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
  augmentPreview: { sample: isNonNegInt, count: (v) => isInt(v) && (v as number) >= 1 && (v as number) <= AUGMENT_PREVIEW_MAX, augment: isAugmentSpec, seed: optional(isInt) },
  explain: explainRequestFields,
  explainGallery: explainGalleryFields,
}) as (v: unknown) => v is HostMessage;
