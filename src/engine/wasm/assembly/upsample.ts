// Upsampling by a whole factor S over `planes` independent H×W planes (C·N of them in CNHW), as PyTorch's
// nn.Upsample(scale_factor=S) computes it (kernels.ts is the module entry). Nearest: output (oh, ow) takes
// input (oh / S, ow / S). Bilinear with align_corners=False: the source coordinate of output d is
// max(0, (d + 0.5) / S - 0.5), between i0 = floor of it and i1 = min(i0 + 1, size - 1) with weights 1 - λ, λ.

/** y[P][H·S][W·S] = x[P][H][W] repeated S×S. */
export function upsampleNearestForward(y: usize, x: usize, planes: i32, H: i32, W: i32, S: i32): void {
  const OW = W * S;
  const rowBytes = <usize>OW << 2;
  for (let p = 0; p < planes; p++) {
    const xp = x + ((<usize>p * H * W) << 2);
    const yp = y + ((<usize>p * H * S * OW) << 2);
    for (let h = 0; h < H; h++) {
      const src = xp + ((<usize>h * W) << 2);
      const dst = yp + ((<usize>h * S) * rowBytes);
      if (S == 2) {
        let w = 0;
        for (; w + 4 <= W; w += 4) {
          const v = v128.load(src + (<usize>w << 2));
          v128.store(dst + (<usize>(2 * w) << 2), v128.shuffle<f32>(v, v, 0, 0, 1, 1));
          v128.store(dst + (<usize>(2 * w) << 2), v128.shuffle<f32>(v, v, 2, 2, 3, 3), 16);
        }
        for (; w < W; w++) {
          const v = load<f32>(src + (<usize>w << 2));
          store<f32>(dst + (<usize>(2 * w) << 2), v);
          store<f32>(dst + (<usize>(2 * w + 1) << 2), v);
        }
      } else {
        for (let w = 0; w < W; w++) {
          const v = load<f32>(src + (<usize>w << 2));
          const d = dst + (<usize>(w * S) << 2);
          for (let a = 0; a < S; a++) store<f32>(d + (<usize>a << 2), v);
        }
      }
      for (let a = 1; a < S; a++) memory.copy(dst + <usize>a * rowBytes, dst, rowBytes);
    }
  }
}

/** dx[P][H][W] += Σ of each S×S block of dy[P][H·S][W·S]. */
export function upsampleNearestBackward(dx: usize, dy: usize, planes: i32, H: i32, W: i32, S: i32): void {
  const OW = W * S;
  for (let p = 0; p < planes; p++) {
    const dxp = dx + ((<usize>p * H * W) << 2);
    const dyp = dy + ((<usize>p * H * S * OW) << 2);
    for (let h = 0; h < H; h++) {
      const drow = dxp + ((<usize>h * W) << 2);
      for (let a = 0; a < S; a++) {
        const src = dyp + ((<usize>(h * S + a) * OW) << 2);
        if (S == 2) {
          let w = 0;
          for (; w + 4 <= W; w += 4) {
            const u = v128.load(src + (<usize>(2 * w) << 2));
            const v = v128.load(src + (<usize>(2 * w) << 2), 16);
            const s = f32x4.add(v128.shuffle<f32>(u, v, 0, 2, 4, 6), v128.shuffle<f32>(u, v, 1, 3, 5, 7));
            const o = drow + (<usize>w << 2);
            v128.store(o, f32x4.add(v128.load(o), s));
          }
          for (; w < W; w++) {
            const o = drow + (<usize>w << 2);
            store<f32>(o, load<f32>(o) + load<f32>(src + (<usize>(2 * w) << 2)) + load<f32>(src + (<usize>(2 * w + 1) << 2)));
          }
        } else {
          for (let w = 0; w < W; w++) {
            let t: f32 = 0;
            const s = src + (<usize>(w * S) << 2);
            for (let b = 0; b < S; b++) t += load<f32>(s + (<usize>b << 2));
            const o = drow + (<usize>w << 2);
            store<f32>(o, load<f32>(o) + t);
          }
        }
      }
    }
  }
}

/**
 * The bilinear source coordinate of output index d, with inv = 1/S (PyTorch's area_pixel_compute_source_index,
 * which multiplies by the float reciprocal of the scale too).
 */
@inline function source(d: i32, inv: f32): f32 {
  const r = (<f32>d + 0.5) * inv - 0.5;
  return r < 0 ? 0 : r;
}

/** Output ow of a row blended from input rows r0, r1 (weights 1 − lh, lh): the general bilinear case. */
@inline function bilinearAt(r0: usize, r1: usize, lh: f32, ow: i32, inv: f32, W: i32): f32 {
  const sw = source(ow, inv);
  const w0 = <i32>sw;
  const w1 = w0 < W - 1 ? w0 + 1 : w0;
  const lw: f32 = sw - <f32>w0;
  const a0 = <usize>w0 << 2;
  const a1 = <usize>w1 << 2;
  const top = load<f32>(r0 + a0) * (1 - lw) + load<f32>(r0 + a1) * lw;
  const bot = load<f32>(r1 + a0) * (1 - lw) + load<f32>(r1 + a1) * lw;
  return top * (1 - lh) + bot * lh;
}

/**
 * y[P][H·S][W·S] = bilinear interpolation of x[P][H][W] (align_corners=False). For S = 2 the inside of each
 * row runs four inputs at a time: outputs 2q and 2q + 1 are ¼·t[q−1] + ¾·t[q] and ¾·t[q] + ¼·t[q+1] of the
 * row t blended from the two input rows.
 */
export function upsampleBilinearForward(y: usize, x: usize, planes: i32, H: i32, W: i32, S: i32): void {
  const OH = H * S;
  const OW = W * S;
  const inv: f32 = <f32>1 / <f32>S;
  const q1 = f32x4.splat(0.25);
  const q3 = f32x4.splat(0.75);
  for (let p = 0; p < planes; p++) {
    const xp = x + ((<usize>p * H * W) << 2);
    const yp = y + ((<usize>p * OH * OW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const sh = source(oh, inv);
      const h0 = <i32>sh;
      const h1 = h0 < H - 1 ? h0 + 1 : h0;
      const lh: f32 = sh - <f32>h0;
      const r0 = xp + ((<usize>h0 * W) << 2);
      const r1 = xp + ((<usize>h1 * W) << 2);
      const o = yp + ((<usize>oh * OW) << 2);
      let ow = 0;
      if (S == 2 && W >= 6) {
        store<f32>(o, bilinearAt(r0, r1, lh, 0, inv, W));
        store<f32>(o, bilinearAt(r0, r1, lh, 1, inv, W), 4);
        const l0 = f32x4.splat(1 - lh);
        const l1 = f32x4.splat(lh);
        let q = 1;
        for (; q + 4 <= W - 1; q += 4) {
          const a = <usize>(q - 1) << 2;
          const tm = f32x4.add(f32x4.mul(v128.load(r0 + a), l0), f32x4.mul(v128.load(r1 + a), l1));
          const t0 = f32x4.add(f32x4.mul(v128.load(r0 + a, 4), l0), f32x4.mul(v128.load(r1 + a, 4), l1));
          const tp = f32x4.add(f32x4.mul(v128.load(r0 + a, 8), l0), f32x4.mul(v128.load(r1 + a, 8), l1));
          const even = f32x4.add(f32x4.mul(tm, q1), f32x4.mul(t0, q3));
          const odd = f32x4.add(f32x4.mul(t0, q3), f32x4.mul(tp, q1));
          const d = o + (<usize>(2 * q) << 2);
          v128.store(d, v128.shuffle<f32>(even, odd, 0, 4, 1, 5));
          v128.store(d, v128.shuffle<f32>(even, odd, 2, 6, 3, 7), 16);
        }
        ow = 2 * q;
      }
      for (; ow < OW; ow++) store<f32>(o + (<usize>ow << 2), bilinearAt(r0, r1, lh, ow, inv, W));
    }
  }
}

// The backward repeats the forward's source rows on purpose: it scatters where that gathers, with its own shuffles.

/**
 * dx[P][H][W] += the bilinear weights' transpose applied to dy[P][H·S][W·S]. For S = 2 the inside of each row
 * gathers four inputs at a time: input q receives ¼·g[2q−1] + ¾·g[2q] + ¾·g[2q+1] + ¼·g[2q+2].
 */
export function upsampleBilinearBackward(dx: usize, dy: usize, planes: i32, H: i32, W: i32, S: i32): void {
  const OH = H * S;
  const OW = W * S;
  const inv: f32 = <f32>1 / <f32>S;
  const q1 = f32x4.splat(0.25);
  const q3 = f32x4.splat(0.75);
  for (let p = 0; p < planes; p++) {
    const dxp = dx + ((<usize>p * H * W) << 2);
    const dyp = dy + ((<usize>p * OH * OW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const sh = source(oh, inv);
      const h0 = <i32>sh;
      const h1 = h0 < H - 1 ? h0 + 1 : h0;
      const lh: f32 = sh - <f32>h0;
      const r0 = dxp + ((<usize>h0 * W) << 2);
      const r1 = dxp + ((<usize>h1 * W) << 2);
      const o = dyp + ((<usize>oh * OW) << 2);
      // Inputs [qa, qb) are gathered with SIMD; the outputs that reach the others are scattered below.
      let qa = 0;
      let qb = 0;
      if (S == 2 && W >= 6) {
        qa = 1;
        qb = 1;
        const l0 = f32x4.splat(1 - lh);
        const l1 = f32x4.splat(lh);
        for (; qb + 4 <= W - 1; qb += 4) {
          const g = o + (<usize>(2 * qb) << 2);
          const e = v128.load(g);
          const f = v128.load(g, 16);
          const ge = v128.shuffle<f32>(e, f, 0, 2, 4, 6); // g[2q]
          const go = v128.shuffle<f32>(e, f, 1, 3, 5, 7); // g[2q+1]
          const gm = v128.shuffle<f32>(v128.load(g - 8), v128.load(g, 8), 1, 3, 5, 7); // g[2q−1]
          const gp = v128.shuffle<f32>(v128.load(g, 8), v128.load(g, 24), 0, 2, 4, 6); // g[2q+2]
          const t = f32x4.add(f32x4.mul(f32x4.add(gm, gp), q1), f32x4.mul(f32x4.add(ge, go), q3));
          const d0 = r0 + (<usize>qb << 2);
          const d1 = r1 + (<usize>qb << 2);
          v128.store(d0, f32x4.add(v128.load(d0), f32x4.mul(t, l0)));
          v128.store(d1, f32x4.add(v128.load(d1), f32x4.mul(t, l1)));
        }
      }
      // Only outputs [0, 2·qa + 1) and [2·qb − 1, OW) reach inputs outside [qa, qb).
      const skipFrom = qb > qa ? min(OW, 2 * qa + 1) : OW;
      const skipTo = qb > qa ? max(skipFrom, 2 * qb - 1) : OW;
      for (let ow = 0; ow < OW; ow++) {
        if (ow == skipFrom) ow = skipTo;
        if (ow >= OW) break;
        const sw = source(ow, inv);
        const w0 = <i32>sw;
        const w1 = w0 < W - 1 ? w0 + 1 : w0;
        const lw: f32 = sw - <f32>w0;
        const g = load<f32>(o + (<usize>ow << 2));
        const gt = g * (1 - lh);
        const gb = g * lh;
        if (w0 < qa || w0 >= qb) {
          const a0 = <usize>w0 << 2;
          store<f32>(r0 + a0, load<f32>(r0 + a0) + gt * (1 - lw));
          store<f32>(r1 + a0, load<f32>(r1 + a0) + gb * (1 - lw));
        }
        if (w1 < qa || w1 >= qb) {
          const a1 = <usize>w1 << 2;
          store<f32>(r0 + a1, load<f32>(r0 + a1) + gt * lw);
          store<f32>(r1 + a1, load<f32>(r1 + a1) + gb * lw);
        }
      }
    }
  }
}
