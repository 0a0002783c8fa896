// Winograd F(2×2, 3×3) convolution for 3×3, stride-1, undilated, ungrouped layers (kernels.ts is the module
// entry). Each 2×2 block of outputs (a tile) of each sample comes from a 4×4 patch of the input:
//   Y = Aᵀ [ Σ_c (G g_kc Gᵀ) ⊙ (Bᵀ d_c B) ] A
// so the 36 multiplies per output pair of channels become 16 per tile of four outputs (2.25× fewer), done as
// 16 GEMMs (one per position ξ of the 4×4 transformed tile) of U[ξ] (K×C) · V[ξ] (C×tiles), between an input
// transform (Bᵀ d B, adds only) and an output transform (Aᵀ m A, adds only). The transforms run four tiles
// at a time, one per SIMD lane: the four tiles along a row start 2 columns apart, so a patch column of four
// tiles is an even- or odd-lane shuffle of two unaligned loads.
//
// The input of a chunk (one sample's run of tile rows) is first copied into zero-padded rows, so the patches
// need no bounds checks. Everything lives in `scratch` (winogradScratchFloats floats per thread).

import { smallProducts } from './products';
import { biasActRows } from './activation';

/** Tile rows per chunk: V and M of a chunk (16·(C+K)·rows·TW4 floats) stay near 256 KiB. */
export function tileRowsPerChunk(C: i32, K: i32, TW4: i32, TH: i32): i32 {
  return max(1, min(TH, (1 << 16) / (16 * (C + K) * TW4)));
}

/**
 * Floats from one position's plane of V or M (rows × Tc) to the next: 16 more than the plane, so the 16 planes
 * that a tile's transform reads or writes together do not sit a power of two apart (at 8 KiB they all fell in
 * one set of the L1 cache and the input transform ran 4× slower than its arithmetic).
 */
@inline export function planeFloats(rows: i32, Tc: i32): i32 {
  return rows * Tc + 16;
}

/** Tile columns rounded up to whole groups of four (one SIMD lane each). */
@inline export function tileCols4(OW: i32): i32 {
  return ((((OW + 1) >> 1) + 3) >> 2) << 2;
}

/** Floats of scratch per thread for a layer of this size (U, V, M and the padded input rows). */
export function winogradScratchFloats(C: i32, K: i32, OH: i32, OW: i32): i32 {
  const TH = (OH + 1) >> 1;
  const TW4 = tileCols4(OW);
  const TRb = tileRowsPerChunk(C, K, TW4, TH);
  const rowW = 2 * TW4 + 4;
  return 16 * K * C + 16 * planeFloats(C, TRb * TW4) + 16 * planeFloats(K, TRb * TW4) + C * (2 * TRb + 2) * rowW;
}

/** U[ξ][k][c] = (G g Gᵀ)[ξ] for the 3×3 filter g = w[k][c] (w is [K][C][3][3]). */
function transformFilters(U: usize, w: usize, K: i32, C: i32): void {
  const KC = <usize>K * C;
  for (let k = 0; k < K; k++) {
    for (let c = 0; c < C; c++) {
      const g = w + ((<usize>(k * C + c) * 9) << 2);
      // t = G g (4×3): rows g0, (g0+g1+g2)/2, (g0−g1+g2)/2, g2 of g's rows; then u = t Gᵀ on its columns.
      const base = <usize>(k * C + c);
      for (let i = 0; i < 4; i++) {
        let a: f32, bb: f32, d: f32;
        const r0 = load<f32>(g), r1 = load<f32>(g, 4), r2 = load<f32>(g, 8);
        const q0 = load<f32>(g, 12), q1 = load<f32>(g, 16), q2 = load<f32>(g, 20);
        const z0 = load<f32>(g, 24), z1 = load<f32>(g, 28), z2 = load<f32>(g, 32);
        if (i == 0) {
          a = r0; bb = r1; d = r2;
        } else if (i == 1) {
          a = <f32>0.5 * (r0 + q0 + z0); bb = <f32>0.5 * (r1 + q1 + z1); d = <f32>0.5 * (r2 + q2 + z2);
        } else if (i == 2) {
          a = <f32>0.5 * (r0 - q0 + z0); bb = <f32>0.5 * (r1 - q1 + z1); d = <f32>0.5 * (r2 - q2 + z2);
        } else {
          a = z0; bb = z1; d = z2;
        }
        store<f32>(U + ((<usize>(i * 4) * KC + base) << 2), a);
        store<f32>(U + ((<usize>(i * 4 + 1) * KC + base) << 2), <f32>0.5 * (a + bb + d));
        store<f32>(U + ((<usize>(i * 4 + 2) * KC + base) << 2), <f32>0.5 * (a - bb + d));
        store<f32>(U + ((<usize>(i * 4 + 3) * KC + base) << 2), d);
      }
    }
  }
}

/**
 * Copies `count` rows of each of C channel planes (plane c at x + c·planeStride floats, H × W), from row
 * `firstRow` on (rows outside [0, H) are zeros), into dst: channel c's rows at dst + (c·rowsPerC + r)·rowW
 * floats, each input row shifted right by `shift` columns (PW) and zero around.
 */
export function padRows(dst: usize, x: usize, planeStride: i32, C: i32, H: i32, W: i32, firstRow: i32, count: i32, rowsPerC: i32, shift: i32, rowW: i32): void {
  const n = max(0, min(W, rowW - shift));
  for (let c = 0; c < C; c++) {
    const plane = x + ((<usize>c * planeStride) << 2);
    for (let r = 0; r < count; r++) {
      const d = dst + ((<usize>(c * rowsPerC + r) * rowW) << 2);
      const iy = firstRow + r;
      if (iy < 0 || iy >= H) {
        zeroRun(d, rowW);
        continue;
      }
      // Zeros left of the row, the row, zeros right of it: in plain loops, as a memory.fill or memory.copy
      // call costs more than a whole row (a chunk pads thousands of rows).
      zeroRun(d, shift);
      const src = plane + ((<usize>iy * W) << 2);
      const to = d + (<usize>shift << 2);
      let i = 0;
      for (; i + 4 <= n; i += 4) v128.store(to + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
      for (; i < n; i++) store<f32>(to + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
      zeroRun(d + (<usize>(shift + n) << 2), rowW - shift - n);
    }
  }
}

/** Zeros the `len` floats at d. */
@inline function zeroRun(d: usize, len: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= len; i += 4) v128.store(d + (<usize>i << 2), z);
  for (; i < len; i++) store<f32>(d + (<usize>i << 2), 0);
}

/**
 * V[ξ][c][tile] = (Bᵀ d B)[ξ] for the 4×4 patch d of each tile of the padded rows XP (padRows): tile
 * (tr, tx) reads rows 2·tr … 2·tr + 3 and columns 2·tx … 2·tx + 3; four tiles (lanes) at a time.
 */
export function inputTransform(V: usize, XP: usize, C: i32, trn: i32, TW4: i32, rowsPerC: i32, rowW: i32, Tc: i32): void {
  for (let c = 0; c < C; c++) {
    for (let tr = 0; tr < trn; tr++) {
      const rowBase = XP + ((<usize>(c * rowsPerC + 2 * tr) * rowW) << 2);
      for (let tx = 0; tx < TW4; tx += 4) {
        const p0 = rowBase + (<usize>(2 * tx) << 2);
        const rs = <usize>rowW << 2;
        // Patch row i, column j of the four tiles: x[2·tile + j] of that row.
        const a0 = v128.load(p0), b0 = v128.load(p0, 16), c0 = v128.load(p0, 8), e0 = v128.load(p0, 24);
        const a1 = v128.load(p0 + rs), b1 = v128.load(p0 + rs, 16), c1 = v128.load(p0 + rs, 8), e1 = v128.load(p0 + rs, 24);
        const a2 = v128.load(p0 + 2 * rs), b2 = v128.load(p0 + 2 * rs, 16), c2 = v128.load(p0 + 2 * rs, 8), e2 = v128.load(p0 + 2 * rs, 24);
        const a3 = v128.load(p0 + 3 * rs), b3 = v128.load(p0 + 3 * rs, 16), c3 = v128.load(p0 + 3 * rs, 8), e3 = v128.load(p0 + 3 * rs, 24);
        const d00 = v128.shuffle<f32>(a0, b0, 0, 2, 4, 6), d01 = v128.shuffle<f32>(a0, b0, 1, 3, 5, 7);
        const d02 = v128.shuffle<f32>(c0, e0, 0, 2, 4, 6), d03 = v128.shuffle<f32>(c0, e0, 1, 3, 5, 7);
        const d10 = v128.shuffle<f32>(a1, b1, 0, 2, 4, 6), d11 = v128.shuffle<f32>(a1, b1, 1, 3, 5, 7);
        const d12 = v128.shuffle<f32>(c1, e1, 0, 2, 4, 6), d13 = v128.shuffle<f32>(c1, e1, 1, 3, 5, 7);
        const d20 = v128.shuffle<f32>(a2, b2, 0, 2, 4, 6), d21 = v128.shuffle<f32>(a2, b2, 1, 3, 5, 7);
        const d22 = v128.shuffle<f32>(c2, e2, 0, 2, 4, 6), d23 = v128.shuffle<f32>(c2, e2, 1, 3, 5, 7);
        const d30 = v128.shuffle<f32>(a3, b3, 0, 2, 4, 6), d31 = v128.shuffle<f32>(a3, b3, 1, 3, 5, 7);
        const d32 = v128.shuffle<f32>(c3, e3, 0, 2, 4, 6), d33 = v128.shuffle<f32>(c3, e3, 1, 3, 5, 7);
        // Bᵀ d: rows d0 − d2, d1 + d2, d2 − d1, d1 − d3.
        const t00 = f32x4.sub(d00, d20), t01 = f32x4.sub(d01, d21), t02 = f32x4.sub(d02, d22), t03 = f32x4.sub(d03, d23);
        const t10 = f32x4.add(d10, d20), t11 = f32x4.add(d11, d21), t12 = f32x4.add(d12, d22), t13 = f32x4.add(d13, d23);
        const t20 = f32x4.sub(d20, d10), t21 = f32x4.sub(d21, d11), t22 = f32x4.sub(d22, d12), t23 = f32x4.sub(d23, d13);
        const t30 = f32x4.sub(d10, d30), t31 = f32x4.sub(d11, d31), t32 = f32x4.sub(d12, d32), t33 = f32x4.sub(d13, d33);
        // (Bᵀ d) B: the same on columns; V[ξ = 4i + j].
        const cs = <usize>planeFloats(C, Tc) << 2;
        let v = V + ((<usize>c * Tc + <usize>tr * TW4 + tx) << 2);
        v128.store(v, f32x4.sub(t00, t02)); v += cs;
        v128.store(v, f32x4.add(t01, t02)); v += cs;
        v128.store(v, f32x4.sub(t02, t01)); v += cs;
        v128.store(v, f32x4.sub(t01, t03)); v += cs;
        v128.store(v, f32x4.sub(t10, t12)); v += cs;
        v128.store(v, f32x4.add(t11, t12)); v += cs;
        v128.store(v, f32x4.sub(t12, t11)); v += cs;
        v128.store(v, f32x4.sub(t11, t13)); v += cs;
        v128.store(v, f32x4.sub(t20, t22)); v += cs;
        v128.store(v, f32x4.add(t21, t22)); v += cs;
        v128.store(v, f32x4.sub(t22, t21)); v += cs;
        v128.store(v, f32x4.sub(t21, t23)); v += cs;
        v128.store(v, f32x4.sub(t30, t32)); v += cs;
        v128.store(v, f32x4.add(t31, t32)); v += cs;
        v128.store(v, f32x4.sub(t32, t31)); v += cs;
        v128.store(v, f32x4.sub(t31, t33));
      }
    }
  }
}

/**
 * y[K][N][OH][OW] (=, or += with `accumulate`) conv(x[C][N][H][W], w[K][C][3][3], stride 1, padding PH, PW)
 * (+ b[K] and the activation `act`, when not accumulating; b = 0 for none), for the samples [nStart, nEnd).
 * scratch: winogradScratchFloats(C, K, OH, OW) floats.
 */
export function winogradConv(
  y: usize, x: usize, w: usize, b: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, PH: i32, PW: i32, OH: i32, OW: i32,
  act: i32, accumulate: i32, scratch: usize, nStart: i32, nEnd: i32,
): void {
  const TH = (OH + 1) >> 1;
  const TW4 = tileCols4(OW);
  const TRb = tileRowsPerChunk(C, K, TW4, TH);
  const rowW = 2 * TW4 + 4;
  const rowsPerC = 2 * TRb + 2;
  const U = scratch;
  const V = U + ((<usize>16 * K * C) << 2);
  const M = V + ((<usize>16 * planeFloats(C, TRb * TW4)) << 2);
  const XP = M + ((<usize>16 * planeFloats(K, TRb * TW4)) << 2);
  const HW = H * W;
  const NHW = N * HW;
  const OHOW = OH * OW;
  const NOHW = N * OHOW;
  transformFilters(U, w, K, C);

  for (let n = nStart; n < nEnd; n++) {
    for (let tr0 = 0; tr0 < TH; tr0 += TRb) {
      const trn = min(TRb, TH - tr0);
      const Tc = trn * TW4;
      padRows(XP, x + ((<usize>n * HW) << 2), NHW, C, H, W, 2 * tr0 - PH, 2 * trn + 2, rowsPerC, PW, rowW);
      inputTransform(V, XP, C, trn, TW4, rowsPerC, rowW, Tc);
      // M[ξ] = U[ξ] · V[ξ].
      for (let xi = 0; xi < 16; xi++) {
        smallProducts(M + ((<usize>xi * planeFloats(K, Tc)) << 2), Tc, U + ((<usize>xi * K * C) << 2), V + ((<usize>xi * planeFloats(C, Tc)) << 2), Tc, K, C, Tc);
      }
      // y = Aᵀ m A, four tiles at a time; interleaved back into output rows.
      const ms = <usize>planeFloats(K, Tc) << 2;
      for (let k = 0; k < K; k++) {
        const yk = y + ((<usize>k * NOHW + <usize>n * OHOW) << 2);
        for (let tr = 0; tr < trn; tr++) {
          const oy = 2 * (tr0 + tr);
          for (let tx = 0; tx < TW4; tx += 4) {
            let m = M + ((<usize>k * Tc + <usize>tr * TW4 + tx) << 2);
            const m00 = v128.load(m); m += ms;
            const m01 = v128.load(m); m += ms;
            const m02 = v128.load(m); m += ms;
            const m03 = v128.load(m); m += ms;
            const m10 = v128.load(m); m += ms;
            const m11 = v128.load(m); m += ms;
            const m12 = v128.load(m); m += ms;
            const m13 = v128.load(m); m += ms;
            const m20 = v128.load(m); m += ms;
            const m21 = v128.load(m); m += ms;
            const m22 = v128.load(m); m += ms;
            const m23 = v128.load(m); m += ms;
            const m30 = v128.load(m); m += ms;
            const m31 = v128.load(m); m += ms;
            const m32 = v128.load(m); m += ms;
            const m33 = v128.load(m);
            // Aᵀ m: rows m0 + m1 + m2 and m1 − m2 − m3.
            const s00 = f32x4.add(f32x4.add(m00, m10), m20), s01 = f32x4.add(f32x4.add(m01, m11), m21);
            const s02 = f32x4.add(f32x4.add(m02, m12), m22), s03 = f32x4.add(f32x4.add(m03, m13), m23);
            const s10 = f32x4.sub(f32x4.sub(m10, m20), m30), s11 = f32x4.sub(f32x4.sub(m11, m21), m31);
            const s12 = f32x4.sub(f32x4.sub(m12, m22), m32), s13 = f32x4.sub(f32x4.sub(m13, m23), m33);
            // (Aᵀ m) A: the same on columns.
            const y00 = f32x4.add(f32x4.add(s00, s01), s02), y01 = f32x4.sub(f32x4.sub(s01, s02), s03);
            const y10 = f32x4.add(f32x4.add(s10, s11), s12), y11 = f32x4.sub(f32x4.sub(s11, s12), s13);
            const ox = 2 * tx;
            storeRow(yk, oy, ox, OH, OW, v128.shuffle<f32>(y00, y01, 0, 4, 1, 5), v128.shuffle<f32>(y00, y01, 2, 6, 3, 7), accumulate);
            storeRow(yk, oy + 1, ox, OH, OW, v128.shuffle<f32>(y10, y11, 0, 4, 1, 5), v128.shuffle<f32>(y10, y11, 2, 6, 3, 7), accumulate);
          }
        }
      }
    }
    if (!accumulate) biasActRows(y + ((<usize>n * OHOW) << 2), b, K, OHOW, NOHW, act, 0);
  }
}

/** Stores the 8 outputs lo ‖ hi at row oy, columns [ox, ox + 8) of plane (those inside OH × OW). */
@inline function storeRow(plane: usize, oy: i32, ox: i32, OH: i32, OW: i32, lo: v128, hi: v128, accumulate: i32): void {
  if (oy >= OH) return;
  const p = plane + ((<usize>oy * OW + ox) << 2);
  if (ox + 8 <= OW) {
    if (accumulate) {
      v128.store(p, f32x4.add(v128.load(p), lo));
      v128.store(p, f32x4.add(v128.load(p, 16), hi), 16);
    } else {
      v128.store(p, lo);
      v128.store(p, hi, 16);
    }
    return;
  }
  // The row's tail: lane by lane (no static buffer: threads share this module's memory).
  const n = min(8, OW - ox);
  for (let j = 0; j < n; j++) {
    const q = p + (<usize>j << 2);
    const v = lane(lo, hi, j);
    store<f32>(q, accumulate ? load<f32>(q) + v : v);
  }
}

/** Lane j of lo ‖ hi. */
@inline function lane(lo: v128, hi: v128, j: i32): f32 {
  switch (j) {
    case 0: return f32x4.extract_lane(lo, 0);
    case 1: return f32x4.extract_lane(lo, 1);
    case 2: return f32x4.extract_lane(lo, 2);
    case 3: return f32x4.extract_lane(lo, 3);
    case 4: return f32x4.extract_lane(hi, 0);
    case 5: return f32x4.extract_lane(hi, 1);
    case 6: return f32x4.extract_lane(hi, 2);
    default: return f32x4.extract_lane(hi, 3);
  }
}
