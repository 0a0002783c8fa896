// Long passes that give way: trainStepCooperative and predictCooperative compute what trainStep and predict
// do, pause between layers when the yielder says so, and leave the weights alone when told to stop mid-step.
// A relu after a relu costs nothing, and the arena of a network of many small layers is re-mapped a handful
// of times, not once per layer.
import { describe, expect, it } from 'vitest';
import { createNetwork, type Yielder } from '../../../src/engine';
import { createBackend } from '../../../src/engine/backend';
import { Rng } from '../../../src/engine/rng';
import { conv, dense, modelSpec } from '../../../src/engine/specs';
import type { LayerSpec } from '../../../src/language/model';

function deepSpec(relus: number) {
  const layers: LayerSpec[] = [conv(2, 3, { p: 1 })];
  for (let i = 0; i < relus; i++) layers.push({ kind: i % 2 ? 'tanh' : 'relu' });
  layers.push(dense(3), { kind: 'softmax' });
  return modelSpec('Deep', { h: 6, w: 6, c: 1 }, layers, { batch: 4, optimizer: 'sgd', lr: 0.1 });
}

function data(n: number) {
  const rng = new Rng(5);
  return { x: new Float32Array(n * 36).map(() => rng.uniform()), labels: new Int32Array(n).map(() => rng.int(3)) };
}

/** Due after every `every` layers; stops at the `stopAt`-th pause (0: never). */
function counting(every: number, stopAt = 0): Yielder & { pauses: number } {
  let calls = 0;
  const y = {
    pauses: 0,
    due: () => ++calls % every === 0,
    pause: async () => {
      y.pauses++;
      return stopAt > 0 && y.pauses >= stopAt;
    },
  };
  return y;
}

describe('cooperative steps', () => {
  it('trainStepCooperative gives trainStep\u2019s loss and weights, pausing between layers', async () => {
    const spec = deepSpec(40);
    const a = createNetwork(spec, { seed: 2 });
    const b = createNetwork(spec, { seed: 2 });
    const { x, labels } = data(4);
    const y = counting(5);
    for (let s = 0; s < 2; s++) {
      const ra = a.trainStep(x, labels, 4);
      const rb = await b.trainStepCooperative(x, labels, 4, y);
      expect(rb).toEqual(ra);
    }
    expect(Array.from(b.flatParams())).toEqual(Array.from(a.flatParams()));
    // Forward and backward over 43 layers, twice: a pause every 5 layers.
    expect(y.pauses).toBeGreaterThan(10);
    expect(Array.from((await b.predictCooperative(x, 4, counting(3)))!)).toEqual(Array.from(a.predict(x, 4)));
  });

  it('a stop mid-step abandons the step and leaves the weights as they were', async () => {
    const spec = deepSpec(40);
    const net = createNetwork(spec, { seed: 2 });
    const before = Array.from(net.flatParams());
    const { x, labels } = data(4);
    // Stops during forward, then (another step) during backward.
    expect(await net.trainStepCooperative(x, labels, 4, counting(1, 10))).toBeNull();
    expect(await net.trainStepCooperative(x, labels, 4, counting(1, 60))).toBeNull();
    expect(Array.from(net.flatParams())).toEqual(before);
    expect(net.steps).toBe(0);
    expect(await net.predictCooperative(x, 4, counting(1, 3))).toBeNull();
  });

  for (const backend of ['js', 'auto'] as const) {
    it(`${backend}: relu after relu is computed once, with the same loss, gradients and feature maps`, () => {
      const chain = (relus: number, act: 'none' | 'relu' = 'none') => {
        const layers: LayerSpec[] = [conv(3, 3, { p: 1, activation: act })];
        for (let i = 0; i < relus; i++) layers.push({ kind: 'relu' });
        layers.push(dense(4), { kind: 'relu' }, { kind: 'relu' }, dense(3), { kind: 'softmax' });
        return modelSpec('Chain', { h: 6, w: 6, c: 1 }, layers, { batch: 4 });
      };
      const { x, labels } = data(4);
      const one = createNetwork(chain(1), { seed: 4, backend });
      for (const other of [chain(5), chain(3, 'relu')]) {
        const many = createNetwork(other, { seed: 4, backend });
        // The same weights under the deeper network's layer numbers.
        many.setParams(one.params().map((t, i) => ({ ...t, name: many.paramShapes()[i]!.name })));
        const a = one.forwardBackward(x, labels, 4);
        const b = many.forwardBackward(x, labels, 4);
        expect(b.loss).toBeCloseTo(a.loss, 6);
        expect(b.correct).toBe(a.correct);
        const ga = one.grads();
        many.grads().forEach((g, i) => {
          for (let k = 0; k < g.data.length; k++) expect(g.data[k]).toBeCloseTo(ga[i]!.data[k]!, 6);
        });
        // The inspector still sees every statement's output.
        expect(many.activations(x.subarray(0, 36)).length).toBe(other.layers.length);
      }
    });
  }

  it('a chain of relus keeps one buffer: 20,000 of them need little more memory than one', () => {
    const spec = (relus: number) => {
      const layers: LayerSpec[] = [conv(2, 3, { p: 1 })];
      for (let i = 0; i < relus; i++) layers.push({ kind: 'relu' });
      layers.push(dense(3), { kind: 'softmax' });
      return modelSpec('Relus', { h: 8, w: 8, c: 1 }, layers, { batch: 16 });
    };
    const small = createNetwork(spec(1)).backend.mark();
    const big = createNetwork(spec(20_000)).backend.mark();
    // Per relu statement only its feature map for the inspector (one sample, 512 bytes), not two batch buffers.
    expect(big - small).toBeLessThan(20_000 * 1024);
  });

  it('the wasm arena of many small buffers is re-mapped a few times, not once per buffer', () => {
    const be = createBackend('auto');
    expect(be.name).not.toBe('js');
    let remaps = 0;
    let buf = be.buffer();
    for (let i = 0; i < 20_000; i++) {
      be.allocate(8192);
      if (be.buffer() !== buf) {
        remaps++;
        buf = be.buffer();
      }
    }
    // 160 MiB in 8 KiB pieces: growing by the need alone re-mapped it 20,000 times.
    expect(remaps).toBeLessThan(40);
  });
});
