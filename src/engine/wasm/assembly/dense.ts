// Dense layers (kernels.ts is the module entry).

import { gemm } from './gemm';
import { biasActCols } from './activation';

// ---------------------------------------------------------------------------------------------------------
// Dense: y[N][U] = act(x[N][I] · w[U][I]ᵀ + b[U]).
// ---------------------------------------------------------------------------------------------------------

export function denseForward(y: usize, x: usize, w: usize, b: usize, N: i32, I: i32, U: i32, act: i32, work: usize): void {
  gemm(N, U, I, x, I, 1, w, 1, I, y, U, 0, work);
  biasActCols(y, b, N, U, act, 0);
}

/**
 * dw[U][I] += dyᵀ·x and db[U] += Σ_n dy over the units [u0, u1) (all samples), and dx[N][I] += dy·w over the
 * samples [n0, n1) (dx != 0). Threads take disjoint ranges of both, so none needs a private copy of dw.
 * Apply the fused activation to dy first.
 */
export function denseBackward(
  dx: usize, dw: usize, db: usize, dy: usize, x: usize, w: usize, N: i32, I: i32, U: i32, work: usize,
  n0: i32, n1: i32, u0: i32, u1: i32,
): void {
  for (let n = 0; n < N; n++) {
    for (let u = u0; u < u1; u++) {
      const p = db + (<usize>u << 2);
      store<f32>(p, load<f32>(p) + load<f32>(dy + ((<usize>(n * U + u)) << 2)));
    }
  }
  if (u1 > u0) gemm(u1 - u0, I, N, dy + (<usize>u0 << 2), 1, U, x, I, 1, dw + ((<usize>u0 * I) << 2), I, 1, work);
  if (dx != 0 && n1 > n0) gemm(n1 - n0, I, U, dy + ((<usize>n0 * U) << 2), U, 1, w, I, 1, dx + ((<usize>n0 * I) << 2), I, 1, work);
}
