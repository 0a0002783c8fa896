// Transposed convolution (PyTorch's ConvTranspose2d) on the convolution's own pieces (kernels.ts is the
// module entry). A transposed convolution from x[C][N][H][W] to y[K][N][OH][OW] with w[C][K][FH][FW] is the
// input-gradient computation of the ordinary convolution that maps y's shape to x's shape with w as its
// [C][K] filters: its forward is col2im(wᵀ·x), and its backward is that convolution's forward (dx = conv(dy))
// and weight gradient (dw = x·im2col(dy)ᵀ). Both walk the columns of x, q = n·H·W + h·W + w, in chunks; a
// range of whole samples writes disjoint parts of y and dx, so threads can share them.

import { gemm } from './gemm';
import { biasActRows } from './activation';
import { im2col, col2im } from './im2col';
import { rowSums } from './conv';

/**
 * y[K][N][OH][OW] = act(convtranspose(x[C][N][H][W], w[C][K][FH][FW]) + b[K]) for the samples of the x
 * columns [qStart, qEnd). col: K·FH·FW·chunk floats; work: gemmWorkFloats() floats.
 */
export function deconvForward(
  y: usize, x: usize, w: usize, b: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, FH: i32, FW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  OH: i32, OW: i32, act: i32, col: usize, chunk: i32, work: usize, qStart: i32, qEnd: i32,
): void {
  const HW = H * W;
  const NHW = N * HW;
  const OHOW = OH * OW;
  const NOHW = N * OHOW;
  const KFF = K * FH * FW;
  const n0 = qStart / HW;
  const n1 = qEnd / HW;
  const y0 = n0 * OHOW;
  const yn = (n1 - n0) * OHOW;
  for (let k = 0; k < K; k++) memory.fill(y + ((<usize>k * NOHW + y0) << 2), 0, <usize>yn << 2);
  for (let q0 = qStart; q0 < qEnd; q0 += chunk) {
    const qn = min(chunk, qEnd - q0);
    gemm(KFF, qn, C, w, 1, KFF, x + (<usize>q0 << 2), NHW, 1, col, qn, 0, work);
    col2im(y, col, q0, qn, N, K, OH, OW, FH, FW, SH, SW, PH, PW, 1, 1, H, W);
  }
  biasActRows(y + (<usize>y0 << 2), b, K, yn, NOHW, act, 0);
}

/**
 * Backward of deconvForward without its activation (apply activationBackwardInPlace to dy first), for the
 * samples of the x columns [qStart, qEnd): db[K] += Σ dy, dw[C][K][FH][FW] += x·im2col(dy)ᵀ and
 * (dx != 0) dx[C][N][H][W] += w·im2col(dy).
 */
export function deconvBackward(
  dx: usize, dw: usize, db: usize, dy: usize, x: usize, w: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, FH: i32, FW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  OH: i32, OW: i32, col: usize, chunk: i32, work: usize, qStart: i32, qEnd: i32,
): void {
  const HW = H * W;
  const NHW = N * HW;
  const OHOW = OH * OW;
  const KFF = K * FH * FW;
  rowSums(db, dy, K, N * OHOW, (qStart / HW) * OHOW, (qEnd / HW) * OHOW);
  for (let q0 = qStart; q0 < qEnd; q0 += chunk) {
    const qn = min(chunk, qEnd - q0);
    im2col(col, dy, q0, qn, N, K, OH, OW, FH, FW, SH, SW, PH, PW, 1, 1, H, W);
    gemm(C, KFF, qn, x + (<usize>q0 << 2), NHW, 1, col, 1, qn, dw, KFF, 1, work);
    if (dx != 0) gemm(C, qn, KFF, w, KFF, 1, col, qn, 1, dx + (<usize>q0 << 2), NHW, 1, work);
  }
}
