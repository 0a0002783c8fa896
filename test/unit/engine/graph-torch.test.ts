// A branching network with batch norm against PyTorch 1.13 (test/fixtures/engine/graph.*, made by
// scripts/make-engine-graph-fixtures.py): a residual add and a concat (values used twice), batch norm on
// volumes and vectors, padded max pooling and global average pooling. Evaluation-mode predictions (running
// statistics), training-mode loss and gradients (batch statistics), the running-statistics update, one SGD
// and one Adam step, and checkpoints both ways with num_batches_tracked as int64.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createNetwork, decodeSafetensors, loadCheckpoint, saveCheckpoint, type NamedTensor } from '../../../src/engine';
import { loadWasmModule, type BackendName } from '../../../src/engine/backend';
import { modelSpec, type GraphStep } from '../../../src/engine/specs';
import { maxRelDiff, nchwToNhwc } from './helpers';

const ROOT = join(__dirname, '..', '..', '..');
const FIX = join(ROOT, 'test', 'fixtures', 'engine');
const graph = JSON.parse(readFileSync(join(FIX, 'graph.json'), 'utf8'));
const TOL = 1e-4;
const dir = mkdtempSync(join(tmpdir(), 'cnn-graph-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spec = modelSpec('graph', graph.input, graph.steps as GraphStep[]);
const { h, w, c } = graph.input;
const n = graph.labels.length;
const x = nchwToNhwc(graph.x, n, c, h * w);
const labels = Int32Array.from(graph.labels);
const tensors: NamedTensor[] = Object.entries(graph.params as Record<string, number[]>).map(([name, data]) => ({
  name,
  shape: graph.shapes[name] as number[],
  data: Float32Array.from(data),
  ...(graph.dtypes[name] === 'I64' ? { dtype: 'I64' as const } : {}),
}));
const relaxed = loadWasmModule()?.variant === 'wasm-relaxed';
const RUNS: [BackendName | 'auto', number][] = [['js', 1], ['wasm-simd', 1], ['wasm-relaxed', 1], ['auto', 2]];

describe('a branching network with batch norm vs PyTorch', () => {
  it('has PyTorch\u2019s state_dict names, shapes and order, buffers included', () => {
    const net = createNetwork(spec, { batch: n, backend: 'js' });
    expect(net.params().map((t) => t.name)).toEqual(Object.keys(graph.params));
    expect(net.params().map((t) => t.shape)).toEqual(Object.keys(graph.params).map((k) => graph.shapes[k]));
    expect(net.params().filter((t) => t.dtype === 'I64').map((t) => t.name)).toEqual(['layers.1.num_batches_tracked', 'layers.4.num_batches_tracked', 'layers.13.num_batches_tracked']);
    expect(net.grads().map((t) => t.name)).toEqual(Object.keys(graph.grads));
  });

  for (const [backend, threads] of RUNS) {
    describe.skipIf(backend === 'wasm-relaxed' && !relaxed)(`on ${backend}, ${threads} thread(s)`, () => {
      it('predicts in evaluation mode with the running statistics', () => {
        const net = createNetwork(spec, { backend, threads, batch: n });
        net.setParams(tensors);
        expect(maxRelDiff(net.predict(x, n), graph.probs_eval)).toBeLessThan(TOL);
        // The inspector's activations use evaluation mode too: the last is the softmax of sample 0.
        const acts = net.activations(x.subarray(0, h * w * c));
        expect(acts.map((a) => a.index)).toEqual(spec.layers.map((l) => l.index));
        expect(maxRelDiff(acts[acts.length - 1]!.data, graph.probs_eval.slice(0, 3))).toBeLessThan(TOL);
        // Evaluation leaves the running statistics alone.
        for (const t of net.params()) expect(maxRelDiff(t.data, graph.params[t.name]), t.name).toBeLessThan(1e-7);
        void net.dispose();
      });

      it('trains with batch statistics: loss, gradients and the running statistics\u2019 update', () => {
        const net = createNetwork(spec, { backend, threads, batch: n });
        net.setParams(tensors);
        const r = net.forwardBackward(x, labels, n);
        expect(Math.abs(r.loss - graph.loss)).toBeLessThan(TOL);
        for (const g of net.grads()) expect(maxRelDiff(g.data, graph.grads[g.name]), g.name).toBeLessThan(TOL);
        const after = new Map(net.params().map((t) => [t.name, t]));
        for (const [name, want] of Object.entries(graph.buffers_after_forward as Record<string, number[]>)) {
          expect(maxRelDiff(after.get(name)!.data, want), name).toBeLessThan(TOL);
        }
        void net.dispose();
      });

      for (const kind of ['sgd', 'adam'] as const) {
        it(`one ${kind} step: parameters and running statistics, then evaluation`, () => {
          const o = graph['after_' + kind].options;
          const net = createNetwork(spec, { backend, threads, batch: n, optimizer: { kind, lr: o.lr, momentum: o.momentum ?? 0, weightDecay: o.weight_decay ?? 0 } });
          net.setParams(tensors);
          net.trainStep(x, labels, n);
          for (const p of net.params()) expect(maxRelDiff(p.data, graph['after_' + kind].params[p.name]), p.name).toBeLessThan(TOL);
          expect(maxRelDiff(net.predict(x, n), graph['after_' + kind].probs_eval)).toBeLessThan(TOL);
          void net.dispose();
        });
      }
    });
  }
});

describe('graph checkpoints', () => {
  it('reads the checkpoint PyTorch wrote, int64 num_batches_tracked included', () => {
    const cp = loadCheckpoint(join(FIX, 'graph.safetensors'), spec);
    const nbt = cp.tensors.find((t) => t.name === 'layers.1.num_batches_tracked')!;
    expect(nbt).toMatchObject({ shape: [], dtype: 'I64' });
    expect(Array.from(nbt.data)).toEqual([3]);
    const net = createNetwork(spec, { batch: n });
    net.setParams(cp.tensors);
    expect(maxRelDiff(net.predict(x, n), graph.probs_eval)).toBeLessThan(TOL);
  });

  it('writes one PyTorch loads with load_state_dict(strict=True), buffers included', () => {
    const net = createNetwork(spec, { seed: 8, batch: n, optimizer: { kind: 'sgd', lr: 0.05 } });
    net.trainStep(x, labels, n);
    net.trainStep(x, labels, n);
    const path = join(dir, 'graph.safetensors');
    saveCheckpoint(path, net, { source: 'graph' });
    const header = decodeSafetensors(readFileSync(path));
    expect(header.tensors.find((t) => t.name === 'layers.13.num_batches_tracked')).toMatchObject({ dtype: 'I64', shape: [] });
    const r = spawnSync('/usr/bin/python3', [join(ROOT, 'scripts', 'make-engine-graph-fixtures.py'), '--check-load', path], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.dtypes['layers.4.num_batches_tracked']).toBe('torch.int64');
    expect(out.num_batches_tracked).toBe(2);
    expect(maxRelDiff(out.probs, net.predict(x, n))).toBeLessThan(1e-5);
  });
});
