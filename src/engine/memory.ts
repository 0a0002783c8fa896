// Where a network's values live in the backend's arena. A fixed region (parameters, their gradients, the
// optimizer's two state arrays and the buffers) is allocated once; the per-batch region (input staging,
// every node's output, output gradient and scratch, and the probabilities) is sized for a batch capacity
// and re-made only when a larger batch arrives. Everything is byte offsets: views are rebuilt from
// backend.buffer() whenever they are needed, because allocating may move the arena.
//
// Two layouts of the per-batch region: `run` (training and prediction: fused activations alias their
// layer's buffers, nodes the loss depends on have gradients) and `inspect` (one sample, every statement's
// output as written, for activations()).

import type { Backend } from './backend';
import type { Plan } from './plan';

export interface Slot {
  /** Byte offsets of the output and its gradient (0: none). */
  outB: number;
  dOutB: number;
  /** Byte offsets and float lengths of the layer's scratch (LayerOps.aux). */
  auxB: number[];
  auxLen: number[];
}

export type PlanName = 'run' | 'inspect';

export interface Fixed {
  paramsB: number;
  gradsB: number;
  state1B: number;
  state2B: number;
  buffersB: number;
  /**
   * Room for one conv's parameters with a batch norm folded in (plan.ts's `absorbs`), made afresh before that
   * conv runs in a prediction: the batch norm's scale and shift per channel, then the conv's weight and bias,
   * for the largest such conv.
   */
  foldB: number;
}

export interface BatchMemory {
  capacity: number;
  inNhwcB: number;
  inB: number;
  probsB: number;
  run: Slot[];
  inspect: Slot[];
}

export function allocateFixed(be: Backend, plan: Plan): Fixed {
  const bytes = Math.max(plan.paramCount, 1) * 4;
  return {
    paramsB: be.allocate(bytes),
    gradsB: be.allocate(bytes),
    state1B: be.allocate(bytes),
    state2B: be.allocate(bytes),
    buffersB: be.allocate(Math.max(plan.bufferCount, 1) * 4),
    foldB: be.allocate(plan.nodes.reduce((m, node) => (node.absorbs < 0 ? m : Math.max(m, 2 * node.out.c + node.params.reduce((a, p) => a + p.len, 0))), 1) * 4),
  };
}

/** Lays out the per-batch region for `cap` samples above the backend's current mark. */
export function allocateBatch(be: Backend, plan: Plan, cap: number): BatchMemory {
  const inputSize = plan.input.size;
  const mem: BatchMemory = {
    capacity: cap,
    inNhwcB: be.allocate(cap * inputSize * 4),
    inB: be.allocate(cap * inputSize * 4),
    probsB: 0,
    run: [],
    inspect: [],
  };
  let col = 0;
  let grad = 0;
  for (const [name, n] of [['run', cap], ['inspect', 1]] as const) {
    const slots = mem[name];
    plan.nodes.forEach((node) => {
      if (name === 'run' && node.fused) {
        const root = slots[node.inputs[0]!]!;
        slots.push({ outB: root.outB, dOutB: root.dOutB, auxB: [], auxLen: [] });
        return;
      }
      const backward = name === 'run' && node.live;
      const outLen = n * node.out.size;
      const auxLen = node.ops.aux(node.spec, node.in, node.out, n, backward);
      slots.push({
        outB: be.allocate(outLen * 4),
        dOutB: backward ? be.allocate(outLen * 4) : 0,
        auxB: auxLen.map((len) => be.allocate(len * 4)),
        auxLen,
      });
      const s = node.ops.scratch(node.spec, node.in, node.out, n, be);
      col = Math.max(col, s.col);
      grad = Math.max(grad, s.grad);
    });
  }
  mem.probsB = be.allocate(cap * plan.classes * 4);
  be.reserveScratch(col, grad);
  return mem;
}

export function f32(be: Backend, byteOffset: number, len: number): Float32Array {
  return new Float32Array(be.buffer(), byteOffset, len);
}
