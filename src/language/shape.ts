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
  /** `floored`: the rule was not whole, but rounding down (PyTorch's rule) drops only padding, or the window is 1×1 (it samples every S-th pixel). */
  | { ok: true; out: number; floored?: boolean }
  | { ok: false; reason: 'fraction'; exact: number; floor: number }
  | { ok: false; reason: 'small'; exact: number };

/**
 * The shape rule on one side. A result that is not whole is an error (E020) when rounding it down would leave
 * input pixels unseen at the end; when what is left over is only padding (3×3, stride 2, pad 1 on 32: 16.5 →
 * 16, the last window ends on the last pixel), or the window is 1×1 and so skips S − 1 pixels between samples
 * anyway (a projection shortcut with stride 2 on 32 → 16), the size is PyTorch's rounded-down one.
 */
export function applyRule(a: Axis): AxisResult {
  const num = a.n - a.f + 2 * a.p;
  const exact = num / a.s + 1;
  if (num < 0) return { ok: false, reason: 'small', exact };
  if (num % a.s !== 0) {
    const floor = Math.floor(num / a.s) + 1;
    // Input rows (in padded coordinates P … P + N − 1) after the end of the last window.
    const unseen = a.p + a.n - ((floor - 1) * a.s + a.f);
    if (unseen <= 0 || a.f === 1) return { ok: true, out: floor, floored: true };
    return { ok: false, reason: 'fraction', exact, floor };
  }
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
  const x = num / a.s + 1;
  const r = applyRule(a);
  // Rounded down on purpose (only padding, or what the stride skips anyway, is left over): say so.
  if (r.ok && r.floored) return `⌊(${a.n} − ${a.f} + 2·${a.p}) / ${a.s}⌋ + 1 = ${r.out}`;
  let shown = formatExact(x);
  if (!Number.isInteger(x) && Number.isInteger(Number(shown))) shown = `${shown} (not exactly)`;
  return `(${a.n} − ${a.f} + 2·${a.p}) / ${a.s} + 1 = ${withMinus(shown)}`;
}

/** A result of the shape rule: two decimals, unless they would make a fraction look whole: (10⁶ − 3)/(2³¹ − 1) + 1 is 1.0005, not 1.0. */
function formatExact(x: number): string {
  const shown = formatNumber(x);
  if (!Number.isInteger(x) && Number.isInteger(Number(shown))) return String(Number(x.toPrecision(8)));
  return shown;
}

/** A negative result with the lecture's minus sign, like the formula before it: `= −4`, not `= -4`. */
const withMinus = (shown: string) => shown.replace(/^-/, '−');

/**
 * A layer's output as every view shows it: `14×14×6`; the broken fraction `14.5×14.5×6` after an E020 (never
 * a rounded number that reads as valid); `?` when unknown.
 */
export function formatOutput(layer: Pick<LayerInfo, 'output' | 'fractional'>): string {
  if (layer.output) return formatShape(layer.output);
  const f = layer.fractional;
  if (!f) return '?';
  const side = (x: number) => {
    const shown = formatExact(x);
    return withMinus(!Number.isInteger(x) && Number.isInteger(Number(shown)) ? `${shown}…` : shown);
  };
  return `${side(f.h)}×${side(f.w)}×${f.c}`;
}

/** The rule gives a whole number of at least 1 exactly (what a suggested change must give, not merely a size rounded down). */
export function fitsExactly(a: Axis): boolean {
  const r = applyRule(a);
  return r.ok && !r.floored;
}

/**
 * Whether the rule accepts every side: whole, or rounded down where what is left over is only padding (a fix's
 * search offers what the checker itself accepts, so 3×3 stride 2 on 32 gets pad=1, ResNet's downsampling conv).
 */
function fitsAll(axes: readonly Axis[]): boolean {
  return axes.every((a) => applyRule(a).ok);
}

/** How many candidates a search for a fitting stride or padding looks at, at most (sizes go up to 2^31 − 1). */
const SEARCH_LIMIT = 4096;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Strides (the same on both sides) the rule accepts on every side (fitsAll), nearest to the current one first. */
export function stridesThatFit(axes: readonly Axis[], current: number, max = 3): number[] {
  let limit = current + 4;
  for (const a of axes) limit = Math.max(limit, a.f);
  // A stride fits exactly when it divides N − F + 2P on every side (and none of those is negative), so the
  // candidates are the divisors of their greatest common divisor: no loop up to a size of 2^31 − 1.
  let g = 0;
  for (const a of axes) {
    const num = a.n - a.f + 2 * a.p;
    if (num < 0) return [];
    g = gcd(g, num);
  }
  // The small strides one by one too: a stride that leaves only padding over is accepted without dividing.
  const candidates: number[] = [];
  for (let s = 1; s <= Math.min(limit, SEARCH_LIMIT); s++) candidates.push(s);
  for (let d = 1; g > 0 && d * d <= g; d++) {
    if (g % d !== 0) continue;
    if (d > SEARCH_LIMIT) candidates.push(d);
    if (g / d > SEARCH_LIMIT && d * d !== g) candidates.push(g / d);
  }
  const found = candidates.filter((s) => s !== current && s <= limit && fitsAll(axes.map((a) => ({ ...a, s }))));
  // Strides no larger than the filter first (a larger one skips pixels), then the nearest, then the smaller.
  let fmax = Infinity;
  for (const a of axes) fmax = Math.min(fmax, a.f);
  found.sort((x, y) => Number(x > fmax) - Number(y > fmax) || Math.abs(x - current) - Math.abs(y - current) || x - y);
  const good = found.filter((s) => s <= fmax);
  return (good.length ? good : found).slice(0, max);
}

/** Paddings (the same on both sides) the rule accepts on every side (fitsAll), nearest to the current one first. */
export function padsThatFit(axes: readonly Axis[], current: number, max = 3): number[] {
  let limit = current + 4;
  let fmin = Infinity;
  // Below this padding some side is smaller than its filter; start the search there.
  let from = 0;
  for (const a of axes) {
    limit = Math.max(limit, a.f);
    fmin = Math.min(fmin, a.f);
    from = Math.max(from, Math.ceil((a.f - a.n) / 2));
  }
  const found: number[] = [];
  for (let p = from; p <= limit && p < from + SEARCH_LIMIT; p++) {
    if (p === current) continue;
    if (fitsAll(axes.map((a) => ({ ...a, p })))) found.push(p);
  }
  // Paddings smaller than the filter first (a larger one makes outputs that see only zeros), then the nearest.
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
  // A dilated filter spans D·(F − 1) + 1 pixels.
  const [dh, dw] = spec.kind === 'conv' ? [spec.dh, spec.dw] : [1, 1];
  const h: Axis = { n: layer.input.h, f: dh * (spec.fh - 1) + 1, s: spec.sh, p: spec.ph };
  const w: Axis = { n: layer.input.w, f: dw * (spec.fw - 1) + 1, s: spec.sw, p: spec.pw };
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
