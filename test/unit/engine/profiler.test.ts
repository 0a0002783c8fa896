// The profiler's timing loop (src/engine/profiler.ts): a profiled step is a real step (the update is the one
// trainStep makes, although layers with parameters run their backward twice), and it reads the clock for
// the parts profile.ts expects. A counting clock stands in for time, so nothing depends on speed.
import { describe, expect, it } from 'vitest';
import { createNetwork } from '../../../src/engine';
import { profileInferPass, profileTrainStep, type Clock } from '../../../src/engine/profiler';
import { Rng } from '../../../src/engine/rng';
import { add, batchnorm, conv, dense, labelled, modelSpec } from '../../../src/engine/specs';

// A graph whose re-runs would change the update if the profiler let them: a fused sigmoid (its derivative is
// applied to dy in place again on the re-run), batch norm, a residual add, a dense after a volume.
const spec = () =>
  modelSpec(
    'G',
    { h: 6, w: 6, c: 2 },
    [
      conv(3, 3, { p: 1 }),
      labelled('stem', { kind: 'sigmoid' }),
      conv(3, 3, { p: 1 }),
      batchnorm(),
      { kind: 'relu' },
      add('stem'),
      dense(4),
      { kind: 'softmax' },
    ],
    { batch: 5, optimizer: 'adam', lr: 0.05 },
  );

function data(n: number) {
  const rng = new Rng(9);
  return { x: new Float32Array(n * 72).map(() => rng.uniform()), labels: new Int32Array(n).map(() => rng.int(4)) };
}

/** A clock that moves 1 ms per reading. */
const counting = (): Clock => {
  let t = 0;
  return () => t++;
};

describe('profileTrainStep', () => {
  it('updates the parameters exactly as trainStep does, step after step', () => {
    const { x, labels } = data(5);
    const plain = createNetwork(spec(), { seed: 4, backend: 'js' });
    const profiled = createNetwork(spec(), { seed: 4, backend: 'js' });
    const target = profiled.profileTarget();
    for (let s = 0; s < 3; s++) {
      plain.trainStep(x, labels, 5);
      profileTrainStep(target, x, labels, 5, counting());
      expect(Array.from(profiled.flatGrads())).toEqual(Array.from(plain.flatGrads()));
      expect(Array.from(profiled.flatParams())).toEqual(Array.from(plain.flatParams()));
    }
    expect(profiled.steps).toBe(3);
    expect(profiled.params().map((t) => Array.from(t.data))).toEqual(plain.params().map((t) => Array.from(t.data)));
  });

  it('times every node that runs, re-runs the backward of a layer with parameters unless its input is the network\'s', () => {
    const { x, labels } = data(5);
    const net = createNetwork(spec(), { seed: 4 });
    const t = profileTrainStep(net.profileTarget(), x, labels, 5, counting());
    // Nodes: 0 conv (input: the network's), 1 sigmoid (fused), 2 conv, 3 batchnorm, 4 relu (fused), 5 add, 6 dense, 7 softmax.
    const ran = (v: (number | null)[]) => v.map((m) => m !== null);
    expect(ran(t.forward)).toEqual([true, false, true, true, false, true, true, true]);
    // The softmax belongs to the loss: no backward of its own.
    expect(ran(t.backward)).toEqual([true, false, true, true, false, true, true, false]);
    expect(ran(t.paramsOnly)).toEqual([true, false, true, true, false, false, true, false]);
    // The first conv computes no input gradient, so its backward is not run again: the same reading.
    expect(t.paramsOnly[0]).toBe(t.backward[0]);
    // Each timed part is one pair of readings (1 ms). The total runs from the first reading to the last, less
    // the three re-runs (4 readings each, 3 ms from their first to their last).
    for (const v of [...t.forward, ...t.backward]) if (v !== null) expect(v).toBe(1);
    expect([t.loss, t.zero, t.optimizer]).toEqual([2, 1, 1]);
    const readings = 1 + 2 * 6 + 2 * 3 + 2 * 5 + 4 * 3 + 2 + 1;
    expect(t.total).toBe(readings - 1 - 3 * 3);
  });
});

describe('profileInferPass', () => {
  it('times each node that runs in evaluation mode and the probabilities, and leaves the parameters alone', () => {
    const { x, labels } = data(5);
    const net = createNetwork(spec(), { seed: 4, backend: 'js' });
    const before = Array.from(net.flatParams());
    const t = profileInferPass(net.profileTarget(), x, labels, 5, counting());
    // The batch norm (node 3) runs inside the conv before it, as predict folds it; its fused relu with it.
    expect(t.forward.map((m) => m)).toEqual([1, null, 1, null, null, 1, 1, 1]);
    expect(t.head).toBe(1);
    expect(t.total).toBe(1 + 2 * 5 + 2);
    expect(Array.from(net.flatParams())).toEqual(before);
  });
});
