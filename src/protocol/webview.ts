// Messages between the extension host and the inspector webview, both ways, with run-time checks.
// `webview.postMessage` structured-clones its argument, so the Float32Arrays of snapshots and evaluations
// cross as typed arrays (never as JSON number arrays). Plain data and checks only: the webview imports this.

import { type Check, arrayOf, isBool, isFiniteNum, isInt, isNum, isStr, nullable, oneOf, optional, shape, tagged } from './check';
import { type EvaluationMessage, type SnapshotMessage, isTrainerMessage, type TrainerMessage } from './trainer';

/** The webview's copy of a shape (the language's `Shape`, repeated here: the protocol imports no language code). */
export type ShapeView = { kind: 'volume'; h: number; w: number; c: number } | { kind: 'vector'; n: number };

/** Filter, stride and padding of a conv, deconv or pool layer, per side. */
export interface WindowView {
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  /** Dilation (1: none; a dilated conv's taps are d apart, its effective side d·(f − 1) + 1). */
  dh: number;
  dw: number;
  /** A transposed convolution (deconv): the input is spread out by the stride, the output accumulated. */
  transposed: boolean;
  /** A deconv's output padding (0 for others). */
  oph: number;
  opw: number;
}

/** One side's worked arithmetic: `(N − F + 2P) / S + 1`. */
export interface ArithmeticView {
  side: 'height' | 'width';
  n: number;
  f: number;
  s: number;
  p: number;
  text: string;
}

/** A layer as the inspector draws it. */
export interface LayerView {
  /** The `i` of `layers.{i}`. */
  index: number;
  /** 0-based line of the statement. */
  line: number;
  /** The indices of the layers whose outputs flow in (-1: the network's input): the current flow first, then the names of add/concat. */
  inputs: number[];
  /** The label that names the layer's output (`stem: relu` → `stem`), if any. */
  name: string | null;
  /** conv, pool, relu, dense, softmax… */
  kind: string;
  /** `conv 16@3 p1 +relu`: the layer in one short phrase. */
  label: string;
  input: ShapeView | null;
  output: ShapeView | null;
  params: number | null;
  macs: number | null;
  receptiveField: [number, number] | null;
  /** The window of a conv or pool layer; null for others. */
  window: WindowView | null;
  /** Number of filters of a conv or deconv layer; null for others. */
  filters: number | null;
  /** Groups of a conv layer (1: ordinary, the input channels: depthwise); null for others. */
  groups: number | null;
  /** Max or average, for pools. */
  poolMode: 'max' | 'avg' | null;
  arithmetic: ArithmeticView[];
  hasError: boolean;
  /** The messages of the error diagnostics inside the statement. */
  errors: string[];
}

export interface ModelView {
  /** Absolute path (or URI string for unsaved files) of the .cnn file. */
  file: string;
  /** The file's base name, for the title. */
  fileName: string;
  /** The document version this model was checked from. */
  version: number;
  name: string | null;
  input: { h: number; w: number; c: number } | null;
  inputLine: number | null;
  classes: string[] | null;
  layers: LayerView[];
  /** The `from NAME` lines and the layer each one names (-1: the input): the cursor there highlights that layer. */
  jumps: { line: number; target: number }[];
  params: number;
  macs: number;
  /** True when some layer's figures are unknown (totals are lower bounds). */
  incomplete: boolean;
  errorCount: number;
  warningCount: number;
}

/** One epoch of a run, as metrics.jsonl stores it. */
export interface EpochRow {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
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

export type HostToWebview = ModelMessage | EmptyMessage | CursorMessage | TrainerEventMessage | HistoryMessage | StatusMessage;

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
  | ExplorerNotice;

/** What the webview keeps across hiding and window reloads (`vscode.setState`), small on purpose. */
export interface PersistedState {
  file: string | null;
  tab: InspectorTab;
  sample: number;
}

export const INSPECTOR_TABS = ['architecture', 'training', 'features', 'filters', 'prediction', 'explorer'] as const;
export type InspectorTab = (typeof INSPECTOR_TABS)[number];

// ───────────────────────────── run-time checks ─────────────────────────────

const isNonNegInt: Check = (v) => isInt(v) && (v as number) >= 0;
const isPosInt: Check = (v) => isInt(v) && (v as number) >= 1;

export const isShapeView: Check = (v) =>
  shape({ kind: oneOf('volume'), h: isPosInt, w: isPosInt, c: isPosInt })(v) || shape({ kind: oneOf('vector'), n: isPosInt })(v);

const isWindow: Check = shape({
  fh: isPosInt,
  fw: isPosInt,
  sh: isPosInt,
  sw: isPosInt,
  ph: isNonNegInt,
  pw: isNonNegInt,
  dh: isPosInt,
  dw: isPosInt,
  transposed: isBool,
  oph: isNonNegInt,
  opw: isNonNegInt,
});

/** A layer's inputs: earlier layers' indices, or -1 for the network's input. */
const isInputIndex: Check = (v) => isInt(v) && (v as number) >= -1;

const isArithmetic: Check = shape({ side: oneOf('height', 'width'), n: isInt, f: isInt, s: isInt, p: isInt, text: isStr });

const isPair: Check = (v) => Array.isArray(v) && v.length === 2 && v.every(isInt);

export const isLayerView: Check = shape({
  index: isNonNegInt,
  line: isNonNegInt,
  inputs: arrayOf(isInputIndex),
  name: nullable(isStr),
  kind: isStr,
  label: isStr,
  input: nullable(isShapeView),
  output: nullable(isShapeView),
  params: nullable(isNonNegInt),
  macs: nullable(isNonNegInt),
  receptiveField: nullable(isPair),
  window: nullable(isWindow),
  filters: nullable(isPosInt),
  groups: nullable(isPosInt),
  poolMode: nullable(oneOf('max', 'avg')),
  arithmetic: arrayOf(isArithmetic),
  hasError: isBool,
  errors: arrayOf(isStr),
});

const isModelViewShape: Check = shape({
  file: isStr,
  fileName: isStr,
  version: isInt,
  name: nullable(isStr),
  input: nullable(shape({ h: isPosInt, w: isPosInt, c: isPosInt })),
  inputLine: nullable(isNonNegInt),
  classes: nullable(arrayOf(isStr)),
  layers: arrayOf(isLayerView),
  jumps: arrayOf(shape({ line: isNonNegInt, target: isInputIndex })),
  params: isNonNegInt,
  macs: isNonNegInt,
  incomplete: isBool,
  errorCount: isNonNegInt,
  warningCount: isNonNegInt,
});

/** Every layer's inputs are layers above it (or the input), and every jump names a layer: the drawing's edges never loop or dangle. */
function inputsEarlier(m: ModelView): boolean {
  const seen = new Set<number>([-1]);
  for (const l of m.layers) {
    if (!l.inputs.every((i) => seen.has(i))) return false;
    seen.add(l.index);
  }
  return m.jumps.every((j) => seen.has(j.target));
}

export const isModelView: Check = (v) => isModelViewShape(v) && inputsEarlier(v as ModelView);

export const isEpochRow: Check = shape({
  epoch: isPosInt,
  trainLoss: isNum,
  trainAccuracy: isNum,
  valLoss: nullable(isNum),
  valAccuracy: nullable(isNum),
});

export const isRunInfo: Check = shape({ phase: oneOf(...RUN_PHASES), epochsRun: isNonNegInt, epochs: nullable(isPosInt), message: nullable(isStr) });

const isRunStatus: Check = shape({ training: isBool, run: isRunInfo, inspecting: isBool, checkpoint: nullable(isStr), note: nullable(isStr) });

/** Tensors must hold as many numbers as their shape says, or a renderer would read past the end. */
function tensorsConsistent(m: TrainerMessage): boolean {
  const ok = (t: { shape: number[]; data: Float32Array }) => t.shape.every((d) => d >= 0) && t.shape.reduce((a, b) => a * b, 1) === t.data.length;
  if (m.type === 'snapshot') return ok(m.input) && m.activations.every(ok) && m.filters.every(ok);
  if (m.type === 'evaluation') {
    const n = m.classes.length;
    return m.confusion.length === n && m.confusion.every((r) => r.length === n && r.every((c) => c >= 0)) && m.misclassified.every((s) => ok(s.input));
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
  return { epoch, trainLoss, trainAccuracy, valLoss: num(o.valLoss), valAccuracy: num(o.valAccuracy) };
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
