// The Explain tab's state: which sample (a validation index, or an image file), which class (the predicted one
// by default) and which layer (the last conv, pool or merge with rows and columns by default, or the conv line under
// the editor's cursor) to explain; the trainer's answer; the overlay's opacity; and when to ask again (a new
// choice, or while training a newer snapshot, so the maps follow the running network). Pure.

import type { ExplainMethodName, ExplanationMap, ExplanationMessage, GalleryExplanationMessage } from '../../src/protocol/explain';
import type { LayerView, ModelView, WebviewToHost } from '../../src/protocol/webview';
import { lut } from './colors';
import { upsampleBilinear } from './upsample';

/** The three methods, side by side in this order. */
export const EXPLAIN_TAB_METHODS: ExplainMethodName[] = ['gradcam', 'saliency', 'occlusion'];

export const METHOD_TITLES: Record<ExplainMethodName, string> = {
  gradcam: 'Grad-CAM',
  saliency: 'Saliency',
  occlusion: 'Occlusion',
};

export type ExplainSource = { kind: 'sample'; sample: number } | { kind: 'image'; path: string };

export interface ExplainState {
  source: ExplainSource;
  /** The class to explain; null: the predicted one. */
  cls: number | null;
  /** Grad-CAM's layer: a 0-based line; null: the default (explainLine picks it). */
  line: number | null;
  /** How strongly the map covers the input, 0…1. */
  opacity: number;
  explanation: ExplanationMessage | null;
  /** The last request's key, and whether its answer is still to come. */
  asked: string | null;
  waiting: boolean;
  /** The Prediction tab's misclassified gallery shows each sample's Grad-CAM, and the maps the trainer sent. */
  galleryCam: boolean;
  gallery: GalleryExplanationMessage | null;
}

export type ExplainAction =
  | { type: 'ui/explainSample'; sample: number }
  | { type: 'ui/explainClass'; cls: number | null }
  | { type: 'ui/explainLine'; line: number | null }
  | { type: 'ui/explainOpacity'; opacity: number }
  | { type: 'ui/explainAsked'; key: string }
  | { type: 'ui/galleryCam'; on: boolean };

export const DEFAULT_OPACITY = 0.6;

export function initialExplain(): ExplainState {
  return { source: { kind: 'sample', sample: 0 }, cls: null, line: null, opacity: DEFAULT_OPACITY, explanation: null, asked: null, waiting: false, galleryCam: false, gallery: null };
}

export function isExplainAction(a: { type: string }): a is ExplainAction {
  return a.type === 'ui/explainSample' || a.type === 'ui/explainClass' || a.type === 'ui/explainLine' || a.type === 'ui/explainOpacity' || a.type === 'ui/explainAsked' || a.type === 'ui/galleryCam';
}

export function reduceExplain(s: ExplainState, a: ExplainAction): ExplainState {
  switch (a.type) {
    case 'ui/explainSample': {
      const sample = Math.max(0, Math.floor(a.sample) || 0);
      return s.source.kind === 'sample' && s.source.sample === sample ? s : { ...s, source: { kind: 'sample', sample } };
    }
    case 'ui/explainClass':
      return a.cls === s.cls ? s : { ...s, cls: a.cls };
    case 'ui/explainLine':
      return a.line === s.line ? s : { ...s, line: a.line };
    case 'ui/explainOpacity': {
      const opacity = Math.min(1, Math.max(0, Number.isFinite(a.opacity) ? a.opacity : DEFAULT_OPACITY));
      return opacity === s.opacity ? s : { ...s, opacity };
    }
    case 'ui/explainAsked':
      return { ...s, asked: a.key, waiting: true };
    case 'ui/galleryCam':
      return a.on === s.galleryCam ? s : { ...s, galleryCam: a.on };
  }
}

/** The trainer's answer: shown; an image file it explained becomes the source (the host asked the user for it). */
export function explanationArrived(s: ExplainState, m: ExplanationMessage, model: ModelView | null): ExplainState {
  const source: ExplainSource = m.imagePath !== null ? { kind: 'image', path: m.imagePath } : s.source;
  const fresh = source.kind !== s.source.kind || (source.kind === 'image' && s.source.kind === 'image' && source.path !== s.source.path);
  // A newly picked image was asked for by the host (after its file dialog): that request is this answer's.
  const next = { ...s, source, explanation: m, waiting: false };
  return fresh ? { ...next, asked: currentKey(next, model) } : next;
}

/** The gallery's Grad-CAM maps arrived. */
export function galleryArrived(s: ExplainState, m: GalleryExplanationMessage): ExplainState {
  return { ...s, gallery: m };
}

/** The gallery's request: its samples at the Explain tab's layer; null when there is nothing to ask. */
export function galleryRequest(file: string, s: ExplainState, model: ModelView | null, samples: readonly number[]): Extract<WebviewToHost, { type: 'explainGallery' }> | null {
  if (!s.galleryCam || samples.length === 0) return null;
  return { type: 'explainGallery', file, samples: samples.slice(0, 256), line: explainLine(model, s.line) };
}

// ───────────────────────────── layers ─────────────────────────────

/** The layer kinds offered for Grad-CAM. */
const LAYER_KINDS = new Set(['conv', 'deconv', 'pool', 'add', 'concat']);
/** The kinds of the default (src/explain/target.ts's defaultLine: a residual network's last `add`, not its projection shortcut's conv). */
const DEFAULT_KINDS = new Set(['conv', 'pool', 'add', 'concat']);

/** Layers Grad-CAM can weigh, as the dropdown lists them: conv, deconv, pool and merge lines with more than 1×1 output. */
export function explainLayers(model: ModelView | null): LayerView[] {
  if (!model) return [];
  return model.layers.filter((l) => LAYER_KINDS.has(l.kind) && l.output?.kind === 'volume' && l.output.h * l.output.w > 1 && !l.hasError);
}

/** The line Grad-CAM weighs: the chosen one while it is still such a layer, else the last conv, pool or merge (src/explain's default). */
export function explainLine(model: ModelView | null, chosen: number | null): number | null {
  const layers = explainLayers(model);
  if (chosen !== null && layers.some((l) => l.line === chosen)) return chosen;
  const picks = layers.filter((l) => DEFAULT_KINDS.has(l.kind));
  return (picks[picks.length - 1] ?? layers[layers.length - 1])?.line ?? null;
}

/** The cursor on a layer Grad-CAM can weigh selects it; elsewhere the choice stays. */
export function explainCursor(s: ExplainState, model: ModelView | null, line: number): ExplainState {
  if (line === s.line || !explainLayers(model).some((l) => l.line === line)) return s;
  return { ...s, line };
}

// ───────────────────────────── requests ─────────────────────────────

function requestKey(source: ExplainSource, cls: number | null, line: number | null): string {
  return JSON.stringify([source, cls, line]);
}

/** The request for what the tab shows now (all three methods). */
export function explainRequest(file: string, s: ExplainState, model: ModelView | null): Extract<WebviewToHost, { type: 'explain' }> {
  const line = explainLine(model, s.line);
  return {
    type: 'explain',
    file,
    sample: s.source.kind === 'sample' ? s.source.sample : 0,
    imagePath: s.source.kind === 'image' ? s.source.path : null,
    cls: s.cls,
    line,
    methods: EXPLAIN_TAB_METHODS.slice(),
  };
}

/** The key of what the tab shows now: a request is sent when it differs from the last one's. */
export function currentKey(s: ExplainState, model: ModelView | null): string {
  return requestKey(s.source, s.cls, explainLine(model, s.line));
}

/**
 * Whether to ask the trainer now: a new choice (sample, class, layer), or, while training, a newer snapshot of the
 * running network than the one the last answer came after (and no answer still to come), so the maps follow it.
 */
export function shouldAsk(s: ExplainState, model: ModelView | null, live: boolean, newerWeights: boolean): boolean {
  if (currentKey(s, model) !== s.asked) return true;
  return live && newerWeights && !s.waiting;
}

// ───────────────────────────── drawing ─────────────────────────────

/** The map's largest value (the top of the colour scale; the bottom is 0). */
export function mapMax(m: ExplanationMap): number {
  let max = 0;
  for (const v of m.map) if (v > max) max = v;
  return max;
}

/**
 * The overlay as RGBA pixels at the input's size: the input in grey (its own range stretched to black…white),
 * under the map upsampled bilinearly and coloured with viridis from 0 to its largest value, at `opacity`.
 * Negative values (occlusion: hiding there raised the class's probability) count as 0.
 */
export function overlayPixels(input: { shape: number[]; data: Float32Array }, m: ExplanationMap, opacity: number): { width: number; height: number; rgba: Uint8ClampedArray<ArrayBuffer> } {
  const [h, w, c] = input.shape as [number, number, number];
  const up = upsampleBilinear({ h: m.h, w: m.w, data: m.map }, h, w);
  const max = mapMax(m);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of input.data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi > lo ? hi - lo : 1;
  const table = lut('viridis');
  const rgba = new Uint8ClampedArray(h * w * 4);
  const a = Math.min(1, Math.max(0, opacity));
  for (let p = 0; p < h * w; p++) {
    const at = p * c;
    const raw = c >= 3 ? 0.299 * input.data[at]! + 0.587 * input.data[at + 1]! + 0.114 * input.data[at + 2]! : input.data[at]!;
    const grey = (255 * (raw - (hi > lo ? lo : 0))) / span;
    const t = max > 0 ? Math.max(0, up[p]!) / max : 0;
    const col = table[Math.min(255, Math.floor(t * 255.999))]!;
    const r = col & 0xff;
    const g = (col >>> 8) & 0xff;
    const b = (col >>> 16) & 0xff;
    rgba[p * 4] = (1 - a) * grey + a * r;
    rgba[p * 4 + 1] = (1 - a) * grey + a * g;
    rgba[p * 4 + 2] = (1 - a) * grey + a * b;
    rgba[p * 4 + 3] = 255;
  }
  return { width: w, height: h, rgba };
}

/** The class explained, as a phrase: `door (predicted, 81%)`, or `stair (chosen, 12%)`. */
export function classPhrase(m: ExplanationMessage): string {
  if (m.classIndex < 0) return '';
  const name = m.classes[m.classIndex] ?? String(m.classIndex);
  const p = m.probabilities[m.classIndex];
  return `${name} (${m.predicted ? 'predicted' : 'chosen'}${p !== undefined ? `, ${(100 * p).toFixed(p >= 0.995 || p < 0.01 ? 1 : 0)}%` : ''})`;
}
