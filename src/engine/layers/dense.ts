// dense: a fully connected layer (Linear) with an optional activation in its epilogue. After a volume it
// flattens its input first, in PyTorch's C×H×W order. Weight [U, I], bias [U].

import type { LayerSpec } from '../../language/model';
import { NONE, only, vector, type LayerOps } from './types';

type Dense = Extract<LayerSpec, { kind: 'dense' }>;

export const dense: LayerOps<Dense> = {
  ...NONE,
  output(spec, inputs) {
    only(inputs);
    return vector(spec.units);
  },
  params(spec, inputs) {
    const i = inputs[0]!.size;
    return [
      { name: 'weight', shape: [spec.units, i], init: { fanIn: i, fanOut: spec.units } },
      { name: 'bias', shape: [spec.units], init: { value: 0 } },
    ];
  },
  activation: (spec) => spec.activation,
  epilogue: true,
  /** After a volume: the flattened input, and its gradient when training. */
  aux: (_spec, inputs, _out, n, backward) => (inputs[0]!.vol ? (backward ? [n * inputs[0]!.size, n * inputs[0]!.size] : [n * inputs[0]!.size]) : []),
  forward({ spec, be, n, inputs, x, y, params, aux, act }) {
    const d = inputs[0]!;
    let input = x[0]!;
    if (d.vol) {
      input = aux[0]!;
      be.flattenForward(input, x[0]!, n, d.c, d.h * d.w);
    }
    be.denseForward(y, input, params[0]!, params[1]!, n, d.size, spec.units, act);
  },
  backward({ spec, be, n, inputs, x, y, dy, dx, params, dparams, aux, act }) {
    const d = inputs[0]!;
    const dx0 = dx[0] ?? null;
    if (d.vol) {
      const dflat = dx0 ? aux[1]! : null;
      if (dflat) be.zero(dflat);
      be.denseBackward(dflat, dparams[0]!, dparams[1]!, dy, y, aux[0]!, params[0]!, n, d.size, spec.units, act);
      if (dx0 && dflat) be.flattenBackward(dx0, dflat, n, d.c, d.h * d.w);
    } else {
      be.denseBackward(dx0, dparams[0]!, dparams[1]!, dy, y, x[0]!, params[0]!, n, d.size, spec.units, act);
    }
  },
};
