// Colour scales for activations and weights as 256-entry lookup tables of packed RGBA (ImageData's byte order
// on little-endian machines: 0xAABBGGRR), and the mapping from values to table indices. Pure.

export type ScaleName = 'viridis' | 'diverging' | 'gray';

type Stop = [number, string];

/** matplotlib's viridis at 11 stops: perceptually even, readable in grey, colour-blind safe. */
const VIRIDIS_STOPS: Stop[] = [
  [0.0, '#440154'],
  [0.1, '#482475'],
  [0.2, '#414487'],
  [0.3, '#355f8d'],
  [0.4, '#2a788e'],
  [0.5, '#21918c'],
  [0.6, '#22a884'],
  [0.7, '#44bf70'],
  [0.8, '#7ad151'],
  [0.9, '#bddf26'],
  [1.0, '#fde725'],
];

/** Blue – white – red (ColorBrewer RdBu, reversed): negative blue, zero white, positive red. */
const DIVERGING_STOPS: Stop[] = [
  [0.0, '#053061'],
  [0.1, '#2166ac'],
  [0.2, '#4393c3'],
  [0.3, '#92c5de'],
  [0.4, '#d1e5f0'],
  [0.5, '#f7f7f7'],
  [0.6, '#fddbc7'],
  [0.7, '#f4a582'],
  [0.8, '#d6604d'],
  [0.9, '#b2182b'],
  [1.0, '#67001f'],
];

const GRAY_STOPS: Stop[] = [
  [0, '#000000'],
  [1, '#ffffff'],
];

export function hexToRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The colour at t ∈ [0, 1] (clamped), interpolated linearly between stops. */
function interpolate(stops: Stop[], t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isNaN(t) ? 0 : t));
  for (let i = 1; i < stops.length; i++) {
    const [t1, c1] = stops[i]!;
    if (x <= t1) {
      const [t0, c0] = stops[i - 1]!;
      const f = t1 === t0 ? 0 : (x - t0) / (t1 - t0);
      const a = hexToRgb(c0);
      const b = hexToRgb(c1);
      return [Math.round(a[0] + f * (b[0] - a[0])), Math.round(a[1] + f * (b[1] - a[1])), Math.round(a[2] + f * (b[2] - a[2]))];
    }
  }
  return hexToRgb(stops[stops.length - 1]![1]);
}

export function pack(r: number, g: number, b: number, a = 255): number {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

export function unpack(v: number): [number, number, number, number] {
  return [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
}

const cache = new Map<ScaleName, Uint32Array>();

/** The 256-entry table of a scale. */
export function lut(name: ScaleName): Uint32Array {
  let t = cache.get(name);
  if (!t) {
    const stops = name === 'viridis' ? VIRIDIS_STOPS : name === 'diverging' ? DIVERGING_STOPS : GRAY_STOPS;
    t = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      const [r, g, b] = interpolate(stops, i / 255);
      t[i] = pack(r, g, b);
    }
    cache.set(name, t);
  }
  return t;
}

/** The CSS colour at t ∈ [0, 1], for legends. */
export function cssColor(name: ScaleName, t: number): string {
  const [r, g, b] = unpack(lut(name)[Math.round(Math.min(1, Math.max(0, t)) * 255)]!);
  return `rgb(${r}, ${g}, ${b})`;
}

/** A CSS linear-gradient of a scale, left to right. */
export function cssGradient(name: ScaleName, steps = 11): string {
  const parts: string[] = [];
  for (let i = 0; i < steps; i++) parts.push(`${cssColor(name, i / (steps - 1))} ${((100 * i) / (steps - 1)).toFixed(1)}%`);
  return `linear-gradient(to right, ${parts.join(', ')})`;
}

export interface Range {
  min: number;
  max: number;
}

/** Smallest and largest finite value of `data` (all of it, or `count` values from `offset` every `stride`). */
export function valueRange(data: Float32Array, offset = 0, stride = 1, count = Math.floor((data.length - offset + stride - 1) / stride)): Range {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0, j = offset; i < count; i++, j += stride) {
    const v = data[j]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) return { min: 0, max: 0 };
  return { min, max };
}

/** Signed values get the diverging scale centred on zero; values of one sign get viridis. */
export function scaleFor(r: Range): ScaleName {
  return r.min < 0 && r.max > 0 ? 'diverging' : 'viridis';
}

/**
 * The value range a scale maps onto [0, 255]: min…max for viridis, −m…m with m = max |value| for the diverging
 * scale, so white is exactly zero. A flat range is widened so nothing divides by zero.
 */
export function mappedRange(r: Range, scale: ScaleName): Range {
  if (scale === 'diverging') {
    const m = Math.max(Math.abs(r.min), Math.abs(r.max)) || 1;
    return { min: -m, max: m };
  }
  if (r.max - r.min < 1e-12) return { min: r.min - 0.5, max: r.max + 0.5 };
  return r;
}

/** The table index of a value (NaN goes to 0). */
export function indexOf(v: number, range: Range): number {
  const i = Math.floor(((v - range.min) / (range.max - range.min)) * 255.999);
  return i < 0 || i !== i ? 0 : i > 255 ? 255 : i;
}
