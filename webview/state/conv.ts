// The convolution explorer's arithmetic: where an F×F window with stride S sits on an N×N input with zero
// padding P, step by step, and the output size (N − F + 2P)/S + 1. Pure.

import type { LayerView } from '../../src/protocol/webview';

export interface ConvSetting {
  n: number;
  f: number;
  s: number;
  p: number;
}

export interface ConvGeometry extends ConvSetting {
  /** The padded side N + 2P. */
  padded: number;
  /** (N − F + 2P)/S + 1 as a real number. */
  exact: number;
  /** True when it is a whole number ≥ 1: the filter fits evenly. */
  fits: boolean;
  /** Output side: the whole positions that fit (floor), at least 0. */
  out: number;
  /** The worked arithmetic, in the lecture's notation. */
  text: string;
  /** Top-left corner of each window position in padded coordinates, row by row. */
  positions: { row: number; col: number; x: number; y: number }[];
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
  const padded = n + 2 * p;
  const num = n - f + 2 * p;
  const exact = num / s + 1;
  const fits = num >= 0 && num % s === 0;
  const out = num < 0 ? 0 : Math.floor(num / s) + 1;
  const positions: ConvGeometry['positions'] = [];
  for (let row = 0; row < out; row++) for (let col = 0; col < out; col++) positions.push({ row, col, x: col * s, y: row * s });
  const covered = out === 0 ? 0 : (out - 1) * s + f;
  const text = `(${n} − ${f} + 2·${p}) / ${s} + 1 = ${fmt(exact)}`;
  return { ...c, padded, exact, fits, out, text, positions, uncovered: Math.max(0, padded - covered) };
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

/** The conv or pool layer the explorer shows: the one on the cursor's line, else the first one. */
export function explorerLayer(layers: readonly LayerView[], cursorLine: number | null): LayerView | null {
  const windowed = layers.filter((l) => l.window !== null);
  return windowed.find((l) => l.line === cursorLine) ?? windowed[0] ?? null;
}

/** The explorer's starting setting for a layer (height side). */
export function settingFor(layer: LayerView): { setting: ConvSetting; realN: number | null; capped: boolean } {
  const w = layer.window!;
  const realN = layer.input?.kind === 'volume' ? layer.input.h : null;
  const n = realN === null ? 7 : demoN(realN, w.fh, w.sh, w.ph);
  return { setting: { n, f: w.fh, s: w.sh, p: w.ph }, realN, capped: realN !== null && n !== realN };
}
