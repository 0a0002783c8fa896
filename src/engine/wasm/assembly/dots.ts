// Row-by-row dot products for weight gradients (kernels.ts is the module entry): D[i][j] += Σ_t A[i][t]·B[j][t]
// for two sets of rows that run along the same long side, as a convolution's output gradient (K rows) and its
// im2col columns (C·FH·FW rows) do. The general GEMM would pack B from a transposed layout, a strided gather
// per value; here both operands are read as they lie, four values of t per lane, in blocks of 2 rows of A ×
// 4 rows of B (6 loads for 8 multiply-adds), and each block's lanes are summed once at its end.

import { fma } from './gemm';

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Σ_{t ∈ [t0, len)} a[t]·b[t], one by one (a block's tail of fewer than four values). */
@inline function tail(a: usize, b: usize, t0: i32, len: i32): f32 {
  let s: f32 = 0;
  for (let t = t0; t < len; t++) s += load<f32>(a + (<usize>t << 2)) * load<f32>(b + (<usize>t << 2));
  return s;
}

@inline function addTo(d: usize, v: f32): void {
  store<f32>(d, load<f32>(d) + v);
}

/**
 * D[i][j] += Σ_{t < len} A[i][t] · B[j][t] for i < M, j < N; rows of A are lda floats apart, of B ldb, of D
 * ldd (each row's values contiguous).
 */
export function rowDots(D: usize, ldd: i32, A: usize, lda: i32, B: usize, ldb: i32, M: i32, N: i32, len: i32): void {
  const as = <usize>lda << 2;
  const bs = <usize>ldb << 2;
  const L4 = len & ~3;
  const lb = <usize>L4 << 2;
  const M2 = M & ~1;
  const N4 = N & ~3;
  for (let i = 0; i < M2; i += 2) {
    const a0 = A + <usize>i * as;
    const a1 = a0 + as;
    const d0 = D + ((<usize>i * ldd) << 2);
    const d1 = d0 + (<usize>ldd << 2);
    for (let j = 0; j < N4; j += 4) {
      const b0 = B + <usize>j * bs;
      const b1 = b0 + bs, b2 = b1 + bs, b3 = b2 + bs;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
      let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
      for (let o: usize = 0; o < lb; o += 16) {
        const x0 = v128.load(a0 + o), x1 = v128.load(a1 + o);
        const y0 = v128.load(b0 + o), y1 = v128.load(b1 + o), y2 = v128.load(b2 + o), y3 = v128.load(b3 + o);
        s00 = fma(x0, y0, s00); s01 = fma(x0, y1, s01); s02 = fma(x0, y2, s02); s03 = fma(x0, y3, s03);
        s10 = fma(x1, y0, s10); s11 = fma(x1, y1, s11); s12 = fma(x1, y2, s12); s13 = fma(x1, y3, s13);
      }
      const q = <usize>j << 2;
      addTo(d0 + q, hsum(s00) + tail(a0, b0, L4, len));
      addTo(d0 + q + 4, hsum(s01) + tail(a0, b1, L4, len));
      addTo(d0 + q + 8, hsum(s02) + tail(a0, b2, L4, len));
      addTo(d0 + q + 12, hsum(s03) + tail(a0, b3, L4, len));
      addTo(d1 + q, hsum(s10) + tail(a1, b0, L4, len));
      addTo(d1 + q + 4, hsum(s11) + tail(a1, b1, L4, len));
      addTo(d1 + q + 8, hsum(s12) + tail(a1, b2, L4, len));
      addTo(d1 + q + 12, hsum(s13) + tail(a1, b3, L4, len));
    }
  }
  // The rest, one pair of rows at a time: rows of B past the last four (every row of A), rows of A past the
  // last pair (every row of B).
  for (let i = 0; i < M; i++) {
    const a = A + <usize>i * as;
    const d = D + ((<usize>i * ldd) << 2);
    for (let j = i < M2 ? N4 : 0; j < N; j++) {
      const b = B + <usize>j * bs;
      // Four partial sums, so that consecutive multiply-adds do not wait on each other.
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      const lb16 = <usize>(len & ~15) << 2;
      let o: usize = 0;
      for (; o < lb16; o += 64) {
        s0 = fma(v128.load(a + o), v128.load(b + o), s0);
        s1 = fma(v128.load(a + o, 16), v128.load(b + o, 16), s1);
        s2 = fma(v128.load(a + o, 32), v128.load(b + o, 32), s2);
        s3 = fma(v128.load(a + o, 48), v128.load(b + o, 48), s3);
      }
      for (; o < lb; o += 16) s0 = fma(v128.load(a + o), v128.load(b + o), s0);
      addTo(d + (<usize>j << 2), hsum(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3))) + tail(a, b, L4, len));
    }
  }
}
