// A network that is a graph: the wasm kernels and worker threads agree with the reference kernels on the
// ResNet bench model, evaluation uses the running statistics while training uses the batch's, an abandoned
// cooperative step leaves the running statistics as they were, activations are fused only where the value
// has no other reader, and impossible graphs get clear errors.
import { describe, expect, it } from 'vitest';
import { createNetwork, type Yielder } from '../../../src/engine';
import { buildPlan } from '../../../src/engine/plan';
import { Rng } from '../../../src/engine/rng';
import { add, batchnorm, BENCH_MODELS, concat, conv, dense, from, globalpool, labelled, modelSpec, pool } from '../../../src/engine/specs';
import { maxRelDiff } from './helpers';

function batch(size: number, n: number, classes: number, seed = 9): { x: Float32Array; labels: Int32Array } {
  const rng = new Rng(seed);
  return { x: new Float32Array(n * size).map(() => rng.uniform()), labels: new Int32Array(n).map(() => rng.int(classes)) };
}

const small = () =>
  modelSpec('small', { h: 6, w: 6, c: 2 }, [
    conv(3, 3, { p: 1 }), batchnorm(), labelled('stem', { kind: 'relu' }),
    conv(3, 3, { p: 1 }), batchnorm(), add('stem'), { kind: 'relu' },
    globalpool('avg'), dense(3), { kind: 'softmax' },
  ], { batch: 4, optimizer: 'sgd', lr: 0.1 });

describe('graph networks', () => {
  it('resnet: the wasm kernels and 2 threads give the reference kernels\u2019 loss, gradients and running statistics', async () => {
    const spec = BENCH_MODELS.resnet();
    const n = 3;
    const js = createNetwork(spec, { seed: 3, batch: n, backend: 'js' });
    const wasm = createNetwork(spec, { seed: 3, batch: n });
    const two = createNetwork(spec, { seed: 3, batch: n, threads: 2 });
    expect(wasm.backendName).not.toBe('js');
    expect(two.threads).toBe(2);
    const { x, labels } = batch(32 * 32 * 3, n, js.classes);
    const r = js.forwardBackward(x, labels, n);
    const g = js.grads();
    const p = js.params();
    for (const net of [wasm, two]) {
      const rn = net.forwardBackward(x, labels, n);
      expect(Math.abs(rn.loss - r.loss)).toBeLessThan(1e-5);
      net.grads().forEach((t, i) => expect(maxRelDiff(t.data, g[i]!.data), t.name).toBeLessThan(1e-3));
      net.params().forEach((t, i) => expect(maxRelDiff(t.data, p[i]!.data), t.name).toBeLessThan(1e-4));
    }
    await two.dispose();
  });

  it('evaluates with the running statistics and trains with the batch\u2019s', () => {
    const net = createNetwork(small(), { seed: 2, batch: 4 });
    const { x, labels } = batch(72, 4, 3);
    // Fresh running statistics (mean 0, variance 1): evaluation normalises nothing; training does.
    const evalBefore = net.evaluate(x, labels, 4);
    const probs = net.predict(x, 4);
    let ce = 0;
    for (let i = 0; i < 4; i++) ce -= Math.log(probs[i * 3 + labels[i]!]!);
    expect(evalBefore.loss).toBeCloseTo(ce / 4, 5);
    const trainLoss = net.forwardBackward(x, labels, 4).loss;
    expect(Math.abs(trainLoss - evalBefore.loss)).toBeGreaterThan(1e-3);
    // That forward moved the running statistics (and counted the batch); evaluation and predict did not.
    const state = new Map(net.params().map((t) => [t.name, t]));
    expect(Array.from(state.get('layers.1.num_batches_tracked')!.data)).toEqual([1]);
    expect(state.get('layers.1.running_mean')!.data.some((v) => v !== 0)).toBe(true);
    net.evaluate(x, labels, 4);
    net.predict(x, 4);
    net.activations(x.subarray(0, 72));
    expect(Array.from(new Map(net.params().map((t) => [t.name, t])).get('layers.1.num_batches_tracked')!.data)).toEqual([1]);
  });

  it('the optimizer leaves the buffers alone, weight decay included', () => {
    const net = createNetwork(small(), { seed: 2, batch: 4, optimizer: { kind: 'sgd', lr: 0.5, weightDecay: 0.5 } });
    const { x, labels } = batch(72, 4, 3);
    net.forwardBackward(x, labels, 4);
    const before = net.params().filter((t) => /running|num_batches/.test(t.name));
    net.applyOptimizer();
    const after = net.params().filter((t) => /running|num_batches/.test(t.name));
    after.forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(before[i]!.data)));
  });

  it('an abandoned cooperative step leaves the parameters and the running statistics as they were', async () => {
    const net = createNetwork(small(), { seed: 2, batch: 4 });
    const { x, labels } = batch(72, 4, 3);
    const before = net.params();
    let calls = 0;
    const stopLate: Yielder = { due: () => ++calls === 14, pause: async () => true };
    expect(await net.trainStepCooperative(x, labels, 4, stopLate)).toBeNull();
    net.params().forEach((t, i) => expect(Array.from(t.data), t.name).toEqual(Array.from(before[i]!.data)));
    const whole = createNetwork(small(), { seed: 2, batch: 4 });
    const r = await net.trainStepCooperative(x, labels, 4, { due: () => true, pause: async () => false });
    expect(r).toEqual(whole.trainStep(x, labels, 4));
    net.params().forEach((t, i) => expect(Array.from(t.data), t.name).toEqual(Array.from(whole.params()[i]!.data)));
  });

  it('fuses an activation into the layer before only where that value has no other reader', () => {
    const plan = buildPlan(
      modelSpec('f', { h: 6, w: 6, c: 2 }, [
        conv(3, 3, { p: 1 }), labelled('a', { kind: 'relu' }), // fused: the conv's only reader
        labelled('c', conv(3, 3, { p: 1 })), { kind: 'relu' }, // not fused: c is also read by the add
        add('c'), { kind: 'relu' }, // fused into the add
        labelled('d', batchnorm()), { kind: 'relu' }, // not fused: the concat reads d
        concat('d', 'a'), globalpool('max'), dense(3),
      ]),
    );
    expect(plan.nodes.map((nd) => nd.fused)).toEqual([false, true, false, false, false, true, false, false, false, false, false]);
    expect(plan.nodes.map((nd) => nd.runAct)).toEqual(['relu', 'none', 'none', 'none', 'relu', 'none', 'none', 'none', 'none', 'none', 'none']);
    expect(plan.nodes.map((nd) => nd.consumers)).toEqual([[1], [2, 8], [3, 4], [4], [5], [6], [7, 8], [8], [9], [10], []]);
  });

  it('folds a batch norm into the conv before it for predictions only where the conv’s output has no other use', () => {
    const deconv = { kind: 'deconv' as const, filters: 3, fh: 3, fw: 3, sh: 1, sw: 1, ph: 1, pw: 1, oph: 0, opw: 0, activation: 'none' as const };
    const plan = buildPlan(
      modelSpec('f', { h: 6, w: 6, c: 2 }, [
        conv(3, 3, { p: 1 }), batchnorm(), labelled('a', { kind: 'relu' }), // folded, with the relu fused into the batch norm
        conv(3, 3, { p: 1, activation: 'relu' }), batchnorm(), // not: the conv has an activation of its own
        labelled('c', conv(3, 3, { p: 1 })), batchnorm(), add('c'), // not: the add reads the conv too
        deconv, batchnorm(), // not: a deconv has no absorbAffine
        globalpool('avg'), dense(4), batchnorm(), dense(3), // not: a dense layer has none either
      ]),
    );
    expect(plan.nodes.map((nd) => nd.absorbs)).toEqual([1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1]);
    expect(plan.nodes.map((nd) => nd.absorbed)).toEqual([false, true, false, false, false, false, false, false, false, false, false, false, false, false]);
    expect(plan.nodes[1]!.runAct).toBe('relu');
  });

  for (const [name, opts] of [['js', { backend: 'js' as const }], ['wasm', {}], ['wasm, 2 threads', { threads: 2 }]] as const) {
    it(`${name}: predictions with the batch norms folded into their convs match evaluation layer by layer`, async () => {
      const dw = { ...conv(4, 3, { p: 1 }), groups: 4 };
      const spec = modelSpec('fold', { h: 8, w: 8, c: 3 }, [
        conv(4, 3, { p: 1 }), batchnorm(), labelled('stem', { kind: 'relu' }),
        dw, batchnorm(), { kind: 'relu' }, // depthwise, the relu fused into the batch norm
        conv(4, 1), batchnorm(), add('stem'), { kind: 'relu' }, // a batch norm without an activation
        conv(6, 3, { s: 2, p: 1 }), batchnorm(0.1, 1e-3), // another eps
        globalpool('avg'), dense(3), { kind: 'softmax' },
      ]);
      const net = createNetwork(spec, { seed: 4, batch: 5, ...opts });
      expect(buildPlan(spec).nodes.filter((nd) => nd.absorbs >= 0).length).toBe(4);
      // Parameters and running statistics far from their fresh values, so that folding changes every number.
      const rng = new Rng(11);
      net.setParams(net.params().map((t) => ({ ...t, data: t.data.map(() => (/running_var/.test(t.name) ? 0.2 + rng.uniform() : /num_batches/.test(t.name) ? 3 : rng.normal() * 0.5)) })));
      const n = 5;
      const { x } = batch(8 * 8 * 3, n, 3, 12);
      const probs = net.predict(x, n);
      // activations() runs every statement as written (nothing folded) for one sample.
      for (let i = 0; i < n; i++) {
        const acts = net.activations(x.subarray(i * 192, (i + 1) * 192));
        expect(maxRelDiff(probs.subarray(i * 3, i * 3 + 3), acts[acts.length - 1]!.data)).toBeLessThan(1e-5);
      }
      // evaluate() folds too: its loss is the cross-entropy of those probabilities.
      const labels = new Int32Array([0, 1, 2, 1, 0]);
      let ce = 0;
      for (let i = 0; i < n; i++) ce -= Math.log(probs[i * 3 + labels[i]!]!);
      expect(net.evaluate(x, labels, n).loss).toBeCloseTo(ce / n, 5);
      await net.dispose();
    });
  }

  it('gives the filters of conv and deconv layers in PyTorch’s layouts', () => {
    const deconv = { kind: 'deconv' as const, filters: 4, fh: 2, fw: 2, sh: 2, sw: 2, ph: 0, pw: 0, oph: 0, opw: 0, activation: 'none' as const };
    const net = createNetwork(modelSpec('f', { h: 4, w: 4, c: 2 }, [conv(3, 3, { p: 1 }), deconv, globalpool('avg'), dense(2)]), { batch: 2 });
    const f = net.filters();
    expect(f.map((t) => [t.index, t.kind, t.shape])).toEqual([[0, 'conv', [3, 2, 3, 3]], [1, 'deconv', [3, 4, 2, 2]]]);
    expect(Array.from(f[1]!.data)).toEqual(Array.from(net.params()[2]!.data));
  });

  for (const backend of ['js', 'auto'] as const) {
    it(`${backend}: max pooling never picks its padding, average pooling counts it`, () => {
      const spec = modelSpec('p', { h: 3, w: 3, c: 1 }, [labelled('m', pool('max', 3, { s: 1, p: 1 })), from('input'), pool('avg', 3, { s: 1, p: 1 }), concat('m'), dense(2)]);
      const net = createNetwork(spec, { backend, batch: 1 });
      const x = new Float32Array(9).map((_, i) => -1 - i);
      const [max, avg] = net.activations(x);
      // Every window holds real values below zero: a padded zero must never win.
      expect(Array.from(max!.data)).toEqual([-1, -1, -2, -1, -1, -2, -4, -4, -5]);
      // The corner window sums 4 values and divides by all 9 places (count_include_pad=True).
      expect(avg!.data[0]).toBeCloseTo((-1 - 2 - 4 - 5) / 9, 6);
    });
  }

  it('computes nothing for a branch the loss does not depend on', () => {
    const plan = buildPlan(modelSpec('dead', { h: 4, w: 4, c: 1 }, [labelled('a', conv(2, 3, { p: 1 })), { kind: 'relu' }, from('a'), dense(3)]));
    expect(plan.nodes.map((nd) => nd.live)).toEqual([true, false, true]);
  });

  it('rejects graphs it cannot run with the layer and line', () => {
    const spec = modelSpec('bad', { h: 4, w: 4, c: 1 }, [labelled('a', conv(2, 3, { p: 1 })), conv(3, 3, { p: 1 }), dense(3)]);
    // An add of 2 and 3 channels, as a checker bug could hand over.
    spec.layers[1] = { ...spec.layers[1]!, spec: { kind: 'add' }, inputs: [0, 0, -1], output: null };
    expect(() => createNetwork(spec)).toThrow(/^layer 1 \(add, line 3\): add needs equal shapes, not 4×4×2 and 4×4×2 and 4×4×1$/);
    const later = modelSpec('later', { h: 4, w: 4, c: 1 }, [conv(2, 3, { p: 1 }), dense(3)]);
    later.layers[0] = { ...later.layers[0]!, inputs: [1] };
    expect(() => createNetwork(later)).toThrow('layer 0 (conv, line 2): its input, layer 1, is not an earlier layer');
  });
});
