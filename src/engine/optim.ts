// Optimizers as plain loops over a flat parameter buffer, with PyTorch's exact update rules
// (torch.optim.SGD and torch.optim.Adam, 1.13, single-tensor path, no amsgrad / nesterov / dampening): the
// reference, which the js backend runs; the WebAssembly backend runs the same rules four parameters at a time
// (wasm/assembly/optim.ts, checked against these in optim-wasm.test.ts).

export type OptimizerKind = 'sgd' | 'adam';

export interface OptimizerConfig {
  kind: OptimizerKind;
  lr: number;
  /** SGD only. */
  momentum: number;
  weightDecay: number;
  /** Adam only (PyTorch defaults 0.9, 0.999, 1e-8). */
  beta1: number;
  beta2: number;
  eps: number;
}

export const OPTIMIZER_DEFAULTS: OptimizerConfig = {
  kind: 'adam',
  lr: 0.001,
  momentum: 0.9,
  weightDecay: 0,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
};

/**
 * SGD with momentum and weight decay over p[len], g[len], buf[len] (momentum buffer):
 *   g += wd·p;  buf = momentum·buf + g  (buf = g on the first step);  p -= lr·buf.
 * `step` is 1-based.
 */
export function sgdStep(p: Float32Array, g: Float32Array, buf: Float32Array, len: number, step: number, lr: number, momentum: number, wd: number): void {
  for (let i = 0; i < len; i++) {
    let gi = g[i]!;
    if (wd !== 0) gi += wd * p[i]!;
    if (momentum !== 0) {
      gi = step === 1 ? gi : momentum * buf[i]! + gi;
      buf[i] = gi;
    }
    p[i] = p[i]! - lr * gi;
  }
}

/**
 * Adam over p[len], g[len], m[len], v[len]; `step` is 1-based. As torch.optim.Adam:
 *   g += wd·p;  m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²;
 *   p -= (lr / (1-β1^t)) · m / (sqrt(v) / sqrt(1-β2^t) + eps).
 */
export function adamStep(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  len: number,
  step: number,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  wd: number,
): void {
  const bc1 = 1 - Math.pow(beta1, step);
  const bc2sqrt = Math.sqrt(1 - Math.pow(beta2, step));
  const stepSize = lr / bc1;
  for (let i = 0; i < len; i++) {
    let gi = g[i]!;
    if (wd !== 0) gi += wd * p[i]!;
    const mi = beta1 * m[i]! + (1 - beta1) * gi;
    const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i]! - (stepSize * mi) / (Math.sqrt(vi) / bc2sqrt + eps);
  }
}
