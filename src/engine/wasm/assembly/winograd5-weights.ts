// The weight gradient of a Winograd F(2×2, 5×5) layer (winograd5.ts) as Winograd F(5×5, 2×2): dw[k][c] = Σ over
// samples and 2×2 output tiles of the 5×5 correlation of the tile's 6×6 input patch d with its 2×2 output
// gradient e. By the forward's adjoint (Y = Aᵀ (U ⊙ V) A, U = G g Gᵀ):
//   dw = Gᵀ [ Σ_tiles (A e Aᵀ) ⊙ (Bᵀ d B) ] G
// 36 multiplies per tile and pair of channels where the direct sum takes 100. The sum over tiles moves inside
// the transform back, so the work is 36 products M[ξ] (K×C) += E[ξ] (K×tiles) · V[ξ]ᵀ (tiles×C) with the long
// tile count as their inner side (winograd-weights.ts's tileDots), and one Gᵀ · G per filter at the end:
//   A e:  e0, e0 + e1, e0 − e1, e0 + 2e1, e0 − 2e1, e1
//   Gᵀ v: [q = 0] v0/4 − (v1 + (−1)^q v2)/6 + (2^q v3 + (−2)^q v4)/24 + [q = 4] v5, for q < 5
// Lanes are four samples, as in winograd5.ts (the output gradient is interleaved like the input).

import { rowSums } from './conv';
import { planeFloats } from './winograd';
import { tileDots } from './winograd-weights';
import { STAGE_FLOATS } from './winograd4';
import { inputTransform5, interleave4, tileRows5PerChunk } from './winograd5';

/** Floats of scratch per thread for the weight gradient of a layer of this size. */
export function winograd5WeightsScratchFloats(C: i32, K: i32, OH: i32, OW: i32): i32 {
  const TH = (OH + 1) >> 1;
  const TW = (OW + 1) >> 1;
  const TRb = tileRows5PerChunk(C, K, TW, TH);
  const Tc = 4 * TRb * TW;
  return 3 * 36 * K * C + 36 * planeFloats(K, Tc) + 36 * planeFloats(C, Tc) + 4 * C * (2 * TRb + 4) * (2 * TW + 4) + 4 * K * (2 * TRb) * (2 * TW) + STAGE_FLOATS;
}

/** Stores A (e0, e1) at dst, dst + ds, …, dst + 5·ds. */
@inline function a6(dst: usize, ds: usize, e0: v128, e1: v128): void {
  const twice = f32x4.add(e1, e1);
  v128.store(dst, e0);
  v128.store(dst + ds, f32x4.add(e0, e1));
  v128.store(dst + 2 * ds, f32x4.sub(e0, e1));
  v128.store(dst + 3 * ds, f32x4.add(e0, twice));
  v128.store(dst + 4 * ds, f32x4.sub(e0, twice));
  v128.store(dst + 5 * ds, e1);
}

/**
 * E[ξ = 6i + j][k][tile·4 + lane] = (A e Aᵀ)[i][j] for the 2×2 output gradient e of each tile, from the
 * interleaved rows DYI (interleave4, cols = 2·TW): tile (tr, tx) reads rows 2·tr, 2·tr + 1 and columns 2·tx,
 * 2·tx + 1. `stage`: 12 vectors.
 */
export function gradTransform5(E: usize, DYI: usize, K: i32, trn: i32, TW: i32, rowsPerK: i32, cols: i32, Tc: i32, stage: usize): void {
  const ks = <usize>planeFloats(K, Tc) << 2;
  const rs = <usize>cols << 4;
  for (let k = 0; k < K; k++) {
    for (let tr = 0; tr < trn; tr++) {
      const rowBase = DYI + <usize>(k * rowsPerK + 2 * tr) * rs;
      for (let tx = 0; tx < TW; tx++) {
        const p = rowBase + (<usize>(2 * tx) << 4);
        // Each of the two rows through A (on its columns): stage[j][row].
        a6(stage, 32, v128.load(p), v128.load(p, 16));
        a6(stage + 16, 32, v128.load(p + rs), v128.load(p + rs, 16));
        // Column j through A: E[6i + j].
        const e = E + ((<usize>k * Tc + <usize>(tr * TW + tx) * 4) << 2);
        for (let j = 0; j < 6; j++) {
          const s = stage + <usize>j * 32;
          a6(e + <usize>j * ks, 6 * ks, v128.load(s), v128.load(s, 16));
        }
      }
    }
  }
}

/** (Gᵀ v)[q] for q < 5 of v = (v0 … v5), in float64. */
@inline function gtRow(q: i32, v0: f64, v1: f64, v2: f64, v3: f64, v4: f64, v5: f64): f64 {
  const sign: f64 = q & 1 ? -1 : 1;
  const pow2: f64 = <f64>(1 << q);
  let s = -(v1 + sign * v2) / 6 + pow2 * (v3 + sign * v4) / 24;
  if (q == 0) s += v0 / 4;
  if (q == 4) s += v5;
  return s;
}

/**
 * dw[K][C][5][5] += the weight gradient and db[K] += Σ dy of a 5×5, stride-1, undilated, ungrouped convolution
 * of x[C][N][H][W] with padding PH, PW, from dy[K][N][OH][OW], over the samples [nStart, nEnd).
 * scratch: winograd5WeightsScratchFloats(C, K, OH, OW) floats.
 */
export function winograd5ConvWeights(
  dw: usize, db: usize, dy: usize, x: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, PH: i32, PW: i32, OH: i32, OW: i32,
  scratch: usize, nStart: i32, nEnd: i32,
): void {
  const TH = (OH + 1) >> 1;
  const TW = (OW + 1) >> 1;
  const TRb = tileRows5PerChunk(C, K, TW, TH);
  const cols = 2 * TW + 4;
  const dcols = 2 * TW;
  const rowsPerC = 2 * TRb + 4;
  const rowsPerK = 2 * TRb;
  const KC = <usize>K * C;
  // M: a chunk's sums (float32), S: the sums over the chunks (float64; adding hundreds of chunks into float32
  // lost 1e-3 of the gradient on a 40×37 map: its values are tens of times the gradient's, the transform back
  // cancels them).
  const S = scratch;
  const M = S + ((36 * KC) << 3);
  const E = M + ((36 * KC) << 2);
  const V = E + ((<usize>36 * planeFloats(K, 4 * TRb * TW)) << 2);
  const XI = V + ((<usize>36 * planeFloats(C, 4 * TRb * TW)) << 2);
  const DYI = XI + ((<usize>C * rowsPerC * cols) << 4);
  const stage = DYI + ((<usize>K * rowsPerK * dcols) << 4);
  const HW = H * W;
  const NHW = N * HW;
  const OHOW = OH * OW;
  const NOHW = N * OHOW;
  rowSums(db, dy, K, NOHW, nStart * OHOW, nEnd * OHOW);
  memory.fill(S, 0, (36 * KC) << 3);
  for (let n0 = nStart; n0 < nEnd; n0 += 4) {
    const lanes = min(4, nEnd - n0);
    for (let tr0 = 0; tr0 < TH; tr0 += TRb) {
      const trn = min(TRb, TH - tr0);
      const Tc = 4 * trn * TW;
      interleave4(XI, x, NHW, HW, n0, lanes, C, H, W, 2 * tr0 - PH, 2 * trn + 4, rowsPerC, PW, cols);
      inputTransform5(V, XI, C, trn, TW, rowsPerC, cols, Tc, stage);
      interleave4(DYI, dy, NOHW, OHOW, n0, lanes, K, OH, OW, 2 * tr0, 2 * trn, rowsPerK, 0, dcols);
      gradTransform5(E, DYI, K, trn, TW, rowsPerK, dcols, Tc, stage);
      memory.fill(M, 0, (36 * KC) << 2);
      for (let xi = 0; xi < 36; xi++) {
        tileDots(M + ((<usize>xi * KC) << 2), E + ((<usize>xi * planeFloats(K, Tc)) << 2), V + ((<usize>xi * planeFloats(C, Tc)) << 2), K, C, Tc);
      }
      for (let i: usize = 0; i < 36 * KC; i++) store<f64>(S + (i << 3), load<f64>(S + (i << 3)) + <f64>load<f32>(M + (i << 2)));
    }
  }
  // dw += Gᵀ m G per filter, m[i][j] = S[6i + j]: each column j through Gᵀ (on i) into r[a][j] (30 doubles of
  // the stage), then each row a of r through Gᵀ (on j).
  const r = stage;
  const step: usize = (6 * KC) << 3;
  for (let kc: usize = 0; kc < KC; kc++) {
    for (let j = 0; j < 6; j++) {
      const m = S + ((<usize>j * KC + kc) << 3);
      const m0 = load<f64>(m), m1 = load<f64>(m + step), m2 = load<f64>(m + 2 * step);
      const m3 = load<f64>(m + 3 * step), m4 = load<f64>(m + 4 * step), m5 = load<f64>(m + 5 * step);
      for (let a = 0; a < 5; a++) store<f64>(r + (<usize>(a * 6 + j) << 3), gtRow(a, m0, m1, m2, m3, m4, m5));
    }
    const d = dw + ((kc * 25) << 2);
    for (let a = 0; a < 5; a++) {
      const ra = r + <usize>a * 48;
      const v0 = load<f64>(ra), v1 = load<f64>(ra, 8), v2 = load<f64>(ra, 16);
      const v3 = load<f64>(ra, 24), v4 = load<f64>(ra, 32), v5 = load<f64>(ra, 40);
      for (let q = 0; q < 5; q++) {
        const o = d + (<usize>(a * 5 + q) << 2);
        store<f32>(o, load<f32>(o) + <f32>gtRow(q, v0, v1, v2, v3, v4, v5));
      }
    }
  }
}
