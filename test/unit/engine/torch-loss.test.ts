// The losses against PyTorch 1.13 on the same numbers: test/fixtures/engine/loss.json, made by
// scripts/make-loss-fixtures.py. BCEWithLogitsLoss (with and without pos_weight) and CrossEntropyLoss(weight=)
// as kernels, and two whole networks — multi-label (ending in sigmoid, pos_weight) and single-label with class
// weights — forward, backward and through one SGD and one Adam step, on each backend and on 2 threads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../src/language/model';
import { createNetwork } from '../../../src/engine';
import { loadWasmModule, type BackendName } from '../../../src/engine/backend';
import * as L from '../../../src/engine/kernels-loss';
import { modelSpec } from '../../../src/engine/specs';
import { maxRelDiff, nchwToNhwc } from './helpers';

const fixture = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'engine', 'loss.json'), 'utf8'));
const TOL = 1e-4;
const BACKENDS: BackendName[] = ['js', 'wasm-simd', 'wasm-relaxed'];
const relaxedAvailable = loadWasmModule()?.variant === 'wasm-relaxed';

describe('loss kernels vs PyTorch', () => {
  for (const c of fixture.bce) {
    it(`BCEWithLogitsLoss, ${c.name}`, () => {
      const size = c.n * c.labels;
      const probs = new Float32Array(size);
      const logits = Float32Array.from(c.logits);
      const targets = Float32Array.from(c.targets);
      const pw = c.pos_weight ? Float32Array.from(c.pos_weight) : null;
      const r = L.sigmoidBinaryCrossEntropyForward(probs, logits, targets, c.n, c.labels, pw);
      expect(Math.abs(r.loss - c.loss)).toBeLessThan(TOL);
      expect(r.norm).toBe(size);
      expect(maxRelDiff(probs, c.probs)).toBeLessThan(TOL);
      const d = new Float32Array(size);
      L.sigmoidBinaryCrossEntropyBackward(d, probs, targets, c.n, c.labels, pw);
      expect(maxRelDiff(d, c.dlogits)).toBeLessThan(TOL);
      const sig = new Float32Array(size);
      L.sigmoidForward(sig, logits, size);
      expect(maxRelDiff(sig, c.probs)).toBeLessThan(TOL);
    });
  }
  for (const c of fixture.wce) {
    it(`CrossEntropyLoss(weight=), ${c.name}`, () => {
      const probs = new Float32Array(c.n * c.classes);
      const labels = Int32Array.from(c.labels);
      const w = Float32Array.from(c.weight);
      const r = L.softmaxCrossEntropyForward(probs, Float32Array.from(c.logits), labels, c.n, c.classes, w);
      expect(Math.abs(r.loss - c.loss)).toBeLessThan(TOL);
      expect(maxRelDiff(probs, c.probs)).toBeLessThan(TOL);
      const d = new Float32Array(c.n * c.classes);
      L.softmaxCrossEntropyBackward(d, probs, labels, c.n, c.classes, w);
      expect(maxRelDiff(d, c.dlogits)).toBeLessThan(TOL);
    });
  }
});

for (const c of fixture.networks) {
  describe(`a ${c.name} network vs PyTorch`, () => {
    const spec = modelSpec('fixture', c.input, c.layers as LayerSpec[]);
    const { h, w, c: ch } = c.input;
    const multi = c.layers.at(-1).kind === 'sigmoid';
    const n = multi ? c.targets.length / c.layers.at(-2).units : c.targets.length;
    const x = nchwToNhwc(c.x, n, ch, h * w);
    const targets = multi ? Float32Array.from(c.targets) : Int32Array.from(c.targets);
    const weights = Float32Array.from(c.weights);
    const tensors = Object.entries(c.params as Record<string, number[]>).map(([name, data]) => ({ name, shape: c.shapes[name] as number[], data: Float32Array.from(data) }));

    it('is built for its task', () => {
      expect(spec.task).toBe(multi ? 'multilabel' : 'single');
      expect(createNetwork(spec, { backend: 'js' }).task).toBe(spec.task);
    });

    for (const [backend, threads] of [...BACKENDS.map((b) => [b, 1] as const), ['auto', 2] as const]) {
      it.skipIf(backend === 'wasm-relaxed' && !relaxedAvailable)(`loss, gradients, predictions and evaluation on ${backend}, ${threads} thread(s)`, async () => {
        const net = createNetwork(spec, { backend, batch: n, threads });
        net.setParams(tensors);
        net.setLossWeights(weights);
        const r = net.forwardBackward(x, targets, n);
        expect(Math.abs(r.loss - c.loss)).toBeLessThan(TOL);
        for (const g of net.grads()) expect(maxRelDiff(g.data, c.grads[g.name]), g.name).toBeLessThan(TOL);
        expect(maxRelDiff(net.predict(x, n), c.probs)).toBeLessThan(TOL);
        // No dropout or batch norm: evaluation mode gives the same loss, also in chunks smaller than the batch.
        expect(Math.abs(net.evaluate(x, targets, n).loss - c.loss)).toBeLessThan(TOL);
        const small = createNetwork(spec, { backend, batch: 2, threads });
        small.setParams(tensors);
        small.setLossWeights(weights);
        expect(Math.abs(small.evaluate(x, targets, n).loss - c.loss)).toBeLessThan(TOL);
        await Promise.all([net.dispose(), small.dispose()]);
      });
      for (const kind of ['sgd', 'adam'] as const) {
        it.skipIf(backend === 'wasm-relaxed' && !relaxedAvailable)(`one ${kind} step on ${backend}, ${threads} thread(s)`, async () => {
          const o = c['after_' + kind].options;
          const net = createNetwork(spec, { backend, batch: n, threads, optimizer: { kind, lr: o.lr, momentum: o.momentum ?? 0, weightDecay: o.weight_decay ?? 0 } });
          net.setParams(tensors);
          net.setLossWeights(weights);
          net.trainStep(x, targets, n);
          for (const p of net.params()) expect(maxRelDiff(p.data, c['after_' + kind].params[p.name]), p.name).toBeLessThan(TOL);
          await net.dispose();
        });
      }
    }
  });
}
