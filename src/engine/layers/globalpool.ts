// globalpool (`pool max|avg global`, `gap`): the whole H×W of each channel to one value, a 1×1×C volume
// (AdaptiveMaxPool2d(1), AdaptiveAvgPool2d(1)).

import type { LayerSpec } from '../../language/model';
import type { Buf } from '../kernels';
import { NONE, only, volume, type LayerOps } from './types';

type GlobalPool = Extract<LayerSpec, { kind: 'globalpool' }>;

/** y[p] = mean of plane p of x (planes of hw values, C·N of them in CNHW). */
export function globalAvgForward(y: Buf, x: Buf, planes: number, hw: number): void {
  for (let p = 0, o = 0; p < planes; p++, o += hw) {
    let s = 0;
    for (let i = 0; i < hw; i++) s += x[o + i]!;
    y[p] = s / hw;
  }
}

export function globalAvgBackward(dx: Buf, dy: Buf, planes: number, hw: number): void {
  for (let p = 0, o = 0; p < planes; p++, o += hw) {
    const d = dy[p]! / hw;
    for (let i = 0; i < hw; i++) dx[o + i] += d;
  }
}

/** y[p] = max of plane p; arg[p] = the winner's index in x (the first of equal values). */
export function globalMaxForward(y: Buf, arg: Int32Array, x: Buf, planes: number, hw: number): void {
  for (let p = 0, o = 0; p < planes; p++, o += hw) {
    let best = x[o]!;
    let bi = o;
    for (let i = 1; i < hw; i++) {
      if (x[o + i]! > best) {
        best = x[o + i]!;
        bi = o + i;
      }
    }
    y[p] = best;
    arg[p] = bi;
  }
}

export function globalMaxBackward(dx: Buf, dy: Buf, arg: Int32Array, planes: number): void {
  for (let p = 0; p < planes; p++) dx[arg[p]!] += dy[p]!;
}

const winners = (aux: Float32Array): Int32Array => new Int32Array(aux.buffer, aux.byteOffset, aux.length);

export const globalpool: LayerOps<GlobalPool> = {
  ...NONE,
  output(_spec, inputs) {
    const d = only(inputs);
    if (!d.vol) throw new Error('global pooling needs a volume input');
    return volume(d.c, 1, 1);
  },
  epilogue: false,
  aux: (spec, _inputs, out, n) => (spec.mode === 'max' ? [n * out.size] : []),
  forward({ spec, n, inputs, x, y, aux }) {
    const d = inputs[0]!;
    if (spec.mode === 'max') globalMaxForward(y, winners(aux[0]!), x[0]!, d.c * n, d.h * d.w);
    else globalAvgForward(y, x[0]!, d.c * n, d.h * d.w);
  },
  backward({ spec, n, inputs, dy, dx, aux }) {
    const d = inputs[0]!;
    const g = dx[0];
    if (!g) return;
    if (spec.mode === 'max') globalMaxBackward(g, dy, winners(aux[0]!), d.c * n);
    else globalAvgBackward(g, dy, d.c * n, d.h * d.w);
  },
};
