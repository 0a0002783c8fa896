// The optimizers' updates over a flat parameter buffer, four parameters at a time (kernels.ts is the module
// entry). Float32 arithmetic in the order of torch.optim (1.13, single-tensor path); src/engine/optim.ts is the
// reference (float64 arithmetic, float32 storage). Elementwise, so threads take ranges of parameters.

/**
 * Adam over p, g, m, v [len]: g += wd·p; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
 * p −= stepSize · m / (sqrt(v) / bc2sqrt + eps), with stepSize = lr / (1 − β1^t), bc2sqrt = sqrt(1 − β2^t).
 */
export function adamStep(p: usize, g: usize, m: usize, v: usize, len: i32, stepSize: f32, beta1: f32, beta2: f32, bc2sqrt: f32, eps: f32, wd: f32): void {
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(<f32>1 - beta1);
  const b2 = f32x4.splat(beta2), c2 = f32x4.splat(<f32>1 - beta2);
  const ss = f32x4.splat(stepSize), bc = f32x4.splat(bc2sqrt), ep = f32x4.splat(eps), w = f32x4.splat(wd);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    const pi = v128.load(p + o);
    let gi = v128.load(g + o);
    if (wd != 0) gi = f32x4.add(gi, f32x4.mul(w, pi));
    const mi = f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(c1, gi));
    const vi = f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(c2, f32x4.mul(gi, gi)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vi), bc), ep);
    v128.store(p + o, f32x4.sub(pi, f32x4.div(f32x4.mul(ss, mi), denom)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    let gi = load<f32>(g + o);
    if (wd != 0) gi += wd * pi;
    const mi = beta1 * load<f32>(m + o) + (<f32>1 - beta1) * gi;
    const vi = beta2 * load<f32>(v + o) + (<f32>1 - beta2) * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(p + o, pi - (stepSize * mi) / (Mathf.sqrt(vi) / bc2sqrt + eps));
  }
}

/**
 * SGD over p, g, buf [len]: g += wd·p; with momentum buf = momentum·buf + g (buf = g on the first step,
 * `first` = 1) and the step along buf; p −= lr·step.
 */
export function sgdStep(p: usize, g: usize, buf: usize, len: i32, lr: f32, momentum: f32, wd: f32, first: i32): void {
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    let gi = load<f32>(g + o);
    if (wd != 0) gi += wd * pi;
    if (momentum != 0) {
      gi = first ? gi : momentum * load<f32>(buf + o) + gi;
      store<f32>(buf + o, gi);
    }
    store<f32>(p + o, pi - lr * gi);
  }
}
