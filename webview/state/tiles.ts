// Painting tensors into RGBA pixel buffers for canvas ImageData: one pixel per value, tiles in a grid with a
// one-pixel transparent gap, colours from a lookup table. Pure (typed arrays in, typed arrays out).

import { indexOf, type Range, valueRange } from './colors';

export interface GridLayout {
  cols: number;
  rows: number;
  /** One tile's size in pixels. */
  tileW: number;
  tileH: number;
  gap: number;
  /** The whole buffer's size in pixels. */
  width: number;
  height: number;
}

/** Tiles in rows of at most `maxCols` (a square-ish grid when `maxCols` is not given). */
export function gridLayout(count: number, tileW: number, tileH: number, maxCols?: number, gap = 1): GridLayout {
  const n = Math.max(0, count);
  const cols = n === 0 ? 0 : Math.max(1, Math.min(n, maxCols ?? Math.ceil(Math.sqrt(n))));
  const rows = cols === 0 ? 0 : Math.ceil(n / cols);
  return { cols, rows, tileW, tileH, gap, width: cols === 0 ? 0 : cols * tileW + (cols - 1) * gap, height: rows === 0 ? 0 : rows * tileH + (rows - 1) * gap };
}

/** The tile under a pixel of the buffer, or null for a gap or outside. */
export function tileAt(layout: GridLayout, px: number, py: number, count: number): number | null {
  const cx = Math.floor(px / (layout.tileW + layout.gap));
  const cy = Math.floor(py / (layout.tileH + layout.gap));
  if (cx < 0 || cy < 0 || cx >= layout.cols || cy >= layout.rows) return null;
  if (px - cx * (layout.tileW + layout.gap) >= layout.tileW || py - cy * (layout.tileH + layout.gap) >= layout.tileH) return null;
  const k = cy * layout.cols + cx;
  return k < count ? k : null;
}

/** Channels last (H×W×C, the protocol's layout) or first (C×H×W, the engine's). */
export type VolumeLayout = 'hwc' | 'chw';

/**
 * The activations' layout in the webview: the protocol's H×W×C (the host transposes a trainer's C×H×W, see
 * snapshotToHwc in src/features/inspector.ts). Should the protocol move to C×H×W, it is this one constant.
 */
export const ACTIVATION_LAYOUT: VolumeLayout = 'hwc';

/** Height, width and channels of a volume's shape in a layout. */
export function volumeDims(shape: readonly number[], order: VolumeLayout): { h: number; w: number; c: number } {
  const [a = 1, b = 1, d = 1] = shape;
  return order === 'hwc' ? { h: a, w: b, c: d } : { h: b, w: d, c: a };
}

/** Where value (y, x, k) of an h×w×c volume lives, and the step from x to x + 1. */
function addressing(layout: VolumeLayout, h: number, w: number, c: number): { at: (y: number, x: number, k: number) => number; dx: number } {
  return layout === 'hwc' ? { at: (y, x, k) => (y * w + x) * c + k, dx: c } : { at: (y, x, k) => (k * h + y) * w + x, dx: 1 };
}

/**
 * Every channel of a volume as a tile of the grid. `out` is width × height packed RGBA; gaps stay as they are
 * (a fresh buffer leaves them transparent).
 */
export function paintChannels(out: Uint32Array, layout: GridLayout, data: Float32Array, h: number, w: number, c: number, table: Uint32Array, range: Range, channels = c, order: VolumeLayout = 'hwc'): void {
  const scale = 255.999 / (range.max - range.min);
  const lo = range.min;
  const stride = layout.width;
  const n = Math.min(channels, c);
  const { at, dx } = addressing(order, h, w, c);
  for (let k = 0; k < n; k++) {
    const ox = (k % layout.cols) * (w + layout.gap);
    const oy = Math.floor(k / layout.cols) * (h + layout.gap);
    for (let y = 0; y < h; y++) {
      let src = at(y, 0, k);
      let dst = (oy + y) * stride + ox;
      for (let x = 0; x < w; x++, src += dx, dst++) {
        const i = ((data[src]! - lo) * scale) | 0;
        out[dst] = table[i < 0 ? 0 : i > 255 ? 255 : i]!;
      }
    }
  }
}

/** One channel of a volume, alone, for the enlarged view. */
export function paintChannel(out: Uint32Array, data: Float32Array, h: number, w: number, c: number, k: number, table: Uint32Array, range: Range, order: VolumeLayout = 'hwc'): void {
  const { at } = addressing(order, h, w, c);
  for (let y = 0, i = 0; y < h; y++) for (let x = 0; x < w; x++, i++) out[i] = table[indexOf(data[at(y, x, k)]!, range)]!;
}

/** The value range of one channel of a volume. */
export function channelRange(data: Float32Array, h: number, w: number, c: number, k: number, order: VolumeLayout = 'hwc'): Range {
  return order === 'hwc' ? valueRange(data, k, c, h * w) : valueRange(data, k * h * w, 1, h * w);
}

/** A vector as cells in rows of `cols`. */
export function paintVector(out: Uint32Array, cols: number, data: Float32Array, table: Uint32Array, range: Range): void {
  for (let i = 0; i < data.length; i++) out[Math.floor(i / cols) * cols + (i % cols)] = table[indexOf(data[i]!, range)]!;
}

/**
 * An H×W×3 input as a colour image, or H×W×1 as grey, stretched to the value range (the trainer sends
 * normalised inputs). Other channel counts are not images: use paintChannels.
 */
export function paintImage(out: Uint32Array, data: Float32Array, h: number, w: number, c: number, range: Range, ox = 0, oy = 0, stride = w): void {
  const span = range.max - range.min || 1;
  const k = 255 / span;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * c;
      const d = (oy + y) * stride + ox + x;
      const r = Math.round((data[s]! - range.min) * k);
      const g = c >= 3 ? Math.round((data[s + 1]! - range.min) * k) : r;
      const b = c >= 3 ? Math.round((data[s + 2]! - range.min) * k) : r;
      out[d] = ((255 << 24) | (clampByte(b) << 16) | (clampByte(g) << 8) | clampByte(r)) >>> 0;
    }
  }
}

function clampByte(v: number): number {
  return v < 0 || v !== v ? 0 : v > 255 ? 255 : v;
}

/**
 * Filters in PyTorch's layout K×C×F_h×F_w (`order` `kc`), or a transposed conv's C×K×F_h×F_w (`ck`). `rgb`: one
 * colour patch per filter from its three input channels (the first layer of a colour network), each filter
 * stretched on its own, as the lecture's pictures show them. Otherwise one tile per (filter, input channel): rows
 * are filters, columns input channels, on `table` over `range`; with one channel each (depthwise), the filters
 * wrap in rows of the layout's columns.
 */
export function paintFilters(
  out: Uint32Array,
  layout: GridLayout,
  data: Float32Array,
  k: number,
  c: number,
  fh: number,
  fw: number,
  mode: { rgb: true } | { rgb: false; table: Uint32Array; range: Range; kMax: number; cMax: number; order?: 'kc' | 'ck' },
): void {
  const per = fh * fw;
  if (mode.rgb) {
    for (let f = 0; f < k; f++) {
      const base = f * c * per;
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < 3 * per; i++) {
        const v = data[base + i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const s = hi > lo ? 255 / (hi - lo) : 0;
      const ox = (f % layout.cols) * (fw + layout.gap);
      const oy = Math.floor(f / layout.cols) * (fh + layout.gap);
      for (let y = 0; y < fh; y++) {
        for (let x = 0; x < fw; x++) {
          const p = y * fw + x;
          const r = clampByte(Math.round((data[base + p]! - lo) * s));
          const g = clampByte(Math.round((data[base + per + p]! - lo) * s));
          const b = clampByte(Math.round((data[base + 2 * per + p]! - lo) * s));
          out[(oy + y) * layout.width + ox + x] = ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
        }
      }
    }
    return;
  }
  const { table, range } = mode;
  const wrap = c === 1 && layout.cols > 1;
  const kMax = wrap ? layout.cols * layout.rows : mode.kMax;
  for (let f = 0; f < Math.min(k, kMax); f++) {
    for (let ch = 0; ch < Math.min(c, mode.cMax); ch++) {
      const base = (mode.order === 'ck' ? ch * k + f : f * c + ch) * per;
      const ox = (wrap ? f % layout.cols : ch) * (fw + layout.gap);
      const oy = (wrap ? Math.floor(f / layout.cols) : f) * (fh + layout.gap);
      for (let y = 0; y < fh; y++) for (let x = 0; x < fw; x++) out[(oy + y) * layout.width + ox + x] = table[indexOf(data[base + y * fw + x]!, range)]!;
    }
  }
}

/** CSS pixels per tensor pixel, so small maps are still big enough to see and large ones are not huge. */
export function displayScale(tile: number, target = 64, max = 16): number {
  if (tile <= 0) return 1;
  return Math.max(1, Math.min(max, Math.round(target / tile)));
}
