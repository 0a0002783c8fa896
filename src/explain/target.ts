// What an explanation is asked about, checked against the model before anything is computed: the layer
// statement on a line (Grad-CAM), the class, and the occlusion window. Each mistake is an ExplainError whose
// message says what is wrong and what would be right.

import type { LayerInfo, ModelSpec } from '../language/model';

/** A request that does not fit the model (a line without a spatial layer, an unknown class, a window too big). */
export class ExplainError extends Error {}

export const METHODS = ['gradcam', 'saliency', 'occlusion'] as const;
export type ExplainMethod = (typeof METHODS)[number];

/** Whether a layer's output is a volume with rows and columns (what Grad-CAM weighs and sums). */
function isSpatial(info: LayerInfo): boolean {
  return info.output?.kind === 'volume';
}

/**
 * The kinds the default Grad-CAM layer is chosen from: a conv or pool, or a merge (in a residual network the
 * last block's `add` is its output, while the last conv in the file can be a projection shortcut's).
 */
const DEFAULT_KINDS = new Set(['conv', 'pool', 'add', 'concat']);

/**
 * The default Grad-CAM layer: the last conv, pool or merge statement whose output is spatial (more than 1×1);
 * else the last layer with such an output. Its 1-based line.
 */
export function defaultLine(spec: ModelSpec): number {
  const spatial = spec.layers.filter((l) => l.output?.kind === 'volume' && l.output.h * l.output.w > 1);
  const pick = [...spatial].reverse().find((l) => DEFAULT_KINDS.has(l.spec.kind)) ?? spatial[spatial.length - 1];
  if (!pick) throw new ExplainError(`${spec.name} has no layer with a spatial output (rows × columns) for Grad-CAM; try --method saliency or occlusion`);
  return pick.line + 1;
}

/** The layer statement on a 1-based line, checked for Grad-CAM (its output must be a volume). */
export function layerOnLine(spec: ModelSpec, line: number): LayerInfo {
  const info = spec.layers.find((l) => l.line + 1 === line);
  const spatial = spec.layers.filter(isSpatial).map((l) => l.line + 1);
  const choices = spatial.length > 0 ? ` (layers with a spatial output are on lines ${spatial.join(', ')})` : '';
  if (!info) throw new ExplainError(`line ${line} holds no layer statement${choices}`);
  if (!isSpatial(info)) {
    const out = info.output?.kind === 'vector' ? `a vector of ${info.output.n}` : 'not a volume';
    throw new ExplainError(`line ${line} is a ${info.spec.kind} layer: its output is ${out}, and Grad-CAM needs rows and columns${choices}`);
  }
  return info;
}

/**
 * The class asked for, as a logit index: a class name, or a whole number 0…K−1 when no class is named so.
 * Null when none is asked for (each sample's predicted class is used).
 */
export function resolveClass(spec: ModelSpec, arg: string | undefined): number | null {
  if (arg === undefined) return null;
  const byName = spec.classes.indexOf(arg);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(arg) && Number(arg) < spec.classes.length) return Number(arg);
  const what = spec.task === 'multilabel' ? 'label' : 'class';
  const list = spec.classes.map((c, i) => (c === String(i) ? c : `${c} (${i})`)).join(', ');
  throw new ExplainError(`${spec.name} has no ${what} '${arg}'; its ${what === 'label' ? 'labels' : 'classes'} are ${list}`);
}

export interface OcclusionWindow {
  window: number;
  stride: number;
}

/**
 * The occlusion window and stride: by default a quarter of the input's shorter side (at least 2) and half
 * the window (at least 1). A window larger than the image, or a stride below 1, is an error.
 */
export function occlusionWindow(spec: ModelSpec, window?: number, stride?: number): OcclusionWindow {
  const { h, w } = spec.input;
  const side = Math.min(h, w);
  const win = window ?? Math.max(2, Math.floor(side / 4));
  if (win < 1) throw new ExplainError(`the occlusion window must be at least 1 pixel, not ${win}`);
  if (win > h || win > w) throw new ExplainError(`an occlusion window of ${win}×${win} is larger than the ${h}×${w} input; use --window ${side} or less`);
  const s = stride ?? Math.max(1, Math.floor(win / 2));
  if (s < 1) throw new ExplainError(`the occlusion stride must be at least 1, not ${s}`);
  return { window: win, stride: s };
}
