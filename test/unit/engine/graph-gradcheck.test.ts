// Finite-difference checks of the graph layers' backward (batch norm, global pooling, concat of vectors) in
// float64, and of whole graphs — a residual block with batch norm and a concat that uses a value twice — in
// float32 through the network itself (parameter gradients against central differences of the loss).
import { describe, expect, it } from 'vitest';
import { createNetwork } from '../../../src/engine';
import { batchnormBackwardEval, batchnormBackwardTrain, batchnormForwardEval, batchnormForwardTrain, channels } from '../../../src/engine/layers/batchnorm';
import { globalGeom } from '../../../src/engine/layers/globalpool';
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward } from '../../../src/engine/kernels';
import { concatVectorsBackward, concatVectorsForward } from '../../../src/engine/layers/merge';
import { vector, volume } from '../../../src/engine/layers/types';
import { Rng } from '../../../src/engine/rng';
import { add, batchnorm, concat, conv, dense, from, globalpool, labelled, modelSpec, pool, type GraphStep } from '../../../src/engine/specs';
import { dot, f64, numericGrad } from './finite-differences';
import { maxRelDiff, randomArray } from './helpers';

describe('graph layers: finite differences (float64)', () => {
  for (const [what, dims, n] of [['a volume (per channel)', volume(3, 2, 3), 2], ['a vector (per feature)', vector(4), 5]] as const) {
    it(`batch norm on ${what}, training: dx, dγ, dβ through the batch statistics`, () => {
      const rng = new Rng(12);
      const ch = channels(dims, n);
      const C = ch.count;
      const x = f64(randomArray(n * dims.size, rng, 2));
      const gamma = f64(randomArray(C, rng));
      const beta = f64(randomArray(C, rng));
      const R = randomArray(n * dims.size, rng);
      const y = new Float64Array(x.length);
      const saved = new Float64Array(2 * C);
      const loss = (): number => {
        batchnormForwardTrain(y, saved, x, gamma, beta, new Float64Array(C), new Float64Array(C).fill(1), new Float64Array(1), ch, 0.1, 1e-5);
        return dot(y, R);
      };
      loss();
      const dx = new Float64Array(x.length);
      const dg = new Float64Array(C);
      const db = new Float64Array(C);
      batchnormBackwardTrain(dx, dg, db, R, x, saved, gamma, ch);
      expect(maxRelDiff(dx, numericGrad(x, loss)), 'dx').toBeLessThan(1e-6);
      expect(maxRelDiff(dg, numericGrad(gamma, loss)), 'dgamma').toBeLessThan(1e-6);
      expect(maxRelDiff(db, numericGrad(beta, loss)), 'dbeta').toBeLessThan(1e-6);
    });

    it(`batch norm on ${what}, evaluation: running statistics are constants`, () => {
      const rng = new Rng(13);
      const ch = channels(dims, n);
      const C = ch.count;
      const x = f64(randomArray(n * dims.size, rng, 2));
      const gamma = f64(randomArray(C, rng));
      const beta = f64(randomArray(C, rng));
      const rm = f64(randomArray(C, rng));
      const rv = new Float64Array(C).map(() => 0.5 + rng.uniform());
      const R = randomArray(n * dims.size, rng);
      const y = new Float64Array(x.length);
      const loss = (): number => {
        batchnormForwardEval(y, x, gamma, beta, rm, rv, ch, 1e-5);
        return dot(y, R);
      };
      loss();
      const dx = new Float64Array(x.length);
      const dg = new Float64Array(C);
      const db = new Float64Array(C);
      batchnormBackwardEval(dx, dg, db, R, x, gamma, rm, rv, ch, 1e-5);
      expect(maxRelDiff(dx, numericGrad(x, loss)), 'dx').toBeLessThan(1e-6);
      expect(maxRelDiff(dg, numericGrad(gamma, loss)), 'dgamma').toBeLessThan(1e-6);
      expect(maxRelDiff(db, numericGrad(beta, loss)), 'dbeta').toBeLessThan(1e-6);
    });
  }

  it('batch norm on a volume with a fused relu: the epilogue and its gradient mask', () => {
    const rng = new Rng(18);
    const ch = channels(volume(2, 3, 2), 3);
    const x = f64(randomArray(36, rng, 2));
    const gamma = f64(randomArray(2, rng));
    const beta = f64(randomArray(2, rng));
    const R = randomArray(36, rng);
    const y = new Float64Array(36);
    const saved = new Float64Array(4);
    const loss = (): number => {
      batchnormForwardTrain(y, saved, x, gamma, beta, new Float64Array(2), new Float64Array(2), new Float64Array(1), ch, 0.1, 1e-5, true);
      return dot(y, R);
    };
    loss();
    expect(y.some((v) => v === 0) && y.every((v) => v >= 0)).toBe(true);
    const dx = new Float64Array(36);
    const dg = new Float64Array(2);
    const db = new Float64Array(2);
    batchnormBackwardTrain(dx, dg, db, Float64Array.from(R), x, saved, gamma, ch, y);
    expect(maxRelDiff(dx, numericGrad(x, loss)), 'dx').toBeLessThan(1e-6);
    expect(maxRelDiff(dg, numericGrad(gamma, loss)), 'dgamma').toBeLessThan(1e-6);
    expect(maxRelDiff(db, numericGrad(beta, loss)), 'dbeta').toBeLessThan(1e-6);
  });

  it('batch norm updates the running statistics by PyTorch\u2019s rule (unbiased variance, momentum) and counts batches', () => {
    const ch = channels(vector(1), 4);
    const x = new Float64Array([1, 2, 3, 6]);
    const rm = new Float64Array([1]);
    const rv = new Float64Array([2]);
    const count = new Float64Array([7]);
    batchnormForwardTrain(new Float64Array(4), new Float64Array(2), x, new Float64Array([1]), new Float64Array([0]), rm, rv, count, ch, 0.25, 1e-5);
    // mean 3, biased variance 3.5, unbiased 14/3
    expect(rm[0]).toBeCloseTo(0.75 * 1 + 0.25 * 3, 12);
    expect(rv[0]).toBeCloseTo(0.75 * 2 + 0.25 * (14 / 3), 12);
    expect(count[0]).toBe(8);
  });

  it('global average pooling', () => {
    const rng = new Rng(14);
    // 3 channels of 2×3 for 2 samples: 6 planes of 6 values, each to its mean
    const g = globalGeom(volume(3, 2, 3), 2);
    const planes = 6;
    const x = f64(randomArray(planes * 6, rng));
    const R = randomArray(planes, rng);
    const y = new Float64Array(planes);
    const loss = (): number => {
      avgPoolForward(y, x, g);
      return dot(y, R);
    };
    loss();
    expect(y[1]).toBeCloseTo(x.slice(6, 12).reduce((a, b) => a + b) / 6, 12);
    const dx = new Float64Array(x.length);
    avgPoolBackward(dx, R, g);
    expect(maxRelDiff(dx, numericGrad(x, loss))).toBeLessThan(1e-6);
  });

  it('global max pooling routes each plane\u2019s gradient to its winner', () => {
    const rng = new Rng(15);
    const g = globalGeom(volume(3, 2, 3), 2);
    const planes = 6;
    const x = f64(randomArray(planes * 6, rng));
    const R = randomArray(planes, rng);
    const y = new Float64Array(planes);
    const arg = new Int32Array(planes);
    const loss = (): number => {
      maxPoolForward(y, arg, x, g);
      return dot(y, R);
    };
    loss();
    expect(y[2]).toBe(Math.max(...x.slice(12, 18)));
    const dx = new Float64Array(x.length);
    maxPoolBackward(dx, R, arg, g);
    expect(maxRelDiff(dx, numericGrad(x, loss))).toBeLessThan(1e-6);
  });

  it('concat of vectors joins each sample end to end, and splits the gradient back', () => {
    const rng = new Rng(16);
    const n = 3;
    const sizes = [2, 4, 1];
    const xs = sizes.map((f) => f64(randomArray(n * f, rng)));
    const R = randomArray(n * 7, rng);
    const y = new Float64Array(n * 7);
    const loss = (): number => {
      concatVectorsForward(y, xs, sizes, n);
      return dot(y, R);
    };
    loss();
    expect(Array.from(y.subarray(7, 14))).toEqual([...xs[0]!.subarray(2, 4), ...xs[1]!.subarray(4, 8), ...xs[2]!.subarray(1, 2)]);
    const dxs = sizes.map((f) => new Float64Array(n * f));
    concatVectorsBackward(dxs, R, sizes, n);
    xs.forEach((x, k) => expect(maxRelDiff(dxs[k]!, numericGrad(x, loss)), `input ${k}`).toBeLessThan(1e-6));
  });
});

/** Every parameter's gradient from forwardBackward against central differences of the training loss. */
function checkNetwork(steps: GraphStep[], input = { h: 6, w: 6, c: 2 }): number {
  const spec = modelSpec('g', input, steps);
  const net = createNetwork(spec, { seed: 3, batch: 4, backend: 'js' });
  const rng = new Rng(17);
  const x = new Float32Array(4 * input.h * input.w * input.c).map(() => rng.normal());
  const labels = new Int32Array([0, 1, 2, 1]);
  net.forwardBackward(x, labels, 4);
  const analytic = net.grads().flatMap((g) => Array.from(g.data));
  const p = net.flatParams();
  const eps = 1e-3;
  let m = 0;
  for (let i = 0; i < p.length; i++) {
    const old = p[i]!;
    p[i] = old + eps;
    const fp = net.forwardBackward(x, labels, 4).loss;
    p[i] = old - eps;
    const fm = net.forwardBackward(x, labels, 4).loss;
    p[i] = old;
    const num = (fp - fm) / (2 * eps);
    const e = Math.abs(analytic[i]! - num) / Math.max(0.05, Math.abs(num));
    m = Math.max(m, e);
  }
  return m;
}

describe('graphs: finite differences through the network (float32)', () => {
  it('a residual block with batch norm: the stem gets the sum of both paths\u2019 gradients', () => {
    const err = checkNetwork([
      conv(3, 3, { p: 1 }), batchnorm(), labelled('stem', { kind: 'tanh' }),
      conv(3, 3, { p: 1 }), batchnorm(), { kind: 'tanh' }, conv(3, 3, { p: 1 }), labelled('main', batchnorm()),
      from('stem'), conv(3, 1), batchnorm(), add('main'), { kind: 'tanh' },
      globalpool('avg'), dense(3), { kind: 'softmax' },
    ]);
    expect(err).toBeLessThan(5e-3);
  });

  it('a concat that uses a value twice, global max pooling and batch norm on a vector', () => {
    const err = checkNetwork([
      conv(3, 3, { p: 1, activation: 'tanh' }), labelled('a', pool('avg', 3, { s: 1, p: 1 })),
      conv(2, 3, { p: 1 }), { kind: 'tanh' }, concat('a', 'a'),
      globalpool('max'), dense(5), batchnorm(), { kind: 'sigmoid' },
      labelled('v', dense(4)), from('v'), { kind: 'tanh' }, concat('v'), dense(3),
    ]);
    expect(err).toBeLessThan(5e-3);
  });
});
