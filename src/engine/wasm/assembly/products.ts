// Small matrix products without packing (kernels.ts is the module entry): M = U · V for a U of few rows and a
// short inner side, as Winograd's per-position products (K×C by C×tiles) and a strided or 1×1 convolution's
// im2col GEMM (K×C·FH·FW by C·FH·FW×columns) have. The general GEMM (gemm.ts) packs both operands into panels,
// which pays off when each packed value is used many times; here U has so few rows that the copies cost as
// much as the products, and V is fresh in cache, so both are read as they lie.

import { fma } from './gemm';

/**
 * M[k][t] = Σ_c U[k][c] · V[c][t] for k < K, t < T (U: K×C row-major; rows of V are ldv floats apart, of M ldm).
 * Blocks of 4 rows (or 5, where that covers K exactly and 4 would not: TinyVGG's 10) × 8 columns: each step
 * of c loads two vectors of V and splats one value of U per row. A last, partial block repeats its first row
 * in the missing ones (the same values stored twice, in place of slow single-row loops); columns past the
 * last multiple of 4 one by one.
 */
export function smallProducts(M: usize, ldm: i32, U: usize, V: usize, ldv: i32, K: i32, C: i32, T: i32): void {
  const ts = <usize>ldv << 2;
  const ms = <usize>ldm << 2;
  const cs = <usize>C << 2;
  const T4 = T & ~3;
  const RB = K % 4 != 0 && K % 5 == 0 ? 5 : 4;
  for (let k = 0; k < K; k += RB) {
    const kn = min(RB, K - k);
    const u0 = U + <usize>k * cs;
    const m0 = M + <usize>k * ms;
    const u1 = kn > 1 ? u0 + cs : u0, m1 = kn > 1 ? m0 + ms : m0;
    const u2 = kn > 2 ? u0 + 2 * cs : u0, m2 = kn > 2 ? m0 + 2 * ms : m0;
    const u3 = kn > 3 ? u0 + 3 * cs : u0, m3 = kn > 3 ? m0 + 3 * ms : m0;
    if (RB == 5) {
      const u4 = kn > 4 ? u0 + 4 * cs : u0, m4 = kn > 4 ? m0 + 4 * ms : m0;
      rows5(m0, m1, m2, m3, m4, u0, u1, u2, u3, u4, V, cs, ts, T4);
    } else rows4(m0, m1, m2, m3, u0, u1, u2, u3, V, cs, ts, T4);
  }
  for (let t = T4; t < T; t++) {
    for (let k = 0; k < K; k++) {
      const u = U + <usize>k * cs;
      let v = V + (<usize>t << 2);
      let a: f32 = 0;
      for (let c: usize = 0; c < cs; c += 4) {
        a += load<f32>(u + c) * load<f32>(v);
        v += ts;
      }
      store<f32>(M + <usize>k * ms + (<usize>t << 2), a);
    }
  }
}

/** Four rows of smallProducts: rows u0…u3 of U into m0…m3, 8 columns a step, then a last 4 when Tc needs it (Tc a multiple of 4; V's rows ts bytes apart). */
function rows4(m0: usize, m1: usize, m2: usize, m3: usize, u0: usize, u1: usize, u2: usize, u3: usize, V: usize, cs: usize, ts: usize, Tc: i32): void {
  const T8 = Tc & ~7;
  for (let t = 0; t < T8; t += 8) {
    let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
    let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
    let v = V + (<usize>t << 2);
    for (let c: usize = 0; c < cs; c += 4) {
      const x0 = v128.load(v), x1 = v128.load(v, 16);
      const w0 = v128.load32_splat(u0 + c), w1 = v128.load32_splat(u1 + c);
      a00 = fma(w0, x0, a00); a01 = fma(w0, x1, a01);
      a10 = fma(w1, x0, a10); a11 = fma(w1, x1, a11);
      const w2 = v128.load32_splat(u2 + c), w3 = v128.load32_splat(u3 + c);
      a20 = fma(w2, x0, a20); a21 = fma(w2, x1, a21);
      a30 = fma(w3, x0, a30); a31 = fma(w3, x1, a31);
      v += ts;
    }
    const o = <usize>t << 2;
    v128.store(m0 + o, a00); v128.store(m0 + o, a01, 16);
    v128.store(m1 + o, a10); v128.store(m1 + o, a11, 16);
    v128.store(m2 + o, a20); v128.store(m2 + o, a21, 16);
    v128.store(m3 + o, a30); v128.store(m3 + o, a31, 16);
  }
  if (T8 < Tc) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let v = V + (<usize>T8 << 2);
    for (let c: usize = 0; c < cs; c += 4) {
      const x0 = v128.load(v);
      a0 = fma(v128.load32_splat(u0 + c), x0, a0);
      a1 = fma(v128.load32_splat(u1 + c), x0, a1);
      a2 = fma(v128.load32_splat(u2 + c), x0, a2);
      a3 = fma(v128.load32_splat(u3 + c), x0, a3);
      v += ts;
    }
    const o = <usize>T8 << 2;
    v128.store(m0 + o, a0); v128.store(m1 + o, a1); v128.store(m2 + o, a2); v128.store(m3 + o, a3);
  }
}

/** rows4 for five filters (ten accumulators). */
function rows5(m0: usize, m1: usize, m2: usize, m3: usize, m4: usize, u0: usize, u1: usize, u2: usize, u3: usize, u4: usize, V: usize, cs: usize, ts: usize, Tc: i32): void {
  const T8 = Tc & ~7;
  for (let t = 0; t < T8; t += 8) {
    let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
    let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
    let a40 = f32x4.splat(0), a41 = f32x4.splat(0);
    let v = V + (<usize>t << 2);
    for (let c: usize = 0; c < cs; c += 4) {
      const x0 = v128.load(v), x1 = v128.load(v, 16);
      const w0 = v128.load32_splat(u0 + c), w1 = v128.load32_splat(u1 + c);
      a00 = fma(w0, x0, a00); a01 = fma(w0, x1, a01);
      a10 = fma(w1, x0, a10); a11 = fma(w1, x1, a11);
      const w2 = v128.load32_splat(u2 + c), w3 = v128.load32_splat(u3 + c);
      a20 = fma(w2, x0, a20); a21 = fma(w2, x1, a21);
      a30 = fma(w3, x0, a30); a31 = fma(w3, x1, a31);
      const w4 = v128.load32_splat(u4 + c);
      a40 = fma(w4, x0, a40); a41 = fma(w4, x1, a41);
      v += ts;
    }
    const o = <usize>t << 2;
    v128.store(m0 + o, a00); v128.store(m0 + o, a01, 16);
    v128.store(m1 + o, a10); v128.store(m1 + o, a11, 16);
    v128.store(m2 + o, a20); v128.store(m2 + o, a21, 16);
    v128.store(m3 + o, a30); v128.store(m3 + o, a31, 16);
    v128.store(m4 + o, a40); v128.store(m4 + o, a41, 16);
  }
  if (T8 < Tc) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0), a4 = f32x4.splat(0);
    let v = V + (<usize>T8 << 2);
    for (let c: usize = 0; c < cs; c += 4) {
      const x0 = v128.load(v);
      a0 = fma(v128.load32_splat(u0 + c), x0, a0);
      a1 = fma(v128.load32_splat(u1 + c), x0, a1);
      a2 = fma(v128.load32_splat(u2 + c), x0, a2);
      a3 = fma(v128.load32_splat(u3 + c), x0, a3);
      a4 = fma(v128.load32_splat(u4 + c), x0, a4);
      v += ts;
    }
    const o = <usize>T8 << 2;
    v128.store(m0 + o, a0); v128.store(m1 + o, a1); v128.store(m2 + o, a2); v128.store(m3 + o, a3); v128.store(m4 + o, a4);
  }
}
