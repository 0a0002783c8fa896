// Chart arithmetic: "nice" axis ticks (1, 2, 5 × 10^k), data extents, linear scales and the nearest point to
// the pointer. Pure.

export type Point = [number, number];

export interface Ticks {
  min: number;
  max: number;
  step: number;
  values: number[];
}

/** A 1-2-5 step that gives about `count` ticks over [min, max], and the range widened to whole steps. */
export function niceTicks(min: number, max: number, count = 5): Ticks {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { min: 0, max: 1, step: 0.2, values: [0, 0.2, 0.4, 0.6, 0.8, 1] };
  if (max < min) [min, max] = [max, min];
  if (max - min < 1e-12) {
    const d = Math.abs(min) * 0.1 || 1;
    min -= d;
    max += d;
  }
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const values: number[] = [];
  for (let v = lo; v <= hi + step * 1e-6; v += step) values.push(Number(v.toPrecision(12)));
  return { min: lo, max: hi, step, values };
}

/** The extent of every point's x and y (null when there are none). */
export function extent(series: readonly (readonly Point[])[]): { x: [number, number]; y: [number, number] } | null {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const s of series) {
    for (const [x, y] of s) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x0 > x1 ? null : { x: [x0, x1], y: [y0, y1] };
}

/** A linear map from [d0, d1] to [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** Index of the point whose x is nearest to `x` (points sorted by x), or -1 when empty. */
export function nearestIndex(points: readonly Point[], x: number): number {
  if (points.length === 0) return -1;
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid]![0] <= x) lo = mid;
    else hi = mid;
  }
  return Math.abs(points[lo]![0] - x) <= Math.abs(points[hi]![0] - x) ? lo : hi;
}

/** A tick label without float noise: 0.30000000000000004 → 0.3. */
export function tickLabel(v: number, step: number): string {
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(Math.min(6, digits));
}

/** Halves a list by keeping every other point (the last always), so a long run stays cheap to draw. */
export function decimate<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const out = points.filter((_, i) => i % 2 === 0);
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]!);
  return out;
}
