// The engine against PyTorch 1.13 on the same numbers: test/fixtures/engine/*.json, made by
// scripts/make-engine-fixtures.py. Every kernel runs on each backend (reference TypeScript, WebAssembly
// relaxed SIMD and plain SIMD), and the whole network is checked forward, backward and through one SGD and
// one Adam step.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../src/language/model';
import { createNetwork } from '../../../src/engine';
import { createBackend, loadWasmModule, WasmBackend, type Backend, type BackendName } from '../../../src/engine/backend';
import * as K from '../../../src/engine/kernels';
import * as L from '../../../src/engine/kernels-loss';
import { adamStep, sgdStep } from '../../../src/engine/optim';
import { modelSpec } from '../../../src/engine/specs';
import { maxRelDiff, nchwToCnhw, nchwToNhwc, place } from './helpers';

const FIX = join(__dirname, '..', '..', 'fixtures', 'engine');
const kernels = JSON.parse(readFileSync(join(FIX, 'kernels.json'), 'utf8'));
const network = JSON.parse(readFileSync(join(FIX, 'network.json'), 'utf8'));
const TOL = 1e-4;

const BACKENDS: BackendName[] = ['js', 'wasm-simd', 'wasm-relaxed'];
/** Kernel backends: the three above, plain SIMD stepping through im2col 8 output columns at a time, and 3 threads. */
const KERNEL_BACKENDS = [...BACKENDS, 'wasm-simd, 8-column im2col steps', 'wasm, 3 threads'] as const;
const relaxedAvailable = loadWasmModule()?.variant === 'wasm-relaxed';

function backendFor(name: (typeof KERNEL_BACKENDS)[number]): Backend {
  if (name === 'wasm-simd, 8-column im2col steps') return new WasmBackend(loadWasmModule('wasm-simd')!, { colBudget: 1 });
  if (name === 'wasm, 3 threads') return createBackend('auto', { threads: 3 });
  return createBackend(name);
}

const cnhw = (a: ArrayLike<number>, n: number, c: number, hw: number): Float32Array => nchwToCnhw(a, n, c, hw) as Float32Array;

it('finds the built WebAssembly kernels (npm run build makes them)', () => {
  expect(loadWasmModule('wasm-simd'), 'build/engine-simd.wasm').not.toBeNull();
  expect(loadWasmModule()).not.toBeNull();
  expect(loadWasmModule(undefined, true)?.shared, 'build/engine-*-mt.wasm').toBe(true);
});

for (const name of KERNEL_BACKENDS) {
  describe.skipIf(name === 'wasm-relaxed' && !relaxedAvailable)(`kernels vs PyTorch on ${name}`, () => {
    for (const c of kernels.conv) {
      it(`conv ${c.name}`, () => {
        const be = backendFor(name);
        const g: K.ConvGeom = { n: c.n, c: c.c, h: c.h, w: c.w, k: c.k, fh: c.fh, fw: c.fw, sh: c.sh, sw: c.sw, ph: c.ph, pw: c.pw, oh: c.oh, ow: c.ow };
        const yLen = c.k * c.n * c.oh * c.ow;
        const scratch = be.colFloats(g);
        be.reserveScratch(scratch, c.weight.length + c.bias.length);
        const [x, w, b, y, dy, dx, dw, db] = place(be, [cnhw(c.x, c.n, c.c, c.h * c.w), c.weight, c.bias, yLen, cnhw(c.dy, c.n, c.k, c.oh * c.ow), c.x.length, c.weight.length, c.bias.length]);
        be.convForward(y!, x!, w!, b!, g, 'none');
        expect(maxRelDiff(y!, cnhw(c.y, c.n, c.k, c.oh * c.ow))).toBeLessThan(TOL);
        be.convBackward(dx!, dw!, db!, dy!, y!, x!, w!, g, 'none');
        expect(maxRelDiff(dx!, cnhw(c.dx, c.n, c.c, c.h * c.w)), 'dx').toBeLessThan(TOL);
        expect(maxRelDiff(dw!, c.dweight), 'dw').toBeLessThan(TOL);
        expect(maxRelDiff(db!, c.dbias), 'db').toBeLessThan(TOL);
      });
    }
    for (const c of kernels.pool) {
      it(`pool ${c.name}`, () => {
        const be = backendFor(name);
        const g: K.ConvGeom = { n: c.n, c: c.c, h: c.h, w: c.w, k: c.c, fh: c.fh, fw: c.fw, sh: c.sh, sw: c.sw, ph: c.ph, pw: c.pw, oh: c.oh, ow: c.ow };
        const yLen = c.c * c.n * c.oh * c.ow;
        const [x, y, dy, dx, argF] = place(be, [cnhw(c.x, c.n, c.c, c.h * c.w), yLen, cnhw(c.dy, c.n, c.c, c.oh * c.ow), c.x.length, yLen]);
        const arg = new Int32Array(be.buffer(), argF!.byteOffset, yLen);
        if (c.mode === 'max') {
          be.maxPoolForward(y!, arg, x!, g);
          be.maxPoolBackward(dx!, dy!, arg, g);
        } else {
          be.avgPoolForward(y!, x!, g);
          be.avgPoolBackward(dx!, dy!, g);
        }
        expect(maxRelDiff(y!, cnhw(c.y, c.n, c.c, c.oh * c.ow))).toBeLessThan(TOL);
        expect(maxRelDiff(dx!, cnhw(c.dx, c.n, c.c, c.h * c.w)), 'dx').toBeLessThan(TOL);
      });
    }
    it('dense', () => {
      const c = kernels.dense;
      const be = backendFor(name);
      const [x, w, b, y, dy, dx, dw, db] = place(be, [c.x, c.weight, c.bias, c.y.length, c.dy, c.x.length, c.weight.length, c.bias.length]);
      be.denseForward(y!, x!, w!, b!, c.n, c.inputs, c.units, 'none');
      expect(maxRelDiff(y!, c.y)).toBeLessThan(TOL);
      be.denseBackward(dx!, dw!, db!, dy!, y!, x!, w!, c.n, c.inputs, c.units, 'none');
      expect(maxRelDiff(dx!, c.dx), 'dx').toBeLessThan(TOL);
      expect(maxRelDiff(dw!, c.dweight), 'dw').toBeLessThan(TOL);
      expect(maxRelDiff(db!, c.dbias), 'db').toBeLessThan(TOL);
    });
    for (const c of kernels.activations) {
      it(`activation ${c.kind}`, () => {
        const be = backendFor(name);
        const [x, y, dy, dx] = place(be, [c.x, c.x.length, c.dy, c.x.length]);
        be.activationForward(y!, x!, c.x.length, c.kind, c.slope);
        expect(maxRelDiff(y!, c.y)).toBeLessThan(TOL);
        be.activationBackward(dx!, dy!, y!, x!, c.x.length, c.kind, c.slope);
        expect(maxRelDiff(dx!, c.dx)).toBeLessThan(TOL);
      });
    }
  });
}

describe('loss and optimizers vs PyTorch', () => {
  it('softmax cross-entropy', () => {
    const c = kernels.ce;
    const probs = new Float32Array(c.n * c.classes);
    const r = L.softmaxCrossEntropyForward(probs, Float32Array.from(c.logits), Int32Array.from(c.labels), c.n, c.classes);
    expect(Math.abs(r.loss - c.loss)).toBeLessThan(TOL);
    expect(maxRelDiff(probs, c.probs)).toBeLessThan(TOL);
    const d = new Float32Array(c.n * c.classes);
    L.softmaxCrossEntropyBackward(d, probs, Int32Array.from(c.labels), c.n, c.classes);
    expect(maxRelDiff(d, c.dlogits)).toBeLessThan(TOL);
  });
  for (const c of kernels.optim) {
    it(`${c.kind} ${JSON.stringify(c.options)} over ${c.after.length} steps`, () => {
      const p = Float32Array.from(c.params);
      const s1 = new Float32Array(p.length);
      const s2 = new Float32Array(p.length);
      const o = c.options;
      c.grads.forEach((g: number[], i: number) => {
        const grad = Float32Array.from(g);
        if (c.kind === 'sgd') sgdStep(p, grad, s1, p.length, i + 1, o.lr, o.momentum ?? 0, o.weight_decay ?? 0);
        else adamStep(p, grad, s1, s2, p.length, i + 1, o.lr, o.betas?.[0] ?? 0.9, o.betas?.[1] ?? 0.999, o.eps ?? 1e-8, o.weight_decay ?? 0);
        expect(maxRelDiff(p, c.after[i]), `step ${i + 1}`).toBeLessThan(1e-5);
      });
    });
  }
});

describe('a whole network vs PyTorch', () => {
  const spec = modelSpec('fixture', network.input, network.layers as LayerSpec[]);
  const { h, w, c } = network.input;
  const n = network.labels.length;
  const x = nchwToNhwc(network.x, n, c, h * w);
  const labels = Int32Array.from(network.labels);
  const tensors = Object.entries(network.params as Record<string, number[]>).map(([name, data]) => ({
    name,
    shape: network.shapes[name] as number[],
    data: Float32Array.from(data),
  }));

  for (const [backend, threads] of [...BACKENDS.map((b) => [b, 1] as const), ['auto', 2] as const]) {
    it.skipIf(backend === 'wasm-relaxed' && !relaxedAvailable)(`forward, loss, gradients and predictions on ${backend}, ${threads} thread(s)`, () => {
      const net = createNetwork(spec, { backend, batch: n, threads });
      expect(net.threads).toBe(threads);
      net.setParams(tensors);
      const r = net.forwardBackward(x, labels, n);
      expect(Math.abs(r.loss - network.loss)).toBeLessThan(TOL);
      for (const g of net.grads()) expect(maxRelDiff(g.data, network.grads[g.name]), g.name).toBeLessThan(TOL);
      expect(maxRelDiff(net.predict(x, n), network.probs)).toBeLessThan(TOL);
      const acts = net.activations(x.subarray(0, h * w * c));
      expect(acts.map((a) => a.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      expect(maxRelDiff(acts[8]!.data, network.probs.slice(0, 3))).toBeLessThan(TOL);
      net.dispose();
    });
    for (const kind of ['sgd', 'adam'] as const) {
      it.skipIf(backend === 'wasm-relaxed' && !relaxedAvailable)(`one ${kind} step on ${backend}, ${threads} thread(s)`, () => {
        const o = network['after_' + kind].options;
        const net = createNetwork(spec, { backend, batch: n, threads, optimizer: { kind, lr: o.lr, momentum: o.momentum ?? 0, weightDecay: o.weight_decay ?? 0 } });
        net.setParams(tensors);
        net.trainStep(x, labels, n);
        for (const p of net.params()) expect(maxRelDiff(p.data, network['after_' + kind].params[p.name]), p.name).toBeLessThan(TOL);
        net.dispose();
      });
    }
  }
});
