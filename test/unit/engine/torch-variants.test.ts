// Grouped, depthwise and dilated convolution, transposed convolution and upsampling against PyTorch 1.13 on
// the same numbers: test/fixtures/engine/variants.json, made by scripts/make-variant-fixtures.py. Every case
// runs forward and backward on each backend: the reference TypeScript kernels, WebAssembly plain and relaxed
// SIMD, plain SIMD stepping through im2col 8 columns at a time, and 3 threads. A network of all of these
// layers checks their entries in the engine's layer table (src/engine/layers/) against PyTorch's modules.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../src/language/model';
import { createNetwork } from '../../../src/engine';
import { createBackend, loadWasmModule, WasmBackend, type Backend, type BackendChoice } from '../../../src/engine/backend';
import type { ConvGeom } from '../../../src/engine/kernels';
import type { DeconvGeom } from '../../../src/engine/kernels-deconv';
import type { UpsampleGeom } from '../../../src/engine/kernels-upsample';
import { modelSpec } from '../../../src/engine/specs';
import { maxRelDiff, nchwToCnhw, nchwToNhwc, place } from './helpers';

const fixtures = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'engine', 'variants.json'), 'utf8'));
const TOL = 1e-4;
const BACKENDS = ['js', 'wasm-simd', 'wasm-relaxed', 'wasm-simd, 8-column im2col steps', 'wasm, 3 threads'] as const;
const relaxedAvailable = loadWasmModule()?.variant === 'wasm-relaxed';

function backendFor(name: (typeof BACKENDS)[number]): Backend {
  if (name === 'wasm-simd, 8-column im2col steps') return new WasmBackend(loadWasmModule('wasm-simd')!, { colBudget: 1 });
  if (name === 'wasm, 3 threads') return createBackend('auto', { threads: 3 });
  return createBackend(name);
}

const cnhw = (a: ArrayLike<number>, n: number, c: number, hw: number): Float32Array => nchwToCnhw(a, n, c, hw) as Float32Array;

/** A conv or deconv fixture case: its geometry and PyTorch's tensors (NCHW, parameters in PyTorch's layout). */
interface ParamCase {
  n: number;
  c: number;
  h: number;
  w: number;
  k: number;
  oh: number;
  ow: number;
  x: number[];
  weight: number[];
  bias: number[];
  y: number[];
  dy: number[];
  dx: number[];
  dweight: number[];
  dbias: number[];
}

/** A layer with parameters, run on the backend without activation, gives PyTorch's output and gradients. */
function expectMatchesTorch(
  be: Backend,
  c: ParamCase,
  forward: (y: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array) => void,
  backward: (dx: Float32Array, dw: Float32Array, db: Float32Array, dy: Float32Array, y: Float32Array, x: Float32Array, w: Float32Array) => void,
): void {
  const [x, w, b, y, dy, dx, dw, db] = place(be, [cnhw(c.x, c.n, c.c, c.h * c.w), c.weight, c.bias, c.y.length, cnhw(c.dy, c.n, c.k, c.oh * c.ow), c.x.length, c.weight.length, c.bias.length]);
  forward(y!, x!, w!, b!);
  expect(maxRelDiff(y!, cnhw(c.y, c.n, c.k, c.oh * c.ow)), 'y').toBeLessThan(TOL);
  backward(dx!, dw!, db!, dy!, y!, x!, w!);
  expect(maxRelDiff(dx!, cnhw(c.dx, c.n, c.c, c.h * c.w)), 'dx').toBeLessThan(TOL);
  expect(maxRelDiff(dw!, c.dweight), 'dw').toBeLessThan(TOL);
  expect(maxRelDiff(db!, c.dbias), 'db').toBeLessThan(TOL);
}

it('the fixtures cover groups, depthwise, dilation, output padding and both upsampling modes', () => {
  expect(fixtures.conv.some((c: ConvGeom) => c.groups! > 1 && c.groups! < c.c)).toBe(true);
  expect(fixtures.conv.some((c: ConvGeom) => c.groups === c.c && c.k > c.c)).toBe(true);
  expect(fixtures.conv.some((c: ConvGeom) => c.dh! > 1 && c.sh > 1)).toBe(true);
  expect(fixtures.deconv.some((c: DeconvGeom) => c.oph > 0)).toBe(true);
  expect(new Set(fixtures.upsample.map((c: { mode: string }) => c.mode))).toEqual(new Set(['nearest', 'bilinear']));
});

for (const name of BACKENDS) {
  describe.skipIf(name === 'wasm-relaxed' && !relaxedAvailable)(`conv variants, deconv and upsample vs PyTorch on ${name}`, () => {
    for (const c of fixtures.conv) {
      it(`conv ${c.name}`, async () => {
        const be = backendFor(name);
        const g: ConvGeom = { n: c.n, c: c.c, h: c.h, w: c.w, k: c.k, fh: c.fh, fw: c.fw, sh: c.sh, sw: c.sw, ph: c.ph, pw: c.pw, dh: c.dh, dw: c.dw, groups: c.groups, oh: c.oh, ow: c.ow };
        be.reserveScratch(be.colFloats(g), c.weight.length + c.bias.length);
        expectMatchesTorch(
          be, c,
          (y, x, w, b) => be.convForward(y, x, w, b, g, 'none'),
          (dx, dw, db, dy, y, x, w) => be.convBackward(dx, dw, db, dy, y, x, w, g, 'none'),
        );
        await be.dispose();
      });
    }
    for (const c of fixtures.deconv) {
      it(`deconv ${c.name}`, async () => {
        const be = backendFor(name);
        const g: DeconvGeom = { n: c.n, c: c.c, h: c.h, w: c.w, k: c.k, fh: c.fh, fw: c.fw, sh: c.sh, sw: c.sw, ph: c.ph, pw: c.pw, oph: c.oph, opw: c.opw, oh: c.oh, ow: c.ow };
        be.reserveScratch(be.deconvColFloats(g), c.weight.length + c.bias.length);
        expectMatchesTorch(
          be, c,
          (y, x, w, b) => be.deconvForward(y, x, w, b, g, 'none'),
          (dx, dw, db, dy, y, x, w) => be.deconvBackward(dx, dw, db, dy, y, x, w, g, 'none'),
        );
        await be.dispose();
      });
    }
    for (const c of fixtures.upsample) {
      it(`upsample ${c.name}`, async () => {
        const be = backendFor(name);
        const g: UpsampleGeom = { n: c.n, c: c.c, h: c.h, w: c.w, scale: c.scale };
        const ohow = c.h * c.w * c.scale * c.scale;
        const [x, y, dy, dx] = place(be, [cnhw(c.x, c.n, c.c, c.h * c.w), c.y.length, cnhw(c.dy, c.n, c.c, ohow), c.x.length]);
        be.upsampleForward(y!, x!, g, c.mode);
        expect(maxRelDiff(y!, cnhw(c.y, c.n, c.c, ohow)), 'y').toBeLessThan(TOL);
        be.upsampleBackward(dx!, dy!, g, c.mode);
        expect(maxRelDiff(dx!, cnhw(c.dx, c.n, c.c, c.h * c.w)), 'dx').toBeLessThan(TOL);
        await be.dispose();
      });
    }
  });
}

describe('a network of grouped, dilated, depthwise and transposed convolutions and upsampling vs PyTorch', () => {
  const net = fixtures.network;
  const spec = modelSpec('variants', net.input, net.layers as LayerSpec[]);
  const { h, w, c } = net.input;
  const n = net.labels.length;
  const x = nchwToNhwc(net.x, n, c, h * w);
  const labels = Int32Array.from(net.labels);
  const tensors = Object.entries(net.params as Record<string, number[]>).map(([name, data]) => ({ name, shape: net.shapes[name] as number[], data: Float32Array.from(data) }));
  const runs: [BackendChoice, number][] = [['js', 1], ['wasm-simd', 1], ['wasm-relaxed', 1], ['auto', 2]];
  for (const [backend, threads] of runs) {
    it.skipIf(backend === 'wasm-relaxed' && !relaxedAvailable)(`loss, every gradient and the predictions on ${backend}, ${threads} thread(s)`, async () => {
      const model = createNetwork(spec, { backend, batch: n, threads });
      model.setParams(tensors);
      expect(model.params().map((p) => p.name).sort()).toEqual(Object.keys(net.params).sort());
      const r = model.forwardBackward(x, labels, n);
      expect(Math.abs(r.loss - net.loss)).toBeLessThan(TOL);
      for (const g of model.grads()) expect(maxRelDiff(g.data, net.grads[g.name]), g.name).toBeLessThan(TOL);
      expect(maxRelDiff(model.predict(x, n), net.probs)).toBeLessThan(TOL);
      await model.dispose();
    });
  }
});
