// Training-health figures (src/engine/health.ts) against PyTorch hooks on the same weights, batch and step:
// test/fixtures/health/health.json, made by scripts/make-health-fixtures.py.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNetwork, layerNorms, updateRatios } from '../../../src/engine';
import type { LayerSpec } from '../../../src/language/model';
import { modelSpec } from '../../../src/engine/specs';
import { nchwToNhwc } from './helpers';

const fx = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'health', 'health.json'), 'utf8'));
const spec = modelSpec('health', fx.input, fx.layers as LayerSpec[]);
const { h, w, c } = fx.input;
const n = fx.labels.length;
const x = nchwToNhwc(fx.x, n, c, h * w);
const labels = Int32Array.from(fx.labels);
const tensors = Object.entries(fx.params as Record<string, number[]>).map(([name, data]) => ({ name, shape: fx.shapes[name] as number[], data: Float32Array.from(data) }));

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

describe('training health vs PyTorch hooks', () => {
  it('lays out the parameterised layers and the activations, leaving out the softmax', () => {
    const net = createNetwork(spec, { backend: 'js', batch: n });
    const layout = net.healthLayout();
    expect(layout.params.map((l) => [l.index, l.kind])).toEqual([
      [0, 'conv'],
      [1, 'batchnorm'],
      [4, 'conv'],
      [6, 'dense'],
      [8, 'dense'],
    ]);
    expect(layout.activations.map((a) => [a.index, a.act, a.units])).toEqual([
      [0, 'relu', 144],
      [2, 'relu', 144],
      [5, 'tanh', 27],
      [6, 'sigmoid', 6],
      [7, 'leakyrelu', 6],
    ]);
  });

  for (const backend of ['js', 'auto'] as const) {
    it(`dead and saturated shares in evaluation mode (${backend} kernels, chunks of 3 samples)`, () => {
      // A capacity of 3 makes the pass run in three chunks (3 + 3 + 2): a unit alive in any chunk is alive.
      const net = createNetwork(spec, { backend, batch: 3 });
      net.setParams(tensors);
      const got = net.unitActivity(x, n);
      for (const a of got) {
        const want = fx.activity[String(a.index)];
        if (want.dead !== undefined) expect(a.dead, `layer ${a.index}`).toBeCloseTo(want.dead, 6);
        else expect(a.saturated, `layer ${a.index}`).toBeCloseTo(want.saturated, 6);
      }
      // The fixture is not trivial: some relu units are dead, some tanh and sigmoid units saturated.
      expect(got.find((a) => a.index === 0)!.dead).toBeGreaterThan(0.3);
      expect(got.find((a) => a.index === 6)!.saturated).toBeGreaterThan(0.1);
      // Measuring changes nothing of the model.
      for (const p of net.params()) expect(Array.from(p.data), p.name).toEqual(Array.from(tensors.find((t) => t.name === p.name)!.data));
    });
  }

  it('a relu fused into its conv, and a relu of that relu, read the conv’s buffer: the same shares', () => {
    const layers = [
      { kind: 'conv', filters: 4, fh: 3, fw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, groups: 1, activation: 'none' },
      { kind: 'relu' },
      { kind: 'relu' },
      { kind: 'dense', units: 3, activation: 'none' },
      { kind: 'softmax' },
    ] as LayerSpec[];
    const net = createNetwork(modelSpec('fused', fx.input, layers), { backend: 'js', batch: n });
    const t = net.params();
    t.find((p) => p.name === 'layers.0.bias')!.data.set([-50, 0.1, -50, 0.2]);
    net.setParams(t);
    const got = net.unitActivity(x, n);
    expect(got.map((a) => [a.index, a.dead])).toEqual([
      [1, 0.5],
      [2, 0.5],
    ]);
  });

  for (const kind of ['sgd', 'adam'] as const) {
    it(`gradient norms, weight norms and the update ratio of one ${kind} step`, () => {
      const optimizer = kind === 'sgd' ? { kind, lr: 0.05, momentum: 0.9, weightDecay: 0 } : { kind, lr: 0.01, weightDecay: 0 };
      const net = createNetwork(spec, { backend: 'auto', batch: n, optimizer });
      net.setParams(tensors);
      const layout = net.healthLayout();
      const before = net.flatParams().slice();
      net.trainStep(x, labels, n);
      const norms = layerNorms(layout.params, before, net.flatGrads());
      const ratios = updateRatios(layout.params, before, net.flatParams());
      layout.params.forEach((l, k) => {
        const want = fx[kind][String(l.index)];
        expect(rel(norms[k]!.gradNorm, want.gradNorm), `layer ${l.index} gradNorm`).toBeLessThan(1e-4);
        expect(rel(norms[k]!.paramGradNorm, want.paramGradNorm), `layer ${l.index} paramGradNorm`).toBeLessThan(1e-4);
        expect(rel(norms[k]!.weightNorm, want.weightNorm), `layer ${l.index} weightNorm`).toBeLessThan(1e-4);
        // ‖w1 − w0‖ subtracts float32 weights ~1000× larger than the step (layer 4's are scaled ×30): both sides
        // round there, so the ratio agrees to ~1e-4 less than the norms do.
        expect(rel(ratios[k]!, want.updateRatio), `layer ${l.index} updateRatio`).toBeLessThan(1e-3);
      });
    });
  }
});
