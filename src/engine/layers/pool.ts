// pool: max or average pooling over a window (MaxPool2d, AvgPool2d with count_include_pad=True). Max pooling
// never picks its padding; average pooling counts the padded zeros in its divisor, as PyTorch does.

import type { LayerSpec } from '../../language/model';
import type { Backend } from '../backend';
import { convGeom, type ConvGeom } from '../kernels';
import { NONE, only, volume, type Dims, type LayerOps } from './types';

type Pool = Extract<LayerSpec, { kind: 'pool' }>;

function geometry(spec: Pool, input: Dims, n: number): ConvGeom {
  return convGeom(n, input, input.c, spec);
}

/** The winners' indices (int32) in a float scratch view of the same length. */
const winners = (aux: Float32Array): Int32Array => new Int32Array(aux.buffer, aux.byteOffset, aux.length);

/** Max or average pooling forward over geometry g on the backend (max: the winners in aux[0]); globalpool's too. */
export function poolForward(mode: 'max' | 'avg', be: Backend, g: ConvGeom, x: Float32Array, y: Float32Array, aux: readonly Float32Array[]): void {
  if (mode === 'max') be.maxPoolForward(y, winners(aux[0]!), x, g);
  else be.avgPoolForward(y, x, g);
}

export function poolBackward(mode: 'max' | 'avg', be: Backend, g: ConvGeom, dx: Float32Array, dy: Float32Array, aux: readonly Float32Array[]): void {
  if (mode === 'max') be.maxPoolBackward(dx, dy, winners(aux[0]!), g);
  else be.avgPoolBackward(dx, dy, g);
}

export const pool: LayerOps<Pool> = {
  ...NONE,
  output(spec, inputs) {
    const d = only(inputs);
    if (!d.vol) throw new Error('pool needs a volume input');
    // A window of padding alone would have no value to pick (PyTorch refuses padding over half the window).
    if (spec.mode === 'max' && (spec.ph >= spec.fh || spec.pw >= spec.fw)) throw new Error('max pooling needs padding smaller than its window');
    const g = geometry(spec, d, 1);
    if (g.oh < 1 || g.ow < 1) throw new Error('the output would be empty');
    return volume(d.c, g.oh, g.ow);
  },
  aux: (spec, _inputs, out, n) => (spec.mode === 'max' ? [n * out.size] : []),
  epilogue: false,
  forward({ spec, be, n, inputs, x, y, aux }) {
    poolForward(spec.mode, be, geometry(spec, inputs[0]!, n), x[0]!, y, aux);
  },
  backward({ spec, be, n, inputs, dy, dx, aux }) {
    if (dx[0]) poolBackward(spec.mode, be, geometry(spec, inputs[0]!, n), dx[0], dy, aux);
  },
};
