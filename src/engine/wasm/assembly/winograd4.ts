// Winograd F(4×4, 3×3) convolution for 3×3, stride-1, undilated, ungrouped layers whose outputs are at least
// 8 a side (kernels.ts is the module entry). The larger sibling of winograd.ts's F(2×2, 3×3): each 4×4 block of
// outputs (a tile) comes from a 6×6 patch of the input,
//   Y = Aᵀ [ Σ_c (G g_kc Gᵀ) ⊙ (Bᵀ d_c B) ] A
// so the 144 multiplies per pair of channels and tile become 36 (4× fewer, where F(2×2) saves 2.25×), done as
// 36 products U[ξ] (K×C) · V[ξ] (C×tiles) on products.ts's smallProducts. The transforms run four tiles at a
// time, one per SIMD lane: the four tiles along a row start 4 columns apart, so a patch column of four tiles
// is a 4×4 transpose of four loads (plus one more load for the patch's last two columns).
//
// Transforms (Lavin and Gray's, points 0, ±1, ±2, ∞), on each row and then each column of a patch:
//   Bᵀ d: 4d0 − 5d2 + d4, (d4 − 4d2) ± (d3 − 4d1), (d4 − d2) ∓ 2(d3 − d1)… , 4d1 − 5d3 + d5
//   G g:  g0/4, −(g0 + g1 + g2)/6, −(g0 − g1 + g2)/6, g0/24 + g1/12 + g2/6, g0/24 − g1/12 + g2/6, g2
//   Aᵀ m: m0 + (m1 + m2) + (m3 + m4), (m1 − m2) + 2(m3 − m4), (m1 + m2) + 4(m3 + m4), (m1 − m2) + 8(m3 − m4) + m5
// Its rounding error is a few times F(2×2)'s (the 4s, 5s and 8s of the transforms), still well inside the
// engine's parity tolerances with PyTorch (1e-4).

import { fma } from './gemm';
import { biasActRows } from './activation';
import { padRows, planeFloats } from './winograd';
import { smallProducts } from './products';

/** Tile rows per chunk: V and M of a chunk (36·(C+K)·rows·TW4 floats) stay near 256 KiB. */
export function tileRows4PerChunk(C: i32, K: i32, TW4: i32, TH: i32): i32 {
  const most = max(1, min(TH, (1 << 16) / (36 * (C + K) * TW4)));
  const chunks = (TH + most - 1) / most;
  return (TH + chunks - 1) / chunks;
}

/** Tiles along a row (4 outputs each), rounded up to whole groups of four (one SIMD lane each). */
@inline export function tile4Cols4(OW: i32): i32 {
  return ((((OW + 3) >> 2) + 3) >> 2) << 2;
}

/** Floats of scratch for the transforms' staging: 36 + 16 vectors. */
export const STAGE_FLOATS: i32 = 4 * (36 + 16);

/** Floats of scratch per thread for a layer of this size (U, V, M, the padded input rows and the staging). */
export function winograd4ScratchFloats(C: i32, K: i32, OH: i32, OW: i32): i32 {
  const TH = (OH + 3) >> 2;
  const TW4 = tile4Cols4(OW);
  const TRb = tileRows4PerChunk(C, K, TW4, TH);
  const rowW = 4 * TW4 + 4;
  return 36 * K * C + 36 * planeFloats(C, TRb * TW4) + 36 * planeFloats(K, TRb * TW4) + C * (4 * TRb + 2) * rowW + STAGE_FLOATS;
}

/**
 * U[ξ = 6i + j][k][c] = (G g Gᵀ)[i][j] for the 3×3 filter g = w[k][c] (w is [K][C][3][3]), computed in
 * float64; `t`: 36 floats (18 doubles, 8-byte aligned) of scratch for G g.
 */
function transformFilters4(U: usize, w: usize, K: i32, C: i32, t: usize): void {
  const KC = <usize>K * C;
  const xs = KC << 2;
  for (let kc: usize = 0; kc < KC; kc++) {
    const g = w + ((kc * 9) << 2);
    // t = G g (6 rows × 3 columns, row-major, float64), column by column.
    for (let j = 0; j < 3; j++) {
      const o = <usize>j << 2;
      gColumn(t + (<usize>j << 3), 24, <f64>load<f32>(g + o), <f64>load<f32>(g + o, 12), <f64>load<f32>(g + o, 24));
    }
    // u = t Gᵀ: row i of t through G gives U[6i + 0 … 5].
    const u = U + (kc << 2);
    for (let i = 0; i < 6; i++) {
      const r = t + <usize>i * 24;
      gColumnF32(u + <usize>(6 * i) * xs, xs, load<f64>(r), load<f64>(r, 8), load<f64>(r, 16));
    }
  }
}

/** Stores (G (a, b, c))[r] at dst + r·ds for r < 6. */
@inline function gColumn(dst: usize, ds: usize, a: f64, b: f64, c: f64): void {
  store<f64>(dst, a / 4);
  store<f64>(dst + ds, -(a + b + c) / 6);
  store<f64>(dst + 2 * ds, -(a - b + c) / 6);
  store<f64>(dst + 3 * ds, a / 24 + b / 12 + c / 6);
  store<f64>(dst + 4 * ds, a / 24 - b / 12 + c / 6);
  store<f64>(dst + 5 * ds, c);
}

/** gColumn's six values as floats, at dst + r·ds. */
@inline function gColumnF32(dst: usize, ds: usize, a: f64, b: f64, c: f64): void {
  store<f32>(dst, <f32>(a / 4));
  store<f32>(dst + ds, <f32>(-(a + b + c) / 6));
  store<f32>(dst + 2 * ds, <f32>(-(a - b + c) / 6));
  store<f32>(dst + 3 * ds, <f32>(a / 24 + b / 12 + c / 6));
  store<f32>(dst + 4 * ds, <f32>(a / 24 - b / 12 + c / 6));
  store<f32>(dst + 5 * ds, <f32>c);
}

/** Stores Bᵀ (d0 … d5) at dst, dst + ds, …, dst + 5·ds. */
@inline export function bt6(dst: usize, ds: usize, d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128): void {
  const four = f32x4.splat(4), mfour = f32x4.splat(-4), mfive = f32x4.splat(-5);
  const p = fma(mfour, d2, d4); // d4 − 4d2
  const q = fma(mfour, d1, d3); // d3 − 4d1
  const r = f32x4.sub(d4, d2);
  const h = f32x4.sub(d3, d1);
  const s = f32x4.add(h, h); // 2(d3 − d1)
  v128.store(dst, fma(four, d0, fma(mfive, d2, d4)));
  v128.store(dst + ds, f32x4.add(p, q));
  v128.store(dst + 2 * ds, f32x4.sub(p, q));
  v128.store(dst + 3 * ds, f32x4.add(r, s));
  v128.store(dst + 4 * ds, f32x4.sub(r, s));
  v128.store(dst + 5 * ds, fma(four, d1, fma(mfive, d3, d5)));
}

/** Stores Aᵀ (m0 … m5) at dst, dst + ds, dst + 2·ds, dst + 3·ds. */
@inline function at6(dst: usize, ds: usize, m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128): void {
  const a = f32x4.add(m1, m2), b = f32x4.sub(m1, m2);
  const c = f32x4.add(m3, m4), d = f32x4.sub(m3, m4);
  v128.store(dst, f32x4.add(f32x4.add(m0, a), c));
  v128.store(dst + ds, fma(f32x4.splat(2), d, b));
  v128.store(dst + 2 * ds, fma(f32x4.splat(4), c, a));
  v128.store(dst + 3 * ds, f32x4.add(fma(f32x4.splat(8), d, b), m5));
}

/**
 * V[ξ][c][tile] = (Bᵀ d B)[ξ] for the 6×6 patch d of each tile of the padded rows XP (padRows): tile (tr, tx)
 * reads rows 4·tr … 4·tr + 5 and columns 4·tx … 4·tx + 5; four tiles (lanes) at a time. `stage`: 36 vectors.
 */
export function inputTransform4(V: usize, XP: usize, C: i32, trn: i32, TW4: i32, rowsPerC: i32, rowW: i32, Tc: i32, stage: usize): void {
  const ps = <usize>planeFloats(C, Tc) << 2;
  const rs = <usize>rowW << 2;
  for (let c = 0; c < C; c++) {
    for (let tr = 0; tr < trn; tr++) {
      const rowBase = XP + ((<usize>(c * rowsPerC + 4 * tr) * rowW) << 2);
      for (let tx = 0; tx < TW4; tx += 4) {
        let p = rowBase + (<usize>(4 * tx) << 2);
        // Each patch row: its six columns of the four tiles (a 4×4 transpose and two shifted shuffles),
        // through Bᵀ, staged as stage[j][row].
        for (let r = 0; r < 6; r++) {
          const r0 = v128.load(p), r1 = v128.load(p, 16), r2 = v128.load(p, 32), r3 = v128.load(p, 48), r4 = v128.load(p, 64);
          const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
          const c0 = v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), c1 = v128.shuffle<f32>(t0, t2, 2, 3, 6, 7);
          const c2 = v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), c3 = v128.shuffle<f32>(t1, t3, 2, 3, 6, 7);
          const c4 = v128.shuffle<f32>(c0, r4, 1, 2, 3, 4), c5 = v128.shuffle<f32>(c1, r4, 1, 2, 3, 5);
          bt6(stage + (<usize>r << 4), 96, c0, c1, c2, c3, c4, c5);
          p += rs;
        }
        // Each column j of the row-transformed patch through Bᵀ: V[ξ = 6i + j].
        const v = V + ((<usize>c * Tc + <usize>tr * TW4 + tx) << 2);
        for (let j = 0; j < 6; j++) {
          const s = stage + <usize>j * 96;
          bt6(v + <usize>j * ps, 6 * ps, v128.load(s), v128.load(s, 16), v128.load(s, 32), v128.load(s, 48), v128.load(s, 64), v128.load(s, 80));
        }
      }
    }
  }
}

/**
 * y[K][N][OH][OW] (=, or += with `accumulate`) conv(x[C][N][H][W], w[K][C][3][3], stride 1, padding PH, PW)
 * (+ b[K] and the activation `act`, when not accumulating; b = 0 for none), for the samples [nStart, nEnd).
 * scratch: winograd4ScratchFloats(C, K, OH, OW) floats.
 */
export function winograd4Conv(
  y: usize, x: usize, w: usize, b: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, PH: i32, PW: i32, OH: i32, OW: i32,
  act: i32, accumulate: i32, scratch: usize, nStart: i32, nEnd: i32,
): void {
  const TH = (OH + 3) >> 2;
  const TW4 = tile4Cols4(OW);
  const TRb = tileRows4PerChunk(C, K, TW4, TH);
  const rowW = 4 * TW4 + 4;
  const rowsPerC = 4 * TRb + 2;
  const U = scratch;
  const V = U + ((<usize>36 * K * C) << 2);
  const M = V + ((<usize>36 * planeFloats(C, TRb * TW4)) << 2);
  const XP = M + ((<usize>36 * planeFloats(K, TRb * TW4)) << 2);
  const stage = XP + ((<usize>C * rowsPerC * rowW) << 2);
  const HW = H * W;
  const NHW = N * HW;
  const OHOW = OH * OW;
  const NOHW = N * OHOW;
  transformFilters4(U, w, K, C, stage);
  // Bias and ReLU are applied as the outputs are stored (a second pass over y would cost a sixth of the layer:
  // y is seldom in cache); the other activations in a pass of their own.
  const fused = !accumulate && (act == 0 || act == 1);

  for (let n = nStart; n < nEnd; n++) {
    for (let tr0 = 0; tr0 < TH; tr0 += TRb) {
      const trn = min(TRb, TH - tr0);
      const Tc = trn * TW4;
      padRows(XP, x + ((<usize>n * HW) << 2), NHW, C, H, W, 4 * tr0 - PH, 4 * trn + 2, rowsPerC, PW, rowW);
      inputTransform4(V, XP, C, trn, TW4, rowsPerC, rowW, Tc, stage);
      for (let xi = 0; xi < 36; xi++) {
        smallProducts(M + ((<usize>xi * planeFloats(K, Tc)) << 2), Tc, U + ((<usize>xi * K * C) << 2), V + ((<usize>xi * planeFloats(C, Tc)) << 2), Tc, K, C, Tc);
      }
      outputTransform4(y + ((<usize>n * OHOW) << 2), M, b, K, NOHW, OH, OW, tr0, trn, TW4, Tc, accumulate ? EPI_ADD : fused ? (act == 1 ? EPI_BIAS_RELU : EPI_BIAS) : EPI_STORE, stage);
    }
    if (!accumulate && !fused) biasActRows(y + ((<usize>n * OHOW) << 2), b, K, OHOW, NOHW, act, 0);
  }
}

/**
 * One sample's outputs (plane k at ys + k·NOHW floats) from M: y = Aᵀ m A for each tile of the chunk's tile
 * rows, four tiles at a time, transposed back into output rows. `stage`: 36 + 16 vectors.
 */
function outputTransform4(ys: usize, M: usize, b: usize, K: i32, NOHW: i32, OH: i32, OW: i32, tr0: i32, trn: i32, TW4: i32, Tc: i32, epi: i32, stage: usize): void {
  const ms = <usize>planeFloats(K, Tc) << 2;
  const out = stage + 36 * 16;
  for (let k = 0; k < K; k++) {
    const yk = ys + ((<usize>k * NOHW) << 2);
    const bias = f32x4.splat(epi >= EPI_BIAS && b != 0 ? load<f32>(b + (<usize>k << 2)) : 0);
    for (let tr = 0; tr < trn; tr++) {
      const oy = 4 * (tr0 + tr);
      for (let tx = 0; tx < TW4; tx += 4) {
        let m = M + ((<usize>k * Tc + <usize>tr * TW4 + tx) << 2);
        // Rows i of m through Aᵀ (on j), staged as stage[j][i]; then columns j through Aᵀ (on i): out[i][j].
        for (let i = 0; i < 6; i++) {
          at6(stage + (<usize>i << 4), 96, v128.load(m), v128.load(m + ms), v128.load(m + 2 * ms), v128.load(m + 3 * ms), v128.load(m + 4 * ms), v128.load(m + 5 * ms));
          m += 6 * ms;
        }
        for (let j = 0; j < 4; j++) {
          const s = stage + <usize>j * 96;
          at6(out + (<usize>j << 4), 64, v128.load(s), v128.load(s, 16), v128.load(s, 32), v128.load(s, 48), v128.load(s, 64), v128.load(s, 80));
        }
        // Output row i of the four tiles: transpose out[i][0…3] (lanes are tiles) into each tile's 4 columns.
        const ox = 4 * tx;
        for (let i = 0; i < 4; i++) {
          if (oy + i >= OH) break;
          const o = out + <usize>i * 64;
          const q0 = v128.load(o), q1 = v128.load(o, 16), q2 = v128.load(o, 32), q3 = v128.load(o, 48);
          const t0 = v128.shuffle<f32>(q0, q1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(q0, q1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(q2, q3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(q2, q3, 2, 6, 3, 7);
          const row = yk + ((<usize>(oy + i) * OW + ox) << 2);
          store4(row, 0, ox, OW, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), epi, bias);
          store4(row, 16, ox + 4, OW, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), epi, bias);
          store4(row, 32, ox + 8, OW, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), epi, bias);
          store4(row, 48, ox + 12, OW, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), epi, bias);
        }
      }
    }
  }
}

/** How outputTransform4 stores: plain, added to what is there, plus the filter's bias, plus bias then ReLU. */
const EPI_STORE: i32 = 0;
const EPI_ADD: i32 = 1;
const EPI_BIAS: i32 = 2;
const EPI_BIAS_RELU: i32 = 3;

/** Stores the 4 outputs v at row + off (as `epi` says), columns [ox, ox + 4), those inside OW. */
@inline function store4(row: usize, off: usize, ox: i32, OW: i32, v: v128, epi: i32, bias: v128): void {
  const p = row + off;
  if (epi == EPI_ADD) v = f32x4.add(v, ox + 4 <= OW ? v128.load(p) : loadPartial(p, OW - ox));
  else if (epi >= EPI_BIAS) {
    v = f32x4.add(v, bias);
    if (epi == EPI_BIAS_RELU) v = f32x4.max(v, f32x4.splat(0));
  }
  if (ox + 4 <= OW) {
    v128.store(p, v);
    return;
  }
  if (ox >= OW) return;
  const n = OW - ox;
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** The first n (< 4) floats at p, zeros after (n ≤ 0: all zeros). */
@inline function loadPartial(p: usize, n: i32): v128 {
  let v = f32x4.splat(0);
  if (n > 0) v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}
