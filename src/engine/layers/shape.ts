// flatten (a volume to a vector in PyTorch's C×H×W order; a vector stays as it is) and softmax (the last
// layer: class probabilities; training takes its gradient together with the cross-entropy loss, so its own
// backward passes nothing).

import type { LayerSpec } from '../../language/model';
import { softmaxForward } from '../kernels-loss';
import { addInto, NONE, only, vector, type LayerOps } from './types';

type Flatten = Extract<LayerSpec, { kind: 'flatten' }>;
type Softmax = Extract<LayerSpec, { kind: 'softmax' }>;

export const flatten: LayerOps<Flatten> = {
  ...NONE,
  output: (_spec, inputs) => vector(only(inputs).size),
  epilogue: false,
  forward({ be, n, inputs, x, y }) {
    const d = inputs[0]!;
    if (d.vol) be.flattenForward(y, x[0]!, n, d.c, d.h * d.w);
    else y.set(x[0]!.subarray(0, n * d.size));
  },
  backward({ be, n, inputs, dy, dx }) {
    const d = inputs[0]!;
    const g = dx[0];
    if (!g) return;
    if (d.vol) be.flattenBackward(g, dy, n, d.c, d.h * d.w);
    else addInto(g, dy, n * d.size);
  },
};

export const softmax: LayerOps<Softmax> = {
  ...NONE,
  output(_spec, inputs) {
    const d = only(inputs);
    if (d.vol) throw new Error('softmax needs a vector input');
    return d;
  },
  epilogue: false,
  forward({ n, inputs, x, y }) {
    softmaxForward(y, x[0]!, n, inputs[0]!.size);
  },
  backward() {
    // The loss's gradient goes straight to the logits (softmax and cross-entropy together).
  },
};
