// The losses of the two tasks (src/engine/loss.ts, kernels-loss.ts): finite-difference gradients of binary
// cross-entropy on the logits (with and without pos_weight) and of weighted softmax cross-entropy, their
// numerical stability, and the Network's task API: targets by task, loss weights, sigmoid predictions, the
// label-averaged correct count, clear errors for wrong targets and weights, and a multi-label network that learns.
import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../src/language/model';
import { createNetwork } from '../../../src/engine';
import * as L from '../../../src/engine/kernels-loss';
import { Rng } from '../../../src/engine/rng';
import { conv, dense, modelSpec, pool } from '../../../src/engine/specs';
import { expectClose, f64, numericGrad } from './finite-differences';
import { maxRelDiff, randomArray } from './helpers';

describe('finite-difference gradients of the losses (float64)', () => {
  for (const pw of [null, [2.5, 0.3, 1, 6]]) {
    it(`binary cross-entropy on the logits${pw ? ', pos_weight' : ''} (mean over N×L)`, () => {
      const rng = new Rng(21);
      const [n, l] = [3, 4];
      const logits = f64(randomArray(n * l, rng, 3));
      const targets = new Float64Array([1, 0, 0, 1, 0, 1, 1, 0, 0.25, 1, 0, 0.5]);
      const posWeight = pw ? Float64Array.from(pw) : null;
      const probs = new Float64Array(n * l);
      const loss = (): number => L.sigmoidBinaryCrossEntropyForward(probs, logits, targets, n, l, posWeight).loss;
      loss();
      const d = new Float64Array(n * l);
      L.sigmoidBinaryCrossEntropyBackward(d, probs, targets, n, l, posWeight);
      expectClose(d, numericGrad(logits, loss), 'dlogits');
    });
  }

  it('softmax cross-entropy with class weights (Σ w[y]·ℓ / Σ w[y])', () => {
    const rng = new Rng(22);
    const [n, k] = [5, 4];
    const logits = f64(randomArray(n * k, rng, 3));
    const labels = new Int32Array([0, 3, 2, 2, 1]);
    const w = new Float64Array([0.5, 3, 1.5, 0.25]);
    const probs = new Float64Array(n * k);
    const loss = (): number => L.softmaxCrossEntropyForward(probs, logits, labels, n, k, w).loss;
    loss();
    const d = new Float64Array(n * k);
    L.softmaxCrossEntropyBackward(d, probs, labels, n, k, w);
    expectClose(d, numericGrad(logits, loss), 'dlogits');
  });

  it('binary cross-entropy is finite for huge logits, and its probabilities are the sigmoid', () => {
    const probs = new Float64Array(4);
    const r = L.sigmoidBinaryCrossEntropyForward(probs, new Float64Array([1000, -1000, 1000, -1000]), new Float64Array([0, 1, 1, 0]), 1, 4);
    // Two labels wrong by 1000, two right: mean (1000 + 1000 + 0 + 0) / 4.
    expect(r.loss).toBeCloseTo(500, 9);
    expect(Array.from(probs)).toEqual([1, 0, 1, 0]);
  });

  it('counts the share of labels right at the 0.5 threshold per sample', () => {
    const probs = new Float64Array(4);
    // Sample 0: label 0 right (z > 0, y = 1), label 1 wrong; sample 1: label 0 wrong, label 1 right; z = 0 is 0.5, not above.
    const r = L.sigmoidBinaryCrossEntropyForward(probs, new Float64Array([1, -1, 0, 3]), new Float64Array([1, 1, 1, 1]), 2, 2);
    expect(r.correct).toBe(1);
    expect(r.norm).toBe(4);
  });
});

const MULTI: LayerSpec[] = [conv(3, 3, { p: 1, activation: 'relu' }), pool('max', 2), dense(4), { kind: 'sigmoid' }];
const SINGLE: LayerSpec[] = [conv(3, 3, { p: 1, activation: 'relu' }), pool('max', 2), dense(3), { kind: 'softmax' }];
const INPUT = { h: 6, w: 6, c: 1 };

function inputs(n: number, seed = 5): Float32Array {
  const rng = new Rng(seed);
  return new Float32Array(n * 36).map(() => rng.uniform());
}

describe('the Network by task', () => {
  it('a multi-label network takes N×L 0/1 targets, predicts each label’s sigmoid, and counts labels right', () => {
    const net = createNetwork(modelSpec('m', INPUT, MULTI), { backend: 'js', batch: 3 });
    expect(net.task).toBe('multilabel');
    expect(net.classes).toBe(4);
    const x = inputs(3);
    const probs = net.predict(x, 3);
    // The sigmoid statement's own output (the inspector's view) equals predict's, and rows need not sum to 1.
    const acts = net.activations(x.subarray(0, 36));
    expect(maxRelDiff(acts.at(-1)!.data, probs.subarray(0, 4))).toBeLessThan(1e-6);
    expect(Math.abs(probs.subarray(0, 4).reduce((a, b) => a + b, 0) - 1)).toBeGreaterThan(1e-3);
    const logits = acts.at(-2)!.data;
    expect(maxRelDiff(probs.subarray(0, 4), logits.map((z) => 1 / (1 + Math.exp(-z))))).toBeLessThan(1e-6);
    // correct = Σ share right per sample: with targets equal to the predictions every label is right.
    const targets = Float32Array.from(probs, (p) => (p > 0.5 ? 1 : 0));
    expect(net.evaluate(x, targets, 3).correct).toBeCloseTo(3, 9);
    const flipped = targets.map((t, i) => (i < 4 ? 1 - t : t));
    expect(net.evaluate(x, flipped, 3).correct).toBeCloseTo(2, 9);
  });

  it('refuses targets of the other task and values outside 0…1, with what it wanted', () => {
    const multi = createNetwork(modelSpec('m', INPUT, MULTI), { backend: 'js' });
    const x = inputs(2);
    expect(() => multi.trainStep(x, new Int32Array([0, 1]), 2)).toThrow(/multi-label.*4 values of 0 or 1 per sample/);
    expect(() => multi.evaluate(x, new Float32Array(7), 2)).toThrow('7 target values for 2 samples of 4 labels (8 needed)');
    expect(() => multi.trainStep(x, Float32Array.from([0, 1, 0, 1, 0, 2, 0, 0]), 2)).toThrow('target 2 of sample 1, label 1, is outside 0…1');
    const single = createNetwork(modelSpec('s', INPUT, SINGLE), { backend: 'js' });
    expect(single.task).toBe('single');
    expect(() => single.trainStep(x, new Float32Array(6), 2)).toThrow(/single-label.*class indices/);
  });

  it('checks loss weights: one per class, finite, not negative', () => {
    const net = createNetwork(modelSpec('s', { ...INPUT, c: 1 }, SINGLE, {}), { backend: 'js' });
    expect(() => net.setLossWeights(new Float32Array(2))).toThrow('2 loss weights for 3 classes: one each');
    expect(() => net.setLossWeights(Float32Array.from([1, -1, 1]))).toThrow('the loss weight of class 1 is -1');
    expect(() => net.setLossWeights(Float32Array.from([1, NaN, 1]))).toThrow('is NaN');
    expect(() => net.setLossWeights(new Float32Array(3))).toThrow('every class weight is 0');
    const multi = createNetwork(modelSpec('m', INPUT, MULTI), { backend: 'js' });
    expect(() => multi.setLossWeights(new Float32Array(3))).toThrow('3 loss weights for 4 labels: one each');
  });

  it('class weights change the single-label loss as CrossEntropyLoss(weight=) does, and null removes them', () => {
    const net = createNetwork(modelSpec('s', INPUT, SINGLE), { backend: 'js', batch: 4 });
    const x = inputs(4);
    const labels = new Int32Array([0, 1, 2, 1]);
    const plain = net.evaluate(x, labels, 4).loss;
    // Per-sample losses from the probabilities, weighted by hand.
    const p = net.predict(x, 4);
    const ell = Array.from(labels, (y, s) => -Math.log(p[s * 3 + y]!));
    const w = [2, 0.5, 4];
    const want = ell.reduce((a, l, s) => a + w[labels[s]!]! * l, 0) / Array.from(labels, (y) => w[y]!).reduce((a, b) => a + b, 0);
    net.setLossWeights(Float32Array.from(w));
    expect(net.lossWeights).toEqual(Float32Array.from(w));
    expect(net.evaluate(x, labels, 4).loss).toBeCloseTo(want, 5);
    net.setLossWeights(null);
    expect(net.lossWeights).toBeNull();
    expect(net.evaluate(x, labels, 4).loss).toBe(plain);
  });

  it('a multi-label network learns two labels (one per half of the image)', () => {
    const spec = modelSpec('halves', { h: 8, w: 8, c: 1 }, [conv(4, 3, { p: 1, activation: 'relu' }), pool('max', 2), dense(2), { kind: 'sigmoid' }], { lr: 0.01 });
    const net = createNetwork(spec, { backend: 'js', seed: 2, batch: 16 });
    const rng = new Rng(3);
    const make = (n: number) => {
      const x = new Float32Array(n * 64);
      const t = new Float32Array(n * 2);
      for (let s = 0; s < n; s++) {
        for (let half = 0; half < 2; half++) {
          const on = rng.uniform() < 0.5;
          t[s * 2 + half] = on ? 1 : 0;
          for (let r = 0; r < 8; r++) for (let c = half * 4; c < half * 4 + 4; c++) x[s * 64 + r * 8 + c] = (on ? 0.8 : 0.1) + 0.1 * rng.uniform();
        }
      }
      return { x, t };
    };
    const test = make(64);
    const before = net.evaluate(test.x, test.t, 64);
    for (let step = 0; step < 150; step++) {
      const b = make(16);
      net.trainStep(b.x, b.t, 16);
    }
    const after = net.evaluate(test.x, test.t, 64);
    expect(after.loss).toBeLessThan(before.loss / 3);
    expect(after.correct / 64).toBeGreaterThan(0.95);
  });
});
