// Network.logitGradients (explanations): the gradient of each sample's chosen logit in evaluation mode, with
// respect to the input and a layer's output. Without PyTorch (test/unit/explain/torch.test.ts compares the
// maps with it): central differences of the logit, the same answers in chunks of a small batch capacity as
// in one, and a network left as it was (no running statistics updated, same predictions).

import { describe, expect, it } from 'vitest';
import { createNetwork } from '../../../src/engine';
import { specOf, randomInput } from '../export/helpers';

const SMOOTH = `network Smooth
input 6x4x2
classes a b c
conv filters=3 size=3 pad=1 activation=tanh
batchnorm
sigmoid
pool avg size=2
dropout rate=0.5
dense units=3
softmax
`;

/** A network whose batch norm has running statistics away from the defaults. */
function smoothNet(batch: number) {
  const spec = specOf(SMOOTH);
  const net = createNetwork(spec, { seed: 4, threads: 1, batch, backend: 'js' });
  net.setParams(
    net.params().map((t) => {
      if (t.name.endsWith('running_mean')) return { ...t, data: t.data.map((_, i) => 0.1 * (i - 1)) };
      if (t.name.endsWith('running_var')) return { ...t, data: t.data.map((_, i) => 0.5 + 0.25 * i) };
      if (t.name.endsWith('.bias')) return { ...t, data: t.data.map((_, i) => 0.05 * Math.cos(i)) };
      return t;
    }),
  );
  return net;
}

const SIZE = 6 * 4 * 2;

describe('Network.logitGradients', () => {
  it('the input gradient equals central differences of the chosen logit (evaluation mode: dropout off)', () => {
    const net = smoothNet(4);
    const n = 2;
    const x = randomInput(n * SIZE, 7);
    const classes = Int32Array.from([2, 0]);
    const g = net.logitGradients(x, n, { classes, input: true });
    const logit = (xs: Float32Array, i: number) => net.logitGradients(xs, n, { classes }).logits[i * 3 + classes[i]!]!;
    const eps = 1e-2;
    let worst = 0;
    let largest = 0;
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < SIZE; p += 7) {
        const at = i * SIZE + p;
        const plus = x.slice();
        plus[at]! += eps;
        const minus = x.slice();
        minus[at]! -= eps;
        const numeric = (logit(plus, i) - logit(minus, i)) / (2 * eps);
        worst = Math.max(worst, Math.abs(numeric - g.input![at]!));
        largest = Math.max(largest, Math.abs(numeric));
      }
    }
    expect(largest).toBeGreaterThan(1e-3);
    expect(worst / largest).toBeLessThan(2e-3);
  });

  it('gives the same logits and gradients in chunks of a small capacity as in one batch', () => {
    const n = 5;
    const x = randomInput(n * SIZE, 8);
    const classes = Int32Array.from([0, 1, 2, 1, 0]);
    const req = { classes, input: true, layer: 1 };
    const small = smoothNet(2).logitGradients(x, n, req);
    const whole = smoothNet(8).logitGradients(x, n, req);
    for (const key of ['logits', 'value', 'grad', 'input'] as const) {
      const a = small[key]!;
      const b = whole[key]!;
      expect(a.length, key).toBe(b.length);
      let d = 0;
      for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
      expect(d, key).toBeLessThan(1e-6);
    }
    // Layer 1 (the batchnorm) is 6×4×3 per sample, as written (before the sigmoid fused into it).
    expect(small.value!.length).toBe(n * 72);
  });

  it('leaves the network as it was: running statistics, parameters and predictions', () => {
    const net = smoothNet(4);
    const x = randomInput(3 * SIZE, 9);
    const before = net.params().map((t) => t.data.slice());
    const probs = net.predict(x, 3);
    net.logitGradients(x, 3, { classes: Int32Array.from([1, 1, 1]), input: true, layer: 0 });
    net.params().forEach((t, i) => expect(t.data, t.name).toEqual(before[i]));
    expect(net.predict(x, 3)).toEqual(probs);
  });

  it('refuses a class outside the logits and an unknown layer', () => {
    const net = smoothNet(4);
    const x = randomInput(SIZE, 1);
    expect(() => net.logitGradients(x, 1, { classes: Int32Array.from([3]) })).toThrow(/class 3 of sample 0 is outside 0…2/);
    expect(() => net.logitGradients(x, 1, { classes: Int32Array.from([0]), layer: 42 })).toThrow(/no layer statement 42/);
  });
});
