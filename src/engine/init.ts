// Weight initialisation. Uniform distributions, as PyTorch's own initialisers draw them:
//   He (kaiming_uniform, gain √2, fan_in):  U(-b, b), b = √(6 / fan_in)      — layers followed by relu
//   Glorot (xavier_uniform):               U(-b, b), b = √(6 / (fan_in + fan_out)) — every other layer
// A layer counts as followed by relu when its fused activation is relu, or the next layer statement is relu
// or leakyrelu. Biases start at zero. fan_in = C·FH·FW (conv) or inputs (dense); fan_out = K·FH·FW or units.

import type { Rng } from './rng';

export type InitKind = 'he' | 'glorot';

export function initBound(kind: InitKind, fanIn: number, fanOut: number): number {
  return kind === 'he' ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
}

/** w[len] = U(-bound, bound) drawn from rng in order. */
export function initUniform(w: Float32Array, len: number, bound: number, rng: Rng): void {
  for (let i = 0; i < len; i++) w[i] = (rng.uniform() * 2 - 1) * bound;
}
