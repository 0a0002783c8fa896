// The Network: backends agree, runs are reproducible from the seed, initialisation follows its rules,
// buffers grow on demand, the public calls return what they promise, and training learns.
import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../src/language/model';
import { createNetwork } from '../../../src/engine';
import { createBackend, loadWasmModule, WasmBackend } from '../../../src/engine/backend';
import { Rng } from '../../../src/engine/rng';
import { BENCH_MODELS, conv, dense, modelSpec, pool } from '../../../src/engine/specs';
import { maxRelDiff } from './helpers';

function batch(spec: { input: { h: number; w: number; c: number } }, n: number, classes: number, seed = 9): { x: Float32Array; labels: Int32Array } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * spec.input.h * spec.input.w * spec.input.c).map(() => rng.uniform());
  const labels = new Int32Array(n).map(() => rng.int(classes));
  return { x, labels };
}

describe('network', () => {
  for (const name of ['lenet5', 'lecture', 'tinyvgg'] as const) {
    it(`${name}: the wasm kernels give the reference kernels' loss and gradients`, () => {
      const spec = BENCH_MODELS[name]();
      const n = 3;
      const a = createNetwork(spec, { seed: 3, batch: n, backend: 'js' });
      const b = createNetwork(spec, { seed: 3, batch: n });
      expect(b.backendName).not.toBe('js');
      const { x, labels } = batch(spec, n, a.classes);
      const ra = a.forwardBackward(x, labels, n);
      const rb = b.forwardBackward(x, labels, n);
      expect(Math.abs(ra.loss - rb.loss)).toBeLessThan(1e-5);
      expect(rb.correct).toBe(ra.correct);
      const ga = a.grads();
      b.grads().forEach((g, i) => expect(maxRelDiff(g.data, ga[i]!.data), g.name).toBeLessThan(1e-4));
    });
  }

  for (const name of ['lenet5', 'lecture', 'tinyvgg'] as const) {
    it(`${name}: 2 worker threads give one thread's loss, gradients and steps, and repeat themselves exactly`, async () => {
      const spec = BENCH_MODELS[name]();
      const n = 5;
      const sgd = { kind: 'sgd' as const, lr: 0.05, momentum: 0.9 };
      const one = createNetwork(spec, { seed: 3, batch: n, optimizer: sgd });
      const two = createNetwork(spec, { seed: 3, batch: n, threads: 2, optimizer: sgd });
      const again = createNetwork(spec, { seed: 3, batch: n, threads: 2, optimizer: sgd });
      expect([one.threads, two.threads]).toEqual([1, 2]);
      expect([one.workersRunning, two.workersRunning]).toEqual([0, 1]);
      const { x, labels } = batch(spec, n, one.classes);
      const r1 = one.forwardBackward(x, labels, n);
      const r2 = two.forwardBackward(x, labels, n);
      expect(Math.abs(r1.loss - r2.loss)).toBeLessThan(1e-5);
      expect(r2.correct).toBe(r1.correct);
      const g1 = one.grads();
      two.grads().forEach((g, i) => expect(maxRelDiff(g.data, g1[i]!.data), g.name).toBeLessThan(1e-4));
      // Whole optimizer steps (the batch split across threads, weight gradients summed in another order).
      one.applyOptimizer();
      two.applyOptimizer();
      again.forwardBackward(x, labels, n);
      again.applyOptimizer();
      for (let s = 0; s < 3; s++) {
        const a = one.trainStep(x, labels, n);
        const b = two.trainStep(x, labels, n);
        again.trainStep(x, labels, n);
        expect(Math.abs(a.loss - b.loss), `step ${s}`).toBeLessThan(1e-4);
      }
      const p1 = one.params();
      two.params().forEach((p, i) => expect(maxRelDiff(p.data, p1[i]!.data), p.name).toBeLessThan(1e-4));
      // The same thread count reproduces itself bit for bit.
      expect(Array.from(two.flatParams())).toEqual(Array.from(again.flatParams()));
      // Predictions and evaluation run on the threads too.
      const pr1 = one.predict(x, n);
      const pr2 = two.predict(x, n);
      expect(maxRelDiff(pr2, pr1)).toBeLessThan(1e-4);
      await Promise.all([one.dispose(), two.dispose(), again.dispose()]);
    });
  }

  it('stops its worker threads on dispose, and refuses work afterwards', async () => {
    const spec = BENCH_MODELS.lecture();
    const net = createNetwork(spec, { seed: 1, batch: 4, threads: 3 });
    expect(net.threads).toBe(3);
    expect(net.workersRunning).toBe(2);
    const { x, labels } = batch(spec, 4, net.classes);
    net.trainStep(x, labels, 4);
    await net.dispose();
    expect(net.workersRunning).toBe(0);
    expect(() => net.trainStep(x, labels, 4)).toThrow(/closed/);
    await net.dispose(); // idempotent
    // A network on one thread has no workers; dispose does nothing and the network keeps working.
    const single = createNetwork(spec, { seed: 1, batch: 4 });
    expect(single.workersRunning).toBe(0);
    await single.dispose();
    expect(Number.isFinite(single.trainStep(x, labels, 4).loss)).toBe(true);
  });

  it('is reproducible from its seed, dropout included', () => {
    const spec = modelSpec('d', { h: 6, w: 6, c: 2 }, [conv(4, 3, { activation: 'relu' }), { kind: 'dropout', rate: 0.5 }, dense(3)]);
    const { x, labels } = batch(spec, 8, 3);
    const run = (seed: number): number[] => {
      const net = createNetwork(spec, { seed, batch: 8 });
      const losses = [0, 1, 2].map(() => net.trainStep(x, labels, 8).loss);
      return [...losses, ...net.flatParams()];
    };
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });

  it('initialises He-uniform before relu, Glorot-uniform otherwise, biases zero', () => {
    const spec = modelSpec('i', { h: 10, w: 10, c: 4 }, [conv(32, 3, { activation: 'relu' }), conv(16, 3), { kind: 'relu' }, conv(8, 3), dense(5)]);
    const net = createNetwork(spec, { seed: 4, batch: 1 });
    const p = net.params();
    const bounds: Record<string, number> = {
      'layers.0.weight': Math.sqrt(6 / 36), // He, fan_in 4·3·3
      'layers.1.weight': Math.sqrt(6 / 288), // He (a relu statement follows), fan_in 32·3·3
      'layers.3.weight': Math.sqrt(6 / (144 + 72)), // Glorot, fan_in 16·9, fan_out 8·9
      'layers.4.weight': Math.sqrt(6 / (128 + 5)), // Glorot, dense 4·4·8 → 5
    };
    for (const t of p) {
      if (t.name.endsWith('bias')) {
        expect(t.data.every((v) => v === 0)).toBe(true);
        continue;
      }
      const bound = bounds[t.name]!;
      const max = t.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(max, t.name).toBeLessThanOrEqual(bound);
      expect(max, t.name).toBeGreaterThan(0.9 * bound);
      const mean = t.data.reduce((s, v) => s + v, 0) / t.data.length;
      expect(Math.abs(mean), t.name).toBeLessThan(0.2 * bound);
    }
  });

  it('learns a simple task with Adam and with SGD', () => {
    // Class 0: the top half is bright; class 1: the bottom half.
    const spec = modelSpec('halves', { h: 8, w: 8, c: 1 }, [conv(4, 3, { p: 1, activation: 'relu' }), pool('max', 2), dense(2), { kind: 'softmax' }]);
    const n = 32;
    const rng = new Rng(1);
    const x = new Float32Array(n * 64);
    const labels = new Int32Array(n);
    for (let s = 0; s < n; s++) {
      labels[s] = s % 2;
      for (let i = 0; i < 64; i++) x[s * 64 + i] = rng.uniform() * 0.5 + ((i < 32) === (s % 2 === 0) ? 0.5 : 0);
    }
    for (const optimizer of [{ kind: 'adam' as const, lr: 0.01 }, { kind: 'sgd' as const, lr: 0.1, momentum: 0.9 }]) {
      const net = createNetwork(spec, { seed: 2, batch: n, optimizer });
      const first = net.trainStep(x, labels, n).loss;
      for (let i = 0; i < 60; i++) net.trainStep(x, labels, n);
      const r = net.evaluate(x, labels, n);
      expect(r.loss, optimizer.kind).toBeLessThan(first / 4);
      expect(r.correct, optimizer.kind).toBe(n);
      expect(net.steps).toBe(61);
    }
  });

  it('predicts probabilities for any n, in chunks of its capacity', () => {
    const spec = BENCH_MODELS.lecture();
    const net = createNetwork(spec, { seed: 1, batch: 4 });
    const { x, labels } = batch(spec, 11, 3);
    const all = net.predict(x, 11);
    expect(all.length).toBe(33);
    for (let s = 0; s < 11; s++) expect(all[s * 3]! + all[s * 3 + 1]! + all[s * 3 + 2]!).toBeCloseTo(1, 5);
    const one = net.predict(x.subarray(5 * 3072, 6 * 3072), 1);
    expect(maxRelDiff(one, all.subarray(15, 18))).toBeLessThan(1e-6);
    const ev = net.evaluate(x, labels, 11);
    let loss = 0;
    let correct = 0;
    for (let s = 0; s < 11; s++) {
      const p = all.subarray(s * 3, s * 3 + 3);
      loss -= Math.log(p[labels[s]!]!);
      if (p.indexOf(Math.max(...p)) === labels[s]) correct++;
    }
    expect(ev.loss).toBeCloseTo(loss / 11, 4);
    expect(ev.correct).toBe(correct);
  });

  it('grows its buffers for a larger batch and keeps its parameters', () => {
    const spec = BENCH_MODELS.lenet5();
    const net = createNetwork(spec, { seed: 1, batch: 2 });
    const before = net.params().map((t) => Array.from(t.data));
    const { x, labels } = batch(spec, 5, 10);
    const ref = createNetwork(spec, { seed: 1, batch: 5, backend: 'js' });
    const r = net.forwardBackward(x, labels, 5);
    expect(net.batchCapacity).toBe(5);
    expect(net.params().map((t) => Array.from(t.data))).toEqual(before);
    expect(Math.abs(r.loss - ref.forwardBackward(x, labels, 5).loss)).toBeLessThan(1e-5);
  });

  it('returns activations per layer (C×H×W) and filters', () => {
    const spec = modelSpec('a', { h: 6, w: 5, c: 2 }, [conv(3, [3, 2], { p: [1, 0], activation: 'relu' }), pool('avg', 2), { kind: 'flatten' }, dense(4, 'tanh'), dense(2)]);
    const net = createNetwork(spec, { seed: 1, batch: 2 });
    const { x } = batch(spec, 1, 2);
    const acts = net.activations(x);
    expect(acts.map((a) => [a.index, a.kind, a.shape])).toEqual([
      [0, 'conv', { kind: 'volume', h: 6, w: 4, c: 3 }],
      [1, 'pool', { kind: 'volume', h: 3, w: 2, c: 3 }],
      [2, 'flatten', { kind: 'vector', n: 18 }],
      [3, 'dense', { kind: 'vector', n: 4 }],
      [4, 'dense', { kind: 'vector', n: 2 }],
    ]);
    expect(acts[0]!.data.length).toBe(72);
    expect(acts[0]!.data.every((v) => v >= 0)).toBe(true);
    // Channel planes: the flatten output is the pool output in C×H×W order.
    expect(Array.from(acts[2]!.data)).toEqual(Array.from(acts[1]!.data));
    expect(acts[3]!.data.every((v) => Math.abs(v) < 1)).toBe(true);
    const f = net.filters();
    expect(f.map((t) => [t.index, t.shape])).toEqual([[0, [3, 2, 3, 2]]]);
    expect(Array.from(f[0]!.data)).toEqual(Array.from(net.params()[0]!.data));
  });

  it('shows a conv before a relu statement as written, though training fuses the two', () => {
    const spec = modelSpec('f', { h: 6, w: 6, c: 1 }, [conv(4, 3), { kind: 'relu' }, dense(2)]);
    const net = createNetwork(spec, { seed: 3, batch: 2 });
    const ref = createNetwork(spec, { seed: 3, batch: 2, backend: 'js' });
    const { x, labels } = batch(spec, 2, 2);
    const acts = net.activations(x);
    expect(acts[0]!.data.some((v) => v < 0)).toBe(true);
    expect(Array.from(acts[1]!.data)).toEqual(Array.from(acts[0]!.data).map((v) => Math.max(0, v)));
    expect(maxRelDiff(acts[2]!.data, ref.activations(x)[2]!.data)).toBeLessThan(1e-5);
    const r = net.forwardBackward(x, labels, 2);
    expect(Math.abs(r.loss - ref.forwardBackward(x, labels, 2).loss)).toBeLessThan(1e-5);
    const probs = net.predict(x, 1);
    const z = acts[2]!.data;
    const e = [Math.exp(z[0]!), Math.exp(z[1]!)];
    expect(probs[0]).toBeCloseTo(e[0]! / (e[0]! + e[1]!), 5);
  });

  it('rejects bad labels, short inputs and impossible models', () => {
    const spec = modelSpec('a', { h: 4, w: 4, c: 1 }, [dense(3)]);
    const net = createNetwork(spec, { batch: 2 });
    expect(() => net.trainStep(new Float32Array(32), new Int32Array([0, 3]), 2)).toThrow('label 3 of sample 1 is outside 0…2');
    expect(() => net.trainStep(new Float32Array(20), new Int32Array([0, 1]), 2)).toThrow('32 needed for 2 samples');
    expect(() => createNetwork(modelSpec('b', { h: 4, w: 4, c: 1 }, [{ kind: 'softmax' }, dense(2)] as LayerSpec[]))).toThrow('softmax must be the last layer');
    expect(() => createNetwork(modelSpec('c', { h: 4, w: 4, c: 1 }, [conv(2, 3)]))).toThrow('must end in a vector');
  });
});

describe('wasm GEMM', () => {
  it('matches a naive product for odd sizes, transposes and accumulation', () => {
    const info = loadWasmModule();
    expect(info).not.toBeNull();
    const be = createBackend(info!.variant) as WasmBackend;
    const rng = new Rng(3);
    // M picks the micro-kernel's rows: 4 (M = 1, 4), 5 (5, 10, 13, 70: two blocks of rows), 6 (6, 11, 130).
    const sizes = [[1, 1, 1], [5, 9, 3], [13, 17, 300], [70, 520, 7], [4, 8, 257], [6, 20, 40], [10, 30, 90], [11, 9, 5], [130, 33, 70]] as const;
    for (const [M, N, K] of sizes) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const offs = [M * K, K * N, M * N].map((l) => be.allocate(l * 4));
          const [A, B, C] = offs.map((o, i) => new Float32Array(be.buffer(), o, [M * K, K * N, M * N][i]!));
          A!.forEach((_, i) => (A![i] = rng.normal()));
          B!.forEach((_, i) => (B![i] = rng.normal()));
          C!.fill(1);
          const [ars, acs] = transA ? [1, M] : [K, 1];
          const [brs, bcs] = transB ? [1, K] : [N, 1];
          be.gemm(M, N, K, A!, ars, acs, B!, brs, bcs, C!, N, true);
          const want = new Float64Array(M * N);
          for (let i = 0; i < M; i++)
            for (let j = 0; j < N; j++) {
              let s = 1;
              for (let p = 0; p < K; p++) s += A![i * ars + p * acs]! * B![p * brs + j * bcs]!;
              want[i * N + j] = s;
            }
          expect(maxRelDiff(C!, want), `${M}×${N}×${K} ${transA} ${transB}`).toBeLessThan(1e-4);
        }
      }
    }
  });
});
