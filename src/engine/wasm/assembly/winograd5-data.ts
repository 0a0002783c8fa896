// The input gradient of a Winograd F(2×2, 5×5) layer (winograd5.ts), as the forward's adjoint: from
// Y = Aᵀ [ Σ_c U_kc ⊙ (Bᵀ d_c B) ] A per tile,
//   dd_c = B [ Σ_k U_kc ⊙ (A e_k Aᵀ) ] Bᵀ
// for each tile's 6×6 input patch, added into dx where the patches overlap (tiles 2 apart). Done as a full
// convolution of dy with the flipped filters (padded 4 − P), it took 49 tiles of 16 channels on LeNet-5's
// 10×10 → 14×14 where this takes the 25 output tiles: half the products and a quarter of the transforms.
// The output gradient's transform is the weight gradient's (gradTransform5); Bᵀ's transpose, for the patch:
//   B v: 4v0, −4v1 + 4v2 − 2v3 + 2v4 + 4v5, −5v0 − 4v1 − 4v2 − v3 − v4, v1 − v2 + 2v3 − 2v4 − 5v5,
//        v0 + v1 + v2 + v3 + v4, v5
// Lanes are four samples, as in winograd5.ts: the patches are added into interleaved rows (DXI), which are
// then added into dx.

import { fma } from './gemm';
import { planeFloats } from './winograd';
import { smallProducts } from './products';
import { STAGE_FLOATS } from './winograd4';
import { interleave4, tileRows5PerChunk, transformFilters5 } from './winograd5';
import { gradTransform5 } from './winograd5-weights';

/** Floats of scratch per thread for the input gradient of a layer of this size. */
export function winograd5DataScratchFloats(C: i32, K: i32, OH: i32, OW: i32): i32 {
  const TH = (OH + 1) >> 1;
  const TW = (OW + 1) >> 1;
  const TRb = tileRows5PerChunk(C, K, TW, TH);
  const Tc = 4 * TRb * TW;
  return 36 * K * C + 36 * planeFloats(K, Tc) + 36 * planeFloats(C, Tc) + 4 * K * (2 * TRb) * (2 * TW) + 4 * C * (2 * TRb + 4) * (2 * TW + 4) + STAGE_FLOATS;
}

/** Stores B (v0 … v5) at dst, dst + ds, …, dst + 5·ds. */
@inline function b6(dst: usize, ds: usize, v0: v128, v1: v128, v2: v128, v3: v128, v4: v128, v5: v128): void {
  const four = f32x4.splat(4), mfour = f32x4.splat(-4), mfive = f32x4.splat(-5);
  const s12 = f32x4.add(v1, v2), d12 = f32x4.sub(v1, v2);
  const s34 = f32x4.add(v3, v4), d34 = f32x4.sub(v3, v4);
  const d34x2 = f32x4.add(d34, d34);
  v128.store(dst, f32x4.mul(four, v0));
  v128.store(dst + ds, fma(four, v5, f32x4.sub(fma(mfour, d12, f32x4.splat(0)), d34x2)));
  v128.store(dst + 2 * ds, f32x4.sub(fma(mfive, v0, fma(mfour, s12, f32x4.splat(0))), s34));
  v128.store(dst + 3 * ds, fma(mfive, v5, f32x4.add(d12, d34x2)));
  v128.store(dst + 4 * ds, f32x4.add(f32x4.add(v0, s12), s34));
  v128.store(dst + 5 * ds, v5);
}

/** Adds B (v0 … v5) to the vectors at dst, dst + ds, …, dst + 5·ds. */
@inline function b6Add(dst: usize, ds: usize, v0: v128, v1: v128, v2: v128, v3: v128, v4: v128, v5: v128, t: usize): void {
  b6(t, 16, v0, v1, v2, v3, v4, v5);
  for (let i = 0; i < 6; i++) {
    const d = dst + <usize>i * ds;
    v128.store(d, f32x4.add(v128.load(d), v128.load(t + (<usize>i << 4))));
  }
}

/**
 * dx[C][N][H][W] += the input gradient of a 5×5, stride-1, undilated, ungrouped convolution with padding PH, PW
 * and filters w[K][C][5][5], from dy[K][N][OH][OW], for the samples [nStart, nEnd).
 * scratch: winograd5DataScratchFloats(C, K, OH, OW) floats.
 */
export function winograd5ConvData(
  dx: usize, dy: usize, w: usize,
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
  const U = scratch;
  const E = U + ((<usize>36 * K * C) << 2);
  const P = E + ((<usize>36 * planeFloats(K, 4 * TRb * TW)) << 2);
  const DYI = P + ((<usize>36 * planeFloats(C, 4 * TRb * TW)) << 2);
  const DXI = DYI + ((<usize>K * rowsPerK * dcols) << 4);
  const stage = DXI + ((<usize>C * rowsPerC * cols) << 4);
  const HW = H * W;
  const NHW = N * HW;
  const OHOW = OH * OW;
  const NOHW = N * OHOW;
  // U[ξ][c][k]: each position's C × K matrix, for P[ξ] (C × tiles) = U[ξ] · E[ξ] (K × tiles).
  transformFilters5(U, w, K, C, stage, 1);
  for (let n0 = nStart; n0 < nEnd; n0 += 4) {
    const lanes = min(4, nEnd - n0);
    for (let tr0 = 0; tr0 < TH; tr0 += TRb) {
      const trn = min(TRb, TH - tr0);
      const Tc = 4 * trn * TW;
      interleave4(DYI, dy, NOHW, OHOW, n0, lanes, K, OH, OW, 2 * tr0, 2 * trn, rowsPerK, 0, dcols);
      gradTransform5(E, DYI, K, trn, TW, rowsPerK, dcols, Tc, stage);
      for (let xi = 0; xi < 36; xi++) {
        smallProducts(P + ((<usize>xi * planeFloats(C, Tc)) << 2), Tc, U + ((<usize>xi * K * C) << 2), E + ((<usize>xi * planeFloats(K, Tc)) << 2), Tc, C, K, Tc);
      }
      patchesBack(DXI, P, C, trn, TW, rowsPerC, cols, Tc, stage);
      addInterleaved(dx, DXI, NHW, HW, n0, lanes, C, H, W, 2 * tr0 - PH, 2 * trn + 4, rowsPerC, PW, cols);
    }
  }
}

/**
 * DXI (interleaved rows, zeroed here) = the sum over the chunk's tiles of B p Bᵀ for each tile's 6×6 p (p[ξ] in
 * P[ξ][c][tile·4 + lane]), placed at rows 2·tr … and columns 2·tx …. `stage`: 36 + 6 vectors.
 */
function patchesBack(DXI: usize, P: usize, C: i32, trn: i32, TW: i32, rowsPerC: i32, cols: i32, Tc: i32, stage: usize): void {
  const ps = <usize>planeFloats(C, Tc) << 2;
  const rs = <usize>cols << 4;
  const rows = 2 * trn + 4;
  const z = f32x4.splat(0);
  const t = stage + 36 * 16;
  for (let c = 0; c < C; c++) {
    const base = DXI + <usize>(c * rowsPerC) * rs;
    for (let o: usize = 0; o < <usize>rows * rs; o += 16) v128.store(base + o, z);
    for (let tr = 0; tr < trn; tr++) {
      for (let tx = 0; tx < TW; tx++) {
        // Rows i of p through B (on j), staged as stage[j][i]; then each column j through B (on i), added in.
        let p = P + ((<usize>c * Tc + <usize>(tr * TW + tx) * 4) << 2);
        for (let i = 0; i < 6; i++) {
          b6(stage + (<usize>i << 4), 96, v128.load(p), v128.load(p + ps), v128.load(p + 2 * ps), v128.load(p + 3 * ps), v128.load(p + 4 * ps), v128.load(p + 5 * ps));
          p += 6 * ps;
        }
        const d = base + <usize>(2 * tr) * rs + (<usize>(2 * tx) << 4);
        for (let j = 0; j < 6; j++) {
          const s = stage + <usize>j * 96;
          b6Add(d + (<usize>j << 4), rs, v128.load(s), v128.load(s, 16), v128.load(s, 32), v128.load(s, 48), v128.load(s, 64), v128.load(s, 80), t);
        }
      }
    }
  }
}

/**
 * The inverse of interleave4, added: dx (plane c at dx + c·planeStride floats) of sample n0 + lane (lane < lanes),
 * row firstRow + r, column col − shift += src[c][r][col][lane], for the rows and columns inside H × W.
 */
function addInterleaved(dx: usize, src: usize, planeStride: i32, HW: i32, n0: i32, lanes: i32, C: i32, H: i32, W: i32, firstRow: i32, count: i32, rowsPerC: i32, shift: i32, cols: i32): void {
  const n = max(0, min(W, cols - shift));
  const rowBytes = <usize>cols << 4;
  const sample = <usize>HW << 2;
  for (let c = 0; c < C; c++) {
    const plane = dx + ((<usize>c * planeStride + <usize>n0 * HW) << 2);
    for (let r = 0; r < count; r++) {
      const iy = firstRow + r;
      if (iy < 0 || iy >= H) continue;
      const from = src + <usize>(c * rowsPerC + r) * rowBytes + (<usize>shift << 4);
      const d0 = plane + ((<usize>iy * W) << 2);
      let i = 0;
      if (lanes == 4) {
        const d1 = d0 + sample, d2 = d1 + sample, d3 = d2 + sample;
        for (; i + 4 <= n; i += 4) {
          const q = from + (<usize>i << 4);
          const a = v128.load(q), b = v128.load(q, 16), e = v128.load(q, 32), f = v128.load(q, 48);
          const t0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), t1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(e, f, 0, 4, 1, 5), t3 = v128.shuffle<f32>(e, f, 2, 6, 3, 7);
          const o = <usize>i << 2;
          v128.store(d0 + o, f32x4.add(v128.load(d0 + o), v128.shuffle<f32>(t0, t2, 0, 1, 4, 5)));
          v128.store(d1 + o, f32x4.add(v128.load(d1 + o), v128.shuffle<f32>(t0, t2, 2, 3, 6, 7)));
          v128.store(d2 + o, f32x4.add(v128.load(d2 + o), v128.shuffle<f32>(t1, t3, 0, 1, 4, 5)));
          v128.store(d3 + o, f32x4.add(v128.load(d3 + o), v128.shuffle<f32>(t1, t3, 2, 3, 6, 7)));
        }
      }
      for (; i < n; i++) {
        const v = v128.load(from + (<usize>i << 4));
        const o = d0 + (<usize>i << 2);
        store<f32>(o, load<f32>(o) + f32x4.extract_lane(v, 0));
        if (lanes > 1) store<f32>(o + sample, load<f32>(o + sample) + f32x4.extract_lane(v, 1));
        if (lanes > 2) store<f32>(o + 2 * sample, load<f32>(o + 2 * sample) + f32x4.extract_lane(v, 2));
        if (lanes > 3) store<f32>(o + 3 * sample, load<f32>(o + 3 * sample) + f32x4.extract_lane(v, 3));
      }
    }
  }
}
