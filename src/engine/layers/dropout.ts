// dropout: inverted dropout while training (kept values scaled by 1/(1 − rate), masks from the network's
// seeded RNG); the identity in evaluation.

import type { LayerSpec } from '../../language/model';
import { dropoutMask } from '../kernels';
import { NONE, only, type LayerOps } from './types';

type Dropout = Extract<LayerSpec, { kind: 'dropout' }>;

export const dropout: LayerOps<Dropout> = {
  ...NONE,
  output: (_spec, inputs) => only(inputs),
  epilogue: false,
  aux: (_spec, _inputs, out, n) => [n * out.size],
  forward({ spec, n, out, x, y, aux, train, rng }) {
    const len = n * out.size;
    const x0 = x[0]!;
    const mask = aux[0]!;
    if (train && spec.rate > 0) {
      dropoutMask(mask, len, spec.rate, () => rng.uniform());
      for (let i = 0; i < len; i++) y[i] = x0[i]! * mask[i]!;
    } else {
      // Backward after an evaluation forward passes gradients through unchanged.
      mask.fill(1, 0, len);
      y.set(x0.subarray(0, len));
    }
  },
  backward({ n, out, dy, dx, aux }) {
    const d = dx[0];
    if (!d) return;
    const len = n * out.size;
    const mask = aux[0]!;
    for (let i = 0; i < len; i++) d[i] += dy[i]! * mask[i]!;
  },
};
