// CNN Studio engine: the hot kernels in WebAssembly SIMD (AssemblyScript).
//
// Built twice by scripts/build.mjs: `engine-simd.wasm` (--enable simd) and `engine-relaxed.wasm`
// (--enable simd,relaxed-simd, where `fma` below becomes f32x4.relaxed_madd). The JS side
// (src/engine/wasm.ts) owns the memory layout: every argument named like a buffer is a byte address into
// this module's memory, and nothing here allocates.
//
// Layouts (see src/engine/index.ts): volumes are CNHW, i.e. [C][N][H][W] (each channel plane holds the whole
// batch), vectors are [N][F]. Conv weights are [K][C][FH][FW] and dense weights [U][I] (PyTorch's layouts).
// Kernel style follows llm.c: outputs first, then cached values, then inputs, then sizes; backward
// accumulates into its outputs with +=.

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

/** First free byte after this module's static data. */
export function heapBase(): usize {
  return __heap_base;
}

@inline function fma(a: v128, b: v128, c: v128): v128 {
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
      for (let p = 0; p < kc; p++) {
        for (let c = 0; c < 8; c++) {
          let v: f32 = 0;
          if (c < cols) v = load<f32>(B + ((<usize>(p0 + p) * brs + <usize>(j0 + jr + c) * bcs) << 2));
          store<f32>(dst, v);
          dst += 4;
        }
      }
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
  const ld = <usize>ldc << 2;
  if (mr == 4 && nr == 8) {
    let r = C;
    if (acc) {
      v128.store(r, f32x4.add(v128.load(r), c00));
      v128.store(r, f32x4.add(v128.load(r, 16), c01), 16);
      r += ld;
      v128.store(r, f32x4.add(v128.load(r), c10));
      v128.store(r, f32x4.add(v128.load(r, 16), c11), 16);
      r += ld;
      v128.store(r, f32x4.add(v128.load(r), c20));
      v128.store(r, f32x4.add(v128.load(r, 16), c21), 16);
      r += ld;
      v128.store(r, f32x4.add(v128.load(r), c30));
      v128.store(r, f32x4.add(v128.load(r, 16), c31), 16);
    } else {
      v128.store(r, c00);
      v128.store(r, c01, 16);
      r += ld;
      v128.store(r, c10);
      v128.store(r, c11, 16);
      r += ld;
      v128.store(r, c20);
      v128.store(r, c21, 16);
      r += ld;
      v128.store(r, c30);
      v128.store(r, c31, 16);
    }
    return;
  }
  v128.store(tile, c00);
  v128.store(tile, c01, 16);
  v128.store(tile, c10, 32);
  v128.store(tile, c11, 48);
  v128.store(tile, c20, 64);
  v128.store(tile, c21, 80);
  v128.store(tile, c30, 96);
  v128.store(tile, c31, 112);
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
  const ld = <usize>ldc << 2;
  if (mr == 5 && nr == 8) {
    let r = C;
    if (acc) {
      v128.store(r, f32x4.add(v128.load(r), c00));
      v128.store(r, f32x4.add(v128.load(r, 16), c01), 16);
      r += ld;
      v128.store(r, f32x4.add(v128.load(r), c10));
      v128.store(r, f32x4.add(v128.load(r, 16), c11), 16);
      r += ld;
      v128.store(r, f32x4.add(v128.load(r), c20));
      v128.store(r, f32x4.add(v128.load(r, 16), c21), 16);
      r += ld;
      v128.store(r, f32x4.add(v128.load(r), c30));
      v128.store(r, f32x4.add(v128.load(r, 16), c31), 16);
      r += ld;
      v128.store(r, f32x4.add(v128.load(r), c40));
      v128.store(r, f32x4.add(v128.load(r, 16), c41), 16);
    } else {
      v128.store(r, c00);
      v128.store(r, c01, 16);
      r += ld;
      v128.store(r, c10);
      v128.store(r, c11, 16);
      r += ld;
      v128.store(r, c20);
      v128.store(r, c21, 16);
      r += ld;
      v128.store(r, c30);
      v128.store(r, c31, 16);
      r += ld;
      v128.store(r, c40);
      v128.store(r, c41, 16);
    }
    return;
  }
  v128.store(tile, c00, 0);
  v128.store(tile, c01, 16);
  v128.store(tile, c10, 32);
  v128.store(tile, c11, 48);
  v128.store(tile, c20, 64);
  v128.store(tile, c21, 80);
  v128.store(tile, c30, 96);
  v128.store(tile, c31, 112);
  v128.store(tile, c40, 128);
  v128.store(tile, c41, 144);
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
  const ld = <usize>ldc << 2;
  if (mr == 6 && nr == 8) {
    let r = C;
    if (acc) {
      v128.store(r, f32x4.add(v128.load(r), c00));
      v128.store(r, f32x4.add(v128.load(r, 16), c01), 16);
      r += ld;
      v128.store(r, f32x4.add(v128.load(r), c10));
      v128.store(r, f32x4.add(v128.load(r, 16), c11), 16);
      r += ld;
      v128.store(r, f32x4.add(v128.load(r), c20));
      v128.store(r, f32x4.add(v128.load(r, 16), c21), 16);
      r += ld;
      v128.store(r, f32x4.add(v128.load(r), c30));
      v128.store(r, f32x4.add(v128.load(r, 16), c31), 16);
      r += ld;
      v128.store(r, f32x4.add(v128.load(r), c40));
      v128.store(r, f32x4.add(v128.load(r, 16), c41), 16);
      r += ld;
      v128.store(r, f32x4.add(v128.load(r), c50));
      v128.store(r, f32x4.add(v128.load(r, 16), c51), 16);
    } else {
      v128.store(r, c00);
      v128.store(r, c01, 16);
      r += ld;
      v128.store(r, c10);
      v128.store(r, c11, 16);
      r += ld;
      v128.store(r, c20);
      v128.store(r, c21, 16);
      r += ld;
      v128.store(r, c30);
      v128.store(r, c31, 16);
      r += ld;
      v128.store(r, c40);
      v128.store(r, c41, 16);
      r += ld;
      v128.store(r, c50);
      v128.store(r, c51, 16);
    }
    return;
  }
  v128.store(tile, c00, 0);
  v128.store(tile, c01, 16);
  v128.store(tile, c10, 32);
  v128.store(tile, c11, 48);
  v128.store(tile, c20, 64);
  v128.store(tile, c21, 80);
  v128.store(tile, c30, 96);
  v128.store(tile, c31, 112);
  v128.store(tile, c40, 128);
  v128.store(tile, c41, 144);
  v128.store(tile, c50, 160);
  v128.store(tile, c51, 176);
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

// ---------------------------------------------------------------------------------------------------------
// Activations. Codes: 0 none, 1 relu, 2 sigmoid, 3 tanh, 4 leaky relu (slope).
// ---------------------------------------------------------------------------------------------------------

@inline function act1(v: f32, act: i32, slope: f32): f32 {
  if (act == 1) return v > 0 ? v : 0;
  if (act == 2) return <f32>1 / (<f32>1 + Mathf.exp(-v));
  if (act == 3) {
    // tanh(v) = 1 - 2/(exp(2v)+1), clamped so exp cannot overflow.
    const t = min(max(v, -20), 20);
    return <f32>1 - <f32>2 / (Mathf.exp(2 * t) + 1);
  }
  if (act == 4) return v > 0 ? v : v * slope;
  return v;
}

/** y[rows][len] = act(y + b[row]) in place (bias per row; b = 0 for none). */
export function biasActRows(y: usize, b: usize, rows: i32, len: i32, stride: i32, act: i32, slope: f32): void {
  for (let r = 0; r < rows; r++) {
    const row = y + ((<usize>r * stride) << 2);
    const bv: f32 = b != 0 ? load<f32>(b + (<usize>r << 2)) : 0;
    if (act == 1 || act == 0) {
      const vb = f32x4.splat(bv);
      const z = f32x4.splat(0);
      let j = 0;
      for (; j + 4 <= len; j += 4) {
        const p = row + (<usize>j << 2);
        let v = f32x4.add(v128.load(p), vb);
        if (act == 1) v = f32x4.max(v, z);
        v128.store(p, v);
      }
      for (; j < len; j++) {
        const p = row + (<usize>j << 2);
        store<f32>(p, act1(load<f32>(p) + bv, act, slope));
      }
    } else {
      for (let j = 0; j < len; j++) {
        const p = row + (<usize>j << 2);
        store<f32>(p, act1(load<f32>(p) + bv, act, slope));
      }
    }
  }
}

/** y[i][j] = act(y[i][j] + b[j]) for a [rows][cols] matrix (dense layers: bias per column). */
export function biasActCols(y: usize, b: usize, rows: i32, cols: i32, act: i32, slope: f32): void {
  for (let r = 0; r < rows; r++) {
    const row = y + ((<usize>r * cols) << 2);
    for (let j = 0; j < cols; j++) {
      const p = row + (<usize>j << 2);
      store<f32>(p, act1(load<f32>(p) + load<f32>(b + (<usize>j << 2)), act, slope));
    }
  }
}

/** y = act(x), elementwise. */
export function activationForward(y: usize, x: usize, len: i32, act: i32, slope: f32): void {
  if (act == 1) {
    const z = f32x4.splat(0);
    let i = 0;
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.max(v128.load(x + o), z));
    }
    for (; i < len; i++) {
      const o = <usize>i << 2;
      store<f32>(y + o, act1(load<f32>(x + o), act, slope));
    }
    return;
  }
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, act1(load<f32>(x + o), act, slope));
  }
}

@inline function dact(yv: f32, xv: f32, act: i32, slope: f32): f32 {
  if (act == 1) return yv > 0 ? 1 : 0;
  if (act == 2) return yv * (1 - yv);
  if (act == 3) return 1 - yv * yv;
  if (act == 4) return xv > 0 ? 1 : slope;
  return 1;
}

/** dx += dy · act'(x) where y = act(x). x is read only for leaky relu (pass y there when x is not kept). */
export function activationBackward(dx: usize, dy: usize, y: usize, x: usize, len: i32, act: i32, slope: f32): void {
  if (act == 1) {
    const z = f32x4.splat(0);
    let i = 0;
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 2;
      const m = f32x4.gt(v128.load(y + o), z);
      v128.store(dx + o, f32x4.add(v128.load(dx + o), v128.and(v128.load(dy + o), m)));
    }
    for (; i < len; i++) {
      const o = <usize>i << 2;
      if (load<f32>(y + o) > 0) store<f32>(dx + o, load<f32>(dx + o) + load<f32>(dy + o));
    }
    return;
  }
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, load<f32>(dx + o) + load<f32>(dy + o) * dact(load<f32>(y + o), load<f32>(x + o), act, slope));
  }
}

/** dy *= act'(y) in place: the fused activation of a conv or dense layer (not leaky relu). */
export function activationBackwardInPlace(dy: usize, y: usize, len: i32, act: i32): void {
  if (act == 0) return;
  if (act == 1) {
    const z = f32x4.splat(0);
    let i = 0;
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 2;
      const m = f32x4.gt(v128.load(y + o), z);
      v128.store(dy + o, v128.and(v128.load(dy + o), m));
    }
    for (; i < len; i++) {
      const o = <usize>i << 2;
      if (!(load<f32>(y + o) > 0)) store<f32>(dy + o, 0);
    }
    return;
  }
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(dy + o, load<f32>(dy + o) * dact(load<f32>(y + o), 0, act, 0));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Convolution as im2col + GEMM over ranges of `chunk` output columns, so the column buffer stays in cache.
// The output columns of a CNHW batch are q = n·OH·OW + oh·OW + ow; a range [q0, q0 + qn) has the columns
//   col[(c·FH + i)·FW + j][q - q0] = x[c][n][oh·SH + i - PH][ow·SW + j - PW]   (0 outside the image)
// ---------------------------------------------------------------------------------------------------------

/** The output columns ow whose input column ow·SW + j - PW is inside the image, packed as lo << 32 | hi. */
@inline function validRange(j: i32, SW: i32, PW: i32, W: i32, OW: i32): i64 {
  // ow with 0 <= ow*SW + j - PW < W, as [lo, hi)
  let lo = 0;
  if (PW - j > 0) lo = (PW - j + SW - 1) / SW;
  const lim = W - 1 + PW - j;
  let hi = lim < 0 ? 0 : min(OW, lim / SW + 1);
  if (hi < lo) hi = lo;
  return (<i64>lo << 32) | <i64>hi;
}

function im2col(
  col: usize, x: usize, q0: i32, qn: i32, N: i32, C: i32, H: i32, W: i32,
  FH: i32, FW: i32, SH: i32, SW: i32, PH: i32, PW: i32, OH: i32, OW: i32,
): void {
  const HW = H * W;
  const OHOW = OH * OW;
  // Where the range starts: sample, output row and column (every (c, i, j) row walks the same segments).
  const n0 = q0 / OHOW;
  const oh0 = (q0 - n0 * OHOW) / OW;
  const ow00 = q0 - n0 * OHOW - oh0 * OW;
  let dst = col;
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < FH; i++) {
      for (let j = 0; j < FW; j++) {
        const r = validRange(j, SW, PW, W, OW);
        const owLo = <i32>(r >> 32);
        const owHi = <i32>(r & 0xffffffff);
        let q = q0;
        const qe = q0 + qn;
        let n = n0, oh = oh0, ow0 = ow00;
        while (q < qe) {
          const ow1 = min(OW, ow0 + (qe - q));
          const ih = oh * SH + i - PH;
          // d + ow·4 is where output column ow of this segment goes
          const d = dst - (<usize>ow0 << 2);
          if (ih < 0 || ih >= H) {
            for (let ow = ow0; ow < ow1; ow++) store<f32>(d + (<usize>ow << 2), 0);
          } else {
            const srow = x + ((<usize>((c * N + n) * HW + ih * W)) << 2);
            const a = max(ow0, owLo);
            const b = max(a, min(ow1, owHi));
            for (let ow = ow0; ow < a; ow++) store<f32>(d + (<usize>ow << 2), 0);
            if (SW == 1) {
              const s0 = srow + (<usize>(j - PW) << 2);
              let ow = a;
              for (; ow + 4 <= b; ow += 4) v128.store(d + (<usize>ow << 2), v128.load(s0 + (<usize>ow << 2)));
              for (; ow < b; ow++) store<f32>(d + (<usize>ow << 2), load<f32>(s0 + (<usize>ow << 2)));
            } else {
              for (let ow = a; ow < b; ow++) store<f32>(d + (<usize>ow << 2), load<f32>(srow + (<usize>(ow * SW + j - PW) << 2)));
            }
            for (let ow = b; ow < ow1; ow++) store<f32>(d + (<usize>ow << 2), 0);
          }
          dst += <usize>(ow1 - ow0) << 2;
          q += ow1 - ow0;
          ow0 = 0;
          if (++oh == OH) {
            oh = 0;
            n++;
          }
        }
      }
    }
  }
}

/** dx[C][N][H][W] += the column range [q0, q0+qn) of col scattered back (the transpose of im2col). */
function col2im(
  dx: usize, col: usize, q0: i32, qn: i32, N: i32, C: i32, H: i32, W: i32,
  FH: i32, FW: i32, SH: i32, SW: i32, PH: i32, PW: i32, OH: i32, OW: i32,
): void {
  const HW = H * W;
  const OHOW = OH * OW;
  const n0 = q0 / OHOW;
  const oh0 = (q0 - n0 * OHOW) / OW;
  const ow00 = q0 - n0 * OHOW - oh0 * OW;
  let src = col;
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < FH; i++) {
      for (let j = 0; j < FW; j++) {
        const r = validRange(j, SW, PW, W, OW);
        const owLo = <i32>(r >> 32);
        const owHi = <i32>(r & 0xffffffff);
        let q = q0;
        const qe = q0 + qn;
        let n = n0, oh = oh0, ow0 = ow00;
        while (q < qe) {
          const ow1 = min(OW, ow0 + (qe - q));
          const ih = oh * SH + i - PH;
          const s = src - (<usize>ow0 << 2);
          if (ih >= 0 && ih < H) {
            const drow = dx + ((<usize>((c * N + n) * HW + ih * W)) << 2);
            const a = max(ow0, owLo);
            const b = max(a, min(ow1, owHi));
            if (SW == 1) {
              const d0 = drow + (<usize>(j - PW) << 2);
              let ow = a;
              for (; ow + 4 <= b; ow += 4) {
                const o = <usize>ow << 2;
                v128.store(d0 + o, f32x4.add(v128.load(d0 + o), v128.load(s + o)));
              }
              for (; ow < b; ow++) {
                const o = <usize>ow << 2;
                store<f32>(d0 + o, load<f32>(d0 + o) + load<f32>(s + o));
              }
            } else {
              for (let ow = a; ow < b; ow++) {
                const d = drow + (<usize>(ow * SW + j - PW) << 2);
                store<f32>(d, load<f32>(d) + load<f32>(s + (<usize>ow << 2)));
              }
            }
          }
          src += <usize>(ow1 - ow0) << 2;
          q += ow1 - ow0;
          ow0 = 0;
          if (++oh == OH) {
            oh = 0;
            n++;
          }
        }
      }
    }
  }
}

/**
 * y[K][N][OH][OW] = act(conv(x[C][N][H][W], w[K][C][FH][FW]) + b[K]), for the output columns
 * [qStart, qEnd) (all of them: 0, N·OH·OW; threads take whole samples each).
 * col: CFF·chunk floats of scratch (chunk = output columns per step); work: gemmWorkFloats() floats.
 */
export function convForward(
  y: usize, x: usize, w: usize, b: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, FH: i32, FW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  OH: i32, OW: i32, act: i32, col: usize, chunk: i32, work: usize, qStart: i32, qEnd: i32,
): void {
  const NOHW = N * OH * OW;
  const CFF = C * FH * FW;
  const direct = FH == 1 && FW == 1 && SH == 1 && SW == 1 && PH == 0 && PW == 0;
  for (let q0 = qStart; q0 < qEnd; q0 += chunk) {
    const qn = min(chunk, qEnd - q0);
    const yc = y + (<usize>q0 << 2);
    if (direct) {
      gemm(K, qn, CFF, w, CFF, 1, x + (<usize>q0 << 2), NOHW, 1, yc, NOHW, 0, work);
    } else {
      im2col(col, x, q0, qn, N, C, H, W, FH, FW, SH, SW, PH, PW, OH, OW);
      gemm(K, qn, CFF, w, CFF, 1, col, qn, 1, yc, NOHW, 0, work);
    }
    biasActRows(yc, b, K, qn, NOHW, act, 0);
  }
}

/**
 * Backward of convForward without its activation (apply activationBackwardInPlace to dy first):
 * dw[K][C][FH][FW] += dy·colᵀ, db[K] += Σ dy, and (dx != 0) dx[C][N][H][W] += col2im(wᵀ·dy), over the
 * output columns [qStart, qEnd). Ranges of whole samples write disjoint parts of dx, so threads can share it.
 */
export function convBackward(
  dx: usize, dw: usize, db: usize, dy: usize, x: usize, w: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, FH: i32, FW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  OH: i32, OW: i32, col: usize, chunk: i32, work: usize, qStart: i32, qEnd: i32,
): void {
  const NOHW = N * OH * OW;
  const CFF = C * FH * FW;
  for (let k = 0; k < K; k++) {
    const row = dy + ((<usize>k * NOHW) << 2);
    let s = f32x4.splat(0);
    let j = qStart;
    for (; j + 4 <= qEnd; j += 4) s = f32x4.add(s, v128.load(row + (<usize>j << 2)));
    let t: f32 = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
    for (; j < qEnd; j++) t += load<f32>(row + (<usize>j << 2));
    const p = db + (<usize>k << 2);
    store<f32>(p, load<f32>(p) + t);
  }
  const direct = FH == 1 && FW == 1 && SH == 1 && SW == 1 && PH == 0 && PW == 0;
  for (let q0 = qStart; q0 < qEnd; q0 += chunk) {
    const qn = min(chunk, qEnd - q0);
    const dyc = dy + (<usize>q0 << 2);
    if (direct) {
      const xc = x + (<usize>q0 << 2);
      gemm(K, CFF, qn, dyc, NOHW, 1, xc, 1, NOHW, dw, CFF, 1, work);
      if (dx != 0) gemm(CFF, qn, K, w, 1, CFF, dyc, NOHW, 1, dx + (<usize>q0 << 2), NOHW, 1, work);
    } else {
      im2col(col, x, q0, qn, N, C, H, W, FH, FW, SH, SW, PH, PW, OH, OW);
      gemm(K, CFF, qn, dyc, NOHW, 1, col, 1, qn, dw, CFF, 1, work);
      if (dx != 0) {
        gemm(CFF, qn, K, w, 1, CFF, dyc, NOHW, 1, col, qn, 0, work);
        col2im(dx, col, q0, qn, N, C, H, W, FH, FW, SH, SW, PH, PW, OH, OW);
      }
    }
  }
}

/** wT[C][K][FH][FW] = w[K][C][FH-1-i][FW-1-j]: the filters of the transposed convolution. */
export function flipWeights(wT: usize, w: usize, K: i32, C: i32, FH: i32, FW: i32): void {
  for (let k = 0; k < K; k++) {
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < FH; i++) {
        for (let j = 0; j < FW; j++) {
          const src = w + ((<usize>(((k * C + c) * FH + i) * FW + j)) << 2);
          const dst = wT + ((<usize>(((c * K + k) * FH + (FH - 1 - i)) * FW + (FW - 1 - j))) << 2);
          store<f32>(dst, load<f32>(src));
        }
      }
    }
  }
}

/**
 * dx[C][N][H][W] += the input gradient of a stride-1 convolution, computed as a convolution of
 * dy[K][N][OH][OW] (padded by FH-1-PH, FW-1-PW) with the flipped filters wT (flipWeights), over the dx
 * columns [qStart, qEnd). Needs PH < FH and PW < FW. Same work as col2im(wᵀ·dy), but the GEMM has the
 * long FH·FW·K inner dimension of a forward pass and nothing is scattered.
 */
export function convBackwardData(
  dx: usize, dy: usize, wT: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, FH: i32, FW: i32, PH: i32, PW: i32,
  OH: i32, OW: i32, col: usize, chunk: i32, work: usize, qStart: i32, qEnd: i32,
): void {
  const NHW = N * H * W;
  const KFF = K * FH * FW;
  for (let q0 = qStart; q0 < qEnd; q0 += chunk) {
    const qn = min(chunk, qEnd - q0);
    im2col(col, dy, q0, qn, N, K, OH, OW, FH, FW, 1, 1, FH - 1 - PH, FW - 1 - PW, H, W);
    gemm(C, qn, KFF, wT, KFF, 1, col, qn, 1, dx + (<usize>q0 << 2), NHW, 1, work);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Dense: y[N][U] = act(x[N][I] · w[U][I]ᵀ + b[U]).
// ---------------------------------------------------------------------------------------------------------

export function denseForward(y: usize, x: usize, w: usize, b: usize, N: i32, I: i32, U: i32, act: i32, work: usize): void {
  gemm(N, U, I, x, I, 1, w, 1, I, y, U, 0, work);
  biasActCols(y, b, N, U, act, 0);
}

/** dw[U][I] += dyᵀ·x, db[U] += Σ_n dy, dx[N][I] += dy·w (dx != 0). Apply the fused activation to dy first. */
export function denseBackward(dx: usize, dw: usize, db: usize, dy: usize, x: usize, w: usize, N: i32, I: i32, U: i32, work: usize): void {
  for (let n = 0; n < N; n++) {
    for (let u = 0; u < U; u++) {
      const p = db + (<usize>u << 2);
      store<f32>(p, load<f32>(p) + load<f32>(dy + ((<usize>(n * U + u)) << 2)));
    }
  }
  gemm(U, I, N, dy, 1, U, x, I, 1, dw, I, 1, work);
  if (dx != 0) gemm(N, I, U, dy, U, 1, w, I, 1, dx, I, 1, work);
}

// ---------------------------------------------------------------------------------------------------------
// Pooling over `planes` independent H×W planes (C·N of them in CNHW).
// ---------------------------------------------------------------------------------------------------------

/** y[P][OH][OW] = max over the window; arg[P][OH][OW] = flat index into x of the winner (padding never wins). */
export function maxPoolForward(
  y: usize, arg: usize, x: usize, planes: i32, H: i32, W: i32,
  FH: i32, FW: i32, SH: i32, SW: i32, PH: i32, PW: i32, OH: i32, OW: i32,
): void {
  const HW = H * W;
  let o: usize = 0;
  if (FH == 2 && FW == 2 && SH == 2 && SW == 2 && PH == 0 && PW == 0) {
    for (let p = 0; p < planes; p++) {
      const base = p * HW;
      for (let oh = 0; oh < OH; oh++) {
        const i0 = base + 2 * oh * W;
        const a = x + (<usize>i0 << 2);
        const b = a + (<usize>W << 2);
        let ow = 0;
        // Four windows at a time: de-interleave even and odd columns of both rows, keep max and index.
        const step8 = i32x4.splat(8);
        let ie = i32x4(i0, i0 + 2, i0 + 4, i0 + 6);
        for (; ow + 4 <= OW; ow += 4) {
          const off = <usize>(2 * ow) << 2;
          const a0 = v128.load(a + off);
          const a1 = v128.load(a + off, 16);
          const b0 = v128.load(b + off);
          const b1 = v128.load(b + off, 16);
          let m = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
          let idx = ie;
          let c = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
          let k = f32x4.gt(c, m);
          m = v128.bitselect(c, m, k);
          idx = v128.bitselect(i32x4.add(ie, i32x4.splat(1)), idx, k);
          c = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
          k = f32x4.gt(c, m);
          m = v128.bitselect(c, m, k);
          idx = v128.bitselect(i32x4.add(ie, i32x4.splat(W)), idx, k);
          c = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
          k = f32x4.gt(c, m);
          m = v128.bitselect(c, m, k);
          idx = v128.bitselect(i32x4.add(ie, i32x4.splat(W + 1)), idx, k);
          v128.store(y + (o << 2), m);
          v128.store(arg + (o << 2), idx);
          ie = i32x4.add(ie, step8);
          o += 4;
        }
        for (; ow < OW; ow++) {
          const off = <usize>(2 * ow) << 2;
          let best = load<f32>(a + off);
          let bi = i0 + 2 * ow;
          let v = load<f32>(a + off, 4);
          if (v > best) { best = v; bi = i0 + 2 * ow + 1; }
          v = load<f32>(b + off);
          if (v > best) { best = v; bi = i0 + W + 2 * ow; }
          v = load<f32>(b + off, 4);
          if (v > best) { best = v; bi = i0 + W + 2 * ow + 1; }
          store<f32>(y + (o << 2), best);
          store<i32>(arg + (o << 2), bi);
          o++;
        }
      }
    }
    return;
  }
  for (let p = 0; p < planes; p++) {
    const base = p * HW;
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * SH - PH;
      const hs = max(h0, 0), he = min(h0 + FH, H);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * SW - PW;
        const ws = max(w0, 0), we = min(w0 + FW, W);
        let best: f32 = -Infinity;
        let bi = base + hs * W + ws;
        for (let h = hs; h < he; h++) {
          for (let ww = ws; ww < we; ww++) {
            const idx = base + h * W + ww;
            const v = load<f32>(x + (<usize>idx << 2));
            if (v > best) {
              best = v;
              bi = idx;
            }
          }
        }
        store<f32>(y + (o << 2), best);
        store<i32>(arg + (o << 2), bi);
        o++;
      }
    }
  }
}

/** dx[arg[o]] += dy[o]. */
export function maxPoolBackward(dx: usize, dy: usize, arg: usize, len: i32): void {
  for (let o = 0; o < len; o++) {
    const i = <usize>load<i32>(arg + (<usize>o << 2));
    const d = dx + (i << 2);
    store<f32>(d, load<f32>(d) + load<f32>(dy + (<usize>o << 2)));
  }
}

/** y = window sum / (FH·FW): padding zeros count (PyTorch's count_include_pad=True). */
export function avgPoolForward(
  y: usize, x: usize, planes: i32, H: i32, W: i32,
  FH: i32, FW: i32, SH: i32, SW: i32, PH: i32, PW: i32, OH: i32, OW: i32,
): void {
  const HW = H * W;
  const inv: f32 = <f32>1 / <f32>(FH * FW);
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const base = x + ((<usize>p * HW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * SH - PH;
      const hs = max(h0, 0), he = min(h0 + FH, H);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * SW - PW;
        const ws = max(w0, 0), we = min(w0 + FW, W);
        let s: f32 = 0;
        for (let h = hs; h < he; h++) {
          for (let ww = ws; ww < we; ww++) s += load<f32>(base + ((<usize>(h * W + ww)) << 2));
        }
        store<f32>(y + (o << 2), s * inv);
        o++;
      }
    }
  }
}

export function avgPoolBackward(
  dx: usize, dy: usize, planes: i32, H: i32, W: i32,
  FH: i32, FW: i32, SH: i32, SW: i32, PH: i32, PW: i32, OH: i32, OW: i32,
): void {
  const HW = H * W;
  const inv: f32 = <f32>1 / <f32>(FH * FW);
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const base = dx + ((<usize>p * HW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * SH - PH;
      const hs = max(h0, 0), he = min(h0 + FH, H);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * SW - PW;
        const ws = max(w0, 0), we = min(w0 + FW, W);
        const g = load<f32>(dy + (o << 2)) * inv;
        for (let h = hs; h < he; h++) {
          for (let ww = ws; ww < we; ww++) {
            const d = base + ((<usize>(h * W + ww)) << 2);
            store<f32>(d, load<f32>(d) + g);
          }
        }
        o++;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Layout changes.
// ---------------------------------------------------------------------------------------------------------

/** dst[C][N][HW] = src[N][HW][C] (the data loaders' NHWC into the engine's CNHW). */
export function nhwcToCnhw(dst: usize, src: usize, N: i32, HW: i32, C: i32): void {
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      let d = dst + ((<usize>(c * N + n) * HW) << 2);
      let s = src + ((<usize>n * HW * C + c) << 2);
      const step = <usize>C << 2;
      for (let i = 0; i < HW; i++) {
        store<f32>(d, load<f32>(s));
        d += 4;
        s += step;
      }
    }
  }
}

/** y[N][C·HW] = x[C][N][HW] (PyTorch's flatten order per sample). */
export function flattenForward(y: usize, x: usize, N: i32, C: i32, HW: i32): void {
  for (let c = 0; c < C; c++) {
    for (let n = 0; n < N; n++) {
      memory.copy(y + ((<usize>(n * C + c) * HW) << 2), x + ((<usize>(c * N + n) * HW) << 2), <usize>HW << 2);
    }
  }
}

/** dx[C][N][HW] += dy[N][C·HW]. */
export function flattenBackward(dx: usize, dy: usize, N: i32, C: i32, HW: i32): void {
  for (let c = 0; c < C; c++) {
    for (let n = 0; n < N; n++) {
      const d = dx + ((<usize>(c * N + n) * HW) << 2);
      const s = dy + ((<usize>(n * C + c) * HW) << 2);
      for (let i = 0; i < HW; i++) {
        const o = <usize>i << 2;
        store<f32>(d + o, load<f32>(d + o) + load<f32>(s + o));
      }
    }
  }
}
