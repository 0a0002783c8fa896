// Winograd F(2×2, 5×5) convolution for 5×5, stride-1, undilated, ungrouped layers (kernels.ts is the module
// entry): LeNet-5's second layer and its kind. Each 2×2 block of outputs (a tile) comes from a 6×6 patch of the
// input,
//   Y = Aᵀ [ Σ_c (G g_kc Gᵀ) ⊙ (Bᵀ d_c B) ] A
// so the 100 multiplies per pair of channels and tile become 36 (2.8× fewer), done as 36 products U[ξ] (K×C) ·
// V[ξ] (C×tiles) on products.ts's smallProducts. Same six points as F(4×4, 3×3) (0, ±1, ±2, ∞), so Bᵀ is
// winograd4.ts's bt6; with D = (1/4, −1/6, −1/6, 1/24, 1/24, 1) scaling Lavin's integer Bᵀ:
//   G g:  g0/4, −(g0 + g1 + g2 + g3 + g4)/6, −(g0 − g1 + g2 − g3 + g4)/6,
//         (g0 + 2g1 + 4g2 + 8g3 + 16g4)/24, (g0 − 2g1 + 4g2 − 8g3 + 16g4)/24, g4
//   Aᵀ m: m0 + (m1 + m2) + (m3 + m4), (m1 − m2) + 2(m3 − m4) + m5
//
// The SIMD lanes are four samples at the same tile, not four tiles of a row as in winograd.ts and winograd4.ts:
// the maps these layers see are small (LeNet-5's 10×10 outputs are 5 tiles a row, which rows of four lanes
// would pad to 8), and the samples always fill the lanes. A chunk of four samples' rows is first interleaved
// (interleave4: value (row, column) of the four samples as one vector, zeros around), so each patch value is
// one aligned load and the transforms need no shuffles.

import { biasActRows } from './activation';
import { bt6, STAGE_FLOATS } from './winograd4';
import { planeFloats } from './winograd';
import { smallProducts } from './products';

/** Tile rows per chunk of four samples: V and M of a chunk (36·(C+K)·rows·TW·4 floats) stay near 256 KiB. */
export function tileRows5PerChunk(C: i32, K: i32, TW: i32, TH: i32): i32 {
  const most = max(1, min(TH, (1 << 16) / (144 * (C + K) * TW)));
  const chunks = (TH + most - 1) / most;
  return (TH + chunks - 1) / chunks;
}

/** Floats of scratch per thread for a layer of this size (U, V, M, the interleaved input rows and the staging). */
export function winograd5ScratchFloats(C: i32, K: i32, OH: i32, OW: i32): i32 {
  const TH = (OH + 1) >> 1;
  const TW = (OW + 1) >> 1;
  const TRb = tileRows5PerChunk(C, K, TW, TH);
  const Tc = 4 * TRb * TW;
  return 36 * K * C + 36 * planeFloats(C, Tc) + 36 * planeFloats(K, Tc) + 4 * C * (2 * TRb + 4) * (2 * TW + 4) + STAGE_FLOATS;
}

/**
 * dst[c][r][col][lane] for c < C, r < count, col < cols, lane < 4: plane c (at x + c·planeStride floats) of
 * sample n0 + lane (lane < lanes; HW floats a sample), row firstRow + r, column col − shift; zeros outside the
 * H × W map and in the lanes past `lanes`. Channel c's rows start rowsPerC rows apart.
 */
export function interleave4(dst: usize, x: usize, planeStride: i32, HW: i32, n0: i32, lanes: i32, C: i32, H: i32, W: i32, firstRow: i32, count: i32, rowsPerC: i32, shift: i32, cols: i32): void {
  const n = max(0, min(W, cols - shift));
  const z = f32x4.splat(0);
  const rowBytes = <usize>cols << 4;
  for (let c = 0; c < C; c++) {
    const plane = x + ((<usize>c * planeStride + <usize>n0 * HW) << 2);
    const sample = <usize>HW << 2;
    for (let r = 0; r < count; r++) {
      const d = dst + <usize>(c * rowsPerC + r) * rowBytes;
      const iy = firstRow + r;
      if (iy < 0 || iy >= H) {
        for (let o: usize = 0; o < rowBytes; o += 16) v128.store(d + o, z);
        continue;
      }
      for (let i = 0; i < shift; i++) v128.store(d + (<usize>i << 4), z);
      for (let i = shift + n; i < cols; i++) v128.store(d + (<usize>i << 4), z);
      const s0 = plane + ((<usize>iy * W) << 2);
      const to = d + (<usize>shift << 4);
      let i = 0;
      if (lanes == 4) {
        // Four columns of the four samples' rows: a 4×4 transpose.
        const s1 = s0 + sample, s2 = s1 + sample, s3 = s2 + sample;
        for (; i + 4 <= n; i += 4) {
          const o = <usize>i << 2;
          const a = v128.load(s0 + o), b = v128.load(s1 + o), e = v128.load(s2 + o), f = v128.load(s3 + o);
          const t0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), t1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(e, f, 0, 4, 1, 5), t3 = v128.shuffle<f32>(e, f, 2, 6, 3, 7);
          const q = to + (<usize>i << 4);
          v128.store(q, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
          v128.store(q, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 16);
          v128.store(q, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 32);
          v128.store(q, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 48);
        }
      }
      for (; i < n; i++) {
        const o = <usize>i << 2;
        let v = z;
        if (lanes > 0) v = f32x4.replace_lane(v, 0, load<f32>(s0 + o));
        if (lanes > 1) v = f32x4.replace_lane(v, 1, load<f32>(s0 + sample + o));
        if (lanes > 2) v = f32x4.replace_lane(v, 2, load<f32>(s0 + 2 * sample + o));
        if (lanes > 3) v = f32x4.replace_lane(v, 3, load<f32>(s0 + 3 * sample + o));
        v128.store(to + (<usize>i << 4), v);
      }
    }
  }
}

/**
 * U[ξ = 6i + j][k][c] (or [c][k], `transposed`) = (G g Gᵀ)[i][j] for the 5×5 filter g = w[k][c] (w is
 * [K][C][5][5]), computed in float64; `t`: 30 doubles of scratch for G g.
 */
export function transformFilters5(U: usize, w: usize, K: i32, C: i32, t: usize, transposed: i32): void {
  const KC = <usize>K * C;
  const xs = KC << 2;
  for (let kc: usize = 0; kc < KC; kc++) {
    const g = w + ((kc * 25) << 2);
    // t = G g (6 rows × 5 columns, row-major, float64), column by column.
    for (let j = 0; j < 5; j++) {
      const o = <usize>j << 2;
      const a0 = <f64>load<f32>(g + o), a1 = <f64>load<f32>(g + o, 20), a2 = <f64>load<f32>(g + o, 40);
      const a3 = <f64>load<f32>(g + o, 60), a4 = <f64>load<f32>(g + o, 80);
      const d = t + (<usize>j << 3);
      store<f64>(d, a0 / 4);
      store<f64>(d + 40, -(a0 + a1 + a2 + a3 + a4) / 6);
      store<f64>(d + 80, -(a0 - a1 + a2 - a3 + a4) / 6);
      store<f64>(d + 120, (a0 + 2 * a1 + 4 * a2 + 8 * a3 + 16 * a4) / 24);
      store<f64>(d + 160, (a0 - 2 * a1 + 4 * a2 - 8 * a3 + 16 * a4) / 24);
      store<f64>(d + 200, a4);
    }
    // u = t Gᵀ: row i of t through G gives U[6i + 0 … 5].
    const u = U + ((transposed ? (kc % C) * K + kc / C : kc) << 2);
    for (let i = 0; i < 6; i++) {
      const r = t + <usize>i * 40;
      const a0 = load<f64>(r), a1 = load<f64>(r, 8), a2 = load<f64>(r, 16), a3 = load<f64>(r, 24), a4 = load<f64>(r, 32);
      const d = u + <usize>(6 * i) * xs;
      store<f32>(d, <f32>(a0 / 4));
      store<f32>(d + xs, <f32>(-(a0 + a1 + a2 + a3 + a4) / 6));
      store<f32>(d + 2 * xs, <f32>(-(a0 - a1 + a2 - a3 + a4) / 6));
      store<f32>(d + 3 * xs, <f32>((a0 + 2 * a1 + 4 * a2 + 8 * a3 + 16 * a4) / 24));
      store<f32>(d + 4 * xs, <f32>((a0 - 2 * a1 + 4 * a2 - 8 * a3 + 16 * a4) / 24));
      store<f32>(d + 5 * xs, <f32>a4);
    }
  }
}

/** Stores Aᵀ (m0 … m5) at dst and dst + ds. */
@inline function at2(dst: usize, ds: usize, m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128): void {
  v128.store(dst, f32x4.add(f32x4.add(m0, f32x4.add(m1, m2)), f32x4.add(m3, m4)));
  v128.store(dst + ds, f32x4.add(fmaDouble(f32x4.sub(m3, m4), f32x4.sub(m1, m2)), m5));
}

/** 2a + b. */
@inline function fmaDouble(a: v128, b: v128): v128 {
  return f32x4.add(f32x4.add(a, a), b);
}

/**
 * V[ξ][c][tile·4 + lane] = (Bᵀ d B)[ξ] for the 6×6 patch d of each tile of the interleaved rows XI
 * (interleave4): tile (tr, tx) reads rows 2·tr … 2·tr + 5 and columns 2·tx … 2·tx + 5. `stage`: 36 vectors.
 */
export function inputTransform5(V: usize, XI: usize, C: i32, trn: i32, TW: i32, rowsPerC: i32, cols: i32, Tc: i32, stage: usize): void {
  const ps = <usize>planeFloats(C, Tc) << 2;
  const rs = <usize>cols << 4;
  for (let c = 0; c < C; c++) {
    for (let tr = 0; tr < trn; tr++) {
      const rowBase = XI + <usize>(c * rowsPerC + 2 * tr) * rs;
      for (let tx = 0; tx < TW; tx++) {
        let p = rowBase + (<usize>(2 * tx) << 4);
        // Each patch row through Bᵀ (on its columns), staged as stage[j][row].
        for (let r = 0; r < 6; r++) {
          bt6(stage + (<usize>r << 4), 96, v128.load(p), v128.load(p, 16), v128.load(p, 32), v128.load(p, 48), v128.load(p, 64), v128.load(p, 80));
          p += rs;
        }
        // Each column j of the row-transformed patch through Bᵀ: V[ξ = 6i + j].
        const v = V + ((<usize>c * Tc + <usize>(tr * TW + tx) * 4) << 2);
        for (let j = 0; j < 6; j++) {
          const s = stage + <usize>j * 96;
          bt6(v + <usize>j * ps, 6 * ps, v128.load(s), v128.load(s, 16), v128.load(s, 32), v128.load(s, 48), v128.load(s, 64), v128.load(s, 80));
        }
      }
    }
  }
}

/** How outputTransform5 stores: plain, plus the filter's bias, plus bias then ReLU. */
const EPI_STORE: i32 = 0;
const EPI_BIAS: i32 = 1;
const EPI_BIAS_RELU: i32 = 2;

/**
 * y[K][N][OH][OW] = conv(x[C][N][H][W], w[K][C][5][5], stride 1, padding PH, PW) + b[K] (b = 0 for none), then
 * the activation `act`, for the samples [nStart, nEnd). (The input gradient has a kernel of its own,
 * winograd5-data.ts, so unlike winogradConv this one never accumulates.) scratch: winograd5ScratchFloats(C, K,
 * OH, OW) floats.
 */
export function winograd5Conv(
  y: usize, x: usize, w: usize, b: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, PH: i32, PW: i32, OH: i32, OW: i32,
  act: i32, scratch: usize, nStart: i32, nEnd: i32,
): void {
  const TH = (OH + 1) >> 1;
  const TW = (OW + 1) >> 1;
  const TRb = tileRows5PerChunk(C, K, TW, TH);
  const cols = 2 * TW + 4;
  const rowsPerC = 2 * TRb + 4;
  const U = scratch;
  const V = U + ((<usize>36 * K * C) << 2);
  const M = V + ((<usize>36 * planeFloats(C, 4 * TRb * TW)) << 2);
  const XI = M + ((<usize>36 * planeFloats(K, 4 * TRb * TW)) << 2);
  const stage = XI + ((<usize>C * rowsPerC * cols) << 4);
  const HW = H * W;
  const NHW = N * HW;
  const OHOW = OH * OW;
  const NOHW = N * OHOW;
  transformFilters5(U, w, K, C, stage, 0);
  // Bias and ReLU as the outputs are stored; the other activations in a pass of their own.
  const fused = act == 0 || act == 1;
  const epi = fused ? (act == 1 ? EPI_BIAS_RELU : EPI_BIAS) : EPI_STORE;
  for (let n0 = nStart; n0 < nEnd; n0 += 4) {
    const lanes = min(4, nEnd - n0);
    for (let tr0 = 0; tr0 < TH; tr0 += TRb) {
      const trn = min(TRb, TH - tr0);
      const Tc = 4 * trn * TW;
      interleave4(XI, x, NHW, HW, n0, lanes, C, H, W, 2 * tr0 - PH, 2 * trn + 4, rowsPerC, PW, cols);
      inputTransform5(V, XI, C, trn, TW, rowsPerC, cols, Tc, stage);
      for (let xi = 0; xi < 36; xi++) {
        smallProducts(M + ((<usize>xi * planeFloats(K, Tc)) << 2), Tc, U + ((<usize>xi * K * C) << 2), V + ((<usize>xi * planeFloats(C, Tc)) << 2), Tc, K, C, Tc);
      }
      outputTransform5(y + ((<usize>n0 * OHOW) << 2), M, b, K, NOHW, OHOW, OH, OW, lanes, tr0, trn, TW, Tc, epi, stage);
    }
  }
  if (!fused) {
    for (let n = nStart; n < nEnd; n++) biasActRows(y + ((<usize>n * OHOW) << 2), b, K, OHOW, NOHW, act, 0);
  }
}

/**
 * Four samples' outputs (sample n0 + lane's plane k at ys + k·NOHW + lane·OHOW floats) from M: y = Aᵀ m A for
 * each tile of the chunk's tile rows. `stage`: 12 + 4 vectors.
 */
function outputTransform5(ys: usize, M: usize, b: usize, K: i32, NOHW: i32, OHOW: i32, OH: i32, OW: i32, lanes: i32, tr0: i32, trn: i32, TW: i32, Tc: i32, epi: i32, stage: usize): void {
  const ms = <usize>planeFloats(K, Tc) << 2;
  const out = stage + 12 * 16;
  const ls = <usize>OHOW << 2;
  for (let k = 0; k < K; k++) {
    const yk = ys + ((<usize>k * NOHW) << 2);
    const bias = f32x4.splat(epi >= EPI_BIAS && b != 0 ? load<f32>(b + (<usize>k << 2)) : 0);
    for (let tr = 0; tr < trn; tr++) {
      const oy = 2 * (tr0 + tr);
      for (let tx = 0; tx < TW; tx++) {
        let m = M + ((<usize>k * Tc + <usize>(tr * TW + tx) * 4) << 2);
        // Rows i of m through Aᵀ (on j), staged as stage[j][i]; then columns j through Aᵀ (on i): out[i][j].
        for (let i = 0; i < 6; i++) {
          at2(stage + (<usize>i << 4), 96, v128.load(m), v128.load(m + ms), v128.load(m + 2 * ms), v128.load(m + 3 * ms), v128.load(m + 4 * ms), v128.load(m + 5 * ms));
          m += 6 * ms;
        }
        for (let j = 0; j < 2; j++) {
          const s = stage + <usize>j * 96;
          at2(out + (<usize>j << 4), 32, v128.load(s), v128.load(s, 16), v128.load(s, 32), v128.load(s, 48), v128.load(s, 64), v128.load(s, 80));
        }
        const ox = 2 * tx;
        for (let i = 0; i < 2; i++) {
          if (oy + i >= OH) break;
          const row = yk + ((<usize>(oy + i) * OW + ox) << 2);
          storeLanes(row, ls, lanes, v128.load(out + <usize>i * 32), epi, bias);
          if (ox + 1 < OW) storeLanes(row + 4, ls, lanes, v128.load(out + <usize>i * 32, 16), epi, bias);
        }
      }
    }
  }
}

/** Stores lane l of v at p + l·ls for l < lanes, as `epi` says. */
@inline function storeLanes(p: usize, ls: usize, lanes: i32, v: v128, epi: i32, bias: v128): void {
  if (epi >= EPI_BIAS) {
    v = f32x4.add(v, bias);
    if (epi == EPI_BIAS_RELU) v = f32x4.max(v, f32x4.splat(0));
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (lanes > 1) store<f32>(p + ls, f32x4.extract_lane(v, 1));
  if (lanes > 2) store<f32>(p + 2 * ls, f32x4.extract_lane(v, 2));
  if (lanes > 3) store<f32>(p + 3 * ls, f32x4.extract_lane(v, 3));
}
