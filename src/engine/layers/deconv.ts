// deconv: a transposed convolution (ConvTranspose2d) with an optional activation in its epilogue. Weight
// [C, K, FH, FW], bias [K]; out = (n − 1)·s − 2p + f + outpad per side. The backend runs it on the
// convolution's GEMM, im2col and col2im (src/engine/wasm/assembly/deconv.ts).

import type { LayerSpec } from '../../language/model';
import { deconvGeom, type DeconvGeom } from '../kernels-deconv';
import { NONE, only, volume, type Dims, type LayerOps } from './types';

type Deconv = Extract<LayerSpec, { kind: 'deconv' }>;

/** The geometry of a deconv over n samples of `input`. */
export function deconvGeometry(spec: Deconv, input: Dims, n: number): DeconvGeom {
  return deconvGeom(n, input, spec.filters, spec);
}

export const deconv: LayerOps<Deconv> = {
  ...NONE,
  output(spec, inputs) {
    const d = only(inputs);
    if (!d.vol) throw new Error('deconv needs a volume input');
    const oh = (d.h - 1) * spec.sh - 2 * spec.ph + spec.fh + spec.oph;
    const ow = (d.w - 1) * spec.sw - 2 * spec.pw + spec.fw + spec.opw;
    if (oh < 1 || ow < 1) throw new Error('the output would be empty');
    return volume(spec.filters, oh, ow);
  },
  params(spec, inputs) {
    const c = inputs[0]!.c;
    return [
      // PyTorch's ConvTranspose2d computes its fans from weight.size(1) (K) as "fan in".
      { name: 'weight', shape: [c, spec.filters, spec.fh, spec.fw], init: { fanIn: spec.filters * spec.fh * spec.fw, fanOut: c * spec.fh * spec.fw } },
      { name: 'bias', shape: [spec.filters], init: { value: 0 } },
    ];
  },
  activation: (spec) => spec.activation,
  epilogue: true,
  scratch(spec, inputs, _out, n, be) {
    const c = inputs[0]!.c;
    return { col: be.deconvColFloats(deconvGeometry(spec, inputs[0]!, n)), grad: c * spec.filters * spec.fh * spec.fw + spec.filters };
  },
  forward({ spec, be, n, inputs, x, y, params, act }) {
    be.deconvForward(y, x[0]!, params[0]!, params[1]!, deconvGeometry(spec, inputs[0]!, n), act);
  },
  backward({ spec, be, n, inputs, x, y, dy, dx, params, dparams, act }) {
    be.deconvBackward(dx[0]!, dparams[0]!, dparams[1]!, dy, y, x[0]!, params[0]!, deconvGeometry(spec, inputs[0]!, n), act);
  },
};
