// add (the element-wise sum of its inputs; all shapes equal) and concat (its inputs joined along the
// channels in order, torch.cat(dim=1); vectors end to end). In CNHW a volume's channels are whole planes in
// a row, so joining volumes is copying each input after the other; vectors join per sample.

import type { LayerSpec } from '../../language/model';
import type { Backend } from '../backend';
import type { Buf } from '../kernels';
import { epilogueForward, fmtDims, NONE, vector, volume, type Dims, type LayerOps } from './types';

type Add = Extract<LayerSpec, { kind: 'add' }>;
type Concat = Extract<LayerSpec, { kind: 'concat' }>;

function atLeastTwo(inputs: readonly Dims[], what: string): Dims {
  if (inputs.length < 2) throw new Error(`${what} needs at least two inputs, not ${inputs.length}`);
  return inputs[0]!;
}

/** y[n][ΣF] from x_k[n][F_k], each sample's parts in order (sizes: F_k). */
export function concatVectorsForward(y: Buf, xs: readonly Buf[], sizes: readonly number[], n: number): void {
  const total = sizes.reduce((a, b) => a + b, 0);
  let off = 0;
  xs.forEach((x, k) => {
    const f = sizes[k]!;
    for (let s = 0; s < n; s++) for (let i = 0; i < f; i++) y[s * total + off + i] = x[s * f + i]!;
    off += f;
  });
}

/** dx_k += the part of dy[n][ΣF] that came from input k (null: skipped). */
export function concatVectorsBackward(dxs: readonly (Buf | null)[], dy: Buf, sizes: readonly number[], n: number): void {
  const total = sizes.reduce((a, b) => a + b, 0);
  let off = 0;
  dxs.forEach((dx, k) => {
    const f = sizes[k]!;
    if (dx) for (let s = 0; s < n; s++) for (let i = 0; i < f; i++) dx[s * f + i] += dy[s * total + off + i]!;
    off += f;
  });
}

/**
 * dst += src over len values on the backend's kernels (channelAxpby with p = 1, q = r = 0, split into
 * `planes` planes so that threads can share it); ones holds [1…, 0…] for the coefficients.
 */
function accumulate(be: Backend, dst: Float32Array, src: Float32Array, planes: number, len: number, ones: Float32Array): void {
  const p = ones.subarray(0, planes);
  const zero = ones.subarray(planes, 2 * planes);
  be.channelAxpby(dst, src, src, p, zero, zero, planes, len / planes);
}

function coefficients(aux: readonly Float32Array[], planes: number): Float32Array {
  const ones = aux[0]!;
  ones.fill(1, 0, planes);
  ones.fill(0, planes, 2 * planes);
  return ones;
}

export const add: LayerOps<Add> = {
  ...NONE,
  output(_spec, inputs) {
    const first = atLeastTwo(inputs, 'add');
    for (const d of inputs) {
      if (d.vol !== first.vol || d.c !== first.c || d.h !== first.h || d.w !== first.w) {
        throw new Error(`add needs equal shapes, not ${inputs.map(fmtDims).join(' and ')}`);
      }
    }
    return first;
  },
  epilogue: true,
  /** Coefficients for the backend's per-plane kernel: 1 and 0 per channel. */
  aux: (_spec, _inputs, out) => [2 * (out.vol ? out.c : 1)],
  forward({ be, n, out, x, y, aux, act }) {
    const len = n * out.size;
    // The first two and the activation in one pass when there are two; more are added on, then activated.
    if (x.length === 2) {
      be.addForward(y, x[0]!, x[1]!, len, act);
      return;
    }
    const planes = out.vol ? out.c : 1;
    const ones = coefficients(aux, planes);
    be.addForward(y, x[0]!, x[1]!, len, 'none');
    for (let k = 2; k < x.length; k++) accumulate(be, y, x[k]!, planes, len, ones);
    epilogueForward(be, y, len, act);
  },
  backward({ be, n, out, y, dy, dx, aux, act }) {
    const len = n * out.size;
    const planes = out.vol ? out.c : 1;
    const ones = coefficients(aux, planes);
    if (act !== 'none') be.activationBackwardInPlace(dy, y, len, act);
    for (const d of dx) if (d) accumulate(be, d, dy, planes, len, ones);
  },
};

export const concat: LayerOps<Concat> = {
  ...NONE,
  output(_spec, inputs) {
    const first = atLeastTwo(inputs, 'concat');
    if (inputs.some((d) => d.vol !== first.vol || (d.vol && (d.h !== first.h || d.w !== first.w)))) {
      throw new Error(`concat needs volumes of the same height and width, or vectors, not ${inputs.map(fmtDims).join(' and ')}`);
    }
    const c = inputs.reduce((s, d) => s + d.c, 0);
    return first.vol ? volume(c, first.h, first.w) : vector(c);
  },
  epilogue: false,
  /** Coefficients for the backend's per-plane kernel (volumes): 1 and 0 per channel of the widest input. */
  aux: (_spec, inputs) => (inputs[0]!.vol ? [2 * Math.max(...inputs.map((d) => d.c))] : []),
  forward({ n, inputs, x, y }) {
    if (inputs[0]!.vol) {
      let off = 0;
      x.forEach((v, k) => {
        const len = n * inputs[k]!.size;
        y.set(v.subarray(0, len), off);
        off += len;
      });
    } else {
      concatVectorsForward(y, x, inputs.map((d) => d.size), n);
    }
  },
  backward({ be, n, inputs, dy, dx, aux }) {
    if (inputs[0]!.vol) {
      let off = 0;
      dx.forEach((d, k) => {
        const len = n * inputs[k]!.size;
        const planes = inputs[k]!.c;
        if (d) accumulate(be, d, dy.subarray(off, off + len), planes, len, coefficients(aux, planes));
        off += len;
      });
    } else {
      concatVectorsBackward(dx, dy, inputs.map((d) => d.size), n);
    }
  },
};
