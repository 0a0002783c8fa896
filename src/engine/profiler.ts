// The timing loop of `cnn bench --profile`: one training step (or one inference pass) run node by node, as
// trainStep and predict run it, with a clock read around every piece. What the readings mean — rows, medians,
// FLOPs, shares — is worked out in profile.ts, which is pure.
//
// Input gradient and weight gradient come from one kernel call (conv, deconv, dense, batch norm), so a layer
// with parameters is timed twice in the same step: its real backward, then once more with no input gradient
// asked for (passes.ts backwardParamsOnly). The second time is the weight gradient; the difference is the input
// gradient. The re-run adds the weight gradients a second time, so they are put back as they were after the
// real backward (outside the timed part) and the update is the step's own. The re-run's time is left out of
// the step's total.

import type { LossHead, Targets } from './loss';
import { f32 } from './memory';
import { runsInside } from './plan';
import { backwardNode, backwardParamsOnly, forwardNodes, logitsView, lossBackward, lossForward, zeroGrads, type Runtime } from './passes';
import type { InferTimes, TrainStepTimes } from './profile';

/** What the profiler drives (Network.profileTarget()): nothing else may use the network meanwhile. */
export interface ProfileTarget {
  rt: Runtime;
  head: LossHead;
  /** Makes room for n samples and loads them (NHWC) into the arena, as trainStep does. */
  load(x: Float32Array, targets: Targets, n: number): void;
  /** The optimizer update from the current gradients (Network.applyOptimizer). */
  optimize(): void;
}

/** Milliseconds, fractional. */
export type Clock = () => number;

const nowMs: Clock = () => performance.now();

/** One training step on n samples, timed piece by piece; the parameters are updated once, as trainStep would. */
export function profileTrainStep(t: ProfileTarget, x: Float32Array, targets: Targets, n: number, clock: Clock = nowMs): TrainStepTimes {
  const { rt, head } = t;
  const nodes = rt.plan.nodes;
  const backward: (number | null)[] = nodes.map(() => null);
  const paramsOnly: (number | null)[] = nodes.map(() => null);
  const grads = f32(rt.be, rt.fixed.gradsB, rt.plan.paramCount);
  let extra = 0;

  const start = clock();
  t.load(x, targets, n);
  const forward = timedForward(rt, n, 'train', clock);
  let t0 = clock();
  lossForward(rt, head, targets, n);
  let loss = clock() - t0;
  t0 = clock();
  zeroGrads(rt, n);
  const zero = clock() - t0;
  t0 = clock();
  lossBackward(rt, head, targets, n);
  loss += clock() - t0;
  for (let li = nodes.length - 1; li >= 0; li--) {
    const node = nodes[li]!;
    if (node.fused || !node.live) continue;
    t0 = clock();
    backwardNode(rt, li, n);
    backward[li] = clock() - t0;
    if (node.params.length === 0) continue;
    // The network input's gradient is never asked for: there the real backward is the weight gradient alone.
    if (node.inputs.every((p) => p < 0)) {
      paramsOnly[li] = backward[li]!;
      continue;
    }
    const e0 = clock();
    const first = node.params[0]!.off;
    const last = node.params[node.params.length - 1]!;
    const span = grads.subarray(first, last.off + last.len);
    const saved = span.slice();
    t0 = clock();
    backwardParamsOnly(rt, li, n);
    paramsOnly[li] = clock() - t0;
    span.set(saved);
    extra += clock() - e0;
  }
  t0 = clock();
  t.optimize();
  const optimizer = clock() - t0;
  const total = clock() - start - extra;
  return { forward, backward, paramsOnly, loss, zero, optimizer, total };
}

/** One inference pass (evaluation mode) over n samples, as predict runs it, timed node by node. */
export function profileInferPass(t: ProfileTarget, x: Float32Array, targets: Targets, n: number, clock: Clock = nowMs): InferTimes {
  const { rt, head } = t;
  const start = clock();
  t.load(x, targets, n);
  const forward = timedForward(rt, n, 'predict', clock);
  const t0 = clock();
  head.probabilities(f32(rt.be, rt.mem.probsB, n * rt.plan.classes), logitsView(rt, n, 'run'), n);
  const probabilities = clock() - t0;
  const total = clock() - start;
  return { forward, head: probabilities, total };
}

/**
 * The run plan's forward node by node, each timed (null for a node that runs inside another: a fused
 * activation, or in predictions a batch norm folded into its conv).
 */
function timedForward(rt: Runtime, n: number, pass: 'train' | 'predict', clock: Clock): (number | null)[] {
  return rt.plan.nodes.map((node, li) => {
    if (runsInside(node, pass === 'predict')) return null;
    const t0 = clock();
    forwardNodes(rt, n, pass, li, li + 1);
    return clock() - t0;
  });
}
