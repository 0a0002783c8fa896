// Direct convolution for layers with few input channels (a network's first layer: 1 or 3), stride 1,
// undilated, ungrouped (kernels.ts is the module entry). With C = 1 or 3, im2col copies each input value
// FH·FW times for a GEMM whose inner side is only C·FH·FW long; here each output row is computed straight
// from zero-padded input rows instead: eight outputs (two vectors) of four filters at a time, each filter
// tap one broadcast weight times two unaligned loads of the input row.

import { biasActRows } from './activation';
import { fma } from './gemm';

/** Floats of scratch per thread: one sample's input, zero-padded (rows of width W + 2·PW + 8, for the loads past the end). */
export function directScratchFloats(C: i32, H: i32, W: i32, PH: i32, PW: i32): i32 {
  return C * (H + 2 * PH) * (W + 2 * PW + 8);
}

/**
 * y[K][N][OH][OW] = act(conv(x[C][N][H][W], w[K][C][FH][FW], stride 1, padding PH, PW) + b[K]) for the
 * samples [nStart, nEnd). scratch: directScratchFloats(C, H, W, PH, PW) floats.
 */
export function directConvForward(
  y: usize, x: usize, w: usize, b: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, FH: i32, FW: i32, PH: i32, PW: i32, OH: i32, OW: i32,
  act: i32, scratch: usize, nStart: i32, nEnd: i32,
): void {
  const PHt = H + 2 * PH;
  const rowW = W + 2 * PW + 8;
  const HW = H * W;
  const NHW = N * HW;
  const OHOW = OH * OW;
  const NOHW = N * OHOW;
  const CFF = C * FH * FW;
  const rs = <usize>rowW << 2;
  const fused = act == 0 || act == 1;
  const relu = act == 1;
  for (let n = nStart; n < nEnd; n++) {
    // The sample's input planes, zero-padded.
    memory.fill(scratch, 0, <usize>(C * PHt * rowW) << 2);
    for (let c = 0; c < C; c++) {
      const plane = x + ((<usize>c * NHW + <usize>n * HW) << 2);
      for (let i = 0; i < H; i++) {
        memory.copy(scratch + ((<usize>((c * PHt + PH + i) * rowW + PW)) << 2), plane + ((<usize>i * W) << 2), <usize>W << 2);
      }
    }
    // Blocks of four filters, or of three where that covers K exactly and four would not (LeNet's 6).
    const KB = K % 4 != 0 && K % 3 == 0 ? 3 : 4;
    const ks = <usize>NOHW << 2;
    for (let k0 = 0; k0 < K; k0 += KB) {
      const kn = min(KB, K - k0);
      // Bias and ReLU as the outputs are stored (a pass of their own over y costs a fifth of the layer); the
      // other activations after the sample.
      const bp = fused && b != 0 ? b + (<usize>k0 << 2) : 0;
      // Weights of filters past K read filter k0's (their outputs are not stored).
      const w0 = w + ((<usize>k0 * CFF) << 2);
      const w1 = kn > 1 ? w0 + (<usize>CFF << 2) : w0;
      const w2 = kn > 2 ? w0 + (<usize>(2 * CFF) << 2) : w0;
      const w3 = kn > 3 ? w0 + (<usize>(3 * CFF) << 2) : w0;
      for (let oy = 0; oy < OH; oy++) {
        const src = scratch + ((<usize>(oy * rowW)) << 2);
        const out = y + ((<usize>k0 * NOHW + <usize>n * OHOW + <usize>oy * OW) << 2);
        let ox = 0;
        // Eight outputs a block while they last, then one block of four (the last one to three are stored from
        // it alone): a row of 10 costs 12 outputs' work, not 16.
        for (; ox + 4 < OW; ox += 8) {
          if (KB == 3) block8x3(out + (<usize>ox << 2), ks, kn, bp, relu, src + (<usize>ox << 2), w0, w1, w2, C, FH, FW, PHt, rs, OW - ox);
          else block8x4(out + (<usize>ox << 2), ks, kn, bp, relu, src + (<usize>ox << 2), w0, w1, w2, w3, C, FH, FW, PHt, rs, OW - ox);
        }
        if (ox < OW) block4(out + (<usize>ox << 2), ks, kn, bp, relu, src + (<usize>ox << 2), w0, w1, w2, w3, C, FH, FW, PHt, rs, OW - ox);
      }
    }
    if (!fused) biasActRows(y + ((<usize>n * OHOW) << 2), b, K, OHOW, NOHW, act, 0);
  }
}

/**
 * Eight outputs (count of them stored, up to 8) of four filters (kn of them stored), at out, out + ks, …, from
 * the padded input rows at src (channel c's first row at src + c·PHt rows): each tap one broadcast weight per
 * filter times two unaligned loads of the row.
 */
function block8x4(out: usize, ks: usize, kn: i32, bp: usize, relu: bool, src: usize, w0: usize, w1: usize, w2: usize, w3: usize, C: i32, FH: i32, FW: i32, PHt: i32, rs: usize, count: i32): void {
  let a0 = f32x4.splat(0), b0 = f32x4.splat(0), a1 = f32x4.splat(0), b1 = f32x4.splat(0);
  let a2 = f32x4.splat(0), b2 = f32x4.splat(0), a3 = f32x4.splat(0), b3 = f32x4.splat(0);
  let t: usize = 0; // tap index c·FH·FW + fy·FW + fx, in bytes
  for (let c = 0; c < C; c++) {
    let row = src + <usize>(c * PHt) * rs;
    for (let fy = 0; fy < FH; fy++) {
      for (let fx = 0; fx < FW; fx++) {
        const p = row + (<usize>fx << 2);
        const x0 = v128.load(p), x1 = v128.load(p, 16);
        const v0 = v128.load32_splat(w0 + t), v1 = v128.load32_splat(w1 + t);
        const v2 = v128.load32_splat(w2 + t), v3 = v128.load32_splat(w3 + t);
        a0 = fma(v0, x0, a0); b0 = fma(v0, x1, b0);
        a1 = fma(v1, x0, a1); b1 = fma(v1, x1, b1);
        a2 = fma(v2, x0, a2); b2 = fma(v2, x1, b2);
        a3 = fma(v3, x0, a3); b3 = fma(v3, x1, b3);
        t += 4;
      }
      row += rs;
    }
  }
  store8(out, a0, b0, count, bias(bp, 0), relu);
  if (kn > 1) store8(out + ks, a1, b1, count, bias(bp, 1), relu);
  if (kn > 2) store8(out + 2 * ks, a2, b2, count, bias(bp, 2), relu);
  if (kn > 3) store8(out + 3 * ks, a3, b3, count, bias(bp, 3), relu);
}

/** block8x4 for three filters (six accumulators; no fourth filter's multiplies to throw away). */
function block8x3(out: usize, ks: usize, kn: i32, bp: usize, relu: bool, src: usize, w0: usize, w1: usize, w2: usize, C: i32, FH: i32, FW: i32, PHt: i32, rs: usize, count: i32): void {
  let a0 = f32x4.splat(0), b0 = f32x4.splat(0), a1 = f32x4.splat(0), b1 = f32x4.splat(0);
  let a2 = f32x4.splat(0), b2 = f32x4.splat(0);
  let t: usize = 0;
  for (let c = 0; c < C; c++) {
    let row = src + <usize>(c * PHt) * rs;
    for (let fy = 0; fy < FH; fy++) {
      for (let fx = 0; fx < FW; fx++) {
        const p = row + (<usize>fx << 2);
        const x0 = v128.load(p), x1 = v128.load(p, 16);
        const v0 = v128.load32_splat(w0 + t), v1 = v128.load32_splat(w1 + t), v2 = v128.load32_splat(w2 + t);
        a0 = fma(v0, x0, a0); b0 = fma(v0, x1, b0);
        a1 = fma(v1, x0, a1); b1 = fma(v1, x1, b1);
        a2 = fma(v2, x0, a2); b2 = fma(v2, x1, b2);
        t += 4;
      }
      row += rs;
    }
  }
  store8(out, a0, b0, count, bias(bp, 0), relu);
  if (kn > 1) store8(out + ks, a1, b1, count, bias(bp, 1), relu);
  if (kn > 2) store8(out + 2 * ks, a2, b2, count, bias(bp, 2), relu);
}

/** Four outputs (count of them stored, up to 4) of up to four filters: a row's tail. */
function block4(out: usize, ks: usize, kn: i32, bp: usize, relu: bool, src: usize, w0: usize, w1: usize, w2: usize, w3: usize, C: i32, FH: i32, FW: i32, PHt: i32, rs: usize, count: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let t: usize = 0;
  for (let c = 0; c < C; c++) {
    let row = src + <usize>(c * PHt) * rs;
    for (let fy = 0; fy < FH; fy++) {
      for (let fx = 0; fx < FW; fx++) {
        const x0 = v128.load(row + (<usize>fx << 2));
        a0 = fma(v128.load32_splat(w0 + t), x0, a0);
        a1 = fma(v128.load32_splat(w1 + t), x0, a1);
        a2 = fma(v128.load32_splat(w2 + t), x0, a2);
        a3 = fma(v128.load32_splat(w3 + t), x0, a3);
        t += 4;
      }
      row += rs;
    }
  }
  store8(out, a0, a0, min(4, count), bias(bp, 0), relu);
  if (kn > 1) store8(out + ks, a1, a1, min(4, count), bias(bp, 1), relu);
  if (kn > 2) store8(out + 2 * ks, a2, a2, min(4, count), bias(bp, 2), relu);
  if (kn > 3) store8(out + 3 * ks, a3, a3, min(4, count), bias(bp, 3), relu);
}

/** Filter i's bias of the block whose biases start at bp, as a vector (bp = 0: none). */
@inline function bias(bp: usize, i: i32): v128 {
  return f32x4.splat(bp != 0 ? load<f32>(bp + (<usize>i << 2)) : 0);
}

/** Stores lo ‖ hi plus the bias bv (then ReLU'd) at p: all 8 when count ≥ 8, else the first `count`. */
@inline function store8(p: usize, lo: v128, hi: v128, count: i32, bv: v128, relu: bool): void {
  lo = f32x4.add(lo, bv);
  hi = f32x4.add(hi, bv);
  if (relu) {
    lo = f32x4.max(lo, f32x4.splat(0));
    hi = f32x4.max(hi, f32x4.splat(0));
  }
  if (count >= 8) {
    v128.store(p, lo);
    v128.store(p, hi, 16);
    return;
  }
  if (count >= 4) {
    v128.store(p, lo);
  } else {
    if (count > 0) store<f32>(p, f32x4.extract_lane(lo, 0));
    if (count > 1) store<f32>(p, f32x4.extract_lane(lo, 1), 4);
    if (count > 2) store<f32>(p, f32x4.extract_lane(lo, 2), 8);
    return;
  }
  if (count > 4) store<f32>(p, f32x4.extract_lane(hi, 0), 16);
  if (count > 5) store<f32>(p, f32x4.extract_lane(hi, 1), 20);
  if (count > 6) store<f32>(p, f32x4.extract_lane(hi, 2), 24);
}
