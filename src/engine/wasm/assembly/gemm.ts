// GEMM for the engine kernels (kernels.ts is the module entry and lists its exports).

// ---------------------------------------------------------------------------------------------------------
// GEMM: C[M×N] (=|+=) A[M×K] · B[K×N], with A and B given by element strides so that transposes are free.
// Blocked BLIS-style: B is packed into 8-column panels, A into MR-row panels, and an MR×8 micro-kernel of
// 2·MR f32x4 accumulators runs over KC-long panel pairs. MR is 4, 5 or 6, whichever pads M least (panelRows):
// conv layers have few filters (6, 10, 16…), and 10 rows as two 5-row panels beat three 4-row ones by 15%.
// ---------------------------------------------------------------------------------------------------------

const MC: i32 = 64;
const KC: i32 = 256;
const NC: i32 = 512;

/** Floats of scratch that `gemm` needs at `work`: packed A, packed B and an MR×8 edge tile (MR ≤ 6). */
export function gemmWorkFloats(): i32 {
  return MC * KC + KC * NC + 48;
}
@inline export function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

/**
 * Packs rows [i0, i0+mc) × cols [p0, p0+kc) of A into MR-row panels (MR = 4, 5 or 6): panel-major, then k,
 * then MR rows (rows past the end of A are zero).
 */
function packA(dst: usize, A: usize, ars: i32, acs: i32, i0: i32, mc: i32, p0: i32, kc: i32, MR: i32): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    if (rows == 4 && MR == 4 && acs == 1) {
      const r0 = A + ((<usize>(i0 + ir) * ars + p0) << 2);
      const r1 = r0 + (<usize>ars << 2);
      const r2 = r1 + (<usize>ars << 2);
      const r3 = r2 + (<usize>ars << 2);
      for (let p = 0; p < kc; p++) {
        const o = <usize>p << 2;
        store<f32>(dst, load<f32>(r0 + o));
        store<f32>(dst + 4, load<f32>(r1 + o));
        store<f32>(dst + 8, load<f32>(r2 + o));
        store<f32>(dst + 12, load<f32>(r3 + o));
        dst += 16;
      }
    } else if (acs == 1) {
      // Row by row: each row of A is contiguous in k.
      const stride = <usize>MR << 2;
      for (let r = 0; r < MR; r++) {
        let d = dst + (<usize>r << 2);
        if (r < rows) {
          const src = A + ((<usize>(i0 + ir + r) * ars + p0) << 2);
          for (let p = 0; p < kc; p++) {
            store<f32>(d, load<f32>(src + (<usize>p << 2)));
            d += stride;
          }
        } else {
          for (let p = 0; p < kc; p++) {
            store<f32>(d, 0);
            d += stride;
          }
        }
      }
      dst += <usize>(kc * MR) << 2;
    } else if (ars == 1 && rows == MR) {
      // A is a transpose: the MR rows of one k are contiguous.
      const step = <usize>acs << 2;
      let src = A + ((<usize>(i0 + ir) + <usize>p0 * acs) << 2);
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) store<f32>(dst + (<usize>r << 2), load<f32>(src + (<usize>r << 2)));
        src += step;
        dst += <usize>MR << 2;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          let v: f32 = 0;
          if (r < rows) v = load<f32>(A + ((<usize>(i0 + ir + r) * ars + <usize>(p0 + p) * acs) << 2));
          store<f32>(dst, v);
          dst += 4;
        }
      }
    }
  }
}

/** Packs rows [p0, p0+kc) × cols [j0, j0+nc) of B into 8-column panels: panel-major, then k, then 8 columns. */
function packB(dst: usize, B: usize, brs: i32, bcs: i32, p0: i32, kc: i32, j0: i32, nc: i32): void {
  for (let jr = 0; jr < nc; jr += 8) {
    const cols = min(8, nc - jr);
    if (cols == 8 && bcs == 1) {
      let src = B + ((<usize>p0 * brs + j0 + jr) << 2);
      const step = <usize>brs << 2;
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += step;
        dst += 32;
      }
    } else if (cols == 8 && brs == 1) {
      // B is a transpose whose columns are contiguous in k: 4×4 SIMD transposes of 8 streams.
      const cs = <usize>bcs << 2;
      const s0 = B + ((<usize>p0 + <usize>(j0 + jr) * bcs) << 2);
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p << 2;
        const r0 = v128.load(s0 + o);
        const r1 = v128.load(s0 + cs + o);
        const r2 = v128.load(s0 + 2 * cs + o);
        const r3 = v128.load(s0 + 3 * cs + o);
        const r4 = v128.load(s0 + 4 * cs + o);
        const r5 = v128.load(s0 + 5 * cs + o);
        const r6 = v128.load(s0 + 6 * cs + o);
        const r7 = v128.load(s0 + 7 * cs + o);
        const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
        const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
        const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        const u0 = v128.shuffle<f32>(r4, r5, 0, 4, 1, 5);
        const u1 = v128.shuffle<f32>(r4, r5, 2, 6, 3, 7);
        const u2 = v128.shuffle<f32>(r6, r7, 0, 4, 1, 5);
        const u3 = v128.shuffle<f32>(r6, r7, 2, 6, 3, 7);
        v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
        v128.store(dst, v128.shuffle<f32>(u0, u2, 0, 1, 4, 5), 16);
        v128.store(dst, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 32);
        v128.store(dst, v128.shuffle<f32>(u0, u2, 2, 3, 6, 7), 48);
        v128.store(dst, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 64);
        v128.store(dst, v128.shuffle<f32>(u1, u3, 0, 1, 4, 5), 80);
        v128.store(dst, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 96);
        v128.store(dst, v128.shuffle<f32>(u1, u3, 2, 3, 6, 7), 112);
        dst += 128;
      }
      for (; p < kc; p++) {
        let s = s0 + (<usize>p << 2);
        for (let c = 0; c < 8; c++) {
          store<f32>(dst + (<usize>c << 2), load<f32>(s));
          s += cs;
        }
        dst += 32;
      }
    } else if (cols == 8) {
      // Strided columns (B is a transpose): gather 8 streams.
      const cs = <usize>bcs << 2;
      let src = B + ((<usize>p0 * brs + <usize>(j0 + jr) * bcs) << 2);
      const step = <usize>brs << 2;
      for (let p = 0; p < kc; p++) {
        let s = src;
        for (let c = 0; c < 8; c++) {
          store<f32>(dst + (<usize>c << 2), load<f32>(s));
          s += cs;
        }
        src += step;
        dst += 32;
      }
    } else {
      // The last, narrower panel: zeros, then its columns one by one (each a stream of stride brs).
      memory.fill(dst, 0, <usize>(kc * 8) << 2);
      const step = <usize>brs << 2;
      for (let c = 0; c < cols; c++) {
        let src = B + ((<usize>p0 * brs + <usize>(j0 + jr + c) * bcs) << 2);
        let d = dst + (<usize>c << 2);
        for (let p = 0; p < kc; p++) {
          store<f32>(d, load<f32>(src));
          src += step;
          d += 32;
        }
      }
      dst += <usize>(kc * 8) << 2;
    }
  }
}

/** The top-left mr×nr of an edge tile (8 floats a row) into C (=|+=). */
function writeTile(tile: usize, C: usize, ldc: i32, mr: i32, nr: i32, acc: bool): void {
  const ld = <usize>ldc << 2;
  for (let i = 0; i < mr; i++) {
    const row = C + <usize>i * ld;
    for (let j = 0; j < nr; j++) {
      const v = load<f32>(tile + ((<usize>(i * 8 + j)) << 2));
      const dst = row + (<usize>j << 2);
      if (acc) store<f32>(dst, load<f32>(dst) + v);
      else store<f32>(dst, v);
    }
  }
}

/** One 8-float row of a micro-tile into r[0..8): set, or added to what is there. */
@inline function setRow(r: usize, lo: v128, hi: v128): void {
  v128.store(r, lo);
  v128.store(r, hi, 16);
}
@inline function addRow(r: usize, lo: v128, hi: v128): void {
  v128.store(r, f32x4.add(v128.load(r), lo));
  v128.store(r, f32x4.add(v128.load(r, 16), hi), 16);
}

// micro, micro5 and micro6 differ only in their row count, on purpose: each keeps its 2·MR accumulators in
// registers, which one kernel looping over rows could not.

/** 4×8 micro-kernel: tile (=|+=) packed A panel · packed B panel over kc. */
function micro(kc: i32, pa: usize, pb: usize, C: usize, ldc: i32, mr: i32, nr: i32, acc: bool, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const a0 = v128.load32_splat(pa);
    const a1 = v128.load32_splat(pa, 4);
    const a2 = v128.load32_splat(pa, 8);
    const a3 = v128.load32_splat(pa, 12);
    c00 = fma(a0, b0, c00);
    c01 = fma(a0, b1, c01);
    c10 = fma(a1, b0, c10);
    c11 = fma(a1, b1, c11);
    c20 = fma(a2, b0, c20);
    c21 = fma(a2, b1, c21);
    c30 = fma(a3, b0, c30);
    c31 = fma(a3, b1, c31);
    pa += 16;
    pb += 32;
  }
  if (mr == 4 && nr == 8) {
    // A full tile goes straight to C.
    const ld = <usize>ldc << 2;
    if (acc) {
      addRow(C, c00, c01);
      addRow(C + ld, c10, c11);
      addRow(C + 2 * ld, c20, c21);
      addRow(C + 3 * ld, c30, c31);
    } else {
      setRow(C, c00, c01);
      setRow(C + ld, c10, c11);
      setRow(C + 2 * ld, c20, c21);
      setRow(C + 3 * ld, c30, c31);
    }
    return;
  }
  // An edge tile goes through `tile` (8 floats a row) and writeTile.
  setRow(tile, c00, c01);
  setRow(tile + 32, c10, c11);
  setRow(tile + 64, c20, c21);
  setRow(tile + 96, c30, c31);
  writeTile(tile, C, ldc, mr, nr, acc);
}

/** 5×8 micro-kernel: tile (=|+=) packed A panel (5 rows) · packed B panel over kc. */
function micro5(kc: i32, pa: usize, pb: usize, C: usize, ldc: i32, mr: i32, nr: i32, acc: bool, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const a0 = v128.load32_splat(pa, 0);
    c00 = fma(a0, b0, c00);
    c01 = fma(a0, b1, c01);
    const a1 = v128.load32_splat(pa, 4);
    c10 = fma(a1, b0, c10);
    c11 = fma(a1, b1, c11);
    const a2 = v128.load32_splat(pa, 8);
    c20 = fma(a2, b0, c20);
    c21 = fma(a2, b1, c21);
    const a3 = v128.load32_splat(pa, 12);
    c30 = fma(a3, b0, c30);
    c31 = fma(a3, b1, c31);
    const a4 = v128.load32_splat(pa, 16);
    c40 = fma(a4, b0, c40);
    c41 = fma(a4, b1, c41);
    pa += 20;
    pb += 32;
  }
  if (mr == 5 && nr == 8) {
    // A full tile goes straight to C.
    const ld = <usize>ldc << 2;
    if (acc) {
      addRow(C, c00, c01);
      addRow(C + ld, c10, c11);
      addRow(C + 2 * ld, c20, c21);
      addRow(C + 3 * ld, c30, c31);
      addRow(C + 4 * ld, c40, c41);
    } else {
      setRow(C, c00, c01);
      setRow(C + ld, c10, c11);
      setRow(C + 2 * ld, c20, c21);
      setRow(C + 3 * ld, c30, c31);
      setRow(C + 4 * ld, c40, c41);
    }
    return;
  }
  // An edge tile goes through `tile` (8 floats a row) and writeTile.
  setRow(tile, c00, c01);
  setRow(tile + 32, c10, c11);
  setRow(tile + 64, c20, c21);
  setRow(tile + 96, c30, c31);
  setRow(tile + 128, c40, c41);
  writeTile(tile, C, ldc, mr, nr, acc);
}

/** 6×8 micro-kernel: tile (=|+=) packed A panel (6 rows) · packed B panel over kc. */
function micro6(kc: i32, pa: usize, pb: usize, C: usize, ldc: i32, mr: i32, nr: i32, acc: bool, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const a0 = v128.load32_splat(pa, 0);
    c00 = fma(a0, b0, c00);
    c01 = fma(a0, b1, c01);
    const a1 = v128.load32_splat(pa, 4);
    c10 = fma(a1, b0, c10);
    c11 = fma(a1, b1, c11);
    const a2 = v128.load32_splat(pa, 8);
    c20 = fma(a2, b0, c20);
    c21 = fma(a2, b1, c21);
    const a3 = v128.load32_splat(pa, 12);
    c30 = fma(a3, b0, c30);
    c31 = fma(a3, b1, c31);
    const a4 = v128.load32_splat(pa, 16);
    c40 = fma(a4, b0, c40);
    c41 = fma(a4, b1, c41);
    const a5 = v128.load32_splat(pa, 20);
    c50 = fma(a5, b0, c50);
    c51 = fma(a5, b1, c51);
    pa += 24;
    pb += 32;
  }
  if (mr == 6 && nr == 8) {
    // A full tile goes straight to C.
    const ld = <usize>ldc << 2;
    if (acc) {
      addRow(C, c00, c01);
      addRow(C + ld, c10, c11);
      addRow(C + 2 * ld, c20, c21);
      addRow(C + 3 * ld, c30, c31);
      addRow(C + 4 * ld, c40, c41);
      addRow(C + 5 * ld, c50, c51);
    } else {
      setRow(C, c00, c01);
      setRow(C + ld, c10, c11);
      setRow(C + 2 * ld, c20, c21);
      setRow(C + 3 * ld, c30, c31);
      setRow(C + 4 * ld, c40, c41);
      setRow(C + 5 * ld, c50, c51);
    }
    return;
  }
  // An edge tile goes through `tile` (8 floats a row) and writeTile.
  setRow(tile, c00, c01);
  setRow(tile + 32, c10, c11);
  setRow(tile + 64, c20, c21);
  setRow(tile + 96, c30, c31);
  setRow(tile + 128, c40, c41);
  setRow(tile + 160, c50, c51);
  writeTile(tile, C, ldc, mr, nr, acc);
}

/**
 * Rows per A panel for M rows: 4, 5 or 6, whichever pads M the least (ties: the larger). M = 10 (TinyVGG's
 * filters) takes 5, M = 6 (LeNet's first layer) 6, multiples of 4 keep 4.
 */
function panelRows(M: i32): i32 {
  let best = 4;
  let pad = ((M + 3) / 4) * 4;
  for (let r = 5; r <= 6; r++) {
    const p = ((M + r - 1) / r) * r;
    if (p <= pad && (p < pad || M > 4)) {
      best = r;
      pad = p;
    }
  }
  return best;
}

/**
 * C[M×N] = A·B (accumulate = 0) or C += A·B (accumulate = 1). A(i,p) lives at A + 4·(i·ars + p·acs),
 * B(p,j) at B + 4·(p·brs + j·bcs), C(i,j) at C + 4·(i·ldc + j). `work` holds gemmWorkFloats() floats.
 */
export function gemm(
  M: i32, N: i32, K: i32,
  A: usize, ars: i32, acs: i32,
  B: usize, brs: i32, bcs: i32,
  C: usize, ldc: i32, accumulate: i32, work: usize,
): void {
  if (M <= 0 || N <= 0) return;
  const pA = work;
  const pB = work + (<usize>(MC * KC) << 2);
  const tile = pB + (<usize>(KC * NC) << 2);
  if (K <= 0) {
    if (accumulate == 0) {
      for (let i = 0; i < M; i++) memory.fill(C + ((<usize>i * ldc) << 2), 0, <usize>N << 2);
    }
    return;
  }
  const MR = panelRows(M);
  const mcMax = (MC / MR) * MR;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const acc = accumulate != 0 || pc > 0;
      packB(pB, B, brs, bcs, pc, kc, jc, nc);
      for (let ic = 0; ic < M; ic += mcMax) {
        const mc = min(mcMax, M - ic);
        packA(pA, A, ars, acs, ic, mc, pc, kc, MR);
        for (let jr = 0; jr < nc; jr += 8) {
          const nr = min(8, nc - jr);
          const pb = pB + (<usize>(jr * kc) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const pa = pA + (<usize>(ir * kc) << 2);
            const c = C + ((<usize>(ic + ir) * ldc + jc + jr) << 2);
            if (MR == 5) micro5(kc, pa, pb, c, ldc, mr, nr, acc, tile);
            else if (MR == 6) micro6(kc, pa, pb, c, ldc, mr, nr, acc, tile);
            else micro(kc, pa, pb, c, ldc, mr, nr, acc, tile);
          }
        }
      }
    }
  }
}
