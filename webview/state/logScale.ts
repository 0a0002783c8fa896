// A log-10 y axis for <cnn-line-chart log>: ticks at powers of ten covering the data (at most ~6 labels, every
// k-th decade down from the top for a wide range), and their labels (1e-3, 0.01, 0.1, 1, 10, 1e3).

import type { Point } from './chart';

export interface LogTicks {
  /** The axis range (powers of ten) and the ticks, in data units. */
  min: number;
  max: number;
  values: number[];
}

/** Ticks for positive data in [lo, hi] (either ≤ 0 or not finite: 1e-3…1). */
export function logTicks(lo: number, hi: number, maxTicks = 6): LogTicks {
  if (!(lo > 0) || !(hi > 0) || !Number.isFinite(lo) || !Number.isFinite(hi)) return logTicks(1e-3, 1, maxTicks);
  if (hi < lo) [lo, hi] = [hi, lo];
  let a = Math.floor(Math.log10(lo) + 1e-9);
  let b = Math.ceil(Math.log10(hi) - 1e-9);
  if (b <= a) {
    a -= 1;
    b += 1;
  }
  const every = Math.max(1, Math.ceil((b - a) / Math.max(1, maxTicks - 1)));
  const values: number[] = [];
  // From the top down, so the decade of the largest values (healthy layers) is always labelled.
  for (let k = b; k >= a; k -= every) values.unshift(10 ** k);
  return { min: 10 ** a, max: 10 ** b, values };
}

/** A power of ten as a tick label: 0.001 → 1e-3, 0.01, 0.1, 1, 10, 100, 1000 → 1e3. */
export function logLabel(v: number): string {
  const k = Math.round(Math.log10(v));
  return k >= -2 && k <= 2 ? String(Number((10 ** k).toPrecision(1))) : `1e${k}`;
}

/** The points a log axis can show (y > 0, finite). */
export function positive(points: readonly Point[]): Point[] {
  return points.filter(([x, y]) => y > 0 && Number.isFinite(y) && Number.isFinite(x));
}
