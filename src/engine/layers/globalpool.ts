// globalpool (`pool max|avg global`, `gap`): the whole H×W of each channel to one value, a 1×1×C volume
// (AdaptiveMaxPool2d(1), AdaptiveAvgPool2d(1)): the backend's pooling with one window the size of the map
// (its kernels take a fast path for that window).

import type { LayerSpec } from '../../language/model';
import { convGeom, type ConvGeom } from '../kernels';
import { poolBackward, poolForward } from './pool';
import { NONE, only, volume, type Dims, type LayerOps } from './types';

type GlobalPool = Extract<LayerSpec, { kind: 'globalpool' }>;

/** Pooling geometry of one window over the whole map: planes of d.h × d.w to 1 × 1. */
export function globalGeom(d: Dims, n: number): ConvGeom {
  return convGeom(n, d, d.c, { fh: d.h, fw: d.w, sh: 1, sw: 1, ph: 0, pw: 0 });
}

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
    poolForward(spec.mode, be, globalGeom(inputs[0]!, n), x[0]!, y, aux);
  },
  backward({ spec, be, n, inputs, dy, dx, aux }) {
    if (dx[0]) poolBackward(spec.mode, be, globalGeom(inputs[0]!, n), dx[0], dy, aux);
  },
};
