// Gradients for explanations (src/explain): one chosen logit per sample, differentiated in evaluation mode
// (batch norm's running statistics, no dropout) with respect to the network input and to one layer
// statement's output as written. A forward of the run plan in evaluation mode, the logits' gradient seeded
// with 1 at each sample's class, and the backward of every node in evaluation mode; the layer's output
// gradient is copied just before that layer's own backward (which may overwrite it), and the input's
// gradient lands in the input staging buffer (free once the input is converted).
//
// The run plan fuses a relu/sigmoid/tanh statement into the layer before it, so that layer's buffer holds its
// output AFTER the activation. For the activation statement that is its own output; for the layer itself
// (a `conv` followed by a `relu` line) the output as written is the value before it: its gradient is the
// activation's derivative times the buffer's gradient, and its value comes from a one-sample forward of the
// inspect plan, where nothing is fused.

import { dact1, type ActKind } from './kernels';
import { f32 } from './memory';
import { backwardNode, dlogitsView, forwardNodes, logitsView, zeroGrads, type Runtime } from './passes';
import { runRoot } from './plan';

export interface LogitGradRequest {
  /** The class (logit index) of each sample, n values. */
  classes: Int32Array;
  /** A layer statement (LayerInfo.index) whose output and output gradient to return. */
  layer?: number;
  /** Whether to return the gradient with respect to the network input. */
  input?: boolean;
}

export interface LogitGradients {
  /** The logits, n × classes. */
  logits: Float32Array;
  /** The layer's output as written (after its own activation=), n × C×H×W (or n × features). */
  value: Float32Array | null;
  /** ∂(sample's logit)/∂value, same layout. Zero when the logits do not depend on the layer. */
  grad: Float32Array | null;
  /** ∂(sample's logit)/∂input, n × H×W×C (the input's layout). */
  input: Float32Array | null;
}

/** How the network lets a chunk of samples in: its batch capacity and the copy of samples into the arena. */
export interface ChunkLoader {
  capacity: number;
  /** Copies samples [s, s + m) into the input buffer (CNHW) of the run plan. */
  load(s: number, m: number): void;
}

/** The plan node (index into plan.nodes) of a layer statement. */
export function nodeOfLayer(rt: Runtime, layer: number): number {
  const li = rt.plan.nodes.findIndex((nd) => nd.info.index === layer);
  if (li < 0) throw new Error(`the network has no layer statement ${layer}`);
  return li;
}

/** CNHW (m samples) → per-sample C×H×W rows at `out[(s + i)·size]`. */
function cnhwToRows(src: Float32Array, out: Float32Array, s: number, m: number, c: number, hw: number): void {
  const size = c * hw;
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < m; i++) {
      const from = (ch * m + i) * hw;
      out.set(src.subarray(from, from + hw), (s + i) * size + ch * hw);
    }
  }
}

/** [N][F] vectors (m samples) → rows at out[(s + i)·f]. */
function vectorRows(src: Float32Array, out: Float32Array, s: number, m: number, f: number): void {
  out.set(src.subarray(0, m * f), s * f);
}

/**
 * The logits and the requested gradients of logit classes[i] of each sample i, for n samples in chunks of the
 * loader's capacity. Uses the parameter gradient buffer as scratch (grads() afterwards is meaningless).
 */
export function logitGradients(rt: Runtime, n: number, req: LogitGradRequest, loader: ChunkLoader): LogitGradients {
  const { plan, be, mem } = rt;
  const K = plan.classes;
  if (plan.logitsNode < 0) throw new Error('the network has no layer before its class scores');
  if (req.classes.length < n) throw new Error(`${req.classes.length} classes for ${n} samples`);
  for (let i = 0; i < n; i++) {
    const c = req.classes[i]!;
    if (!(c >= 0 && c < K)) throw new Error(`class ${c} of sample ${i} is outside 0…${K - 1}`);
  }
  const inSize = plan.input.size;
  const li = req.layer === undefined ? -1 : nodeOfLayer(rt, req.layer);
  const node = li >= 0 ? plan.nodes[li]! : null;
  const root = li >= 0 ? runRoot(plan, li) : -1;
  // The buffer of `root` holds the layer's output after an activation the layer does not write.
  const preAct: ActKind | null = node && !node.fused && node.runAct !== node.act ? plan.nodes[root]!.runAct : null;
  const size = node ? node.out.size : 0;
  const out: LogitGradients = {
    logits: new Float32Array(n * K),
    value: node ? new Float32Array(n * size) : null,
    grad: node ? new Float32Array(n * size) : null,
    input: req.input ? new Float32Array(n * inSize) : null,
  };
  const nodes = plan.nodes.length;
  for (let s = 0; s < n; s += loader.capacity) {
    const m = Math.min(loader.capacity, n - s);
    loader.load(s, m);
    forwardNodes(rt, m, 'eval', 0, nodes);
    out.logits.set(logitsView(rt, m, 'run'), s * K);
    zeroGrads(rt, m);
    const dlogits = dlogitsView(rt, m)!;
    for (let i = 0; i < m; i++) dlogits[i * K + req.classes[s + i]!] = 1;
    // The staging buffer is free once the input is converted: it takes the input's gradient (CNHW).
    const dInput = req.input ? f32(be, mem.inNhwcB, m * inSize).fill(0) : null;
    const rowsOf = (src: Float32Array, into: Float32Array) =>
      node!.out.vol ? cnhwToRows(src, into, s, m, node!.out.c, node!.out.h * node!.out.w) : vectorRows(src, into, s, m, size);
    for (let k = nodes - 1; k >= 0; k--) {
      if (k === root && node) {
        const r = plan.nodes[root]!;
        const slot = mem.run[root]!;
        if (r.live) {
          const g = f32(be, slot.dOutB, m * size).slice();
          if (preAct) {
            // dy/d(before) = dy/d(after) · act'(after), from the buffer's value after the activation.
            const y = f32(be, slot.outB, m * size);
            for (let j = 0; j < g.length; j++) g[j] = g[j]! * dact1(y[j]!, y[j]!, preAct, 0);
          }
          rowsOf(g, out.grad!);
        }
        if (!preAct) rowsOf(f32(be, slot.outB, m * size), out.value!);
        // Nothing below the layer is needed unless the input's gradient is.
        if (!dInput) break;
      }
      if (!node && !dInput) break;
      backwardNode(rt, k, m, false, dInput);
    }
    if (dInput && out.input) {
      const { c } = plan.input;
      const hw = plan.input.h * plan.input.w;
      // CNHW → NHWC.
      for (let ch = 0; ch < c; ch++) {
        for (let i = 0; i < m; i++) {
          const from = (ch * m + i) * hw;
          const base = (s + i) * inSize + ch;
          for (let p = 0; p < hw; p++) out.input[base + p * c] = dInput[from + p]!;
        }
      }
    }
    if (preAct) {
      // The value before the activation: one sample at a time through the inspect plan (nothing fused).
      for (let i = 0; i < m; i++) {
        loader.load(s + i, 1);
        forwardNodes(rt, 1, 'inspect', 0, li + 1);
        out.value!.set(f32(be, mem.inspect[li]!.outB, size), (s + i) * size);
      }
    }
  }
  return out;
}
