// The WebAssembly kernels of grouped, depthwise and dilated convolution, transposed convolution, dense
// layers, the add node, pooling and upsampling against the reference kernels (float64, themselves checked by finite differences in
// gradcheck-variants.test.ts), on every build: plain and relaxed SIMD, 8-column im2col steps, and 3 threads;
// and a finite-difference check of each backward on the WebAssembly kernels themselves (float32, a
// directional derivative: the forward passes without activation are linear in each input, so central
// differences are exact up to rounding).
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, loadWasmModule, WasmBackend, type Backend } from '../../../src/engine/backend';
import * as K from '../../../src/engine/kernels';
import * as D from '../../../src/engine/kernels-deconv';
import * as U from '../../../src/engine/kernels-upsample';
import { Rng } from '../../../src/engine/rng';
import { winograd5, winogradBackward, winogradForward, winogradTile } from '../../../src/engine/convAlgorithms';
import { dot } from './finite-differences';
import { maxRelDiff, place, randomArray } from './helpers';
import { CONV_CASES, DECONV_CASES, LARGE_CONV_CASES, UPSAMPLE_CASES } from './variant-cases';

const TOL = 1e-4;
/**
 * Winograd F(4×4, 3×3) (layers whose outputs or inputs are 8 or more a side) rounds about ten times as much as
 * F(2×2, 3×3) or im2col: measured 2–6e-5 of |y| on these cases, against 1–3e-6 (its transforms multiply by 4,
 * 5 and 8). Its gradients through tanh summed over a 30×32 map reach 2e-4.
 */
const TOL_WINOGRAD4 = 3e-4;
const winograd4Tiles = (g: K.ConvGeom): boolean =>
  winogradForward(g) && (winogradTile(g.oh, g.ow) === 4 || (winogradBackward(g) && winogradTile(g.h, g.w) === 4));
/**
 * F(2×2, 5×5) shares F(4×4, 3×3)'s points, and so about its rounding, a little more (its filter transform
 * has 16s): measured on these cases' random data, y and dx 1e-5 to 1.7e-4 (LeNet-5's second layer at batch
 * 64), dw 2e-5 to 1.7e-4 (the same) and 8e-4 on the 40×37 map of 8 channels (its transform back sums 36
 * values tens of times the gradient's).
 */
const TOL_WINOGRAD5 = 1e-3;
const tolFor = (g: K.ConvGeom): number => (winograd5(g) ? TOL_WINOGRAD5 : winograd4Tiles(g) ? TOL_WINOGRAD4 : TOL);
const relaxedAvailable = loadWasmModule()?.variant === 'wasm-relaxed';
const VARIANTS = ['wasm-simd', 'wasm-relaxed', 'wasm-simd, 8-column im2col steps', 'wasm, 3 threads'] as const;
type Variant = (typeof VARIANTS)[number];

function createFor(name: Variant): Backend {
  if (name === 'wasm-simd, 8-column im2col steps') return new WasmBackend(loadWasmModule('wasm-simd')!, { colBudget: 1 });
  if (name === 'wasm, 3 threads') return createBackend('auto', { threads: 3 });
  return createBackend(name);
}

/** One backend per variant (worker threads start once); each test releases what it allocated. */
const backends = new Map<Variant, Backend>();
afterAll(async () => {
  for (const be of backends.values()) await be.dispose();
});
function withBackend(name: Variant, test: (be: Backend) => void): () => void {
  return () => {
    let be = backends.get(name);
    if (!be) backends.set(name, (be = createFor(name)));
    const mark = be.mark();
    try {
      test(be);
    } finally {
      be.release(mark);
    }
  };
}

/**
 * (L(v + εd) − L(v − εd)) / 2ε against ⟨grad, d⟩ for a random direction d, where `loss` runs the forward
 * pass on the backend (float32) and returns Σ out·R.
 */
function expectDirectional(v: Float32Array, grad: ArrayLike<number>, loss: () => number, rng: Rng, what: string): void {
  const d = randomArray(v.length, rng) as Float64Array;
  const old = Float32Array.from(v);
  const eps = 0.05;
  for (let i = 0; i < v.length; i++) v[i] = old[i]! + eps * d[i]!;
  const lp = loss();
  for (let i = 0; i < v.length; i++) v[i] = old[i]! - eps * d[i]!;
  const lm = loss();
  v.set(old);
  const numeric = (lp - lm) / (2 * eps);
  const analytic = dot(grad, d);
  expect(Math.abs(numeric - analytic) / Math.max(1, Math.abs(analytic)), what).toBeLessThan(2e-3);
}

type Buf = Float32Array | Float64Array;
type ActKind = K.ActKind;

/** A layer with parameters as a pair of kernels (geometry and activation bound). */
interface ParamKernels<T extends Buf> {
  forward(y: T, x: T, w: T, b: T): void;
  backward(dx: T, dw: T, db: T, dy: T, y: T, x: T, w: T): void;
}

/**
 * The backend's kernels (float32) against the reference ones (float64) on inputs xs, ws, bs and output
 * gradient R; gradients start non-zero to show that backward accumulates, and y does not, to show that
 * forward overwrites it. The caller reserves the backend's scratch.
 */
function expectMatchesReference(be: Backend, xs: Buf, ws: Buf, bs: Buf, R: Buf, ref: ParamKernels<Buf>, run: ParamKernels<Float32Array>, tol = TOL): void {
  const yr = new Float64Array(R.length);
  ref.forward(yr, xs, ws, bs);
  const dxr = new Float64Array(xs.length).fill(0.5);
  const dwr = new Float64Array(ws.length).fill(0.25);
  const dbr = new Float64Array(bs.length).fill(-1);
  ref.backward(dxr, dwr, dbr, R, yr, xs, ws);
  const [x, w, b, y, dy, dx, dw, db] = place(be, [xs, ws, bs, R.length, R, xs.length, ws.length, bs.length]);
  dx!.fill(0.5);
  dw!.fill(0.25);
  db!.fill(-1);
  y!.fill(123);
  run.forward(y!, x!, w!, b!);
  expect(maxRelDiff(y!, yr), 'y').toBeLessThan(tol);
  run.backward(dx!, dw!, db!, dy!, y!, x!, w!);
  expect(maxRelDiff(dx!, dxr), 'dx').toBeLessThan(tol);
  expect(maxRelDiff(dw!, dwr), 'dw').toBeLessThan(tol);
  expect(maxRelDiff(db!, dbr), 'db').toBeLessThan(tol);
}

/** Convolution and transposed convolution on the reference kernels and on a backend, as ParamKernels. */
const convRef = (g: K.ConvGeom, act: ActKind): ParamKernels<Buf> => ({
  forward: (y, x, w, b) => K.convForward(y, x, w, b, g, act),
  backward: (dx, dw, db, dy, y, x, w) => K.convBackward(dx, dw, db, dy, y, x, w, g, act),
});
const convOn = (be: Backend, g: K.ConvGeom, act: ActKind): ParamKernels<Float32Array> => ({
  forward: (y, x, w, b) => be.convForward(y, x, w, b, g, act),
  backward: (dx, dw, db, dy, y, x, w) => be.convBackward(dx, dw, db, dy, y, x, w, g, act),
});
const deconvRef = (g: D.DeconvGeom, act: ActKind): ParamKernels<Buf> => ({
  forward: (y, x, w, b) => D.deconvForward(y, x, w, b, g, act),
  backward: (dx, dw, db, dy, y, x, w) => D.deconvBackward(dx, dw, db, dy, y, x, w, g, act),
});
const deconvOn = (be: Backend, g: D.DeconvGeom, act: ActKind): ParamKernels<Float32Array> => ({
  forward: (y, x, w, b) => be.deconvForward(y, x, w, b, g, act),
  backward: (dx, dw, db, dy, y, x, w) => be.deconvBackward(dx, dw, db, dy, y, x, w, g, act),
});

/** expectDirectional for x, w and b of a layer run on the backend without activation (output gradient R). */
function expectDirectionalParams(be: Backend, xs: Buf, ws: Buf, bs: Buf, R: Buf, run: ParamKernels<Float32Array>, rng: Rng): void {
  const [x, w, b, y, dy, dx, dw, db] = place(be, [xs, ws, bs, R.length, R, xs.length, ws.length, bs.length]);
  const loss = (): number => {
    run.forward(y!, x!, w!, b!);
    return dot(y!, R);
  };
  loss();
  run.backward(dx!, dw!, db!, dy!, y!, x!, w!);
  expectDirectional(x!, dx!, loss, rng, 'dx');
  expectDirectional(w!, dw!, loss, rng, 'dw');
  expectDirectional(b!, db!, loss, rng, 'db');
}

for (const name of VARIANTS) {
  describe.skipIf(name === 'wasm-relaxed' && !relaxedAvailable)(`grouped, depthwise and dilated conv on ${name}`, () => {
    for (const [label, g] of [...CONV_CASES, ...LARGE_CONV_CASES]) {
      // none and relu are applied as the outputs are stored (direct, Winograd F(4×4)); tanh in a pass of its own.
      for (const act of ['none', 'relu', 'tanh'] as const) {
        it(`${label}, activation ${act}`, withBackend(name, (be) => {
          const rng = new Rng(7);
          const G = g.groups ?? 1;
          const xs = randomArray(g.c * g.n * g.h * g.w, rng);
          const ws = randomArray(g.k * (g.c / G) * g.fh * g.fw, rng, 0.5);
          const bs = randomArray(g.k, rng);
          const R = randomArray(g.k * g.n * g.oh * g.ow, rng);
          be.reserveScratch(be.colFloats(g), ws.length + bs.length);
          expectMatchesReference(be, xs, ws, bs, R, convRef(g, act), convOn(be, g, act), tolFor(g));
        }));
      }
      it(`${label}: finite differences on the WebAssembly kernels`, withBackend(name, (be) => {
        const rng = new Rng(8);
        const G = g.groups ?? 1;
        const R = randomArray(g.k * g.n * g.oh * g.ow, rng);
        be.reserveScratch(be.colFloats(g), g.k * (g.c / G) * g.fh * g.fw + g.k);
        const [xs, ws, bs] = [randomArray(g.c * g.n * g.h * g.w, rng), randomArray(g.k * (g.c / G) * g.fh * g.fw, rng, 0.5), randomArray(g.k, rng)];
        expectDirectionalParams(be, xs, ws, bs, R, convOn(be, g, 'none'), rng);
      }));
    }
    const byName = (prefix: string) => CONV_CASES.find(([label]) => label.startsWith(prefix))!;
    for (const [label, g] of [CONV_CASES[0]!, CONV_CASES[1]!, byName('depthwise 3x3 pad 1, width 21')]) {
      it(`${label}: a first layer (dx = null) gets the same weight gradients`, withBackend(name, (be) => {
        const rng = new Rng(9);
        const R = randomArray(g.k * g.n * g.oh * g.ow, rng);
        const wl = g.k * (g.c / (g.groups ?? 1)) * g.fh * g.fw;
        be.reserveScratch(be.colFloats(g), wl + g.k);
        const xs = randomArray(g.c * g.n * g.h * g.w, rng);
        const [x, w, b, y, dy, dw, db, dw2, db2, dx] = place(be, [xs, randomArray(wl, rng), g.k, R.length, R, wl, g.k, wl, g.k, xs.length]);
        be.convForward(y!, x!, w!, b!, g, 'none');
        be.convBackward(null, dw!, db!, dy!, y!, x!, w!, g, 'none');
        be.convBackward(dx!, dw2!, db2!, dy!, y!, x!, w!, g, 'none');
        expect(maxRelDiff(dw!, dw2!)).toBe(0);
        expect(maxRelDiff(db!, db2!)).toBe(0);
        expect(dw!.some((v) => v !== 0)).toBe(true);
      }));
    }
  });

  describe.skipIf(name === 'wasm-relaxed' && !relaxedAvailable)(`transposed convolution on ${name}`, () => {
    for (const [label, g] of DECONV_CASES) {
      for (const act of ['none', 'relu'] as const) {
        it(`${label}, activation ${act}`, withBackend(name, (be) => {
          const rng = new Rng(17);
          const xs = randomArray(g.c * g.n * g.h * g.w, rng);
          const ws = randomArray(g.c * g.k * g.fh * g.fw, rng, 0.5);
          const bs = randomArray(g.k, rng);
          const R = randomArray(g.k * g.n * g.oh * g.ow, rng);
          be.reserveScratch(be.deconvColFloats(g), ws.length + bs.length);
          expectMatchesReference(be, xs, ws, bs, R, deconvRef(g, act), deconvOn(be, g, act));
        }));
      }
      it(`${label}: finite differences on the WebAssembly kernels`, withBackend(name, (be) => {
        const rng = new Rng(18);
        const R = randomArray(g.k * g.n * g.oh * g.ow, rng);
        be.reserveScratch(be.deconvColFloats(g), g.c * g.k * g.fh * g.fw + g.k);
        const [xs, ws, bs] = [randomArray(g.c * g.n * g.h * g.w, rng), randomArray(g.c * g.k * g.fh * g.fw, rng, 0.5), randomArray(g.k, rng)];
        expectDirectionalParams(be, xs, ws, bs, R, deconvOn(be, g, 'none'), rng);
      }));
    }
  });

  describe.skipIf(name === 'wasm-relaxed' && !relaxedAvailable)(`dense layers on ${name}`, () => {
    // The second is past the backend's threshold for threads: samples split for y and dx, units for dw and db.
    const DENSE_CASES: [string, number, number, number][] = [
      ['5 samples, 40 → 12', 5, 40, 12],
      ['35 samples, 300 → 211 (on the threads where there are some)', 35, 300, 211],
    ];
    for (const [label, n, inputs, units] of DENSE_CASES) {
      for (const withDx of [true, false]) {
        it(`${label}, relu, ${withDx ? 'with' : 'without'} the input gradient`, withBackend(name, (be) => {
          const rng = new Rng(33);
          const xs = randomArray(n * inputs, rng);
          const ws = randomArray(units * inputs, rng);
          const bs = randomArray(units, rng);
          const R = randomArray(n * units, rng);
          const yr = new Float64Array(n * units);
          K.denseForward(yr, xs, ws, bs, n, inputs, units, 'relu');
          const dxr = new Float64Array(xs.length).fill(0.5);
          const dwr = new Float64Array(ws.length).fill(0.25);
          const dbr = new Float64Array(units).fill(0.25);
          K.denseBackward(withDx ? dxr : null, dwr, dbr, R, yr, xs, ws, n, inputs, units, 'relu');
          const [x, w, b, y, dy, dx, dw, db] = place(be, [xs, ws, bs, yr.length, R, xs.length, ws.length, units]);
          dx!.fill(0.5);
          dw!.fill(0.25);
          db!.fill(0.25);
          be.denseForward(y!, x!, w!, b!, n, inputs, units, 'relu');
          expect(maxRelDiff(y!, yr), 'y').toBeLessThan(TOL);
          be.denseBackward(withDx ? dx! : null, dw!, db!, dy!, y!, x!, w!, n, inputs, units, 'relu');
          if (withDx) expect(maxRelDiff(dx!, dxr), 'dx').toBeLessThan(TOL);
          else expect(Array.from(dx!).every((v) => v === 0.5), 'dx untouched').toBe(true);
          expect(maxRelDiff(dw!, dwr), 'dw').toBeLessThan(TOL);
          expect(maxRelDiff(db!, dbr), 'db').toBeLessThan(TOL);
        }));
      }
    }
  });

  describe.skipIf(name === 'wasm-relaxed' && !relaxedAvailable)(`the add node's kernel on ${name}`, () => {
    for (const act of ['none', 'relu', 'tanh'] as const) {
      it(`y = ${act}(a + b) over 1003 values, and in place`, withBackend(name, (be) => {
        const rng = new Rng(35);
        const as = randomArray(1003, rng);
        const bs = randomArray(1003, rng);
        const yr = new Float64Array(1003);
        K.addForward(yr, as, bs, 1003, act);
        const [a, b, y] = place(be, [as, bs, 1003]);
        be.addForward(y!, a!, b!, 1003, act);
        expect(maxRelDiff(y!, yr), 'y').toBeLessThan(TOL);
        be.addForward(a!, a!, b!, 1003, act);
        expect(maxRelDiff(a!, yr), 'in place').toBeLessThan(TOL);
      }));
    }
  });

  describe.skipIf(name === 'wasm-relaxed' && !relaxedAvailable)(`pooling on ${name}`, () => {
    // Values on a coarse grid, so that windows hold ties (the first of equal values wins everywhere).
    const POOL_CASES: [string, K.ConvGeom][] = [
      ['global, 5×7 maps (vectors and a tail)', K.convGeom(3, { h: 5, w: 7, c: 4 }, 4, { fh: 5, fw: 7, sh: 1, sw: 1, ph: 0, pw: 0 })],
      ['global, 2×3 maps (shorter than two vectors)', K.convGeom(2, { h: 2, w: 3, c: 3 }, 3, { fh: 2, fw: 3, sh: 1, sw: 1, ph: 0, pw: 0 })],
      ['global, 16×16 maps', K.convGeom(2, { h: 16, w: 16, c: 5 }, 5, { fh: 16, fw: 16, sh: 1, sw: 1, ph: 0, pw: 0 })],
      ['2×2 stride 2, 6×11 maps', K.convGeom(2, { h: 6, w: 11, c: 3 }, 3, { fh: 2, fw: 2, sh: 2, sw: 2, ph: 0, pw: 0 })],
      ['3×3 stride 2 pad 1, 7×8 maps', K.convGeom(2, { h: 7, w: 8, c: 3 }, 3, { fh: 3, fw: 3, sh: 2, sw: 2, ph: 1, pw: 1 })],
    ];
    for (const [label, g] of POOL_CASES) {
      it(`max and average, ${label}`, withBackend(name, (be) => {
        const rng = new Rng(31);
        const xs = Float64Array.from(randomArray(g.c * g.n * g.h * g.w, rng), (v) => Math.round(v * 4) / 4);
        const out = g.c * g.n * g.oh * g.ow;
        const R = randomArray(out, rng);
        const yr = new Float64Array(out);
        const ar = new Int32Array(out);
        K.maxPoolForward(yr, ar, xs, g);
        const dxr = new Float64Array(xs.length).fill(0.5);
        K.maxPoolBackward(dxr, R, ar, g);
        const [x, y, dy, dx, arg] = place(be, [xs, out, R, xs.length, out]);
        const winners = new Int32Array(arg!.buffer, arg!.byteOffset, out);
        dx!.fill(0.5);
        be.maxPoolForward(y!, winners, x!, g);
        expect(maxRelDiff(y!, yr), 'max y').toBe(0);
        be.maxPoolBackward(dx!, dy!, winners, g);
        expect(maxRelDiff(dx!, dxr), 'max dx: each window\u2019s first winner').toBeLessThan(TOL);
        K.avgPoolForward(yr, xs, g);
        dxr.fill(0.5);
        K.avgPoolBackward(dxr, R, g);
        dx!.fill(0.5);
        be.avgPoolForward(y!, x!, g);
        expect(maxRelDiff(y!, yr), 'avg y').toBeLessThan(TOL);
        be.avgPoolBackward(dx!, dy!, g);
        expect(maxRelDiff(dx!, dxr), 'avg dx').toBeLessThan(TOL);
      }));
    }
  });

  describe.skipIf(name === 'wasm-relaxed' && !relaxedAvailable)(`upsampling on ${name}`, () => {
    for (const [label, g, mode] of UPSAMPLE_CASES) {
      it(label, withBackend(name, (be) => {
        const rng = new Rng(27);
        const xs = randomArray(g.c * g.n * g.h * g.w, rng);
        const R = randomArray(xs.length * g.scale * g.scale, rng);
        const yr = new Float64Array(R.length);
        U.upsampleForward(yr, xs, g, mode);
        const dxr = new Float64Array(xs.length).fill(0.5);
        U.upsampleBackward(dxr, R, g, mode);
        const [x, y, dy, dx] = place(be, [xs, R.length, R, xs.length]);
        dx!.fill(0.5);
        be.upsampleForward(y!, x!, g, mode);
        expect(maxRelDiff(y!, yr), 'y').toBeLessThan(TOL);
        be.upsampleBackward(dx!, dy!, g, mode);
        expect(maxRelDiff(dx!, dxr), 'dx').toBeLessThan(TOL);
        const loss = (): number => {
          be.upsampleForward(y!, x!, g, mode);
          return dot(y!, R);
        };
        dx!.fill(0);
        be.upsampleBackward(dx!, dy!, g, mode);
        expectDirectional(x!, dx!, loss, rng, 'dx');
      }));
    }
  });
}
