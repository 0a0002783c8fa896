// Finite-difference checks (float64) of the reference kernels of grouped, depthwise and dilated convolution,
// transposed convolution and upsampling: L = Σ out·R for a random R, so the analytic gradients come from
// backward(dy = R) and the numeric ones from central differences of L. The WebAssembly kernels are held
// against these in wasm-variants.test.ts, and both against PyTorch in torch-variants.test.ts.
import { describe, expect, it } from 'vitest';
import * as K from '../../../src/engine/kernels';
import * as D from '../../../src/engine/kernels-deconv';
import * as U from '../../../src/engine/kernels-upsample';
import { Rng } from '../../../src/engine/rng';
import { randomArray } from './helpers';
import { CONV_CASES, DECONV_CASES, UPSAMPLE_CASES } from './variant-cases';

const EPS = 1e-6;
const TOL = 1e-6;

function numericGrad(v: Float64Array, f: () => number): Float64Array {
  const g = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const old = v[i]!;
    v[i] = old + EPS;
    const fp = f();
    v[i] = old - EPS;
    const fm = f();
    v[i] = old;
    g[i] = (fp - fm) / (2 * EPS);
  }
  return g;
}

function expectClose(analytic: ArrayLike<number>, numeric: ArrayLike<number>, what: string): void {
  expect(analytic.length, what).toBe(numeric.length);
  let worst = 0;
  for (let i = 0; i < numeric.length; i++) worst = Math.max(worst, Math.abs(analytic[i]! - numeric[i]!) / Math.max(1, Math.abs(numeric[i]!)));
  expect(worst, what).toBeLessThan(TOL);
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const f64 = (a: Float32Array | Float64Array): Float64Array => a as Float64Array;

describe('finite-difference gradients of grouped, depthwise and dilated convolution (float64)', () => {
  for (const [name, g] of CONV_CASES) {
    for (const act of ['none', 'tanh'] as const) {
      it(`conv ${name}, activation ${act}`, () => {
        const rng = new Rng(21);
        const G = g.groups ?? 1;
        const x = f64(randomArray(g.c * g.n * g.h * g.w, rng));
        const w = f64(randomArray(g.k * (g.c / G) * g.fh * g.fw, rng, 0.5));
        const b = f64(randomArray(g.k, rng));
        const R = randomArray(g.k * g.n * g.oh * g.ow, rng);
        const y = new Float64Array(R.length);
        const loss = (): number => {
          K.convForward(y, x, w, b, g, act);
          return dot(y, R);
        };
        loss();
        const dx = new Float64Array(x.length);
        const dw = new Float64Array(w.length);
        const db = new Float64Array(b.length);
        K.convBackward(dx, dw, db, R, y, x, w, g, act);
        expectClose(dx, numericGrad(x, loss), 'dx');
        expectClose(dw, numericGrad(w, loss), 'dw');
        expectClose(db, numericGrad(b, loss), 'db');
      });
    }
  }

  it('output size follows the dilated filter span D·(F − 1) + 1', () => {
    const g = K.convGeom(1, { h: 10, w: 9, c: 1 }, 1, { fh: 3, fw: 3, sh: 2, sw: 1, ph: 1, pw: 0, dh: 3, dw: 2 });
    expect([g.oh, g.ow]).toEqual([Math.floor((10 + 2 - 7) / 2) + 1, 9 - 5 + 1]);
  });

  it('a grouped convolution is its groups side by side: group 1 never reads group 0’s channels', () => {
    const g = K.convGeom(1, { h: 3, w: 3, c: 2 }, 2, { fh: 3, fw: 3, sh: 1, sw: 1, ph: 1, pw: 1, groups: 2 });
    const x = new Float64Array(18);
    x.fill(1, 0, 9); // channel 0 only
    const w = new Float64Array(18).fill(1);
    const y = new Float64Array(18);
    K.convForward(y, x, w, new Float64Array(2), g);
    expect(y[4]).toBe(9); // filter 0, centre: the 3×3 sum of channel 0
    expect(Array.from(y.subarray(9))).toEqual(new Array(9).fill(0)); // filter 1 sees channel 1 only
  });
});

describe('finite-difference gradients of transposed convolution (float64)', () => {
  for (const [name, g] of DECONV_CASES) {
    for (const act of ['none', 'sigmoid'] as const) {
      it(`deconv ${name}, activation ${act}`, () => {
        const rng = new Rng(31);
        const x = f64(randomArray(g.c * g.n * g.h * g.w, rng));
        const w = f64(randomArray(g.c * g.k * g.fh * g.fw, rng, 0.5));
        const b = f64(randomArray(g.k, rng));
        const R = randomArray(g.k * g.n * g.oh * g.ow, rng);
        const y = new Float64Array(R.length);
        const loss = (): number => {
          D.deconvForward(y, x, w, b, g, act);
          return dot(y, R);
        };
        loss();
        const dx = new Float64Array(x.length);
        const dw = new Float64Array(w.length);
        const db = new Float64Array(b.length);
        D.deconvBackward(dx, dw, db, R, y, x, w, g, act);
        expectClose(dx, numericGrad(x, loss), 'dx');
        expectClose(dw, numericGrad(w, loss), 'dw');
        expectClose(db, numericGrad(b, loss), 'db');
      });
    }
  }

  it('output size is (N − 1)·S − 2P + F + outpad', () => {
    const g = D.deconvGeom(1, { h: 4, w: 7, c: 1 }, 1, { fh: 3, fw: 2, sh: 2, sw: 3, ph: 1, pw: 0, oph: 1, opw: 2 });
    expect([g.oh, g.ow]).toEqual([3 * 2 - 2 + 3 + 1, 6 * 3 + 2 + 2]);
  });

  it('is the input gradient of the convolution it transposes (⟨deconv(x), v⟩ = ⟨x, conv(v)⟩)', () => {
    const rng = new Rng(5);
    const g = DECONV_CASES[0]![1];
    const x = f64(randomArray(g.c * g.n * g.h * g.w, rng));
    const w = f64(randomArray(g.c * g.k * g.fh * g.fw, rng));
    const v = f64(randomArray(g.k * g.n * g.oh * g.ow, rng));
    const y = new Float64Array(v.length);
    D.deconvForward(y, x, w, new Float64Array(g.k), g);
    const cv = new Float64Array(x.length);
    K.convForward(cv, v, w, new Float64Array(g.c), D.deconvAsConv(g));
    expect(dot(y, v)).toBeCloseTo(dot(x, cv), 9);
  });
});

describe('finite-difference gradients of upsampling (float64)', () => {
  for (const [name, g, mode] of UPSAMPLE_CASES) {
    it(`upsample ${name}`, () => {
      const rng = new Rng(41);
      const x = f64(randomArray(g.c * g.n * g.h * g.w, rng));
      const R = randomArray(x.length * g.scale * g.scale, rng);
      const y = new Float64Array(R.length);
      const loss = (): number => {
        U.upsampleForward(y, x, g, mode);
        return dot(y, R);
      };
      loss();
      const dx = new Float64Array(x.length);
      U.upsampleBackward(dx, R, g, mode);
      expectClose(dx, numericGrad(x, loss), 'dx');
    });
  }

  it('bilinear follows PyTorch’s half-pixel rule, clamped at the borders', () => {
    const y = new Float64Array(8);
    U.upsampleForward(y, new Float64Array([0, 4, 8, 12]), { n: 1, c: 1, h: 1, w: 4, scale: 2 }, 'bilinear');
    // torch.nn.functional.interpolate(torch.tensor([[[[0., 4, 8, 12]]]]), scale_factor=2, mode='bilinear')
    expect(Array.from(y)).toEqual([0, 1, 3, 5, 7, 9, 11, 12]);
  });
});
