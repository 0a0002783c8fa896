// The weight gradient of a stride-1, undilated, ungrouped convolution with few input channels (a network's
// first layer: 1 or 3) and 3×3 or 5×5 filters, straight from the maps (kernels.ts is the module entry):
//   dw[k][c][i][j] = Σ_n Σ_oy Σ_ox dy[k][n][oy][ox] · xpad[c][n][oy + i][ox + j]
// im2col would copy each input value FH·FW times for dot products only C·FH·FW columns wide. Here the SIMD lanes
// are four samples (winograd5.ts's interleave4 makes each map position one vector of four samples), so every
// load is aligned and, along an output row, the FW input vectors a filter row needs slide by one: each output
// position costs one load of dy, one of x and FW fused multiply-adds into FW accumulators that stay in registers.

import { fma } from './gemm';
import { rowSums } from './conv';
import { interleave4 } from './winograd5';

/** Floats of scratch per thread: four samples' padded input and output gradient, interleaved, and the sums. */
export function directWeightsScratchFloats(C: i32, K: i32, FH: i32, FW: i32, OH: i32, OW: i32): i32 {
  return 4 * C * (OH + FH - 1) * (OW + FW - 1) + 4 * K * OH * OW + 4 * K * C * FH * FW;
}

/**
 * dw[K][C][FH][FW] += the weight gradient and db[K] += Σ dy of a convolution of x[C][N][H][W] (stride 1,
 * padding PH, PW; FW 3 or 5) from dy[K][N][OH][OW], over the samples [nStart, nEnd).
 * scratch: directWeightsScratchFloats(C, K, FH, FW, OH, OW) floats.
 */
export function directConvWeights(
  dw: usize, db: usize, dy: usize, x: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, FH: i32, FW: i32, PH: i32, PW: i32, OH: i32, OW: i32,
  scratch: usize, nStart: i32, nEnd: i32,
): void {
  const rowsX = OH + FH - 1;
  const colsX = OW + FW - 1;
  const XI = scratch;
  const DYI = XI + ((<usize>C * rowsX * colsX) << 4);
  const S = DYI + ((<usize>K * OH * OW) << 4);
  const taps = K * C * FH * FW;
  const HW = H * W;
  const OHOW = OH * OW;
  rowSums(db, dy, K, N * OHOW, nStart * OHOW, nEnd * OHOW);
  memory.fill(S, 0, <usize>taps << 4);
  for (let n0 = nStart; n0 < nEnd; n0 += 4) {
    const lanes = min(4, nEnd - n0);
    interleave4(XI, x, N * HW, HW, n0, lanes, C, H, W, -PH, rowsX, rowsX, PW, colsX);
    interleave4(DYI, dy, N * OHOW, OHOW, n0, lanes, K, OH, OW, 0, OH, OH, 0, OW);
    for (let k = 0; k < K; k++) {
      for (let c = 0; c < C; c++) {
        for (let i = 0; i < FH; i++) {
          const s = S + ((<usize>((k * C + c) * FH + i) * FW) << 4);
          const xs = XI + ((<usize>(c * rowsX + i) * colsX) << 4);
          const ds = DYI + ((<usize>k * OHOW) << 4);
          if (FW == 5) filterRow5(s, xs, ds, OH, OW, colsX);
          else filterRow3(s, xs, ds, OH, OW, colsX);
        }
      }
    }
  }
  // The four lanes (samples) of each sum, into dw.
  for (let t = 0; t < taps; t++) {
    const v = v128.load(S + (<usize>t << 4));
    const d = dw + (<usize>t << 2);
    store<f32>(d, load<f32>(d) + ((f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))));
  }
}

/**
 * s[j] += Σ_oy Σ_ox d[oy][ox] · x[oy][ox + j] for j < 5 (vectors of four samples; x's rows colsX apart, from
 * the filter row's first input row; d's rows OW apart). Two output positions a step, each into accumulators of
 * its own: one set's chain of dependent multiply-adds would wait on the latency of each.
 */
function filterRow5(s: usize, x: usize, d: usize, OH: i32, OW: i32, colsX: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0), a4 = f32x4.splat(0);
  let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0), b4 = f32x4.splat(0);
  const OW2 = OW & ~1;
  for (let oy = 0; oy < OH; oy++) {
    let xp = x + ((<usize>oy * colsX) << 4);
    let dp = d + ((<usize>oy * OW) << 4);
    let w0 = v128.load(xp), w1 = v128.load(xp, 16), w2 = v128.load(xp, 32), w3 = v128.load(xp, 48);
    for (let ox = 0; ox < OW2; ox += 2) {
      const w4 = v128.load(xp, 64), w5 = v128.load(xp, 80);
      const e = v128.load(dp), f = v128.load(dp, 16);
      a0 = fma(e, w0, a0); a1 = fma(e, w1, a1); a2 = fma(e, w2, a2); a3 = fma(e, w3, a3); a4 = fma(e, w4, a4);
      b0 = fma(f, w1, b0); b1 = fma(f, w2, b1); b2 = fma(f, w3, b2); b3 = fma(f, w4, b3); b4 = fma(f, w5, b4);
      w0 = w2; w1 = w3; w2 = w4; w3 = w5;
      xp += 32;
      dp += 32;
    }
    if (OW2 < OW) {
      const e = v128.load(dp);
      a0 = fma(e, w0, a0); a1 = fma(e, w1, a1); a2 = fma(e, w2, a2); a3 = fma(e, w3, a3); a4 = fma(e, v128.load(xp, 64), a4);
    }
  }
  v128.store(s, f32x4.add(v128.load(s), f32x4.add(a0, b0)));
  v128.store(s, f32x4.add(v128.load(s, 16), f32x4.add(a1, b1)), 16);
  v128.store(s, f32x4.add(v128.load(s, 32), f32x4.add(a2, b2)), 32);
  v128.store(s, f32x4.add(v128.load(s, 48), f32x4.add(a3, b3)), 48);
  v128.store(s, f32x4.add(v128.load(s, 64), f32x4.add(a4, b4)), 64);
}

/** filterRow5 for 3 taps. */
function filterRow3(s: usize, x: usize, d: usize, OH: i32, OW: i32, colsX: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0);
  let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0);
  const OW2 = OW & ~1;
  for (let oy = 0; oy < OH; oy++) {
    let xp = x + ((<usize>oy * colsX) << 4);
    let dp = d + ((<usize>oy * OW) << 4);
    let w0 = v128.load(xp), w1 = v128.load(xp, 16);
    for (let ox = 0; ox < OW2; ox += 2) {
      const w2 = v128.load(xp, 32), w3 = v128.load(xp, 48);
      const e = v128.load(dp), f = v128.load(dp, 16);
      a0 = fma(e, w0, a0); a1 = fma(e, w1, a1); a2 = fma(e, w2, a2);
      b0 = fma(f, w1, b0); b1 = fma(f, w2, b1); b2 = fma(f, w3, b2);
      w0 = w2; w1 = w3;
      xp += 32;
      dp += 32;
    }
    if (OW2 < OW) {
      const e = v128.load(dp);
      a0 = fma(e, w0, a0); a1 = fma(e, w1, a1); a2 = fma(e, v128.load(xp, 32), a2);
    }
  }
  v128.store(s, f32x4.add(v128.load(s), f32x4.add(a0, b0)));
  v128.store(s, f32x4.add(v128.load(s, 16), f32x4.add(a1, b1)), 16);
  v128.store(s, f32x4.add(v128.load(s, 32), f32x4.add(a2, b2)), 32);
}
