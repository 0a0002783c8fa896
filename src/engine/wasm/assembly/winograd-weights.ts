// The weight gradient of a Winograd convolution (winograd.ts): dw[k][c] = Σ over samples and output tiles of
// the 3×3 correlation of the tile's 4×4 input patch d with its 2×2 output gradient g, which is Winograd
// F(3×3, 2×2): (Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A). The sum over tiles moves inside the output transform, so the work
// is 16 products M[ξ] (K×C) += U[ξ] (K×tiles) · V[ξ]ᵀ (tiles×C) with the long tile count as their inner side,
// and one output transform per filter at the end. The patches' transform is the forward one (F(2×2, 3×3)'s
// Bᵀ differs from F(3×3, 2×2)'s only in the sign of its last row, folded into the output transform).

import { fma } from './gemm';
import { rowSums } from './conv';
import { inputTransform, padRows, planeFloats, tileCols4, tileRowsPerChunk } from './winograd';

/** Floats of scratch per thread for the weight gradient of a layer of this size. */
export function winogradWeightsScratchFloats(C: i32, K: i32, OH: i32, OW: i32): i32 {
  const TH = (OH + 1) >> 1;
  const TW4 = tileCols4(OW);
  const TRb = tileRowsPerChunk(C, K, TW4, TH);
  const rowW = 2 * TW4 + 4;
  return 16 * K * C + 16 * planeFloats(C, TRb * TW4) + 16 * planeFloats(K, TRb * TW4) + C * (2 * TRb + 2) * rowW + K * 2 * TRb * rowW;
}

/**
 * U[ξ][k][tile] = (G g Gᵀ)[ξ] for the 2×2 output gradient g of each tile, from the padded rows DYP (padRows,
 * no shift): tile (tr, tx) reads rows 2·tr, 2·tr + 1 and columns 2·tx, 2·tx + 1; four tiles at a time.
 */
function gradTransform(U: usize, DYP: usize, K: i32, trn: i32, TW4: i32, rowsPerK: i32, rowW: i32, Tc: i32): void {
  const half = f32x4.splat(0.5);
  const ks = <usize>planeFloats(K, Tc) << 2;
  for (let k = 0; k < K; k++) {
    for (let tr = 0; tr < trn; tr++) {
      const r0 = DYP + ((<usize>(k * rowsPerK + 2 * tr) * rowW) << 2);
      const r1 = r0 + (<usize>rowW << 2);
      for (let tx = 0; tx < TW4; tx += 4) {
        const o = <usize>(2 * tx) << 2;
        const a0 = v128.load(r0 + o), b0 = v128.load(r0 + o, 16);
        const a1 = v128.load(r1 + o), b1 = v128.load(r1 + o, 16);
        const g00 = v128.shuffle<f32>(a0, b0, 0, 2, 4, 6), g01 = v128.shuffle<f32>(a0, b0, 1, 3, 5, 7);
        const g10 = v128.shuffle<f32>(a1, b1, 0, 2, 4, 6), g11 = v128.shuffle<f32>(a1, b1, 1, 3, 5, 7);
        // G g: rows g0, (g0 + g1)/2, (g0 − g1)/2, g1.
        const t10 = f32x4.mul(f32x4.add(g00, g10), half), t11 = f32x4.mul(f32x4.add(g01, g11), half);
        const t20 = f32x4.mul(f32x4.sub(g00, g10), half), t21 = f32x4.mul(f32x4.sub(g01, g11), half);
        let u = U + ((<usize>k * Tc + <usize>tr * TW4 + tx) << 2);
        // (G g) Gᵀ: the same on columns; U[ξ = 4i + j].
        u = row4(u, ks, g00, g01, half);
        u = row4(u, ks, t10, t11, half);
        u = row4(u, ks, t20, t21, half);
        row4(u, ks, g10, g11, half);
      }
    }
  }
}

/** Stores a, (a + b)/2, (a − b)/2, b at u, u + s, u + 2s, u + 3s; returns u + 4s. */
@inline function row4(u: usize, s: usize, a: v128, b: v128, half: v128): usize {
  v128.store(u, a);
  v128.store(u + s, f32x4.mul(f32x4.add(a, b), half));
  v128.store(u + 2 * s, f32x4.mul(f32x4.sub(a, b), half));
  v128.store(u + 3 * s, b);
  return u + 4 * s;
}

/** The four lane sums of a, b, c, d as one vector. */
@inline function laneSums(a: v128, b: v128, c: v128, d: v128): v128 {
  const t0 = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 2, 6), v128.shuffle<f32>(a, b, 1, 5, 3, 7));
  const t1 = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 2, 6), v128.shuffle<f32>(c, d, 1, 5, 3, 7));
  return f32x4.add(v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
}

/** The sum of a's four lanes. */
@inline function laneSum(a: v128): f32 {
  return f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3);
}

/**
 * acc[k][c] += Σ_t U[k][t] · V[c][t] (Tc a multiple of 4; acc K×C floats): the dot products of every transformed
 * output gradient with every transformed input patch (for F(3×3, 2×2) here and F(3×3, 4×4) in
 * winograd4-weights.ts). Blocks of 2 filters × 4 channels (6 loads for 8 multiply-adds), their lanes summed into
 * four neighbouring acc values at once; what is left one by one. No packing: the inputs are fresh in cache and
 * the output is tiny.
 */
export function tileDots(acc: usize, U: usize, V: usize, K: i32, C: i32, Tc: i32): void {
  const ts = <usize>Tc << 2;
  const K2 = K & ~1;
  const C4 = C & ~3;
  for (let k = 0; k < K2; k += 2) {
    const u0 = U + <usize>k * ts;
    const u1 = u0 + ts;
    for (let c = 0; c < C4; c += 4) {
      const v0 = V + <usize>c * ts;
      const v1 = v0 + ts, v2 = v1 + ts, v3 = v2 + ts;
      let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a02 = f32x4.splat(0), a03 = f32x4.splat(0);
      let a10 = f32x4.splat(0), a11 = f32x4.splat(0), a12 = f32x4.splat(0), a13 = f32x4.splat(0);
      for (let o: usize = 0; o < ts; o += 16) {
        const x0 = v128.load(u0 + o), x1 = v128.load(u1 + o);
        const y0 = v128.load(v0 + o), y1 = v128.load(v1 + o), y2 = v128.load(v2 + o), y3 = v128.load(v3 + o);
        a00 = fma(x0, y0, a00); a01 = fma(x0, y1, a01); a02 = fma(x0, y2, a02); a03 = fma(x0, y3, a03);
        a10 = fma(x1, y0, a10); a11 = fma(x1, y1, a11); a12 = fma(x1, y2, a12); a13 = fma(x1, y3, a13);
      }
      const r0 = acc + ((<usize>(k * C + c)) << 2);
      const r1 = r0 + (<usize>C << 2);
      v128.store(r0, f32x4.add(v128.load(r0), laneSums(a00, a01, a02, a03)));
      v128.store(r1, f32x4.add(v128.load(r1), laneSums(a10, a11, a12, a13)));
    }
  }
  // The rest: filters past the last pair (every channel), channels past the last four (every filter).
  for (let k = 0; k < K; k++) {
    for (let c = k < K2 ? C4 : 0; c < C; c++) {
      const u = U + <usize>k * ts;
      const v = V + <usize>c * ts;
      let a = f32x4.splat(0);
      for (let o: usize = 0; o < ts; o += 16) a = fma(v128.load(u + o), v128.load(v + o), a);
      const r = acc + ((<usize>(k * C + c)) << 2);
      store<f32>(r, load<f32>(r) + laneSum(a));
    }
  }
}

/**
 * dw[K][C][3][3] += the weight gradient and db[K] += Σ dy of a 3×3, stride-1, undilated, ungrouped
 * convolution of x[C][N][H][W] with padding PH, PW, from dy[K][N][OH][OW], over the samples [nStart, nEnd).
 * scratch: winogradWeightsScratchFloats(C, K, OH, OW) floats.
 */
export function winogradConvWeights(
  dw: usize, db: usize, dy: usize, x: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, PH: i32, PW: i32, OH: i32, OW: i32,
  scratch: usize, nStart: i32, nEnd: i32,
): void {
  const TH = (OH + 1) >> 1;
  const TW4 = tileCols4(OW);
  const TRb = tileRowsPerChunk(C, K, TW4, TH);
  const rowW = 2 * TW4 + 4;
  const rowsPerC = 2 * TRb + 2;
  const rowsPerK = 2 * TRb;
  const M = scratch;
  const U = M + ((<usize>16 * K * C) << 2);
  const V = U + ((<usize>16 * planeFloats(K, TRb * TW4)) << 2);
  const XP = V + ((<usize>16 * planeFloats(C, TRb * TW4)) << 2);
  const DYP = XP + ((<usize>C * rowsPerC * rowW) << 2);
  const HW = H * W;
  const NHW = N * HW;
  const OHOW = OH * OW;
  const NOHW = N * OHOW;
  rowSums(db, dy, K, NOHW, nStart * OHOW, nEnd * OHOW);
  memory.fill(M, 0, <usize>(16 * K * C) << 2);
  for (let n = nStart; n < nEnd; n++) {
    for (let tr0 = 0; tr0 < TH; tr0 += TRb) {
      const trn = min(TRb, TH - tr0);
      const Tc = trn * TW4;
      padRows(XP, x + ((<usize>n * HW) << 2), NHW, C, H, W, 2 * tr0 - PH, 2 * trn + 2, rowsPerC, PW, rowW);
      inputTransform(V, XP, C, trn, TW4, rowsPerC, rowW, Tc);
      padRows(DYP, dy + ((<usize>n * OHOW) << 2), NOHW, K, OH, OW, 2 * tr0, 2 * trn, rowsPerK, 0, rowW);
      gradTransform(U, DYP, K, trn, TW4, rowsPerK, rowW, Tc);
      for (let xi = 0; xi < 16; xi++) {
        tileDots(M + ((<usize>xi * K * C) << 2), U + ((<usize>xi * planeFloats(K, Tc)) << 2), V + ((<usize>xi * planeFloats(C, Tc)) << 2), K, C, Tc);
      }
    }
  }
  // dw += Aᵀ m A per filter, m[i][j] = s_i s_j M[4i + j] (s = 1, 1, 1, −1: the sign of Bᵀ's last row), with
  // F(3×3, 2×2)'s Aᵀ rows m0 + m1 + m2, m1 − m2, m1 + m2 + m3.
  const KC = <usize>K * C;
  for (let kc: usize = 0; kc < KC; kc++) {
    const m00 = load<f32>(M + ((0 * KC + kc) << 2)), m01 = load<f32>(M + ((1 * KC + kc) << 2));
    const m02 = load<f32>(M + ((2 * KC + kc) << 2)), m03 = -load<f32>(M + ((3 * KC + kc) << 2));
    const m10 = load<f32>(M + ((4 * KC + kc) << 2)), m11 = load<f32>(M + ((5 * KC + kc) << 2));
    const m12 = load<f32>(M + ((6 * KC + kc) << 2)), m13 = -load<f32>(M + ((7 * KC + kc) << 2));
    const m20 = load<f32>(M + ((8 * KC + kc) << 2)), m21 = load<f32>(M + ((9 * KC + kc) << 2));
    const m22 = load<f32>(M + ((10 * KC + kc) << 2)), m23 = -load<f32>(M + ((11 * KC + kc) << 2));
    const m30 = -load<f32>(M + ((12 * KC + kc) << 2)), m31 = -load<f32>(M + ((13 * KC + kc) << 2));
    const m32 = -load<f32>(M + ((14 * KC + kc) << 2)), m33 = load<f32>(M + ((15 * KC + kc) << 2));
    // Rows.
    const a0 = m00 + m10 + m20, a1 = m01 + m11 + m21, a2 = m02 + m12 + m22, a3 = m03 + m13 + m23;
    const b0 = m10 - m20, b1 = m11 - m21, b2 = m12 - m22, b3 = m13 - m23;
    const c0 = m10 + m20 + m30, c1 = m11 + m21 + m31, c2 = m12 + m22 + m32, c3 = m13 + m23 + m33;
    // Columns, into dw[k][c][i][j].
    const d = dw + ((kc * 9) << 2);
    accumulate3(d, a0, a1, a2, a3);
    accumulate3(d + 12, b0, b1, b2, b3);
    accumulate3(d + 24, c0, c1, c2, c3);
  }
}

/** d[0..3) += (v0 + v1 + v2, v1 − v2, v1 + v2 + v3). */
@inline function accumulate3(d: usize, v0: f32, v1: f32, v2: f32, v3: f32): void {
  store<f32>(d, load<f32>(d) + v0 + v1 + v2);
  store<f32>(d, load<f32>(d, 4) + v1 - v2, 4);
  store<f32>(d, load<f32>(d, 8) + v1 + v2 + v3, 8);
}
