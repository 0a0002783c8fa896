// The shape rule (N − F + 2P)/S + 1, its worked arithmetic, and the strides and paddings that make it whole.

import type { LayerInfo, Shape } from './model';

/** One spatial side of a conv or pool: input size N, filter F, stride S, padding P. */
export interface Axis {
  n: number;
  f: number;
  s: number;
  p: number;
}

export type AxisResult =
  | { ok: true; out: number }
  | { ok: false; reason: 'fraction'; exact: number; floor: number }
  | { ok: false; reason: 'small'; exact: number };

export function applyRule(a: Axis): AxisResult {
  const num = a.n - a.f + 2 * a.p;
  const exact = num / a.s + 1;
  if (num < 0) return { ok: false, reason: 'small', exact };
  if (num % a.s !== 0) return { ok: false, reason: 'fraction', exact, floor: Math.floor(num / a.s) + 1 };
  return { ok: true, out: exact };
}

/** A number as the arithmetic shows it: whole numbers plainly, others to two decimals. */
export function formatNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const r = Math.round(x * 100) / 100;
  return Number.isInteger(r) ? r.toFixed(1) : String(r);
}

/** `(7 − 3 + 2·0) / 3 + 1 = 2.33`, with a Unicode minus and middle dot as in the lecture. */
export function arithmetic(a: Axis): string {
  const num = a.n - a.f + 2 * a.p;
  return `(${a.n} − ${a.f} + 2·${a.p}) / ${a.s} + 1 = ${formatNumber(num / a.s + 1)}`;
}

function fitsAll(axes: readonly Axis[]): boolean {
  return axes.every((a) => applyRule(a).ok);
}

/** Strides (the same on both sides) that make every side whole and ≥ 1, nearest to the current one first. */
export function stridesThatFit(axes: readonly Axis[], current: number, max = 3): number[] {
  const limit = Math.max(current + 4, ...axes.map((a) => a.f));
  const found: number[] = [];
  for (let s = 1; s <= limit; s++) {
    if (s === current) continue;
    if (fitsAll(axes.map((a) => ({ ...a, s })))) found.push(s);
  }
  // Strides no larger than the filter first (a larger one skips pixels), then the nearest, then the smaller.
  const fmax = Math.min(...axes.map((a) => a.f));
  found.sort((x, y) => Number(x > fmax) - Number(y > fmax) || Math.abs(x - current) - Math.abs(y - current) || x - y);
  const good = found.filter((s) => s <= fmax);
  return (good.length ? good : found).slice(0, max);
}

/** Paddings (the same on both sides) that make every side whole and ≥ 1, nearest to the current one first. */
export function padsThatFit(axes: readonly Axis[], current: number, max = 3): number[] {
  const limit = Math.max(current + 4, ...axes.map((a) => a.f));
  const found: number[] = [];
  for (let p = 0; p <= limit; p++) {
    if (p === current) continue;
    if (fitsAll(axes.map((a) => ({ ...a, p })))) found.push(p);
  }
  // Paddings smaller than the filter first (a larger one makes outputs that see only zeros), then the nearest.
  const fmin = Math.min(...axes.map((a) => a.f));
  found.sort((x, y) => Number(x >= fmin) - Number(y >= fmin) || Math.abs(x - current) - Math.abs(y - current) || x - y);
  const good = found.filter((p) => p < fmin);
  return (good.length ? good : found).slice(0, max);
}

export function formatShape(s: Shape | null): string {
  if (!s) return '?';
  return s.kind === 'volume' ? `${s.h}×${s.w}×${s.c}` : `${s.n}`;
}

/** `[H,W,C]` for a volume and `[N]` for a vector, as the CLI's JSON prints it. */
export function shapeArray(s: Shape): number[] {
  return s.kind === 'volume' ? [s.h, s.w, s.c] : [s.n];
}

export function shapeSize(s: Shape): number {
  return s.kind === 'volume' ? s.h * s.w * s.c : s.n;
}

/** The worked arithmetic of a conv or pool layer, one line per side; empty for other layers. */
export function layerArithmetic(layer: LayerInfo): { side: 'height' | 'width'; axis: Axis; text: string }[] {
  const spec = layer.spec;
  if ((spec.kind !== 'conv' && spec.kind !== 'pool') || !layer.input || layer.input.kind !== 'volume') return [];
  const h: Axis = { n: layer.input.h, f: spec.fh, s: spec.sh, p: spec.ph };
  const w: Axis = { n: layer.input.w, f: spec.fw, s: spec.sw, p: spec.pw };
  return [
    { side: 'height', axis: h, text: arithmetic(h) },
    { side: 'width', axis: w, text: arithmetic(w) },
  ];
}

/** 1,234,567 */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** 1.2M, 35.6K, 120 */
export function formatCompact(n: number): string {
  if (n >= 1e9) return `${formatNumber(Math.round(n / 1e7) / 100)}G`;
  if (n >= 1e6) return `${formatNumber(Math.round(n / 1e4) / 100)}M`;
  if (n >= 1e4) return `${formatNumber(Math.round(n / 1e2) / 10)}K`;
  return String(n);
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(2)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}
