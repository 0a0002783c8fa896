// The weight gradient of a Winograd F(4×4, 3×3) layer (winograd4.ts) as Winograd F(3×3, 4×4): dw[k][c] = Σ
// over samples and 4×4 output tiles of the 3×3 correlation of the tile's 6×6 input patch d with its 4×4 output
// gradient g,
//   dw = A'ᵀ [ Σ_tiles (G' g G'ᵀ) ⊙ (Bᵀ d B) ] A'
// 36 multiplies per tile and pair of channels where the direct sum takes 144 (F(3×3, 2×2) in
// winograd-weights.ts: 16 per 2×2 tile, 2.25× fewer; this: 4×). The sum over tiles moves inside the output
// transform, so the work is 36 products M[ξ] (K×C) += U[ξ] (K×tiles) · V[ξ]ᵀ (tiles×C) with the long tile
// count as their inner side, and one output transform per filter at the end.
//
// Same points as F(4×4, 3×3) (0, ±1, ±2, ∞), so the patches' transform Bᵀ is the forward one (inputTransform4),
// and, with D the diagonal that scales Lavin's integer Bᵀ (1/4, −1/6, −1/6, 1/24, 1/24, 1), G' = D·V₄ and
// A'ᵀ = V₃ᵀ (V_n: the points' Vandermonde rows of n powers, ∞'s row (0, …, 0, 1)):
//   G' a: a0/4, −(a0 + a1 + a2 + a3)/6, −(a0 − a1 + a2 − a3)/6, (a0 + 2a1 + 4a2 + 8a3)/24,
//         (a0 − 2a1 + 4a2 − 8a3)/24, a3
//   A'ᵀ m: m0 + m1 + m2 + m3 + m4, m1 − m2 + 2(m3 − m4), m1 + m2 + 4(m3 + m4) + m5
// (wasm-variants.test.ts checks the layer against the float64 reference kernels). Rounding is F(4×4, 3×3)'s kind:
// a few 1e-5 of the gradient's size.

import { fma } from './gemm';
import { rowSums } from './conv';
import { padRows, planeFloats } from './winograd';
import { tileDots } from './winograd-weights';
import { inputTransform4, STAGE_FLOATS, tile4Cols4, tileRows4PerChunk } from './winograd4';

/** Floats of scratch per thread for the weight gradient of a layer of this size. */
export function winograd4WeightsScratchFloats(C: i32, K: i32, OH: i32, OW: i32): i32 {
  const TH = (OH + 3) >> 2;
  const TW4 = tile4Cols4(OW);
  const TRb = tileRows4PerChunk(C, K, TW4, TH);
  const rowW = 4 * TW4 + 4;
  return 36 * K * C + 36 * planeFloats(C, TRb * TW4) + 36 * planeFloats(K, TRb * TW4) + C * (4 * TRb + 2) * rowW + K * 4 * TRb * rowW + STAGE_FLOATS;
}

/** Stores G' (a0 … a3) at dst, dst + ds, …, dst + 5·ds. */
@inline function g6(dst: usize, ds: usize, a0: v128, a1: v128, a2: v128, a3: v128): void {
  const s02 = f32x4.add(a0, a2), s13 = f32x4.add(a1, a3);
  const p = fma(f32x4.splat(4), a2, a0); // a0 + 4a2
  const q = fma(f32x4.splat(8), a3, f32x4.add(a1, a1)); // 2a1 + 8a3
  const sixth = f32x4.splat(-1.0 / 6.0), twentyFourth = f32x4.splat(1.0 / 24.0);
  v128.store(dst, f32x4.mul(a0, f32x4.splat(0.25)));
  v128.store(dst + ds, f32x4.mul(f32x4.add(s02, s13), sixth));
  v128.store(dst + 2 * ds, f32x4.mul(f32x4.sub(s02, s13), sixth));
  v128.store(dst + 3 * ds, f32x4.mul(f32x4.add(p, q), twentyFourth));
  v128.store(dst + 4 * ds, f32x4.mul(f32x4.sub(p, q), twentyFourth));
  v128.store(dst + 5 * ds, a3);
}

/**
 * U[ξ = 6i + j][k][tile] = (G' g G'ᵀ)[i][j] for the 4×4 output gradient g of each tile, from the padded rows DYP
 * (padRows, no shift): tile (tr, tx) reads rows 4·tr … 4·tr + 3 and columns 4·tx … 4·tx + 3; four tiles (lanes)
 * at a time, each row of the four a 4×4 transpose. `stage`: 24 vectors.
 */
function gradTransform4(U: usize, DYP: usize, K: i32, trn: i32, TW4: i32, rowsPerK: i32, rowW: i32, Tc: i32, stage: usize): void {
  const ks = <usize>planeFloats(K, Tc) << 2;
  const rs = <usize>rowW << 2;
  for (let k = 0; k < K; k++) {
    for (let tr = 0; tr < trn; tr++) {
      const rowBase = DYP + ((<usize>(k * rowsPerK + 4 * tr) * rowW) << 2);
      for (let tx = 0; tx < TW4; tx += 4) {
        let p = rowBase + (<usize>(4 * tx) << 2);
        // Row y of the four tiles, its columns as lanes, through G': stage[j][y].
        for (let y = 0; y < 4; y++) {
          const r0 = v128.load(p), r1 = v128.load(p, 16), r2 = v128.load(p, 32), r3 = v128.load(p, 48);
          const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
          g6(stage + (<usize>y << 4), 64,
            v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), v128.shuffle<f32>(t0, t2, 2, 3, 6, 7),
            v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
          p += rs;
        }
        // Column j of the row-transformed tile through G': U[6i + j].
        const u = U + ((<usize>k * Tc + <usize>tr * TW4 + tx) << 2);
        for (let j = 0; j < 6; j++) {
          const s = stage + <usize>j * 64;
          g6(u + <usize>j * ks, 6 * ks, v128.load(s), v128.load(s, 16), v128.load(s, 32), v128.load(s, 48));
        }
      }
    }
  }
}

/**
 * dw[K][C][3][3] += the weight gradient and db[K] += Σ dy of a 3×3, stride-1, undilated, ungrouped convolution
 * of x[C][N][H][W] with padding PH, PW, from dy[K][N][OH][OW], over the samples [nStart, nEnd).
 * scratch: winograd4WeightsScratchFloats(C, K, OH, OW) floats.
 */
export function winograd4ConvWeights(
  dw: usize, db: usize, dy: usize, x: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, PH: i32, PW: i32, OH: i32, OW: i32,
  scratch: usize, nStart: i32, nEnd: i32,
): void {
  const TH = (OH + 3) >> 2;
  const TW4 = tile4Cols4(OW);
  const TRb = tileRows4PerChunk(C, K, TW4, TH);
  const rowW = 4 * TW4 + 4;
  const rowsPerC = 4 * TRb + 2;
  const rowsPerK = 4 * TRb;
  const KC = <usize>K * C;
  const M = scratch;
  const U = M + ((36 * KC) << 2);
  const V = U + ((<usize>36 * planeFloats(K, TRb * TW4)) << 2);
  const XP = V + ((<usize>36 * planeFloats(C, TRb * TW4)) << 2);
  const DYP = XP + ((<usize>C * rowsPerC * rowW) << 2);
  const stage = DYP + ((<usize>K * rowsPerK * rowW) << 2);
  const HW = H * W;
  const NHW = N * HW;
  const OHOW = OH * OW;
  const NOHW = N * OHOW;
  rowSums(db, dy, K, NOHW, nStart * OHOW, nEnd * OHOW);
  memory.fill(M, 0, (36 * KC) << 2);
  for (let n = nStart; n < nEnd; n++) {
    for (let tr0 = 0; tr0 < TH; tr0 += TRb) {
      const trn = min(TRb, TH - tr0);
      const Tc = trn * TW4;
      padRows(XP, x + ((<usize>n * HW) << 2), NHW, C, H, W, 4 * tr0 - PH, 4 * trn + 2, rowsPerC, PW, rowW);
      inputTransform4(V, XP, C, trn, TW4, rowsPerC, rowW, Tc, stage);
      padRows(DYP, dy + ((<usize>n * OHOW) << 2), NOHW, K, OH, OW, 4 * tr0, 4 * trn, rowsPerK, 0, rowW);
      gradTransform4(U, DYP, K, trn, TW4, rowsPerK, rowW, Tc, stage);
      for (let xi = 0; xi < 36; xi++) {
        tileDots(M + ((<usize>xi * KC) << 2), U + ((<usize>xi * planeFloats(K, Tc)) << 2), V + ((<usize>xi * planeFloats(C, Tc)) << 2), K, C, Tc);
      }
    }
  }
  // dw += A'ᵀ m A' per filter, m[i][j] = M[6i + j]: each column j through A'ᵀ (on i) into r[a][j] (18 floats
  // of the stage), then each row a of r through A'ᵀ (on j).
  const r = stage;
  const step: usize = (6 * KC) << 2;
  for (let kc: usize = 0; kc < KC; kc++) {
    for (let j = 0; j < 6; j++) {
      const m = M + ((<usize>j * KC + kc) << 2);
      const m0 = load<f32>(m), m1 = load<f32>(m + step), m2 = load<f32>(m + 2 * step);
      const m3 = load<f32>(m + 3 * step), m4 = load<f32>(m + 4 * step), m5 = load<f32>(m + 5 * step);
      const rj = r + (<usize>j << 2);
      store<f32>(rj, m0 + m1 + m2 + m3 + m4);
      store<f32>(rj, m1 - m2 + 2 * (m3 - m4), 24);
      store<f32>(rj, m1 + m2 + 4 * (m3 + m4) + m5, 48);
    }
    const d = dw + ((kc * 9) << 2);
    for (let a = 0; a < 3; a++) {
      const ra = r + <usize>a * 24;
      const v0 = load<f32>(ra), v1 = load<f32>(ra, 4), v2 = load<f32>(ra, 8);
      const v3 = load<f32>(ra, 12), v4 = load<f32>(ra, 16), v5 = load<f32>(ra, 20);
      const da = d + <usize>a * 12;
      store<f32>(da, load<f32>(da) + (v0 + v1 + v2 + v3 + v4));
      store<f32>(da, load<f32>(da, 4) + (v1 - v2 + 2 * (v3 - v4)), 4);
      store<f32>(da, load<f32>(da, 8) + (v1 + v2 + 4 * (v3 + v4) + v5), 8);
    }
  }
}
