// Max and average pooling (kernels.ts is the module entry).

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
  if (wholePlane(H, W, FH, FW, PH, PW, OH, OW)) {
    for (let p = 0; p < planes; p++) planeMax(y + (<usize>p << 2), arg + (<usize>p << 2), x, p * HW, HW);
    return;
  }
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

/** Whether the window is the whole H×W map, once (global pooling). */
@inline function wholePlane(H: i32, W: i32, FH: i32, FW: i32, PH: i32, PW: i32, OH: i32, OW: i32): bool {
  return FH == H && FW == W && PH == 0 && PW == 0 && OH == 1 && OW == 1;
}

/** *y = max of x[i0 … i0+HW), *arg = its index (the first of equal values), four lanes at a time. */
function planeMax(y: usize, arg: usize, x: usize, i0: i32, HW: i32): void {
  const a = x + (<usize>i0 << 2);
  let best = load<f32>(a);
  let bi = 0;
  let i = 0;
  if (HW >= 8) {
    let m = v128.load(a);
    let idx = i32x4(0, 1, 2, 3);
    let ie = i32x4(4, 5, 6, 7);
    const four = i32x4.splat(4);
    for (i = 4; i + 4 <= HW; i += 4) {
      const v = v128.load(a + (<usize>i << 2));
      const k = f32x4.gt(v, m);
      m = v128.bitselect(v, m, k);
      idx = v128.bitselect(ie, idx, k);
      ie = i32x4.add(ie, four);
    }
    // The lanes' winners, in index order among equals.
    best = f32x4.extract_lane(m, 0);
    bi = i32x4.extract_lane(idx, 0);
    for (let l = 1; l < 4; l++) {
      const v = l == 1 ? f32x4.extract_lane(m, 1) : l == 2 ? f32x4.extract_lane(m, 2) : f32x4.extract_lane(m, 3);
      const j = l == 1 ? i32x4.extract_lane(idx, 1) : l == 2 ? i32x4.extract_lane(idx, 2) : i32x4.extract_lane(idx, 3);
      if (v > best || (v == best && j < bi)) {
        best = v;
        bi = j;
      }
    }
  } else i = 1;
  for (; i < HW; i++) {
    const v = load<f32>(a + (<usize>i << 2));
    if (v > best) {
      best = v;
      bi = i;
    }
  }
  store<f32>(y, best);
  store<i32>(arg, i0 + bi);
}

/** dx[arg[o]] += dy[o]. */
export function maxPoolBackward(dx: usize, dy: usize, arg: usize, len: i32): void {
  for (let o = 0; o < len; o++) {
    const i = <usize>load<i32>(arg + (<usize>o << 2));
    const d = dx + (i << 2);
    store<f32>(d, load<f32>(d) + load<f32>(dy + (<usize>o << 2)));
  }
}

// avgPool forward and backward clip windows alike on purpose: a shared walker would call its body indirectly.

/** y = window sum / (FH·FW): padding zeros count (PyTorch's count_include_pad=True). */
export function avgPoolForward(
  y: usize, x: usize, planes: i32, H: i32, W: i32,
  FH: i32, FW: i32, SH: i32, SW: i32, PH: i32, PW: i32, OH: i32, OW: i32,
): void {
  const HW = H * W;
  const inv: f32 = <f32>1 / <f32>(FH * FW);
  let o: usize = 0;
  if (wholePlane(H, W, FH, FW, PH, PW, OH, OW)) {
    for (let p = 0; p < planes; p++) store<f32>(y + (<usize>p << 2), planeSum(x + ((<usize>p * HW) << 2), HW) * inv);
    return;
  }
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
  if (wholePlane(H, W, FH, FW, PH, PW, OH, OW)) {
    for (let p = 0; p < planes; p++) planeAdd(dx + ((<usize>p * HW) << 2), HW, load<f32>(dy + (<usize>p << 2)) * inv);
    return;
  }
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


/** Σ a[0 … n) in eight lanes (two vectors), then the rest one by one. */
function planeSum(a: usize, n: i32): f32 {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 = f32x4.add(s0, v128.load(a + (<usize>i << 2)));
    s1 = f32x4.add(s1, v128.load(a + (<usize>i << 2), 16));
  }
  const s = f32x4.add(s0, s1);
  let t: f32 = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
  for (; i < n; i++) t += load<f32>(a + (<usize>i << 2));
  return t;
}

/** a[0 … n) += g. */
function planeAdd(a: usize, n: i32, g: f32): void {
  const v = f32x4.splat(g);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = a + (<usize>i << 2);
    v128.store(p, f32x4.add(v128.load(p), v));
  }
  for (; i < n; i++) {
    const p = a + (<usize>i << 2);
    store<f32>(p, load<f32>(p) + g);
  }
}
