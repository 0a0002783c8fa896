// `cnn bench --profile`'s rows (src/engine/profile.ts): FLOPs by hand, the input/weight gradient split,
// medians, the step's own rows and "other", shares — over a fixed plan and made-up timings.
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../src/engine/plan';
import { describeNode, foldedNotes, fusedNotes, inferProfile, layerFlops, median, trainProfile, type InferTimes, type TrainStepTimes } from '../../../src/engine/profile';
import { batchnorm, conv, dense, modelSpec, pool } from '../../../src/engine/specs';

// Lines (modelSpec puts layer i on 0-based line i + 1, so 1-based i + 2):
//   2 conv 4×3×3 p1 (first: no input gradient)   3 relu (fused into 2)   4 conv 6×3×3 g2
//   5 maxpool 2×2   6 dense 54→5   7 softmax
const plan = buildPlan(
  modelSpec('P', { h: 8, w: 8, c: 3 }, [
    conv(4, 3, { p: 1 }),
    { kind: 'relu' },
    { ...conv(6, 3), groups: 2 },
    pool('max', 2),
    dense(5),
    { kind: 'softmax' },
  ]),
);
const N = 2;

/** A step's readings: node i's forward i+1 ms; backward 10·(i+1); params-only `only` where given. */
function step(scale: number, extra: Partial<TrainStepTimes> = {}): TrainStepTimes {
  const f = (v: number) => v * scale;
  return {
    forward: [f(1), null, f(3), f(4), f(5), f(6)],
    backward: [f(10), null, f(30), f(40), f(50), null],
    paramsOnly: [f(10), null, f(12), null, f(20), null],
    loss: f(2),
    zero: f(1),
    optimizer: f(3),
    total: f(1 + 3 + 4 + 5 + 6 + 10 + 30 + 40 + 50 + 2 + 1 + 3 + 7), // 7 ms outside every row
    ...extra,
  };
}

describe('layerFlops', () => {
  it('counts 2·N·OH·OW·K·(C/G)·FH·FW for a conv, a grouped conv and N·I·U·2 for a dense', () => {
    // conv: 8×8 out, K 4, C 3, 3×3
    expect(layerFlops(plan.nodes[0]!, N)).toBe(2 * 2 * 8 * 8 * 4 * 3 * 3 * 3);
    // grouped: input 8×8×4, 6 filters in 2 groups (C/G = 2), 3×3, no padding: 6×6 out
    expect(layerFlops(plan.nodes[2]!, N)).toBe(2 * 2 * 6 * 6 * 6 * 2 * 3 * 3);
    // dense: 3×3×6 = 54 inputs, 5 units
    expect(layerFlops(plan.nodes[4]!, N)).toBe(2 * 2 * 54 * 5);
    expect(layerFlops(plan.nodes[3]!, N)).toBeNull();
  });

  it('counts a deconv from its input side and a depthwise conv with one channel per group', () => {
    const p = buildPlan(
      modelSpec('D', { h: 4, w: 4, c: 8 }, [
        { kind: 'deconv', filters: 3, fh: 2, fw: 2, sh: 2, sw: 2, ph: 0, pw: 0, oph: 0, opw: 0, activation: 'none' },
        { ...conv(3, 3, { p: 1 }), groups: 3 },
        dense(2),
      ]),
    );
    expect(layerFlops(p.nodes[0]!, 1)).toBe(2 * 4 * 4 * 8 * 3 * 2 * 2);
    expect(layerFlops(p.nodes[1]!, 1)).toBe(2 * 8 * 8 * 3 * 1 * 3 * 3);
    expect(describeNode(p, 0)).toBe('deconv 3×2×2 s2 p0');
    expect(describeNode(p, 1)).toBe('conv 3×3×3 s1 p1 g3');
  });
});

describe('rows', () => {
  it('describes layers, with the activation fused into them, and lists the fused statements', () => {
    expect([0, 2, 3, 4, 5].map((li) => describeNode(plan, li))).toEqual(['conv 4×3×3 s1 p1 +relu', 'conv 6×3×3 s1 p0 g2', 'maxpool 2×2 s2 p0', 'dense 54→5', 'softmax']);
    expect(fusedNotes(plan)).toEqual([{ line: 3, layer: 'relu', into: 2 }]);
  });

  it('the median takes the middle value, or the mean of the middle two', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
    expect(median([])).toBe(0);
  });

  it('a training step: medians per part, input grad = backward − weight-only, the step rows, other, shares', () => {
    const p = trainProfile(plan, [step(1), step(3), step(2)], N, { task: 'single', optimizer: 'adam' });
    // Medians are the scale-2 step's values.
    const rows = p.rows;
    expect(rows.map((r) => r.part)).toEqual(['layer', 'layer', 'layer', 'layer', 'layer', 'loss', 'zero', 'optimizer', 'other']);
    expect(rows.map((r) => r.line)).toEqual([2, 4, 5, 6, 7, null, null, null, null]);
    const [first, grouped, mp, fc, sm] = rows;
    // The first conv's input needs no gradient: its whole backward is the weight gradient.
    expect(first).toMatchObject({ forwardMs: 2, inputGradMs: null, weightGradMs: 20, ms: 22, output: '8×8×4', kind: 'conv' });
    expect(grouped).toMatchObject({ forwardMs: 6, inputGradMs: 60 - 24, weightGradMs: 24, ms: 6 + 60 });
    // A layer without parameters: its backward is all input gradient, and it has no FLOP rate.
    expect(mp).toMatchObject({ forwardMs: 8, inputGradMs: 80, weightGradMs: null, flops: null, forwardGflops: null });
    expect(fc).toMatchObject({ forwardMs: 10, inputGradMs: 100 - 40, weightGradMs: 40 });
    expect(sm).toMatchObject({ forwardMs: 12, inputGradMs: null, weightGradMs: null, ms: 12 });
    // GFLOP/s = FLOPs / (ms · 10⁶), each pass costing the conv's FLOPs.
    const flops = 2 * 2 * 6 * 6 * 6 * 2 * 3 * 3;
    expect(grouped!.flops).toBe(flops);
    expect(grouped!.forwardGflops).toBeCloseTo(flops / 6e6, 12);
    expect(grouped!.inputGradGflops).toBeCloseTo(flops / 36e6, 12);
    expect(grouped!.weightGradGflops).toBeCloseTo(flops / 24e6, 12);
    expect(first!.inputGradGflops).toBeNull();
    expect(rows.slice(5).map((r) => [r.layer, r.ms])).toEqual([
      ['loss (softmax + cross-entropy)', 4],
      ['zero the gradients', 2],
      ['optimizer step (adam)', 6],
      ['other (loading the batch, timers)', 14],
    ]);
    const total = rows.reduce((a, r) => a + r.ms, 0);
    expect(p.totalMs).toBe(total);
    // With every row's median from the same step, the rows add up to that step's total.
    expect(total).toBe(step(2).total);
    expect(rows.reduce((a, r) => a + r.share, 0)).toBeCloseTo(100, 9);
    expect(grouped!.share).toBeCloseTo((100 * 66) / total, 9);
    expect(p.samplesPerSec).toBeCloseTo((N * 1000) / total, 9);
    expect(p).toMatchObject({ steps: 3, batch: N, fused: [{ line: 3, layer: 'relu', into: 2 }] });
  });

  it('a weight-only run slower than the whole backward counts as all weight gradient, and other is never negative', () => {
    const t = step(1, { paramsOnly: [10, null, 35, null, 20, null], total: 5 });
    const p = trainProfile(plan, [t], N, { task: 'multilabel', optimizer: 'sgd' });
    expect(p.rows[1]).toMatchObject({ inputGradMs: 0, weightGradMs: 30 });
    expect(p.rows.find((r) => r.part === 'other')!.ms).toBe(0);
    expect(p.rows.find((r) => r.part === 'loss')!.layer).toBe('loss (sigmoid + binary cross-entropy)');
  });

  it('an inference pass: forward per layer, the probabilities, other, shares of its own', () => {
    const pass = (s: number): InferTimes => ({ forward: [s, null, 2 * s, s, s, s], head: s, total: 8 * s });
    const p = inferProfile(plan, [pass(1), pass(2), pass(3)], N, { task: 'single' });
    expect(p.rows.map((r) => [r.part, r.ms])).toEqual([
      ['layer', 2], ['layer', 4], ['layer', 2], ['layer', 2], ['layer', 2], ['probabilities', 2], ['other', 2],
    ]);
    expect(p.rows[0]).toMatchObject({ inputGradMs: null, weightGradMs: null, inputGradGflops: null });
    expect(p.totalMs).toBe(16);
    expect(p.rows[1]!.share).toBe(25);
    expect(p.rows.reduce((a, r) => a + r.share, 0)).toBeCloseTo(100, 9);
  });

  it('an inference pass has no row for a batch norm folded into its conv, and notes it; training has both rows', () => {
    // Lines: 2 conv 4×3×3 p1, 3 batchnorm (folded into 2 in inference), 4 relu (fused into 3), 5 dense, 6 softmax.
    const bn = buildPlan(modelSpec('B', { h: 4, w: 4, c: 1 }, [conv(4, 3, { p: 1 }), batchnorm(), { kind: 'relu' }, dense(2), { kind: 'softmax' }]));
    const p = inferProfile(bn, [{ forward: [3, null, null, 1, 1], head: 1, total: 7 }], N, { task: 'single' });
    expect(p.rows.filter((r) => r.part === 'layer').map((r) => [r.line, r.layer, r.ms])).toEqual([
      [2, 'conv 4×3×3 s1 p1 +batchnorm +relu', 3], [5, 'dense 64→2', 1], [6, 'softmax', 1],
    ]);
    expect(p.folded).toEqual([{ line: 3, layer: 'batchnorm +relu', into: 2 }]);
    expect(p.fused).toEqual([{ line: 4, layer: 'relu', into: 2 }]);
    expect(foldedNotes(bn)).toEqual(p.folded);
    const t = trainProfile(bn, [{ forward: [3, 1, null, 1, 1], backward: [5, 2, null, 1, null], paramsOnly: [5, 1, null, 1, null], loss: 1, zero: 1, optimizer: 1, total: 20 }], N, { task: 'single', optimizer: 'sgd' });
    expect(t.rows.filter((r) => r.part === 'layer').map((r) => r.layer)).toEqual(['conv 4×3×3 s1 p1', 'batchnorm +relu', 'dense 64→2', 'softmax']);
    expect([t.fused, t.folded]).toEqual([[{ line: 4, layer: 'relu', into: 3 }], []]);
  });
});
