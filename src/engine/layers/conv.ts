// conv: a 2-D convolution (Conv2d) with an optional activation in its epilogue. Weight [K, C/G, FH, FW],
// bias [K]. Groups and dilation travel in the geometry: the backend runs grouped convolutions as one GEMM per
// group and depthwise ones (groups = C) on direct kernels.

import type { LayerSpec } from '../../language/model';
import { convGeom, outSize, type ConvGeom } from '../kernels';
import { NONE, only, volume, type Dims, type LayerOps } from './types';

type Conv = Extract<LayerSpec, { kind: 'conv' }>;

/** The window geometry of a conv over n samples of `input`. */
export function convGeometry(spec: Conv, input: Dims, n: number): ConvGeom {
  return convGeom(n, input, spec.filters, spec);
}

export const conv: LayerOps<Conv> = {
  ...NONE,
  output(spec, inputs) {
    const d = only(inputs);
    if (!d.vol) throw new Error('conv needs a volume input');
    if (d.c % spec.groups !== 0 || spec.filters % spec.groups !== 0) {
      throw new Error(`groups=${spec.groups} must divide the input channels (${d.c}) and the filters (${spec.filters})`);
    }
    const oh = outSize(d.h, spec.dh * (spec.fh - 1) + 1, spec.sh, spec.ph);
    const ow = outSize(d.w, spec.dw * (spec.fw - 1) + 1, spec.sw, spec.pw);
    if (oh < 1 || ow < 1) throw new Error('the output would be empty');
    return volume(spec.filters, oh, ow);
  },
  params(spec, inputs) {
    const cg = inputs[0]!.c / spec.groups;
    return [
      { name: 'weight', shape: [spec.filters, cg, spec.fh, spec.fw], init: { fanIn: cg * spec.fh * spec.fw, fanOut: (spec.filters / spec.groups) * spec.fh * spec.fw } },
      { name: 'bias', shape: [spec.filters], init: { value: 0 } },
    ];
  },
  activation: (spec) => spec.activation,
  epilogue: true,
  scratch(spec, inputs, _out, n, be) {
    return { col: be.colFloats(convGeometry(spec, inputs[0]!, n)), grad: spec.filters * (inputs[0]!.c / spec.groups) * spec.fh * spec.fw + spec.filters };
  },
  forward({ spec, be, n, inputs, x, y, params, act }) {
    be.convForward(y, x[0]!, params[0]!, params[1]!, convGeometry(spec, inputs[0]!, n), act);
  },
  backward({ spec, be, n, inputs, x, y, dy, dx, params, dparams, act }) {
    be.convBackward(dx[0]!, dparams[0]!, dparams[1]!, dy, y, x[0]!, params[0]!, convGeometry(spec, inputs[0]!, n), act);
  },
  absorbAffine(spec, params, scale, shift, into) {
    // Filter k (weight[k], every group's alike) is scaled by scale[k]; its bias becomes b·scale + shift.
    const [w, b] = params as [Float32Array, Float32Array];
    const [wOut, bOut] = into as [Float32Array, Float32Array];
    const per = w.length / spec.filters;
    for (let k = 0; k < spec.filters; k++) {
      const s = scale[k]!;
      for (let i = k * per, e = i + per; i < e; i++) wOut[i] = w[i]! * s;
      bOut[k] = b[k]! * s + shift[k]!;
    }
  },
};
