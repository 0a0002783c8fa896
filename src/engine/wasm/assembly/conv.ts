// Convolution as im2col + GEMM: forward, backward and the transposed input gradient, with groups and dilation
// (kernels.ts is the module entry). Groups are free in the CNHW layout: group g reads the input channel
// planes [g·C/G, (g+1)·C/G), writes the output planes [g·K/G, (g+1)·K/G) and owns the filters from
// g·(K/G)·(C/G)·FH·FW on, each a contiguous block, so a grouped convolution is G ordinary ones side by side.
// Depthwise convolutions (C/G = 1) run on the direct kernels of depthwise.ts instead.

import { gemm } from './gemm';
import { biasActRows } from './activation';
import { im2col, col2im } from './im2col';
import { rowDots } from './dots';
import { smallProducts } from './products';

/**
 * y[K][N][OH][OW] = act(conv(x[C][N][H][W], w[K][C/G][FH][FW], dilation DH, DW, G groups) + b[K]), for the
 * output columns [qStart, qEnd) (all of them: 0, N·OH·OW; threads take whole samples each).
 * col: (C/G)·FH·FW·chunk floats of scratch (chunk = output columns per step).
 */
export function convForward(
  y: usize, x: usize, w: usize, b: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, FH: i32, FW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  DH: i32, DW: i32, G: i32, OH: i32, OW: i32, act: i32, col: usize, chunk: i32, qStart: i32, qEnd: i32,
): void {
  const NOHW = N * OH * OW;
  const NHW = N * H * W;
  const Cg = C / G;
  const Kg = K / G;
  const CFF = Cg * FH * FW;
  const direct = FH == 1 && FW == 1 && SH == 1 && SW == 1 && PH == 0 && PW == 0;
  for (let q0 = qStart; q0 < qEnd; q0 += chunk) {
    const qn = min(chunk, qEnd - q0);
    for (let g = 0; g < G; g++) {
      const xg = x + ((<usize>g * Cg * NHW) << 2);
      const wg = w + ((<usize>g * Kg * CFF) << 2);
      const yc = y + ((<usize>g * Kg * NOHW + q0) << 2);
      if (direct) {
        smallProducts(yc, NOHW, wg, xg + (<usize>q0 << 2), NOHW, Kg, CFF, qn);
      } else {
        im2col(col, xg, q0, qn, N, Cg, H, W, FH, FW, SH, SW, PH, PW, DH, DW, OH, OW);
        smallProducts(yc, NOHW, wg, col, qn, Kg, CFF, qn);
      }
    }
    biasActRows(y + (<usize>q0 << 2), b, K, qn, NOHW, act, 0);
  }
}

/**
 * Backward of convForward without its activation (apply activationBackwardInPlace to dy first):
 * dw[K][C/G][FH][FW] += dy·colᵀ, db[K] += Σ dy, and (dx != 0) dx[C][N][H][W] += col2im(wᵀ·dy), over the
 * output columns [qStart, qEnd), group by group. Ranges of whole samples write disjoint parts of dx, so
 * threads can share it.
 */
export function convBackward(
  dx: usize, dw: usize, db: usize, dy: usize, x: usize, w: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, FH: i32, FW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  DH: i32, DW: i32, G: i32, OH: i32, OW: i32, col: usize, chunk: i32, work: usize, qStart: i32, qEnd: i32,
): void {
  const NOHW = N * OH * OW;
  const NHW = N * H * W;
  const Cg = C / G;
  const Kg = K / G;
  const CFF = Cg * FH * FW;
  rowSums(db, dy, K, NOHW, qStart, qEnd);
  const direct = FH == 1 && FW == 1 && SH == 1 && SW == 1 && PH == 0 && PW == 0;
  for (let q0 = qStart; q0 < qEnd; q0 += chunk) {
    const qn = min(chunk, qEnd - q0);
    for (let g = 0; g < G; g++) {
      const xg = x + ((<usize>g * Cg * NHW) << 2);
      const wg = w + ((<usize>g * Kg * CFF) << 2);
      const dwg = dw + ((<usize>g * Kg * CFF) << 2);
      const dxg = dx + ((<usize>g * Cg * NHW) << 2);
      const dyc = dy + ((<usize>g * Kg * NOHW + q0) << 2);
      if (direct) {
        const xc = xg + (<usize>q0 << 2);
        rowDots(dwg, CFF, dyc, NOHW, xc, NOHW, Kg, CFF, qn);
        if (dx != 0) gemm(CFF, qn, Kg, wg, 1, CFF, dyc, NOHW, 1, dxg + (<usize>q0 << 2), NOHW, 1, work);
      } else {
        im2col(col, xg, q0, qn, N, Cg, H, W, FH, FW, SH, SW, PH, PW, DH, DW, OH, OW);
        rowDots(dwg, CFF, dyc, NOHW, col, qn, Kg, CFF, qn);
        if (dx != 0) {
          gemm(CFF, qn, Kg, wg, 1, CFF, dyc, NOHW, 1, col, qn, 0, work);
          col2im(dxg, col, q0, qn, N, Cg, H, W, FH, FW, SH, SW, PH, PW, DH, DW, OH, OW);
        }
      }
    }
  }
}

/** db[r] += Σ_{j ∈ [j0, j1)} m[r][j] for the `rows` rows (length `stride` each) of m. */
export function rowSums(db: usize, m: usize, rows: i32, stride: i32, j0: i32, j1: i32): void {
  for (let k = 0; k < rows; k++) {
    const row = m + ((<usize>k * stride) << 2);
    let s = f32x4.splat(0);
    let j = j0;
    for (; j + 4 <= j1; j += 4) s = f32x4.add(s, v128.load(row + (<usize>j << 2)));
    let t: f32 = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
    for (; j < j1; j++) t += load<f32>(row + (<usize>j << 2));
    const p = db + (<usize>k << 2);
    store<f32>(p, load<f32>(p) + t);
  }
}

/**
 * wT[C][K/G][FH][FW] = w[K][C/G][FH-1-i][FW-1-j] per group (each group's [C/G][K/G] block in turn): the
 * filters of the transposed convolution.
 */
export function flipWeights(wT: usize, w: usize, K: i32, C: i32, FH: i32, FW: i32, G: i32): void {
  const Kg = K / G;
  const Cg = C / G;
  const per = Kg * Cg * FH * FW;
  for (let g = 0; g < G; g++) {
    const wg = w + ((<usize>g * per) << 2);
    const tg = wT + ((<usize>g * per) << 2);
    for (let k = 0; k < Kg; k++) {
      for (let c = 0; c < Cg; c++) {
        for (let i = 0; i < FH; i++) {
          for (let j = 0; j < FW; j++) {
            const src = wg + ((<usize>(((k * Cg + c) * FH + i) * FW + j)) << 2);
            const dst = tg + ((<usize>(((c * Kg + k) * FH + (FH - 1 - i)) * FW + (FW - 1 - j))) << 2);
            store<f32>(dst, load<f32>(src));
          }
        }
      }
    }
  }
}

/**
 * dx[C][N][H][W] += the input gradient of a stride-1 convolution, computed as a convolution of
 * dy[K][N][OH][OW] (padded by DH·(FH-1)-PH, DW·(FW-1)-PW, same dilation) with the flipped filters wT
 * (flipWeights), group by group, over the dx columns [qStart, qEnd). Needs PH ≤ DH·(FH-1) and
 * PW ≤ DW·(FW-1). Same work as col2im(wᵀ·dy), but the GEMM has the long FH·FW·K/G inner dimension of a
 * forward pass and nothing is scattered.
 */
export function convBackwardData(
  dx: usize, dy: usize, wT: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, FH: i32, FW: i32, PH: i32, PW: i32, DH: i32, DW: i32, G: i32,
  OH: i32, OW: i32, col: usize, chunk: i32, work: usize, qStart: i32, qEnd: i32,
): void {
  const NHW = N * H * W;
  const NOHW = N * OH * OW;
  const Cg = C / G;
  const Kg = K / G;
  const KFF = Kg * FH * FW;
  for (let q0 = qStart; q0 < qEnd; q0 += chunk) {
    const qn = min(chunk, qEnd - q0);
    for (let g = 0; g < G; g++) {
      const dyg = dy + ((<usize>g * Kg * NOHW) << 2);
      const wg = wT + ((<usize>g * Cg * KFF) << 2);
      im2col(col, dyg, q0, qn, N, Kg, OH, OW, FH, FW, 1, 1, DH * (FH - 1) - PH, DW * (FW - 1) - PW, DH, DW, H, W);
      gemm(Cg, qn, KFF, wg, KFF, 1, col, qn, 1, dx + ((<usize>g * Cg * NHW + q0) << 2), NHW, 1, work);
    }
  }
}
