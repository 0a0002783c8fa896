// Depthwise convolution (groups = C, K = M·C filters of one input plane each) as direct kernels
// (kernels.ts is the module entry): im2col + GEMM would run K/G = M-row GEMMs, mostly padding. Each input
// plane x[c][n] is copied once into a zero-padded scratch plane, so the inner loops have no bounds checks:
// forward keeps 16 outputs of a row in four f32x4 accumulators across the FH·FW taps; the input gradient of
// a stride-1 layer is the same correlation of the padded dy with the flipped filter, and of a strided one a
// scatter; the filter gradient is one shifted dot product per tap. Threads take ranges of input channels
// [cLo, cHi), which own disjoint outputs, filters and input gradients.

import { fma } from './gemm';
import { biasActRows } from './activation';

/** Zeroes floats [a, b) of a row (SIMD stores, then single ones). */
@inline function zeroRange(row: usize, a: i32, b: i32): void {
  const z = f32x4.splat(0);
  let i = a;
  for (; i + 4 <= b; i += 4) v128.store(row + (<usize>i << 2), z);
  for (; i < b; i++) store<f32>(row + (<usize>i << 2), 0);
}

/**
 * P[Hp][Wp] (+ 8 floats of zeros after) = src[H][W] placed at row `top`, column `left`, zero elsewhere;
 * rows and columns that fall outside P are dropped. Plain SIMD loops: planes are small, and a bulk memory
 * call per row costs more than the row.
 */
function padPlane(P: usize, src: usize, H: i32, W: i32, Hp: i32, Wp: i32, top: i32, left: i32): void {
  const c0 = max(0, -left);
  const c1 = max(c0, min(W, Wp - left));
  for (let r = 0; r < Hp; r++) {
    const row = P + ((<usize>r * Wp) << 2);
    const h = r - top;
    if (h < 0 || h >= H || c1 == c0) {
      zeroRange(row, 0, Wp);
      continue;
    }
    zeroRange(row, 0, left + c0);
    const s = src + ((<usize>(h * W + c0)) << 2);
    const d = row + ((<usize>(left + c0)) << 2);
    const n = c1 - c0;
    let i = 0;
    for (; i + 4 <= n; i += 4) v128.store(d + (<usize>i << 2), v128.load(s + (<usize>i << 2)));
    for (; i < n; i++) store<f32>(d + (<usize>i << 2), load<f32>(s + (<usize>i << 2)));
    zeroRange(row, left + c1, Wp);
  }
  zeroRange(P + ((<usize>Hp * Wp) << 2), 0, 8);
}

/** Four floats from a row read with stride 1 or 2 (the even lanes of eight). */
@inline function load4(p: usize, SW: i32): v128 {
  if (SW == 1) return v128.load(p);
  return v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
}

/**
 * out[OH][OW] (=, or += when acc) Σ_{i,j} f(i,j) · P[oh·SH + i·DH][ow·SW + j·DW] over a padded plane P with
 * rows of Wp floats, where f(i,j) = wk[i][j], or wk[FH-1-i][FW-1-j] when flip. Inlined into one function
 * per column stride (1, 2, any), so that the stride is a constant in the inner loops.
 */
@inline function correlateStrided(
  out: usize, P: usize, Wp: i32, OH: i32, OW: i32, wk: usize,
  FH: i32, FW: i32, SH: i32, SW: i32, DH: i32, DW: i32, flip: bool, acc: bool,
): void {
  const wstep: isize = flip ? -4 : 4;
  const simd = SW == 1 || SW == 2;
  const vstep = <usize>(4 * SW) << 2;
  for (let oh = 0; oh < OH; oh++) {
    const rowBase = P + ((<usize>(oh * SH) * Wp) << 2);
    const orow = out + ((<usize>oh * OW) << 2);
    let ow = 0;
    if (simd) {
      for (; ow + 16 <= OW; ow += 16) {
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
        for (let i = 0; i < FH; i++) {
          let s = rowBase + ((<usize>(i * DH * Wp + ow * SW)) << 2);
          let wp = flip ? wk + ((<usize>((FH - 1 - i) * FW + FW - 1)) << 2) : wk + ((<usize>(i * FW)) << 2);
          for (let j = 0; j < FW; j++) {
            const wv = v128.load32_splat(wp);
            a0 = fma(load4(s, SW), wv, a0);
            a1 = fma(load4(s + vstep, SW), wv, a1);
            a2 = fma(load4(s + 2 * vstep, SW), wv, a2);
            a3 = fma(load4(s + 3 * vstep, SW), wv, a3);
            s += <usize>DW << 2;
            wp += wstep;
          }
        }
        const o = orow + (<usize>ow << 2);
        if (acc) {
          a0 = f32x4.add(a0, v128.load(o));
          a1 = f32x4.add(a1, v128.load(o, 16));
          a2 = f32x4.add(a2, v128.load(o, 32));
          a3 = f32x4.add(a3, v128.load(o, 48));
        }
        v128.store(o, a0);
        v128.store(o, a1, 16);
        v128.store(o, a2, 32);
        v128.store(o, a3, 48);
      }
      for (; ow + 4 <= OW; ow += 4) {
        let a0 = f32x4.splat(0);
        for (let i = 0; i < FH; i++) {
          let s = rowBase + ((<usize>(i * DH * Wp + ow * SW)) << 2);
          let wp = flip ? wk + ((<usize>((FH - 1 - i) * FW + FW - 1)) << 2) : wk + ((<usize>(i * FW)) << 2);
          for (let j = 0; j < FW; j++) {
            a0 = fma(load4(s, SW), v128.load32_splat(wp), a0);
            s += <usize>DW << 2;
            wp += wstep;
          }
        }
        const o = orow + (<usize>ow << 2);
        if (acc) a0 = f32x4.add(a0, v128.load(o));
        v128.store(o, a0);
      }
    }
    for (; ow < OW; ow++) {
      let t: f32 = 0;
      for (let i = 0; i < FH; i++) {
        let s = rowBase + ((<usize>(i * DH * Wp + ow * SW)) << 2);
        let wp = flip ? wk + ((<usize>((FH - 1 - i) * FW + FW - 1)) << 2) : wk + ((<usize>(i * FW)) << 2);
        for (let j = 0; j < FW; j++) {
          t += load<f32>(s) * load<f32>(wp);
          s += <usize>DW << 2;
          wp += wstep;
        }
      }
      const o = orow + (<usize>ow << 2);
      store<f32>(o, acc ? load<f32>(o) + t : t);
    }
  }
}

function correlate(
  out: usize, P: usize, Wp: i32, OH: i32, OW: i32, wk: usize,
  FH: i32, FW: i32, SH: i32, SW: i32, DH: i32, DW: i32, flip: bool, acc: bool,
): void {
  if (SW == 1) correlateStrided(out, P, Wp, OH, OW, wk, FH, FW, SH, 1, DH, DW, flip, acc);
  else if (SW == 2) correlateStrided(out, P, Wp, OH, OW, wk, FH, FW, SH, 2, DH, DW, flip, acc);
  else correlateStrided(out, P, Wp, OH, OW, wk, FH, FW, SH, SW, DH, DW, flip, acc);
}

/** Σ_{oh,ow} d[oh][ow] · P[oh·SH + r][ow·SW + s]: one tap's filter gradient (two accumulators). */
@inline function shiftedDotStrided(d: usize, P: usize, Wp: i32, OH: i32, OW: i32, r: i32, s: i32, SH: i32, SW: i32): f32 {
  let v = f32x4.splat(0);
  let u = f32x4.splat(0);
  let t: f32 = 0;
  const simd = SW == 1 || SW == 2;
  for (let oh = 0; oh < OH; oh++) {
    const prow = P + ((<usize>((oh * SH + r) * Wp + s)) << 2);
    const drow = d + ((<usize>oh * OW) << 2);
    let ow = 0;
    if (simd) {
      for (; ow + 8 <= OW; ow += 8) {
        v = fma(v128.load(drow + (<usize>ow << 2)), load4(prow + ((<usize>(ow * SW)) << 2), SW), v);
        u = fma(v128.load(drow + (<usize>ow << 2), 16), load4(prow + ((<usize>((ow + 4) * SW)) << 2), SW), u);
      }
      for (; ow + 4 <= OW; ow += 4) v = fma(v128.load(drow + (<usize>ow << 2)), load4(prow + ((<usize>(ow * SW)) << 2), SW), v);
    }
    for (; ow < OW; ow++) t += load<f32>(drow + (<usize>ow << 2)) * load<f32>(prow + ((<usize>(ow * SW)) << 2));
  }
  v = f32x4.add(v, u);
  return t + f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

function shiftedDot(d: usize, P: usize, Wp: i32, OH: i32, OW: i32, r: i32, s: i32, SH: i32, SW: i32): f32 {
  if (SW == 1) return shiftedDotStrided(d, P, Wp, OH, OW, r, s, SH, 1);
  if (SW == 2) return shiftedDotStrided(d, P, Wp, OH, OW, r, s, SH, 2);
  return shiftedDotStrided(d, P, Wp, OH, OW, r, s, SH, SW);
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/**
 * g[0..2] += shiftedDot at the three column taps 0, DW, 2·DW of filter row offset r (column stride 1): one
 * pass over d for three taps, each d vector loaded once.
 */
function shiftedDot3(g: usize, d: usize, P: usize, Wp: i32, OH: i32, OW: i32, r: i32, DW: i32, SH: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0);
  let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0);
  let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0;
  const s1 = <usize>DW << 2;
  const s2 = <usize>(2 * DW) << 2;
  for (let oh = 0; oh < OH; oh++) {
    const prow = P + ((<usize>((oh * SH + r) * Wp)) << 2);
    const drow = d + ((<usize>oh * OW) << 2);
    let ow = 0;
    for (; ow + 8 <= OW; ow += 8) {
      const o = <usize>ow << 2;
      const u = v128.load(drow + o);
      const v = v128.load(drow + o, 16);
      const p = prow + o;
      a0 = fma(u, v128.load(p), a0);
      b0 = fma(v, v128.load(p, 16), b0);
      a1 = fma(u, v128.load(p + s1), a1);
      b1 = fma(v, v128.load(p + s1, 16), b1);
      a2 = fma(u, v128.load(p + s2), a2);
      b2 = fma(v, v128.load(p + s2, 16), b2);
    }
    for (; ow + 4 <= OW; ow += 4) {
      const o = <usize>ow << 2;
      const u = v128.load(drow + o);
      const p = prow + o;
      a0 = fma(u, v128.load(p), a0);
      a1 = fma(u, v128.load(p + s1), a1);
      a2 = fma(u, v128.load(p + s2), a2);
    }
    for (; ow < OW; ow++) {
      const o = <usize>ow << 2;
      const u = load<f32>(drow + o);
      const p = prow + o;
      t0 += u * load<f32>(p);
      t1 += u * load<f32>(p + s1);
      t2 += u * load<f32>(p + s2);
    }
  }
  store<f32>(g, load<f32>(g) + t0 + hsum(f32x4.add(a0, b0)));
  store<f32>(g, load<f32>(g, 4) + t1 + hsum(f32x4.add(a1, b1)), 4);
  store<f32>(g, load<f32>(g, 8) + t2 + hsum(f32x4.add(a2, b2)), 8);
}

/** Σ of len floats (four SIMD accumulators). */
function planeSum(p: usize, len: i32): f32 {
  let a = f32x4.splat(0), b = f32x4.splat(0), c = f32x4.splat(0), e = f32x4.splat(0);
  let i = 0;
  for (; i + 16 <= len; i += 16) {
    const q = p + (<usize>i << 2);
    a = f32x4.add(a, v128.load(q));
    b = f32x4.add(b, v128.load(q, 16));
    c = f32x4.add(c, v128.load(q, 32));
    e = f32x4.add(e, v128.load(q, 48));
  }
  for (; i + 4 <= len; i += 4) a = f32x4.add(a, v128.load(p + (<usize>i << 2)));
  let t: f32 = 0;
  for (; i < len; i++) t += load<f32>(p + (<usize>i << 2));
  a = f32x4.add(f32x4.add(a, b), f32x4.add(c, e));
  return t + f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3);
}

/** Padded plane size of a depthwise layer: rows (high) and columns (low) that its windows touch. */
@inline function paddedRows(OH: i32, SH: i32, FH: i32, DH: i32): i32 {
  return (OH - 1) * SH + (FH - 1) * DH + 1;
}

/** Floats of scratch a depthwise layer needs per thread (forward and backward). */
export function depthwiseScratchFloats(H: i32, W: i32, FH: i32, FW: i32, SH: i32, SW: i32, DH: i32, DW: i32, OH: i32, OW: i32): i32 {
  const fwd = paddedRows(OH, SH, FH, DH) * paddedRows(OW, SW, FW, DW) + 8;
  const tr = (H + (FH - 1) * DH) * (W + (FW - 1) * DW) + 8;
  return fwd + max(fwd, tr) + 8;
}

/**
 * y[K][N][OH][OW] = act(b[k] + Σ_{i,j} w[k][0][i][j] · x[k / M][n][oh·SH + i·DH - PH][ow·SW + j·DW - PW]),
 * K = M·C, for the input channels [cLo, cHi). scratch: depthwiseScratchFloats() floats.
 */
export function depthwiseForward(
  y: usize, x: usize, w: usize, b: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, FH: i32, FW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  DH: i32, DW: i32, OH: i32, OW: i32, act: i32, scratch: usize, cLo: i32, cHi: i32,
): void {
  const M = K / C;
  const Hp = paddedRows(OH, SH, FH, DH);
  const Wp = paddedRows(OW, SW, FW, DW);
  const HW = H * W;
  const OHOW = OH * OW;
  for (let c = cLo; c < cHi; c++) {
    for (let n = 0; n < N; n++) {
      padPlane(scratch, x + ((<usize>(c * N + n) * HW) << 2), H, W, Hp, Wp, PH, PW);
      for (let k = c * M; k < (c + 1) * M; k++) {
        const out = y + ((<usize>(k * N + n) * OHOW) << 2);
        correlate(out, scratch, Wp, OH, OW, w + ((<usize>(k * FH * FW)) << 2), FH, FW, SH, SW, DH, DW, false, false);
      }
    }
  }
  const NOHW = N * OHOW;
  biasActRows(y + ((<usize>cLo * M * NOHW) << 2), b + ((<usize>cLo * M) << 2), (cHi - cLo) * M, NOHW, NOHW, act, 0);
}

/**
 * Q[oh·SH + i·DH][ow·SW + j·DW] += w[i][j] · d[oh][ow] over a padded plane Q with rows of Wp floats: the input
 * gradient of a strided layer. With column stride 2, four outputs at a time, spread over eight columns.
 */
function scatter(Q: usize, Wp: i32, d: usize, OH: i32, OW: i32, wk: usize, FH: i32, FW: i32, SH: i32, SW: i32, DH: i32, DW: i32): void {
  const z = f32x4.splat(0);
  for (let oh = 0; oh < OH; oh++) {
    const drow = d + ((<usize>oh * OW) << 2);
    for (let i = 0; i < FH; i++) {
      const qrow = Q + ((<usize>((oh * SH + i * DH) * Wp)) << 2);
      for (let j = 0; j < FW; j++) {
        const wv = load<f32>(wk + ((<usize>(i * FW + j)) << 2));
        const base = qrow + ((<usize>(j * DW)) << 2);
        let ow = 0;
        if (SW == 2) {
          const ws = f32x4.splat(wv);
          for (; ow + 4 <= OW; ow += 4) {
            const g = f32x4.mul(v128.load(drow + (<usize>ow << 2)), ws);
            const q = base + (<usize>(2 * ow) << 2);
            v128.store(q, f32x4.add(v128.load(q), v128.shuffle<f32>(g, z, 0, 4, 1, 5)));
            v128.store(q, f32x4.add(v128.load(q, 16), v128.shuffle<f32>(g, z, 2, 6, 3, 7)), 16);
          }
        }
        for (; ow < OW; ow++) {
          const q = base + ((<usize>(ow * SW)) << 2);
          store<f32>(q, load<f32>(q) + wv * load<f32>(drow + (<usize>ow << 2)));
        }
      }
    }
  }
}

/**
 * Backward of depthwiseForward without its activation (apply activationBackwardInPlace to dy first), for the
 * input channels [cLo, cHi): dw += , db += and (dx != 0) dx += .
 */
export function depthwiseBackward(
  dx: usize, dw: usize, db: usize, dy: usize, x: usize, w: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, FH: i32, FW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  DH: i32, DW: i32, OH: i32, OW: i32, scratch: usize, cLo: i32, cHi: i32,
): void {
  const M = K / C;
  const Hp = paddedRows(OH, SH, FH, DH);
  const Wp = paddedRows(OW, SW, FW, DW);
  const HW = H * W;
  const OHOW = OH * OW;
  const FF = FH * FW;
  const P = scratch;
  const Q = scratch + ((<usize>(Hp * Wp) + 8) << 2);
  // The input gradient as a correlation of dy (padded by the filter's reach less PH, PW) with the flipped
  // filter: stride 1 and padding within the dilated filter only; otherwise scattered into Q.
  const TH = DH * (FH - 1) - PH;
  const TW = DW * (FW - 1) - PW;
  const gather = SH == 1 && SW == 1 && TH >= 0 && TW >= 0;
  const Hq = H + (FH - 1) * DH;
  const Wq = W + (FW - 1) * DW;
  for (let c = cLo; c < cHi; c++) {
    for (let n = 0; n < N; n++) {
      const xp = x + ((<usize>(c * N + n) * HW) << 2);
      const dxp = dx + ((<usize>(c * N + n) * HW) << 2);
      padPlane(P, xp, H, W, Hp, Wp, PH, PW);
      if (dx != 0 && !gather) memory.fill(Q, 0, (<usize>(Hp * Wp) + 8) << 2);
      for (let k = c * M; k < (c + 1) * M; k++) {
        const d = dy + ((<usize>(k * N + n) * OHOW) << 2);
        const wk = w + ((<usize>(k * FF)) << 2);
        const dwk = dw + ((<usize>(k * FF)) << 2);
        store<f32>(db + (<usize>k << 2), load<f32>(db + (<usize>k << 2)) + planeSum(d, OHOW));
        for (let i = 0; i < FH; i++) {
          if (FW == 3 && SW == 1) {
            shiftedDot3(dwk + ((<usize>(i * FW)) << 2), d, P, Wp, OH, OW, i * DH, DW, SH);
            continue;
          }
          for (let j = 0; j < FW; j++) {
            const p = dwk + ((<usize>(i * FW + j)) << 2);
            store<f32>(p, load<f32>(p) + shiftedDot(d, P, Wp, OH, OW, i * DH, j * DW, SH, SW));
          }
        }
        if (dx == 0) continue;
        if (gather) {
          padPlane(Q, d, OH, OW, Hq, Wq, TH, TW);
          correlate(dxp, Q, Wq, H, W, wk, FH, FW, 1, 1, DH, DW, true, true);
        } else {
          scatter(Q, Wp, d, OH, OW, wk, FH, FW, SH, SW, DH, DW);
        }
      }
      if (dx != 0 && !gather) {
        // The interior of Q (rows PH…, columns PW…) is dx's plane.
        const rows = min(H, Hp - PH);
        const cols = min(W, Wp - PW);
        for (let h = 0; h < rows; h++) {
          const qrow = Q + ((<usize>((h + PH) * Wp + PW)) << 2);
          const drow = dxp + ((<usize>(h * W)) << 2);
          for (let ww = 0; ww < cols; ww++) {
            const o = <usize>ww << 2;
            store<f32>(drow + o, load<f32>(drow + o) + load<f32>(qrow + o));
          }
        }
      }
    }
  }
}
