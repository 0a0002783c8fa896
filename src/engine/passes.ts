// The forward and backward passes over a plan: each node reads its inputs' outputs; backward runs the nodes
// the loss depends on in reverse file order (a topological order), so every node's output gradient is
// complete — the sum over its consumers, each of which added its share with += — before the node runs.

import type { Backend } from './backend';
import type { ForwardCtx } from './layers/types';
import type { LayerSpec } from '../language/model';
import type { LossHead, Targets } from './loss';
import type { StepResult } from './network-types';
import { f32, type BatchMemory, type Fixed, type PlanName } from './memory';
import { runsInside, type Plan } from './plan';
import type { Rng } from './rng';

/** What a pass needs: the plan, the kernels and where everything lives. */
export interface Runtime {
  plan: Plan;
  be: Backend;
  rng: Rng;
  fixed: Fixed;
  mem: BatchMemory;
}

/**
 * How a forward runs. 'train': training mode (batch statistics, dropout) on the run plan. 'eval': evaluation
 * mode (running statistics, no dropout) on the run plan, every node's output written (explanations and the
 * training-health probes read them). 'predict': 'eval' with each batch norm that plan.ts folds into the conv
 * before it run inside that conv (the conv's own output is not written): predictions and evaluation.
 * 'inspect': evaluation mode on the inspect plan (one sample, every statement's output as written).
 */
export type Pass = 'train' | 'eval' | 'predict' | 'inspect';

const planOf = (pass: Pass): PlanName => (pass === 'inspect' ? 'inspect' : 'run');

function context(rt: Runtime, li: number, n: number, train: boolean, which: PlanName): ForwardCtx<LayerSpec> {
  const { plan, be, fixed, mem } = rt;
  const node = plan.nodes[li]!;
  const slots = mem[which];
  const slot = slots[li]!;
  return {
    spec: node.spec,
    be,
    n,
    inputs: node.in,
    out: node.out,
    x: node.inputs.map((p, k) => f32(be, p < 0 ? mem.inB : slots[p]!.outB, n * node.in[k]!.size)),
    y: f32(be, slot.outB, n * node.out.size),
    params: node.params.map((p) => f32(be, fixed.paramsB + p.off * 4, p.len)),
    buffers: node.buffers.map((b) => f32(be, fixed.buffersB + b.off * 4, b.len)),
    aux: slot.auxB.map((b, k) => f32(be, b, slot.auxLen[k]!)),
    act: which === 'run' ? node.runAct : node.act,
    train,
    rng: rt.rng,
  };
}

/** Forward of nodes [from, to) over n samples already in the input buffer. */
export function forwardNodes(rt: Runtime, n: number, pass: Pass, from: number, to: number): void {
  const which = planOf(pass);
  for (let li = from; li < to; li++) {
    const node = rt.plan.nodes[li]!;
    if (which === 'run' && runsInside(node, pass === 'predict')) continue;
    if (pass === 'predict' && node.absorbs >= 0) foldedForward(rt, li, n);
    else node.ops.forward(context(rt, li, n, pass === 'train', which));
  }
}

/**
 * A conv's forward with the batch norm after it folded in (plan.ts's `absorbs`): its parameters, scaled and
 * shifted by the batch norm's running statistics, made in the fixed region's fold room, and it writes the
 * batch norm's output with the batch norm's activation. The arithmetic of both in one pass over the output.
 */
function foldedForward(rt: Runtime, li: number, n: number): void {
  const { plan, be, fixed } = rt;
  const node = plan.nodes[li]!;
  const bn = context(rt, node.absorbs, n, false, 'run');
  const C = node.out.c;
  let off = fixed.foldB;
  const room = (len: number): Float32Array => {
    const v = f32(be, off, len);
    off += len * 4;
    return v;
  };
  const [scale, shift] = [room(C), room(C)];
  plan.nodes[node.absorbs]!.ops.evalAffine!(bn.spec, bn.params, bn.buffers, scale, shift);
  const ctx = context(rt, li, n, false, 'run');
  const into = node.params.map((p) => room(p.len));
  node.ops.absorbAffine!(ctx.spec, ctx.params, scale, shift, into);
  node.ops.forward({ ...ctx, params: into, y: bn.y, act: bn.act });
}

/**
 * Backward of node li in the run plan (nothing for a fused node, a node the loss does not depend on, softmax),
 * after a training forward, or after an evaluation one with `train` false (explanations: explainGrad.ts). The
 * network input's gradient is added to `dInput` (CNHW) when given, else not computed.
 */
export function backwardNode(rt: Runtime, li: number, n: number, train = true, dInput: Float32Array | null = null): void {
  runBackward(rt, li, n, train, dInput, true);
}

/**
 * backwardNode with no input gradient asked for (every dx null): the parameter gradients alone, added again
 * to grads. For the profiler's weight-gradient time (profiler.ts), after the node's real backward.
 */
export function backwardParamsOnly(rt: Runtime, li: number, n: number): void {
  runBackward(rt, li, n, true, null, false);
}

function runBackward(rt: Runtime, li: number, n: number, train: boolean, dInput: Float32Array | null, inputGrads: boolean): void {
  const { plan, be, fixed, mem } = rt;
  const node = plan.nodes[li]!;
  if (node.fused || !node.live) return;
  const slot = mem.run[li]!;
  const ctx = context(rt, li, n, train, 'run');
  node.ops.backward({
    ...ctx,
    dy: f32(be, slot.dOutB, n * node.out.size),
    dx: node.inputs.map((p, k) => (!inputGrads ? null : p < 0 ? dInput : f32(be, mem.run[p]!.dOutB, n * node.in[k]!.size))),
    dparams: node.params.map((p) => f32(be, fixed.gradsB + p.off * 4, p.len)),
  });
}

/** Zeroes the parameter gradients and every output gradient of the run plan. */
export function zeroGrads(rt: Runtime, n: number): void {
  const { plan, be, fixed, mem } = rt;
  be.zero(f32(be, fixed.gradsB, plan.paramCount));
  plan.nodes.forEach((node, li) => {
    if (node.live && !node.fused) be.zero(f32(be, mem.run[li]!.dOutB, n * node.out.size));
  });
}

/** The loss of the last training forward's logits (their probabilities written to the arena's probsB). */
export function lossForward(rt: Runtime, head: LossHead, targets: Targets, n: number): StepResult {
  const probs = f32(rt.be, rt.mem.probsB, n * rt.plan.classes);
  const r = head.forward(probs, logitsView(rt, n, 'run'), targets, n);
  return { loss: r.loss, correct: r.correct };
}

/** Adds the loss's gradient to the logits' (after lossForward and zeroGrads); nothing without a layer before. */
export function lossBackward(rt: Runtime, head: LossHead, targets: Targets, n: number): void {
  const dlogits = dlogitsView(rt, n);
  if (dlogits) head.backward(dlogits, f32(rt.be, rt.mem.probsB, n * rt.plan.classes), targets, n);
}

/** The logits of the last forward in a plan (the output of the node before a final softmax). */
export function logitsView(rt: Runtime, n: number, which: PlanName): Float32Array {
  const { plan, be, mem } = rt;
  const len = n * plan.classes;
  return plan.logitsNode >= 0 ? f32(be, mem[which][plan.logitsNode]!.outB, len) : f32(be, mem.inB, len);
}

/** The logits' gradient buffer (run plan); null when the network has no layer before its softmax. */
export function dlogitsView(rt: Runtime, n: number): Float32Array | null {
  const { plan, be, mem } = rt;
  return plan.logitsNode >= 0 ? f32(be, mem.run[plan.logitsNode]!.dOutB, n * plan.classes) : null;
}
