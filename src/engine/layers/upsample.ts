// upsample: each side times a whole scale (Upsample, nearest or bilinear with align_corners=False).

import type { LayerSpec } from '../../language/model';
import type { UpsampleGeom } from '../kernels-upsample';
import { NONE, only, volume, type Dims, type LayerOps } from './types';

type Upsample = Extract<LayerSpec, { kind: 'upsample' }>;

const geometry = (spec: Upsample, input: Dims, n: number): UpsampleGeom => ({ n, c: input.c, h: input.h, w: input.w, scale: spec.scale });

export const upsample: LayerOps<Upsample> = {
  ...NONE,
  output(spec, inputs) {
    const d = only(inputs);
    if (!d.vol) throw new Error('upsample needs a volume input');
    return volume(d.c, d.h * spec.scale, d.w * spec.scale);
  },
  epilogue: false,
  forward({ spec, be, n, inputs, x, y }) {
    be.upsampleForward(y, x[0]!, geometry(spec, inputs[0]!, n), spec.mode);
  },
  backward({ spec, be, n, inputs, dy, dx }) {
    const d = dx[0];
    if (d) be.upsampleBackward(d, dy, geometry(spec, inputs[0]!, n), spec.mode);
  },
};
