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

/** dw[U][I] += dyᵀ·x, db[U] += Σ_n dy, dx[N][I] += dy·w (dx != 0). Apply the fused activation to dy first. */
export function denseBackward(dx: usize, dw: usize, db: usize, dy: usize, x: usize, w: usize, N: i32, I: i32, U: i32, work: usize): void {
  for (let n = 0; n < N; n++) {
    for (let u = 0; u < U; u++) {
      const p = db + (<usize>u << 2);
      store<f32>(p, load<f32>(p) + load<f32>(dy + ((<usize>(n * U + u)) << 2)));
    }
  }
  gemm(U, I, N, dy, 1, U, x, I, 1, dw, I, 1, work);
  if (dx != 0) gemm(N, I, U, dy, U, 1, w, I, 1, dx, I, 1, work);
}

