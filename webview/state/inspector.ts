// The inspector's state and its reducer: every host message and every user action is an action; the
// components call `reduce` and render what it returns. Pure: no DOM, no clocks, no host.

import type { AugmentPreviewMessage, DoneMessage, ErrorMessage, EvaluationMessage, ProgressMessage, SnapshotMessage, StartedMessage, TrainerMessage } from '../../src/protocol/trainer';
import { emptyHealth, reduceHealth, type HealthState } from './health';
import type { EpochRow, HostToWebview, InspectorTab, ModelView, PersistedState, RunStatus } from '../../src/protocol/webview';
import { decimate, type Point } from './chart';
import { type ConvSetting, explorerLayer, settingFor } from './conv';
import { ACTIVATION_LAYOUT, volumeDims } from './tiles';
import { type ExplainAction, explainCursor, explanationArrived, galleryArrived, type ExplainState, initialExplain, isExplainAction, reduceExplain } from './explain';
import type { TrainingData } from './trainingData';

/** One throttled progress report as a point of the live curves; x is the fractional epoch. */
export interface ProgressPoint {
  x: number;
  loss: number;
  accuracy: number;
}

export interface RunState {
  started: StartedMessage | null;
  progress: ProgressMessage | null;
  points: ProgressPoint[];
  rows: EpochRow[];
  /** `live`: these rows are the current run's; `last`: read from the last run's metrics.jsonl. */
  source: 'live' | 'last' | 'none';
  path: string | null;
  done: DoneMessage | null;
  error: ErrorMessage | null;
  /** The gradient-flow chart's series and the latest epoch's health diagnostics (state/health.ts). */
  health: HealthState;
}

export interface ExplorerState {
  /** Which layer the setting was made for (`file:index`), so moving to another layer resets it. */
  key: string | null;
  setting: ConvSetting;
  /** The real input side, when the drawing uses a smaller one. */
  realN: number | null;
  capped: boolean;
  /** Index of the window position shown. */
  step: number;
}

export interface InspectorState {
  file: string | null;
  model: ModelView | null;
  /** True when the host has no .cnn editor to follow. */
  empty: boolean;
  cursorLine: number | null;
  tab: InspectorTab;
  /** The validation sample index asked for. */
  sample: number;
  status: RunStatus | null;
  run: RunState;
  snapshot: SnapshotMessage | null;
  evaluation: EvaluationMessage | null;
  /** The feature-map tile shown large: the activation's position in the snapshot (-1: the input) and channel. */
  enlarged: { layer: number; channel: number } | null;
  explorer: ExplorerState;
  /** The training split's class counts, weights and warnings (from a run's or the inspector trainer's `started`). */
  trainingData: TrainingData | null;
  /** The augmentation grid's images, its training sample and its seed (null: the file's `train seed`). */
  augment: { preview: AugmentPreviewMessage | null; sample: number; seed: number | null };
  /** The confusion matrix shows each true class's percentages instead of counts. */
  normalise: boolean;
  /** The ROC curve (class or label) picked in the plot or its table; null: all alike. */
  rocFocus: number | null;
  /** The Explain tab: sample, class, layer, opacity and the trainer's last explanation (state/explain.ts). */
  explain: ExplainState;
}

export type UiAction =
  | { type: 'ui/tab'; tab: InspectorTab }
  | { type: 'ui/sample'; sample: number }
  | { type: 'ui/enlarge'; layer: number; channel: number }
  | { type: 'ui/closeEnlarged' }
  | { type: 'ui/explorer'; setting: Partial<ConvSetting> }
  | { type: 'ui/explorerStep'; step: number }
  | { type: 'ui/normalise'; on: boolean }
  | { type: 'ui/rocFocus'; index: number | null }
  | { type: 'ui/augmentSample'; sample: number }
  | { type: 'ui/augmentSeed'; seed: number | null };

export type Action = HostToWebview | UiAction | ExplainAction;

/** Live curves keep at most this many progress points (halved when exceeded). */
export const MAX_POINTS = 1500;

const emptyRun = (): RunState => ({ started: null, progress: null, points: [], rows: [], source: 'none', path: null, done: null, error: null, health: emptyHealth() });

const defaultExplorer = (): ExplorerState => ({ key: null, setting: { n: 7, f: 3, s: 1, p: 0, d: 1, transposed: false, op: 0 }, realN: null, capped: false, step: 0 });

export function initialState(persisted?: PersistedState | null): InspectorState {
  return {
    file: persisted?.file ?? null,
    model: null,
    empty: false,
    cursorLine: null,
    tab: persisted?.tab ?? 'architecture',
    sample: persisted?.sample ?? 0,
    status: null,
    run: emptyRun(),
    snapshot: null,
    evaluation: null,
    enlarged: null,
    explorer: defaultExplorer(),
    ...fileData(),
    normalise: false,
  };
}

/** What belongs to the followed file's data and evaluation (cleared when another file is followed). */
function fileData(): Pick<InspectorState, 'trainingData' | 'augment' | 'rocFocus' | 'explain'> {
  return { trainingData: null, augment: { preview: null, sample: 0, seed: null }, rocFocus: null, explain: initialExplain() };
}

/** What survives hiding the panel and reloading the window. */
export function persisted(s: InspectorState): PersistedState {
  return { file: s.file, tab: s.tab, sample: s.sample };
}

export function reduce(state: InspectorState, action: Action): InspectorState {
  if (isExplainAction(action)) {
    const explain = reduceExplain(state.explain, action);
    return explain === state.explain ? state : { ...state, explain };
  }
  switch (action.type) {
    case 'model': {
      const m = action.model;
      const sameFile = m.file === state.file;
      const base: InspectorState = sameFile
        ? state
        : { ...state, file: m.file, cursorLine: null, status: null, run: emptyRun(), snapshot: null, evaluation: null, enlarged: null, explorer: defaultExplorer(), ...fileData() };
      return syncExplorer({ ...base, model: m, empty: false });
    }
    case 'empty':
      return { ...state, empty: true, model: null };
    case 'cursor':
      if (action.file !== state.file) return state;
      return syncExplorer({ ...state, cursorLine: action.line, explain: explainCursor(state.explain, state.model, action.line) });
    case 'status':
      if (action.file !== state.file) return state;
      return { ...state, status: action.status };
    case 'history': {
      if (action.file !== state.file) return state;
      // A live run's own messages are newer than a history read from disk.
      if (action.source !== 'live' && state.run.source === 'live' && state.status?.training) return state;
      const points = action.source === 'live' ? state.run.points : [];
      return { ...state, run: { ...state.run, rows: action.rows, source: action.source, path: action.path, points } };
    }
    case 'trainer':
      if (action.file !== state.file) return state;
      return reduceTrainer(state, action.message);
    case 'trainingData':
      if (action.file !== state.file) return state;
      return { ...state, trainingData: action.data };
    case 'ui/tab':
      return { ...state, tab: action.tab };
    case 'ui/sample':
      return { ...state, sample: Math.max(0, Math.floor(action.sample) || 0) };
    case 'ui/enlarge':
      return { ...state, enlarged: { layer: action.layer, channel: action.channel } };
    case 'ui/closeEnlarged':
      return { ...state, enlarged: null };
    case 'ui/explorer': {
      const s = { ...state.explorer.setting, ...action.setting };
      const transposed = s.transposed === true;
      const stride = clampInt(s.s, 1, 8);
      // A transposed conv's output grows S-fold: its input stays small enough to draw.
      const setting: ConvSetting = {
        n: clampInt(s.n, 1, transposed ? 8 : 32),
        f: clampInt(s.f, 1, 11),
        s: stride,
        p: clampInt(s.p, 0, 5),
        d: transposed ? 1 : clampInt(s.d ?? 1, 1, 4),
        transposed,
        op: transposed ? clampInt(s.op ?? 0, 0, stride - 1) : 0,
      };
      return { ...state, explorer: { ...state.explorer, setting, step: 0, capped: state.explorer.realN !== null && setting.n !== state.explorer.realN } };
    }
    case 'ui/explorerStep':
      return { ...state, explorer: { ...state.explorer, step: Math.max(0, Math.floor(action.step)) } };
    case 'ui/normalise':
      return action.on === state.normalise ? state : { ...state, normalise: action.on };
    case 'ui/rocFocus':
      return action.index === state.rocFocus ? state : { ...state, rocFocus: action.index };
    case 'ui/augmentSample': {
      // Within the training split once its size is known (the trainer clamps too).
      const last = state.trainingData ? Math.max(0, state.trainingData.trainSize - 1) : Infinity;
      const sample = Math.min(last, Math.max(0, Math.floor(action.sample) || 0));
      return sample === state.augment.sample ? state : { ...state, augment: { ...state.augment, sample } };
    }
    case 'ui/augmentSeed':
      return action.seed === state.augment.seed ? state : { ...state, augment: { ...state.augment, seed: action.seed } };
  }
}

function clampInt(v: number, lo: number, hi: number): number {
  const x = Math.round(Number.isFinite(v) ? v : lo);
  return Math.min(hi, Math.max(lo, x));
}

function reduceTrainer(state: InspectorState, m: TrainerMessage): InspectorState {
  const run = state.run;
  switch (m.type) {
    case 'started':
      return { ...state, run: { ...emptyRun(), started: m, source: 'live' }, trainingData: m };
    case 'progress': {
      const x = m.epoch - 1 + m.step / Math.max(1, m.steps);
      const last = run.points[run.points.length - 1];
      // A point that goes back in time (a restarted run) starts the curve again.
      const base = last && last.x > x ? [] : run.points;
      const points = decimate([...base, { x, loss: m.loss, accuracy: m.accuracy }], MAX_POINTS);
      return { ...state, run: { ...run, progress: m, points, source: 'live', done: null, error: null } };
    }
    case 'epoch': {
      const row: EpochRow = { epoch: m.epoch, trainLoss: m.trainLoss, trainAccuracy: m.trainAccuracy, valLoss: m.valLoss, valAccuracy: m.valAccuracy, valAuc: m.valAuc };
      const rows = [...run.rows.filter((r) => r.epoch !== m.epoch), row].sort((a, b) => a.epoch - b.epoch);
      return { ...state, run: { ...run, rows, source: 'live' } };
    }
    case 'done':
      return { ...state, run: { ...run, done: m } };
    case 'error':
      return { ...state, run: { ...run, error: m } };
    case 'snapshot': {
      // Keep the enlarged tile when it still exists in the new snapshot.
      const e = state.enlarged;
      const keep = e && (e.layer === -1 || (m.activations[e.layer] && e.channel < channelsOf(m.activations[e.layer]!.shape)));
      return { ...state, snapshot: m, enlarged: keep ? e : null };
    }
    case 'evaluation': {
      // The focused curve stays while it still exists.
      const focus = state.rocFocus !== null && state.rocFocus < m.classes.length ? state.rocFocus : null;
      return { ...state, evaluation: m, rocFocus: focus };
    }
    case 'augmentPreview':
      return { ...state, augment: { ...state.augment, preview: m } };
    case 'explanation':
      return { ...state, explain: explanationArrived(state.explain, m, state.model) };
    case 'galleryExplanation':
      return { ...state, explain: galleryArrived(state.explain, m) };
    case 'health':
      return { ...state, run: { ...run, health: reduceHealth(run.health, m) } };
    case 'log':
    case 'preparing':
      return state;
  }
}

function channelsOf(shape: number[]): number {
  return shape.length === 3 ? volumeDims(shape, ACTIVATION_LAYOUT).c : 1;
}

/** Points the explorer at the conv/pool layer under the cursor; a new layer resets the setting. */
function syncExplorer(state: InspectorState): InspectorState {
  const layer = state.model ? explorerLayer(state.model.layers, state.cursorLine) : null;
  if (!layer) return state.explorer.key === null ? state : { ...state, explorer: defaultExplorer() };
  const w = layer.window!;
  const realN = layer.input?.kind === 'volume' ? layer.input.h : null;
  const key = `${state.file}:${layer.index}:${w.fh}:${w.sh}:${w.ph}:${w.dh}:${w.transposed}:${w.oph}:${realN}`;
  if (key === state.explorer.key) return state;
  const { setting, capped } = settingFor(layer);
  return { ...state, explorer: { key, setting, realN, capped, step: 0 } };
}

// ───────────────────────────── selectors ─────────────────────────────

export interface CurveSet {
  loss: { label: string; points: Point[]; kind: 'line' | 'markers' }[];
  accuracy: { label: string; points: Point[]; kind: 'line' | 'markers' }[];
  /** The validation AUC per epoch (empty for runs that have none: its chart is then left out). */
  auc: Point[];
}

/** The curves of the training view: the running train figures (live only), the per-epoch train and validation ones, the validation AUC. */
export function curves(run: RunState): CurveSet {
  const rows = run.rows;
  const val = rows.filter((r) => r.valLoss !== null);
  const valAcc = rows.filter((r) => r.valAccuracy !== null);
  const loss: CurveSet['loss'] = [];
  const accuracy: CurveSet['accuracy'] = [];
  if (run.points.length) {
    loss.push({ label: 'train (running)', points: run.points.map((p) => [p.x, p.loss]), kind: 'line' });
    accuracy.push({ label: 'train (running)', points: run.points.map((p) => [p.x, p.accuracy]), kind: 'line' });
  }
  loss.push({ label: 'train', points: rows.map((r) => [r.epoch, r.trainLoss]), kind: run.points.length ? 'markers' : 'line' });
  accuracy.push({ label: 'train', points: rows.map((r) => [r.epoch, r.trainAccuracy]), kind: run.points.length ? 'markers' : 'line' });
  loss.push({ label: 'validation', points: val.map((r) => [r.epoch, r.valLoss!]), kind: 'line' });
  accuracy.push({ label: 'validation', points: valAcc.map((r) => [r.epoch, r.valAccuracy!]), kind: 'line' });
  const auc = rows.filter((r) => r.valAuc !== null && r.valAuc !== undefined).map((r): Point => [r.epoch, r.valAuc!]);
  return { loss, accuracy, auc };
}

/** The layer index of the activation on a line in the current model (for the highlight), or null. */
export function layerAtLine(model: ModelView | null, line: number | null): number | null {
  if (!model || line === null) return null;
  return model.layers.find((l) => l.line === line)?.index ?? null;
}

/**
 * Is the run going on (the badge, the stop button)? The host's status says, from the run's real state (a live
 * trainer for the file); only before it arrives do the run's own messages decide.
 */
export function isLive(state: InspectorState): boolean {
  if (state.status) return state.status.run.phase === 'running';
  return state.run.source === 'live' && state.run.done === null && state.run.error === null && state.run.started !== null;
}
