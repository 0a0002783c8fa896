// Per-channel kernels for batch norm and other channel-wise steps over C contiguous planes of M values (a
// CNHW volume batch: a channel's plane holds the whole batch). Sums accumulate in f64 (two f64x2 lanes per
// f32x4), so a plane of 10⁵ values keeps its mean and variance to float precision. kernels.ts is the entry.

import { act1 } from './activation';

/** sum[c] = Σ a, sq[c] = Σ a·b (b = 0: Σ a·a), over each plane; sum and sq are f64[C]. */
export function channelSums(sum: usize, sq: usize, a: usize, b: usize, C: i32, M: i32): void {
  const self = b == 0;
  for (let c = 0; c < C; c++) {
    const pa = a + ((<usize>c * <usize>M) << 2);
    const pb = self ? pa : b + ((<usize>c * <usize>M) << 2);
    let s0 = f64x2.splat(0);
    let s1 = f64x2.splat(0);
    let q0 = f64x2.splat(0);
    let q1 = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= M; j += 4) {
      const o = <usize>j << 2;
      const va = v128.load(pa + o);
      const vb = v128.load(pb + o);
      const lo = f64x2.promote_low_f32x4(va);
      const hi = f64x2.promote_low_f32x4(i32x4.shuffle(va, va, 2, 3, 0, 1));
      s0 = f64x2.add(s0, lo);
      s1 = f64x2.add(s1, hi);
      const blo = f64x2.promote_low_f32x4(vb);
      const bhi = f64x2.promote_low_f32x4(i32x4.shuffle(vb, vb, 2, 3, 0, 1));
      q0 = f64x2.add(q0, f64x2.mul(lo, blo));
      q1 = f64x2.add(q1, f64x2.mul(hi, bhi));
    }
    const s = f64x2.add(s0, s1);
    const q = f64x2.add(q0, q1);
    let ts = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
    let tq = f64x2.extract_lane(q, 0) + f64x2.extract_lane(q, 1);
    for (; j < M; j++) {
      const va = <f64>load<f32>(pa + (<usize>j << 2));
      ts += va;
      tq += va * <f64>load<f32>(pb + (<usize>j << 2));
    }
    store<f64>(sum + (<usize>c << 3), ts);
    store<f64>(sq + (<usize>c << 3), tq);
  }
}

/** y = act(x·scale[c] + shift[c]) over each plane (act: 0 none, 1 relu, 2 sigmoid, 3 tanh). */
export function channelAffine(y: usize, x: usize, scale: usize, shift: usize, C: i32, M: i32, act: i32): void {
  const z = f32x4.splat(0);
  for (let c = 0; c < C; c++) {
    const off = (<usize>c * <usize>M) << 2;
    const sc = load<f32>(scale + (<usize>c << 2));
    const sh = load<f32>(shift + (<usize>c << 2));
    const vs = f32x4.splat(sc);
    const vh = f32x4.splat(sh);
    let j = 0;
    if (act <= 1) {
      for (; j + 4 <= M; j += 4) {
        const o = off + (<usize>j << 2);
        let v = f32x4.add(f32x4.mul(v128.load(x + o), vs), vh);
        if (act == 1) v = f32x4.max(v, z);
        v128.store(y + o, v);
      }
    }
    for (; j < M; j++) {
      const o = off + (<usize>j << 2);
      store<f32>(y + o, act1(load<f32>(x + o) * sc + sh, act, 0));
    }
  }
}

/** dx += p[c]·dy + q[c]·x + r[c] over each plane. */
export function channelAxpby(dx: usize, dy: usize, x: usize, p: usize, q: usize, r: usize, C: i32, M: i32): void {
  for (let c = 0; c < C; c++) {
    const off = (<usize>c * <usize>M) << 2;
    const pc = load<f32>(p + (<usize>c << 2));
    const qc = load<f32>(q + (<usize>c << 2));
    const rc = load<f32>(r + (<usize>c << 2));
    const vp = f32x4.splat(pc);
    const vq = f32x4.splat(qc);
    const vr = f32x4.splat(rc);
    let j = 0;
    for (; j + 4 <= M; j += 4) {
      const o = off + (<usize>j << 2);
      const v = f32x4.add(f32x4.add(f32x4.mul(v128.load(dy + o), vp), f32x4.mul(v128.load(x + o), vq)), vr);
      v128.store(dx + o, f32x4.add(v128.load(dx + o), v));
    }
    for (; j < M; j++) {
      const o = off + (<usize>j << 2);
      store<f32>(dx + o, load<f32>(dx + o) + pc * load<f32>(dy + o) + qc * load<f32>(x + o) + rc);
    }
  }
}
