// The convolution explorer's arithmetic: where an F×F window with stride S, dilation D (its taps D apart) sits
// on an N×N input with zero padding P, step by step, and the output size (N − D·(F − 1) − 1 + 2P)/S + 1; and for a
// transposed convolution, where each input value's F×F stamp lands on the output (S apart), the stamps summed and
// P cropped from each side: (N − 1)·S − 2P + F + outpad. Pure.

import { applyRule } from '../../src/language/shape';
import type { LayerView } from '../../src/protocol/webview';

export interface ConvSetting {
  n: number;
  f: number;
  s: number;
  p: number;
  /** Dilation (1: none). */
  d?: number;
  /** A transposed convolution, and its output padding (less than S). */
  transposed?: boolean;
  op?: number;
}

export interface ConvGeometry extends ConvSetting {
  /** The padded side N + 2P. */
  padded: number;
  /** The window's side on the input: D·(F − 1) + 1 (F without dilation). */
  span: number;
  /** (N − span + 2P)/S + 1 as a real number. */
  exact: number;
  /** True when it is a whole number ≥ 1: the filter fits evenly. */
  fits: boolean;
  /**
   * Not whole, but rounded down as PyTorch does and as the checker accepts (no E020): what is left over is only
   * padding (3×3, stride 2, pad 1 on 8: 4.5 → 4), or a 1×1 window skips those pixels anyway.
   */
  floored: boolean;
  /** Output side: the whole positions that fit (floor), at least 0. */
  out: number;
  /** The worked arithmetic, in the lecture's notation. */
  text: string;
  /** Top-left corner of each window position in padded coordinates, row by row. */
  positions: { row: number; col: number; x: number; y: number }[];
  /** The window's taps, offsets from its corner: every D-th cell of its span. */
  taps: number[];
  /** Cells of the last column/row the filter never covers when it does not fit. */
  uncovered: number;
}

function fmt(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const r = Math.round(x * 100) / 100;
  return Number.isInteger(r) ? r.toFixed(1) : String(r);
}

export function convGeometry(c: ConvSetting): ConvGeometry {
  const { n, f, s, p } = c;
  const d = c.d ?? 1;
  const span = d * (f - 1) + 1;
  const padded = n + 2 * p;
  const num = n - span + 2 * p;
  const exact = num / s + 1;
  const fits = num >= 0 && num % s === 0;
  const out = num < 0 ? 0 : Math.floor(num / s) + 1;
  const positions: ConvGeometry['positions'] = [];
  for (let row = 0; row < out; row++) for (let col = 0; col < out; col++) positions.push({ row, col, x: col * s, y: row * s });
  const covered = out === 0 ? 0 : (out - 1) * s + span;
  const taps = Array.from({ length: f }, (_, i) => i * d);
  const rule = applyRule({ n, f: span, s, p });
  const floored = rule.ok && rule.floored === true;
  const fraction = d === 1 ? `(${n} − ${f} + 2·${p}) / ${s}` : `(${n} − (${d}·(${f} − 1) + 1) + 2·${p}) / ${s}`;
  const text = floored ? `⌊${fraction}⌋ + 1 = ${out}` : `${fraction} + 1 = ${fmt(exact)}`;
  return { ...c, padded, span, exact, fits, floored, out, text, positions, taps, uncovered: Math.max(0, padded - covered) };
}

export interface TransposedGeometry {
  n: number;
  f: number;
  s: number;
  p: number;
  op: number;
  /** The side every stamp covers before cropping: (N − 1)·S + F, plus the output padding. */
  full: number;
  /** The output side: full − 2P. */
  out: number;
  text: string;
  /** One stamp per input value, row by row: the value's cell and the top-left of its F×F stamp on the full output. */
  stamps: { row: number; col: number; x: number; y: number }[];
}

/**
 * A transposed convolution, as it is computed: every input value (row, col) adds the F×F kernel times itself onto
 * the output at (row·S, col·S), so the stamps are S apart and overlap where S < F; P rows and columns are then
 * cropped from each side and outpad added at the bottom and right.
 */
export function transposedGeometry(c: ConvSetting): TransposedGeometry {
  const { n, f, s, p } = c;
  const op = c.op ?? 0;
  const full = (n - 1) * s + f + op;
  const out = Math.max(0, full - 2 * p);
  const stamps: TransposedGeometry['stamps'] = [];
  for (let row = 0; row < n; row++) for (let col = 0; col < n; col++) stamps.push({ row, col, x: col * s, y: row * s });
  const text = `(${n} − 1)·${s} − 2·${p} + ${f}${op ? ` + ${op}` : ''} = ${(n - 1) * s - 2 * p + f + op}`;
  return { n, f, s, p, op, full, out, text, stamps };
}

/** How many output cells the stamps up to and including `step` add to (a cell under two stamps counts twice). */
export function stampCounts(g: TransposedGeometry, step: number): Uint16Array {
  const counts = new Uint16Array(g.full * g.full);
  for (let i = 0; i <= Math.min(step, g.stamps.length - 1); i++) {
    const st = g.stamps[i]!;
    for (let y = 0; y < g.f; y++) for (let x = 0; x < g.f; x++) counts[(st.y + y) * g.full + st.x + x]!++;
  }
  return counts;
}

/** The explorer's steps: window positions of a convolution, input values of a transposed one. */
export function stepCount(c: ConvSetting): number {
  return c.transposed ? c.n * c.n : convGeometry(c).positions.length;
}

/** The largest side the explorer draws at full size. */
export const EXPLORER_MAX_N = 12;

/**
 * The N to draw for a real input side: the real one when it is small; else a small one near 7 (the lecture's
 * 7×7 examples) that behaves like the real one: the layer's F, S and P fit it evenly when they fit the real input,
 * and leave as many rows over when they do not (an E020), so the drawing shows the mistake the editor reports
 * rather than a green fit. Else 7.
 */
export function demoN(realN: number, f: number, s: number, p: number): number {
  if (realN <= EXPLORER_MAX_N) return realN;
  const left = realN - f + 2 * p;
  const over = left >= 0 ? left % s : 0;
  const order = [7, 8, 6, 9, 5, 10, 11, 12, 4, 3];
  for (const n of order) {
    if (n < f - 2 * p) continue;
    if ((n - f + 2 * p) % s === over) return n;
  }
  return Math.max(7, f);
}

/** The conv, deconv or pool layer the explorer shows: the one on the cursor's line, else the first one. */
export function explorerLayer(layers: readonly LayerView[], cursorLine: number | null): LayerView | null {
  const windowed = layers.filter((l) => l.window !== null);
  return windowed.find((l) => l.line === cursorLine) ?? windowed[0] ?? null;
}

/** The explorer's starting setting for a layer (height side): dilation and a transposed conv's stride included. */
export function settingFor(layer: LayerView): { setting: ConvSetting; realN: number | null; capped: boolean } {
  const w = layer.window!;
  const realN = layer.input?.kind === 'volume' ? layer.input.h : null;
  if (w.transposed) {
    // The output grows S-fold: a few input values show the stamps and their overlap.
    const n = realN === null ? 3 : Math.min(realN, TRANSPOSED_MAX_N);
    return { setting: { n, f: w.fh, s: w.sh, p: w.ph, d: 1, transposed: true, op: w.oph }, realN, capped: realN !== null && n !== realN };
  }
  const span = w.dh * (w.fh - 1) + 1;
  const n = realN === null ? 7 : demoN(realN, span, w.sh, w.ph);
  return { setting: { n, f: w.fh, s: w.sh, p: w.ph, d: w.dh, transposed: false, op: 0 }, realN, capped: realN !== null && n !== realN };
}

/** The largest input side the explorer draws for a transposed convolution. */
export const TRANSPOSED_MAX_N = 4;
