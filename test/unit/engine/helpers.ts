// Shared helpers for the engine tests.
import type { Backend } from '../../../src/engine/backend';
import { Rng } from '../../../src/engine/rng';

/** Copies arrays into the backend's arena and returns views (allocates everything first, then views). */
export function place(be: Backend, arrays: (ArrayLike<number> | number)[]): Float32Array[] {
  const lens = arrays.map((a) => (typeof a === 'number' ? a : a.length));
  const offs = lens.map((l) => be.allocate(l * 4 + 16));
  return arrays.map((a, i) => {
    const v = new Float32Array(be.buffer(), offs[i]!, lens[i]!);
    if (typeof a !== 'number') v.set(a);
    return v;
  });
}

/** NCHW (PyTorch) → CNHW (engine). */
export function nchwToCnhw(src: ArrayLike<number>, n: number, c: number, hw: number, Out: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array): Float32Array | Float64Array {
  const dst = new Out(n * c * hw);
  for (let s = 0; s < n; s++) for (let ci = 0; ci < c; ci++) for (let i = 0; i < hw; i++) dst[(ci * n + s) * hw + i] = src[(s * c + ci) * hw + i]!;
  return dst;
}

/** NCHW (PyTorch) → NHWC (the data loaders' layout, what Network takes). */
export function nchwToNhwc(src: ArrayLike<number>, n: number, c: number, hw: number): Float32Array {
  const dst = new Float32Array(n * c * hw);
  for (let s = 0; s < n; s++) for (let ci = 0; ci < c; ci++) for (let i = 0; i < hw; i++) dst[(s * hw + i) * c + ci] = src[(s * c + ci) * hw + i]!;
  return dst;
}

/** Largest |a - b| relative to max(1, |b|). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}

export function randomArray(len: number, rng: Rng, scale = 1, Out: Float32ArrayConstructor | Float64ArrayConstructor = Float64Array): Float32Array | Float64Array {
  const a = new Out(len);
  for (let i = 0; i < len; i++) a[i] = rng.normal() * scale;
  return a;
}
