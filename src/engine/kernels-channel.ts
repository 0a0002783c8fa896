// Reference kernels for per-channel steps over C contiguous planes of m values (a CNHW volume batch: each
// channel's plane holds the whole batch), as wasm/assembly/norm.ts computes them: batch norm's statistics,
// its affine output (with a fused activation) and its input gradient. Same style as kernels.ts.

import { act1, type ActKind, type Buf } from './kernels';

/** sum[c] = Σ a, sq[c] = Σ a·b (b null: Σ a²) over each plane, in float64. */
export function channelSums(sum: Float64Array, sq: Float64Array, a: Buf, b: Buf | null, c: number, m: number): void {
  const bb = b ?? a;
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    let q = 0;
    for (let j = 0, i = ch * m; j < m; j++, i++) {
      const v = a[i]!;
      s += v;
      q += v * bb[i]!;
    }
    sum[ch] = s;
    sq[ch] = q;
  }
}

/** y = act(x·scale[c] + shift[c]) over each plane (y may be x). */
export function channelAffine(y: Buf, x: Buf, scale: Buf, shift: Buf, c: number, m: number, act: ActKind): void {
  for (let ch = 0; ch < c; ch++) {
    const sc = scale[ch]!;
    const sh = shift[ch]!;
    for (let j = 0, i = ch * m; j < m; j++, i++) y[i] = act1(x[i]! * sc + sh, act, 0);
  }
}

/** dx += p[c]·dy + q[c]·x + r[c] over each plane. */
export function channelAxpby(dx: Buf, dy: Buf, x: Buf, p: Buf, q: Buf, r: Buf, c: number, m: number): void {
  for (let ch = 0; ch < c; ch++) {
    const pc = p[ch]!;
    const qc = q[ch]!;
    const rc = r[ch]!;
    for (let j = 0, i = ch * m; j < m; j++, i++) dx[i] += pc * dy[i]! + qc * x[i]! + rc;
  }
}
