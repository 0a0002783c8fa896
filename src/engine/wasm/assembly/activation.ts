// Activations, and bias plus activation over rows or columns (kernels.ts is the module entry).

// ---------------------------------------------------------------------------------------------------------
// Activations. Codes: 0 none, 1 relu, 2 sigmoid, 3 tanh, 4 leaky relu (slope).
// ---------------------------------------------------------------------------------------------------------

@inline export function act1(v: f32, act: i32, slope: f32): f32 {
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

/** y = act(a + b), elementwise (an add node and its fused activation in one pass; y may be a or b). */
export function addForward(y: usize, a: usize, b: usize, len: i32, act: i32): void {
  let j = 0;
  if (act <= 1) {
    const z = f32x4.splat(0);
    for (; j + 4 <= len; j += 4) {
      const o = <usize>j << 2;
      let v = f32x4.add(v128.load(a + o), v128.load(b + o));
      if (act == 1) v = f32x4.max(v, z);
      v128.store(y + o, v);
    }
  }
  for (; j < len; j++) {
    const o = <usize>j << 2;
    store<f32>(y + o, act1(load<f32>(a + o) + load<f32>(b + o), act, 0));
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

@inline export function dact(yv: f32, xv: f32, act: i32, slope: f32): f32 {
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
