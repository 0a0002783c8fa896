// globalpool (`pool max|avg global`, `gap`): the whole H×W of each channel to one value, a 1×1×C volume
// (AdaptiveMaxPool2d(1), AdaptiveAvgPool2d(1)): the backend's pooling with one window the size of the map
// (its kernels take a fast path for that window).

import type { LayerSpec } from '../../language/model';
import { convGeom, type ConvGeom } from '../kernels';
import { NONE, only, volume, type Dims, type LayerOps } from './types';

type GlobalPool = Extract<LayerSpec, { kind: 'globalpool' }>;

/** Pooling geometry of one window over the whole map: planes of d.h × d.w to 1 × 1. */
export function globalGeom(d: Dims, n: number): ConvGeom {
  return convGeom(n, d, d.c, { fh: d.h, fw: d.w, sh: 1, sw: 1, ph: 0, pw: 0 });
}

/** The winners' indices (int32) in a float scratch view of the same length. */
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
  forward({ spec, be, n, inputs, x, y, aux }) {
    const g = globalGeom(inputs[0]!, n);
    if (spec.mode === 'max') be.maxPoolForward(y, winners(aux[0]!), x[0]!, g);
    else be.avgPoolForward(y, x[0]!, g);
  },
  backward({ spec, be, n, inputs, dy, dx, aux }) {
    const d = dx[0];
    if (!d) return;
    const g = globalGeom(inputs[0]!, n);
    if (spec.mode === 'max') be.maxPoolBackward(d, dy, winners(aux[0]!), g);
    else be.avgPoolBackward(d, dy, g);
  },
};
