// relu, sigmoid, tanh, leakyrelu as statements of their own. Right after a conv or dense (the value's only
// consumer) the graph runs relu/sigmoid/tanh in that layer's epilogue instead (see plan.ts).

import type { LayerSpec } from '../../language/model';
import type { ActKind } from '../kernels';
import { NONE, only, type LayerOps } from './types';

type Act = Extract<LayerSpec, { kind: 'relu' | 'sigmoid' | 'tanh' | 'leakyrelu' }>;

const slopeOf = (spec: Act): number => (spec.kind === 'leakyrelu' ? spec.slope : 0);

function activation<S extends Act>(): LayerOps<S> {
  return {
    ...NONE,
    output: (_spec, inputs) => only(inputs),
    epilogue: false,
    forward({ spec, be, n, inputs, x, y }) {
      be.activationForward(y, x[0]!, n * inputs[0]!.size, spec.kind as ActKind, slopeOf(spec));
    },
    backward({ spec, be, n, inputs, x, y, dy, dx }) {
      const d = dx[0];
      if (d) be.activationBackward(d, dy, y, x[0]!, n * inputs[0]!.size, spec.kind as ActKind, slopeOf(spec));
    },
  };
}

export const relu = activation<Extract<LayerSpec, { kind: 'relu' }>>();
export const sigmoid = activation<Extract<LayerSpec, { kind: 'sigmoid' }>>();
export const tanh = activation<Extract<LayerSpec, { kind: 'tanh' }>>();
export const leakyrelu = activation<Extract<LayerSpec, { kind: 'leakyrelu' }>>();
