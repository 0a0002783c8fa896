// Finite-difference checks of every reference kernel's backward, in float64: L = Σ out·R for a random R, so
// the analytic gradients come from backward(dy = R) and the numeric ones from central differences of L.
import { describe, expect, it } from 'vitest';
import * as K from '../../../src/engine/kernels';
import * as L from '../../../src/engine/kernels-loss';
import { Rng } from '../../../src/engine/rng';
import { randomArray } from './helpers';
import { checkInputOnly, checkWithParams, dot, expectClose, f64, numericGrad } from './finite-differences';

const convCases: [string, number, { h: number; w: number; c: number }, number, { fh: number; fw: number; sh: number; sw: number; ph: number; pw: number }][] = [
  ['3x3 pad 1', 2, { h: 5, w: 4, c: 2 }, 3, { fh: 3, fw: 3, sh: 1, sw: 1, ph: 1, pw: 1 }],
  ['rect 3x2 stride 2,1 pad 1,0', 2, { h: 7, w: 5, c: 2 }, 3, { fh: 3, fw: 2, sh: 2, sw: 1, ph: 1, pw: 0 }],
  ['2x4 stride 1,3 pad 0,2', 1, { h: 4, w: 9, c: 3 }, 2, { fh: 2, fw: 4, sh: 1, sw: 3, ph: 0, pw: 2 }],
  ['5x5 stride 2 pad 2', 2, { h: 6, w: 6, c: 1 }, 2, { fh: 5, fw: 5, sh: 2, sw: 2, ph: 2, pw: 2 }],
];

describe('finite-difference gradients (float64)', () => {
  for (const [name, n, input, k, win] of convCases) {
    for (const act of ['none', 'relu', 'sigmoid', 'tanh'] as const) {
      it(`conv ${name}, activation ${act}`, () => {
        const rng = new Rng(11);
        const g = K.convGeom(n, input, k, win);
        const x = f64(randomArray(g.c * g.n * g.h * g.w, rng));
        const w = f64(randomArray(g.k * g.c * g.fh * g.fw, rng, 0.5));
        const b = f64(randomArray(g.k, rng));
        const R = randomArray(g.k * g.n * g.oh * g.ow, rng);
        checkWithParams(
          x, w, b, R,
          (y) => K.convForward(y, x, w, b, g, act),
          (dx, dw, db, dy, y) => K.convBackward(dx, dw, db, dy, y, x, w, g, act),
        );
      });
    }
  }

  it('conv backward accumulates into existing gradients and skips a null dx', () => {
    const rng = new Rng(2);
    const g = K.convGeom(1, { h: 4, w: 4, c: 1 }, 2, { fh: 3, fw: 3, sh: 1, sw: 1, ph: 1, pw: 1 });
    const x = randomArray(16, rng);
    const w = randomArray(18, rng);
    const y = new Float64Array(32);
    const dy = randomArray(32, rng);
    K.convForward(y, x, w, new Float64Array(2), g);
    const once = new Float64Array(18);
    K.convBackward(null, once, new Float64Array(2), dy, y, x, w, g);
    const twice = new Float64Array(18);
    K.convBackward(null, twice, new Float64Array(2), dy, y, x, w, g);
    K.convBackward(null, twice, new Float64Array(2), dy, y, x, w, g);
    for (let i = 0; i < 18; i++) expect(twice[i]).toBeCloseTo(2 * once[i]!, 12);
  });

  const poolCases: [string, { fh: number; fw: number; sh: number; sw: number; ph: number; pw: number }][] = [
    ['2x2', { fh: 2, fw: 2, sh: 2, sw: 2, ph: 0, pw: 0 }],
    ['3x3 stride 2 pad 1', { fh: 3, fw: 3, sh: 2, sw: 2, ph: 1, pw: 1 }],
    ['2x3 stride 1,2 pad 1,1', { fh: 2, fw: 3, sh: 1, sw: 2, ph: 1, pw: 1 }],
  ];
  for (const [name, win] of poolCases) {
    it(`max pool ${name}`, () => {
      const rng = new Rng(5);
      const g = K.convGeom(2, { h: 6, w: 7, c: 2 }, 2, win);
      const x = f64(randomArray(g.c * g.n * g.h * g.w, rng));
      const R = randomArray(g.c * g.n * g.oh * g.ow, rng);
      const arg = new Int32Array(R.length);
      checkInputOnly(
        x, R,
        (y) => K.maxPoolForward(y, arg, x, g),
        (dx, dy) => K.maxPoolBackward(dx, dy, arg, g),
      );
    });
    it(`avg pool ${name} (padding counts)`, () => {
      const rng = new Rng(6);
      const g = K.convGeom(2, { h: 6, w: 7, c: 2 }, 2, win);
      const x = f64(randomArray(g.c * g.n * g.h * g.w, rng));
      const R = randomArray(g.c * g.n * g.oh * g.ow, rng);
      checkInputOnly(
        x, R,
        (y) => K.avgPoolForward(y, x, g),
        (dx, dy) => K.avgPoolBackward(dx, dy, g),
      );
    });
  }

  it('avg pool divides by the full window, padding included', () => {
    const g = K.convGeom(1, { h: 2, w: 2, c: 1 }, 1, { fh: 3, fw: 3, sh: 1, sw: 1, ph: 1, pw: 1 });
    const y = new Float64Array(4);
    K.avgPoolForward(y, new Float64Array([1, 1, 1, 1]), g);
    expect(Array.from(y)).toEqual([4 / 9, 4 / 9, 4 / 9, 4 / 9]);
  });

  for (const act of ['none', 'relu', 'sigmoid', 'tanh'] as const) {
    it(`dense, activation ${act}`, () => {
      const rng = new Rng(8);
      const [n, I, U] = [3, 5, 4];
      const x = f64(randomArray(n * I, rng));
      const w = f64(randomArray(U * I, rng));
      const b = f64(randomArray(U, rng));
      const R = randomArray(n * U, rng);
      checkWithParams(
        x, w, b, R,
        (y) => K.denseForward(y, x, w, b, n, I, U, act),
        (dx, dw, db, dy, y) => K.denseBackward(dx, dw, db, dy, y, x, w, n, I, U, act),
      );
    });
  }

  for (const [act, slope] of [['relu', 0], ['sigmoid', 0], ['tanh', 0], ['leakyrelu', 0.1], ['leakyrelu', -0.3]] as const) {
    it(`activation layer ${act} ${slope}`, () => {
      const rng = new Rng(9);
      const x = f64(randomArray(23, rng, 2));
      const R = randomArray(23, rng);
      checkInputOnly(
        x, R,
        (y) => K.activationForward(y, x, 23, act, slope),
        (dx, dy, y) => K.activationBackward(dx, dy, y, x, 23, act, slope),
      );
    });
  }

  it('softmax cross-entropy (mean over the batch)', () => {
    const rng = new Rng(10);
    const [n, k] = [4, 5];
    const logits = f64(randomArray(n * k, rng, 3));
    const labels = new Int32Array([0, 4, 2, 2]);
    const probs = new Float64Array(n * k);
    const loss = (): number => L.softmaxCrossEntropyForward(probs, logits, labels, n, k).loss;
    loss();
    const d = new Float64Array(n * k);
    L.softmaxCrossEntropyBackward(d, probs, labels, n, k);
    expectClose(d, numericGrad(logits, loss), 'dlogits');
  });

  it('softmax cross-entropy is stable for huge logits', () => {
    const probs = new Float64Array(3);
    const r = L.softmaxCrossEntropyForward(probs, new Float64Array([1000, 0, -1000]), new Int32Array([1]), 1, 3);
    expect(r.loss).toBeCloseTo(1000, 9);
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(probs[0]).toBeCloseTo(1, 12);
  });

  it('flatten is PyTorch order and its backward the exact inverse', () => {
    const rng = new Rng(3);
    const [n, c, hw] = [2, 3, 4];
    const x = f64(randomArray(n * c * hw, rng));
    const R = randomArray(n * c * hw, rng);
    const y = new Float64Array(x.length);
    const loss = (): number => {
      K.flattenForward(y, x, n, c, hw);
      return dot(y, R);
    };
    loss();
    // sample 1, channel 2, pixel 3 sits at [1][2·4+3] after flattening
    expect(y[1 * c * hw + 2 * hw + 3]).toBe(x[(2 * n + 1) * hw + 3]);
    const dx = new Float64Array(x.length);
    K.flattenBackward(dx, R, n, c, hw);
    expectClose(dx, numericGrad(x, loss), 'dx');
  });

  it('dropout: inverted scaling, seeded masks, gradient through the mask', () => {
    const rng = new Rng(4);
    const len = 4000;
    const mask = new Float64Array(len);
    K.dropoutMask(mask, len, 0.25, () => rng.uniform());
    const kept = mask.filter((m) => m !== 0);
    expect(new Set(kept).size).toBe(1);
    expect(kept[0]).toBeCloseTo(1 / 0.75, 12);
    expect(Math.abs(kept.length / len - 0.75)).toBeLessThan(0.03);
    const again = new Float64Array(len);
    const rng2 = new Rng(4);
    K.dropoutMask(again, len, 0.25, () => rng2.uniform());
    expect(Array.from(again)).toEqual(Array.from(mask));
    const x = f64(randomArray(len, rng));
    const R = randomArray(len, rng);
    const y = new Float64Array(len);
    const loss = (): number => {
      K.dropoutForward(y, mask, x, len);
      return dot(y, R);
    };
    const dx = new Float64Array(len);
    K.dropoutBackward(dx, R, mask, len);
    expectClose(dx.subarray(0, 50), numericGrad(x, loss).subarray(0, 50), 'dx');
  });
});
