// Messages between the extension host and the inspector webview, both ways, with run-time checks.
// `webview.postMessage` structured-clones its argument, so the Float32Arrays of snapshots and evaluations
// cross as typed arrays (never as JSON number arrays). Plain data and checks only: the webview imports this.

import { type Check, arrayOf, isBool, isFiniteNum, isInt, isNum, isStr, nullable, oneOf, optional, shape, tagged } from './check';
import { explainGalleryFields, explainRequestFields, explanationConsistent, galleryConsistent, type ExplainMethodName } from './explain';
import { isModelView, type ModelView } from './modelView';
import { AUGMENT_PREVIEW_MAX, type EvaluationMessage, type SnapshotMessage, type StartedMessage, isTrainerMessage, type TrainerMessage } from './trainer';

// The model view (the network as the panel draws it) and its check: ./modelView.ts, exported from here too.
export type { ArithmeticView, LayerView, ModelView, ShapeView, WindowView } from './modelView';
export { isLayerView, isModelView, isShapeView } from './modelView';

/** One epoch of a run, as metrics.jsonl stores it. */
export interface EpochRow {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  /** The validation AUC (macro one-vs-rest, or the mean over labels); null without one (older runs too). */
  valAuc: number | null;
}

/** Where a file's latest run stands: `none` before the first run. */
export type RunPhase = 'none' | 'running' | 'finished' | 'stopped' | 'failed';
export const RUN_PHASES = ['none', 'running', 'finished', 'stopped', 'failed'] as const satisfies readonly RunPhase[];

/** A file's latest run: from its live trainer in this window, or else from its run folder on disk. */
export interface RunInfo {
  phase: RunPhase;
  /** Epochs completed. */
  epochsRun: number;
  /** Epochs planned, when known. */
  epochs: number | null;
  /** Why it failed, for `failed`. */
  message: string | null;
}

/** What the host knows about training for the followed file. */
export interface RunStatus {
  /** A training run is going on for the file (`run.phase === 'running'`). */
  training: boolean;
  /** The latest run's phase, from the real state whenever the panel opens, reloads or follows another file. */
  run: RunInfo;
  /** An inspect-only trainer answers snapshot requests for the file. */
  inspecting: boolean;
  /** The latest checkpoint, if any. */
  checkpoint: string | null;
  /** A line for the user when something is missing (no checkpoint, trainer not built…). */
  note: string | null;
}

// ───────────────────────────── host → webview ─────────────────────────────

export interface ModelMessage {
  type: 'model';
  model: ModelView;
}
/** No .cnn editor to follow. */
export interface EmptyMessage {
  type: 'empty';
}
export interface CursorMessage {
  type: 'cursor';
  file: string;
  line: number;
}
/** A trainer message for the file (progress, epoch, snapshot, evaluation…), throttled by the host. */
export interface TrainerEventMessage {
  type: 'trainer';
  file: string;
  message: TrainerMessage;
}
/** The epochs of a run: the last run's metrics.jsonl when idle, or the epochs so far when re-sent after a reload. */
export interface HistoryMessage {
  type: 'history';
  file: string;
  /** `live`: the current run; `last`: a finished run read from disk; `none`: no run found. */
  source: 'live' | 'last' | 'none';
  /** Where the rows come from (a metrics.jsonl path), when known. */
  path: string | null;
  rows: EpochRow[];
}
export interface StatusMessage {
  type: 'status';
  file: string;
  status: RunStatus;
}

/**
 * The training split as the trainer found it (class counts, weights, warnings), from the `started` message of a
 * run or of the inspector's own trainer, so the Training tab shows it before any run.
 */
export interface TrainingDataMessage {
  type: 'trainingData';
  file: string;
  data: StartedMessage;
}

export type HostToWebview = ModelMessage | EmptyMessage | CursorMessage | TrainerEventMessage | HistoryMessage | StatusMessage | TrainingDataMessage;

// ───────────────────────────── webview → host ─────────────────────────────

/** The app has loaded (or reloaded after hiding) and wants the whole state. */
export interface ReadyRequest {
  type: 'ready';
}
/** Move the editor cursor to a line of the file (a layer was clicked). */
export interface RevealRequest {
  type: 'reveal';
  file: string;
  line: number;
}
export interface TrainRequest {
  type: 'train';
  file: string;
}
export interface StopTrainingRequest {
  type: 'stopTraining';
  file: string;
}
/** Feature maps for a validation sample by index (or the trainer's default sample). */
export interface SnapshotRequestMessage {
  type: 'snapshot';
  file: string;
  sample?: number;
}
/** Ask the user for an image file (showOpenDialog), then request its snapshot. */
export interface PickImageRequest {
  type: 'pickImage';
  file: string;
}
/** Confusion matrix and misclassified samples on the validation set. */
export interface EvaluateRequestMessage {
  type: 'evaluate';
  file: string;
}

/** The augmentation grid: `count` augmented versions of training sample `sample` under the file's `augment` line now. */
export interface AugmentPreviewRequestMessage {
  type: 'augmentPreview';
  file: string;
  sample: number;
  count: number;
  /** Other random draws than the file's `train seed`. */
  seed?: number;
}

/**
 * The Explain tab: explain a validation sample (or an image file) for a class (null: the predicted one) at a
 * layer line (Grad-CAM; null: the default), by `methods`. `pickImage`: ask the user for the image file first.
 */
export interface ExplainRequestMessage {
  type: 'explain';
  file: string;
  sample: number;
  imagePath: string | null;
  cls: number | null;
  line: number | null;
  methods: ExplainMethodName[];
  pickImage?: boolean;
}

/** The misclassified gallery's Grad-CAM toggle: the maps of these samples (their predicted classes) at `line` (null: the default). */
export interface ExplainGalleryRequestMessage {
  type: 'explainGallery';
  file: string;
  samples: number[];
  line: number | null;
}

/** The convolution explorer now shows input N, filter F, stride S and padding P (the walkthrough's last step). */
export interface ExplorerNotice {
  type: 'explorer';
  n: number;
  f: number;
  s: number;
  p: number;
}

export type WebviewToHost =
  | ReadyRequest
  | RevealRequest
  | TrainRequest
  | StopTrainingRequest
  | SnapshotRequestMessage
  | PickImageRequest
  | EvaluateRequestMessage
  | AugmentPreviewRequestMessage
  | ExplainRequestMessage
  | ExplainGalleryRequestMessage
  | ExplorerNotice;

/** What the webview keeps across hiding and window reloads (`vscode.setState`), small on purpose. */
export interface PersistedState {
  file: string | null;
  tab: InspectorTab;
  sample: number;
}

export const INSPECTOR_TABS = ['architecture', 'training', 'features', 'filters', 'prediction', 'explain', 'explorer'] as const;
export type InspectorTab = (typeof INSPECTOR_TABS)[number];

// ───────────────────────────── run-time checks ─────────────────────────────

const isNonNegInt: Check = (v) => isInt(v) && (v as number) >= 0;
const isPosInt: Check = (v) => isInt(v) && (v as number) >= 1;

export const isEpochRow: Check = shape({
  epoch: isPosInt,
  trainLoss: isNum,
  trainAccuracy: isNum,
  valLoss: nullable(isNum),
  valAccuracy: nullable(isNum),
  valAuc: nullable(isNum),
});

export const isRunInfo: Check = shape({ phase: oneOf(...RUN_PHASES), epochsRun: isNonNegInt, epochs: nullable(isPosInt), message: nullable(isStr) });

const isRunStatus: Check = shape({ training: isBool, run: isRunInfo, inspecting: isBool, checkpoint: nullable(isStr), note: nullable(isStr) });

/** Tensors must hold as many numbers as their shape says, or a renderer would read past the end. */
function tensorsConsistent(m: TrainerMessage): boolean {
  const ok = (t: { shape: number[]; data: Float32Array }) => t.shape.every((d) => d >= 0) && t.shape.reduce((a, b) => a * b, 1) === t.data.length;
  if (m.type === 'snapshot') return ok(m.input) && m.activations.every(ok) && m.filters.every(ok);
  if (m.type === 'augmentPreview') return ok(m.input) && m.images.every(ok);
  if (m.type === 'explanation') return explanationConsistent(m);
  if (m.type === 'galleryExplanation') return galleryConsistent(m);
  if (m.type === 'evaluation') {
    const n = m.classes.length;
    // A multi-label evaluation has no confusion matrix; a single-label one has n × n counts.
    const confusion = m.task === 'multilabel' ? m.confusion.length === 0 : m.confusion.length === n && m.confusion.every((r) => r.length === n && r.every((c) => c >= 0));
    const perClass = m.auc.perClass.length === n && m.roc.every((c) => c.fpr.length === c.tpr.length) && (m.roc.length === 0 || m.roc.length === n);
    return confusion && perClass && m.misclassified.every((s) => ok(s.input));
  }
  return true;
}

const isTrainerEventShape = tagged<'trainer'>({ trainer: { file: isStr, message: (v) => isTrainerMessage(v) && tensorsConsistent(v as TrainerMessage) } });

const isHostToWebviewShape = tagged<Exclude<HostToWebview['type'], 'trainer'>>({
  model: { model: isModelView },
  empty: {},
  cursor: { file: isStr, line: isNonNegInt },
  history: { file: isStr, source: oneOf('live', 'last', 'none'), path: nullable(isStr), rows: arrayOf(isEpochRow) },
  status: { file: isStr, status: isRunStatus },
  trainingData: { file: isStr, data: (v) => isTrainerMessage(v) && (v as TrainerMessage).type === 'started' },
});

/** Checks a message from the host before the webview trusts it. */
export function isHostToWebview(v: unknown): v is HostToWebview {
  if (typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'trainer') return isTrainerEventShape(v);
  return isHostToWebviewShape(v);
}

/** Checks a message from the webview before the host acts on it. */
export const isWebviewToHost = tagged<WebviewToHost['type']>({
  ready: {},
  reveal: { file: isStr, line: isNonNegInt },
  train: { file: isStr },
  stopTraining: { file: isStr },
  snapshot: { file: isStr, sample: optional(isNonNegInt) },
  pickImage: { file: isStr },
  evaluate: { file: isStr },
  augmentPreview: { file: isStr, sample: isNonNegInt, count: (v) => isInt(v) && (v as number) >= 1 && (v as number) <= AUGMENT_PREVIEW_MAX, seed: optional(isInt) },
  explain: { file: isStr, ...explainRequestFields, pickImage: optional(isBool) },
  explainGallery: { file: isStr, ...explainGalleryFields },
  explorer: { n: isNonNegInt, f: isNonNegInt, s: isNonNegInt, p: isNonNegInt },
}) as (v: unknown) => v is WebviewToHost;

export const isPersistedState: Check = shape({ file: nullable(isStr), tab: oneOf(...INSPECTOR_TABS), sample: isNonNegInt });

export function isSnapshot(m: TrainerMessage): m is SnapshotMessage {
  return m.type === 'snapshot';
}
export function isEvaluation(m: TrainerMessage): m is EvaluationMessage {
  return m.type === 'evaluation';
}

/** Parse one line of metrics.jsonl; null for anything that is not an epoch row (robust to odd lines). */
export function parseMetricsLine(line: string): EpochRow | null {
  const t = line.trim();
  if (!t) return null;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  const epoch = num(o.epoch);
  const trainLoss = num(o.trainLoss);
  const trainAccuracy = num(o.trainAccuracy);
  if (epoch === null || !Number.isInteger(epoch) || epoch < 1 || trainLoss === null || trainAccuracy === null) return null;
  return { epoch, trainLoss, trainAccuracy, valLoss: num(o.valLoss), valAccuracy: num(o.valAccuracy), valAuc: num(o.valAuc) };
}

/** All epoch rows of a metrics.jsonl text; a later row for the same epoch replaces an earlier one. */
export function parseMetrics(text: string): EpochRow[] {
  const byEpoch = new Map<number, EpochRow>();
  for (const line of text.split(/\r?\n/)) {
    const row = parseMetricsLine(line);
    if (row) byEpoch.set(row.epoch, row);
  }
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

/** A probability: a finite number in [0, 1]. */
export const isProbability: Check = (v) => isFiniteNum(v) && (v as number) >= 0 && (v as number) <= 1;
