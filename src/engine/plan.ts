// The graph of a network as the engine runs it, worked out once from a ModelSpec (no memory involved): each
// layer statement's node with its inputs and consumers, its per-sample dims, where its parameters and
// buffers lie in the flat parameter and buffer arrays, which activation statements run fused in the
// epilogue of the layer before them, and which nodes the loss depends on (the only ones with a backward).

import type { Activation, LayerInfo, LayerSpec, ModelSpec } from '../language/model';
import { layerOps } from './layers';
import { fmtDims, volume, vector, type BufferDecl, type Dims, type LayerOps, type ParamDecl } from './layers/types';
import type { ActKind } from './kernels';

export interface TensorSlot<D> {
  decl: D;
  /** Offset and length in floats, in the flat parameter (or buffer) array. */
  off: number;
  len: number;
}

export interface PlanNode {
  info: LayerInfo;
  spec: LayerSpec;
  ops: LayerOps<LayerSpec>;
  /** Indices into Plan.nodes of the inputs, in order (-1: the network input). */
  inputs: number[];
  /** Indices of the nodes that read this one's output. */
  consumers: number[];
  in: Dims[];
  out: Dims;
  params: TensorSlot<ParamDecl>[];
  buffers: TensorSlot<BufferDecl>[];
  /** The activation written on the statement. */
  act: Activation;
  /**
   * In training and prediction: the activation run in this layer's epilogue, and whether this statement is
   * fused into its input's layer (it then aliases that layer's output and gradient and does no work). A
   * relu/sigmoid/tanh right after a conv or dense without an activation, where it is that value's only
   * consumer, runs in its epilogue; a relu right after a relu's output is that output.
   */
  runAct: ActKind;
  fused: boolean;
  /**
   * In predictions (passes.ts's 'predict'): the index of the batch norm folded into this conv (its running
   * statistics scale the filters and shift the bias, and the conv writes the batch norm's output, with its
   * activation), or -1. The conv's own output is then not written, so only where the batch norm is its only
   * reader and the conv has no activation of its own.
   */
  absorbs: number;
  /** In predictions: this batch norm runs inside the conv before it (that conv's `absorbs`). */
  absorbed: boolean;
  /** The loss depends on this node's output: it has a gradient and a backward. */
  live: boolean;
}

export interface Plan {
  nodes: PlanNode[];
  input: Dims;
  paramCount: number;
  bufferCount: number;
  /**
   * The node whose output is the logits: the input of a final softmax statement, or of the final sigmoid of a
   * multi-label network (ModelSpec.task; that sigmoid is then the loss's, never fused); -1: the input itself.
   */
  logitsNode: number;
  classes: number;
}

function isActivation(k: LayerSpec['kind']): k is 'relu' | 'sigmoid' | 'tanh' {
  return k === 'relu' || k === 'sigmoid' || k === 'tanh';
}

function dimsOf(shape: NonNullable<LayerInfo['output']>): Dims {
  return shape.kind === 'volume' ? volume(shape.c, shape.h, shape.w) : vector(shape.n);
}

export function buildPlan(spec: ModelSpec): Plan {
  const { h, w, c } = spec.input;
  const input = volume(c, h, w);
  const position = new Map<number, number>();
  const nodes: PlanNode[] = [];
  let paramCount = 0;
  let bufferCount = 0;
  spec.layers.forEach((info, li) => {
    const s = info.spec;
    const where = `layer ${info.index} (${s.kind}, line ${info.line + 1})`;
    const ops = layerOps(s);
    const inputs = (info.inputs.length > 0 ? info.inputs : [li === 0 ? -1 : spec.layers[li - 1]!.index]).map((i) => {
      if (i === -1) return -1;
      const p = position.get(i);
      if (p === undefined) throw new Error(`${where}: its input, layer ${i}, is not an earlier layer`);
      return p;
    });
    const inDims = inputs.map((p) => (p < 0 ? input : nodes[p]!.out));
    if (s.kind === 'softmax' && li !== spec.layers.length - 1) throw new Error(`${where}: softmax must be the last layer`);
    let out: Dims;
    try {
      out = ops.output(s, inDims);
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
    if (info.output) {
      const want = dimsOf(info.output);
      if (want.vol !== out.vol || want.size !== out.size || want.c !== out.c || want.h !== out.h) {
        throw new Error(`${where}: the engine computes output ${fmtDims(out)} but the model says ${fmtDims(want)}`);
      }
    }
    const params = ops.params(s, inDims, out).map((decl) => {
      const len = decl.shape.reduce((a, b) => a * b, 1);
      const slot = { decl, off: paramCount, len };
      paramCount += len;
      return slot;
    });
    const buffers = ops.buffers(s, inDims, out).map((decl) => {
      const len = decl.shape.reduce((a, b) => a * b, 1);
      const slot = { decl, off: bufferCount, len };
      bufferCount += len;
      return slot;
    });
    const act = ops.activation(s);
    const node: PlanNode = { info, spec: s, ops, inputs, consumers: [], in: inDims, out, params, buffers, act, runAct: act, fused: false, absorbs: -1, absorbed: false, live: false };
    for (const p of new Set(inputs)) if (p >= 0) nodes[p]!.consumers.push(li);
    position.set(info.index, li);
    nodes.push(node);
  });
  if (nodes.length === 0) throw new Error('the model has no layers');

  // A final softmax, or the final sigmoid of a multi-label network, belongs to the loss: its input is the logits.
  const last = nodes.length - 1;
  const lastKind = nodes[last]!.spec.kind;
  if (spec.task === 'multilabel' && lastKind !== 'sigmoid') throw new Error(`a multi-label network must end in sigmoid, not ${lastKind}`);
  const head = lastKind === 'softmax' || spec.task === 'multilabel';

  // Fusion: decided once every consumer is known.
  for (const node of nodes) {
    if (head && node === nodes[last]) continue;
    const p = node.inputs[0]!;
    if (node.inputs.length !== 1 || p < 0) continue;
    const prev = nodes[p]!;
    if (prev.consumers.length !== 1) continue;
    if (isActivation(node.spec.kind) && prev.ops.epilogue && prev.runAct === 'none' && !prev.fused) {
      prev.runAct = node.spec.kind;
      node.fused = true;
    } else if (node.spec.kind === 'relu' && outputIsRelu(prev)) {
      // relu of a relu's output is that output, and its gradient mask the same: nothing to compute or keep
      // (a network of 50,000 relu lines needs one buffer, not 50,000).
      node.fused = true;
    }
  }

  // Folding, for predictions: decided once fusion is (a batch norm's fused relu comes with it).
  nodes.forEach((node, li) => {
    const p = node.inputs[0]!;
    if (!node.ops.evalAffine || node.inputs.length !== 1 || p < 0) return;
    const prev = nodes[p]!;
    if (!prev.ops.absorbAffine || prev.consumers.length !== 1 || prev.runAct !== 'none' || !node.in[0]!.vol) return;
    prev.absorbs = li;
    node.absorbed = true;
  });

  const logitsNode = head ? nodes[last]!.inputs[0]! : last;
  const logitDims = logitsNode >= 0 ? nodes[logitsNode]!.out : input;
  if (logitDims.vol) throw new Error('the network must end in a vector (a dense layer) to be trained on classes');
  if (logitsNode >= 0) {
    nodes[logitsNode]!.live = true;
    for (let i = logitsNode; i >= 0; i--) {
      if (!nodes[i]!.live) continue;
      for (const p of nodes[i]!.inputs) if (p >= 0) nodes[p]!.live = true;
    }
  }
  return { nodes, input, paramCount, bufferCount, logitsNode, classes: logitDims.size };
}

/** Whether a node's output in the run plan is a relu's (so a relu after it changes nothing). */
function outputIsRelu(node: PlanNode): boolean {
  return node.spec.kind === 'relu' || (node.ops.epilogue && node.runAct === 'relu');
}

/**
 * Whether a node does no work of its own in the run plan: a fused activation, or in predictions
 * (`predict`) a batch norm folded into the conv before it.
 */
export function runsInside(node: PlanNode, predict: boolean): boolean {
  return node.fused || (predict && node.absorbed);
}

/** The node whose buffers a node's output lives in, in the run plan (itself unless fused). */
export function runRoot(plan: Plan, i: number): number {
  let r = i;
  while (r >= 0 && plan.nodes[r]!.fused) r = plan.nodes[r]!.inputs[0]!;
  return r;
}

/**
 * Whether a node's weights start He-uniform (it feeds a relu or leaky relu, directly or through a batch
 * norm, or its own activation is relu) rather than Glorot-uniform.
 */
export function feedsRelu(plan: Plan, node: PlanNode): boolean {
  if (node.act === 'relu') return true;
  return node.consumers.some((ci) => {
    const c = plan.nodes[ci]!;
    if (c.spec.kind === 'relu' || c.spec.kind === 'leakyrelu') return true;
    return c.spec.kind === 'batchnorm' && c.consumers.some((k) => ['relu', 'leakyrelu'].includes(plan.nodes[k]!.spec.kind));
  });
}

/** Names and PyTorch shapes of the tensors a model's checkpoint holds (parameters and buffers), in order. */
export function stateShapes(plan: Plan): { name: string; shape: number[]; dtype: 'F32' | 'I64' }[] {
  const out: { name: string; shape: number[]; dtype: 'F32' | 'I64' }[] = [];
  for (const node of plan.nodes) {
    const i = node.info.index;
    for (const p of node.params) out.push({ name: `layers.${i}.${p.decl.name}`, shape: p.decl.shape.slice(), dtype: 'F32' });
    for (const b of node.buffers) out.push({ name: `layers.${i}.${b.decl.name}`, shape: b.decl.shape.slice(), dtype: b.decl.dtype });
  }
  return out;
}

