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
import { checkInputOnly, checkWithParams, dot, f64 } from './finite-differences';
import { CONV_CASES, DECONV_CASES, UPSAMPLE_CASES } from './variant-cases';

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
        checkWithParams(
          x, w, b, R,
          (y) => K.convForward(y, x, w, b, g, act),
          (dx, dw, db, dy, y) => K.convBackward(dx, dw, db, dy, y, x, w, g, act),
        );
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
        checkWithParams(
          x, w, b, R,
          (y) => D.deconvForward(y, x, w, b, g, act),
          (dx, dw, db, dy, y) => D.deconvBackward(dx, dw, db, dy, y, x, w, g, act),
        );
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
      checkInputOnly(
        x, R,
        (y) => U.upsampleForward(y, x, g, mode),
        (dx, dy) => U.upsampleBackward(dx, dy, g, mode),
      );
    });
  }

  it('bilinear follows PyTorch’s half-pixel rule, clamped at the borders', () => {
    const y = new Float64Array(8);
    U.upsampleForward(y, new Float64Array([0, 4, 8, 12]), { n: 1, c: 1, h: 1, w: 4, scale: 2 }, 'bilinear');
    // torch.nn.functional.interpolate(torch.tensor([[[[0., 4, 8, 12]]]]), scale_factor=2, mode='bilinear')
    expect(Array.from(y)).toEqual([0, 1, 3, 5, 7, 9, 11, 12]);
  });
});
