// How a layer's weight tensor reads as filters: which axis is the output maps (the rows of the drawing) and
// which the input channels (the columns), for an ordinary conv [K, C, F_h, F_w], a grouped or depthwise conv
// [K, C/G, F_h, F_w] (each filter reads only its group's channels) and a transposed conv [C_in, K, F_h, F_w]
// (PyTorch's layouts, which checkpoints and snapshots keep). Pure.

import type { LayerView } from '../../src/protocol/webview';
import { type GridLayout, gridLayout } from './tiles';

/** Rows (filters) and columns (input channels) drawn at most. */
export const MAX_FILTER_ROWS = 64;
export const MAX_FILTER_COLS = 32;
/** Depthwise filters drawn at most, in rows of this many. */
export const DEPTHWISE_MAX = 512;
const DEPTHWISE_COLS = 16;

export interface FilterAxes {
  /** Output maps: one row each. */
  k: number;
  /** Input channels each output map reads: one column each (C/G for a grouped conv). */
  c: number;
  fh: number;
  fw: number;
  /** `kc`: the tensor is [K, C, F_h, F_w]; `ck`: a transposed conv's [C_in, K, F_h, F_w]. */
  order: 'kc' | 'ck';
  /** Groups of a grouped conv (1: every filter reads every channel). */
  groups: number;
  /** A depthwise conv: one F_h×F_w filter per input channel. */
  depthwise: boolean;
  transposed: boolean;
}

/**
 * Reads a 4-D weight tensor's shape with its layer (kind, groups, channels). A tensor that does not match what the
 * layer says (an old snapshot for a changed file) is read as an ordinary conv's [K, C, F_h, F_w].
 */
export function filterAxes(shape: readonly number[], layer: LayerView | null): FilterAxes {
  const [a = 1, b = 1, fh = 1, fw = 1] = shape;
  const inC = layer?.input?.kind === 'volume' ? layer.input.c : null;
  const plain: FilterAxes = { k: a, c: b, fh, fw, order: 'kc', groups: 1, depthwise: false, transposed: false };
  if (layer?.kind === 'deconv' && (inC === null || inC === a) && (layer.filters === null || layer.filters === b))
    return { ...plain, k: b, c: a, order: 'ck', transposed: true };
  const g = layer?.kind === 'conv' ? (layer.groups ?? 1) : 1;
  if (g > 1 && (inC === null || inC === b * g)) return { ...plain, groups: g, depthwise: b === 1 };
  return plain;
}

/** One line that says how to read the drawing. */
export function filterCaption(ax: FilterAxes): string {
  if (ax.transposed) return `transposed conv, weights ${ax.c}×${ax.k}×${ax.fh}×${ax.fw} (input channels × output maps): rows: output maps, columns: input channels (each value of input channel c adds the kernel in column c onto every output map)`;
  if (ax.depthwise) {
    const per = ax.k / ax.groups;
    return `depthwise: ${per === 1 ? 'one' : per} ${ax.fh}×${ax.fw} filter${per === 1 ? '' : 's'} per input channel, in channel order`;
  }
  if (ax.groups > 1) return `${ax.groups} groups: rows: filters, columns: the ${ax.c} input channels of the filter\u2019s group (filters 1–${ax.k / ax.groups} read channels 1–${ax.c}, and so on)`;
  return 'rows: filters, columns: input channels';
}

/**
 * The grid of a layer's filter tiles: one colour patch per filter (`rgb`, in rows of 16); a depthwise conv's one
 * filter per channel in rows of 16; else output maps as rows, the input channels they read as columns. A 1×1
 * conv's one-pixel tiles touch, so its weights read as one filters × channels matrix.
 */
export function filterGrid(ax: FilterAxes, rgb: boolean): GridLayout {
  const gap = ax.fh * ax.fw === 1 ? 0 : 1;
  if (rgb) return gridLayout(ax.k, ax.fw, ax.fh, 16);
  if (ax.c === 1 && ax.k > 1) return gridLayout(Math.min(ax.k, DEPTHWISE_MAX), ax.fw, ax.fh, DEPTHWISE_COLS, gap);
  return gridLayout(Math.min(ax.c, MAX_FILTER_COLS) * Math.min(ax.k, MAX_FILTER_ROWS), ax.fw, ax.fh, Math.min(ax.c, MAX_FILTER_COLS), gap);
}
