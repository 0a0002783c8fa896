// Training health (issue 10), measured over a network's plan and flat buffers: per parameterised layer the L2
// norms of its weight gradient, of its whole gradient (weight and bias), of its weight, and the update/weight
// ratio ‖Δw‖/‖w‖ of one optimizer step; per activation the share of its units that are dead (ReLU) or
// saturated (sigmoid, tanh) over an evaluation batch.
//
// Definitions (the same as the PyTorch cross-check, test/fixtures/health/make_health.py):
// - "weight" is a layer's first parameter: conv/deconv/dense `weight`, batchnorm's γ (`weight`).
// - A unit is one output value per sample: a channel at a position (C×H×W of a volume) or a feature (a vector).
// - Dead: a relu unit whose output is 0 for every sample of the batch (leakyrelu: never above 0; it still passes
//   a gradient through its slope, so only relu makes a W301).
// - Saturated: a unit in a flat tail for every sample of the batch, where the derivative is under ~4% of its
//   peak: sigmoid y < 0.01 or y > 0.99 (|x| > 4.6; σ' < 0.0099 against 0.25 at 0, Glorot & Bengio 2010 look at
//   the same tails), tanh |y| > 0.99 (|x| > 2.65; tanh' < 0.02 against 1).
// The activity pass runs the `run` plan in evaluation mode (running statistics, no dropout): the output of a
// relu fused into its conv is that conv's buffer, already activated, as PyTorch's nn.ReLU output would be.

import type { LayerSpec } from '../language/model';
import { f32 } from './memory';
import { forwardNodes, type Runtime } from './passes';
import type { Plan } from './plan';

/** Sigmoid outputs below this or above 1 − this are in a flat tail. */
export const SIGMOID_TAIL = 0.01;
/** Tanh outputs with |y| above this are in a flat tail. */
export const TANH_TAIL = 0.99;

/** A layer with parameters, and where they lie in the flat parameter (and gradient) array. */
export interface ParamLayer {
  /** LayerInfo.index and 0-based line of the statement. */
  index: number;
  line: number;
  kind: LayerSpec['kind'];
  /** The weight tensor (the first parameter). */
  weight: { off: number; len: number };
  /** Every parameter of the layer (they lie side by side). */
  all: { off: number; len: number };
}

export type ActivityKind = 'relu' | 'leakyrelu' | 'sigmoid' | 'tanh';

/** A statement whose output is an activation's: an activation statement, or a conv/dense with `activation=`. */
export interface ActivityLayer {
  index: number;
  line: number;
  /** The statement's kind (conv, dense for a written activation). */
  kind: LayerSpec['kind'];
  act: ActivityKind;
  /** Position in Plan.nodes. */
  node: number;
  /** Units per sample. */
  units: number;
}

export interface HealthLayout {
  params: ParamLayer[];
  activations: ActivityLayer[];
}

export interface LayerNorms {
  index: number;
  /** ‖∂L/∂w‖ of the weight tensor. */
  gradNorm: number;
  /** ‖∂L/∂θ‖ over all the layer's parameters. */
  paramGradNorm: number;
  /** ‖w‖. */
  weightNorm: number;
}

export interface UnitActivity {
  index: number;
  act: ActivityKind;
  units: number;
  /** Share of units dead (relu, leakyrelu) or saturated (sigmoid, tanh) on every sample; the other is null. */
  dead: number | null;
  saturated: number | null;
}

function activityOf(kind: LayerSpec['kind'], written: string): ActivityKind | null {
  if (kind === 'relu' || kind === 'leakyrelu' || kind === 'sigmoid' || kind === 'tanh') return kind;
  if (written === 'relu' || written === 'sigmoid' || written === 'tanh') return written;
  return null;
}

/** The parameterised layers and the activations of a plan, in file order. */
export function healthLayout(plan: Plan): HealthLayout {
  const params: ParamLayer[] = [];
  const activations: ActivityLayer[] = [];
  const last = plan.nodes.length - 1;
  plan.nodes.forEach((node, li) => {
    const { index, line } = node.info;
    const kind = node.spec.kind;
    if (node.params.length > 0) {
      const w = node.params[0]!;
      const end = node.params[node.params.length - 1]!;
      params.push({ index, line, kind, weight: { off: w.off, len: w.len }, all: { off: w.off, len: end.off + end.len - w.off } });
    }
    // A final sigmoid whose input is the logits belongs to the loss (multi-label), not to the network's body.
    if (li === last && plan.logitsNode !== last) return;
    const act = activityOf(kind, node.act);
    if (act) activations.push({ index, line, kind, act, node: li, units: node.out.size });
  });
  return { params, activations };
}

function sumSq(a: Float32Array, off: number, len: number): number {
  let s = 0;
  for (let i = off; i < off + len; i++) {
    const v = a[i]!;
    s += v * v;
  }
  return s;
}

/** Gradient and weight norms of every parameterised layer, from the flat parameter and gradient arrays. */
export function layerNorms(layers: readonly ParamLayer[], params: Float32Array, grads: Float32Array): LayerNorms[] {
  return layers.map((l) => ({
    index: l.index,
    gradNorm: Math.sqrt(sumSq(grads, l.weight.off, l.weight.len)),
    paramGradNorm: Math.sqrt(sumSq(grads, l.all.off, l.all.len)),
    weightNorm: Math.sqrt(sumSq(params, l.weight.off, l.weight.len)),
  }));
}

/**
 * ‖w_after − w_before‖ / ‖w_before‖ of each layer's weight for one optimizer step (`before`: a copy of the flat
 * parameters taken just before it); null where the weight was all zeros.
 */
export function updateRatios(layers: readonly ParamLayer[], before: Float32Array, after: Float32Array): (number | null)[] {
  return layers.map(({ weight: { off, len } }) => {
    let d = 0;
    for (let i = off; i < off + len; i++) {
      const v = after[i]! - before[i]!;
      d += v * v;
    }
    const w = sumSq(before, off, len);
    return w > 0 ? Math.sqrt(d / w) : null;
  });
}

/**
 * The range [lo, hi] of outputs where a unit is alive on a sample (it leaves the dead or flat part of its
 * activation): relu and leakyrelu above 0 (Number.MIN_VALUE is below every positive float32), sigmoid and tanh
 * between their tails.
 */
function aliveRange(act: ActivityKind): [number, number] {
  switch (act) {
    case 'relu':
    case 'leakyrelu':
      return [Number.MIN_VALUE, Infinity];
    case 'sigmoid':
      return [SIGMOID_TAIL, 1 - SIGMOID_TAIL];
    case 'tanh':
      return [-TANH_TAIL, TANH_TAIL];
    default: {
      // The engine imports only the language's types: its own exhaustiveness check.
      const unknown: never = act;
      throw new Error(`no rule for ${String(unknown)}`);
    }
  }
}

/**
 * The dead or saturated share of each activation's units over n NHWC samples in evaluation mode, forwarded in
 * chunks of the arena's capacity (`load(s, m)` stages samples s..s+m). Overwrites the layers' outputs (the next
 * step recomputes them); touches no parameter, gradient, buffer or random state.
 */
export function unitActivity(rt: Runtime, layers: readonly ActivityLayer[], n: number, io: { capacity: number; load: (s: number, m: number) => void }): UnitActivity[] {
  const { plan, be, mem } = rt;
  // Statements that share one buffer in the run plan (a relu fused into its conv, 50,000 relu lines in a row)
  // share one scan.
  const keys = layers.map((l) => `${mem.run[l.node]!.outB}:${l.act}`);
  const first = keys.map((key) => keys.indexOf(key));
  const live = layers.map((l, k) => (first[k] === k ? new Uint8Array(l.units) : null));
  for (let s = 0; s < n; s += io.capacity) {
    const m = Math.min(io.capacity, n - s);
    io.load(s, m);
    forwardNodes(rt, m, 'eval', 0, plan.nodes.length);
    layers.forEach((l, k) => {
      if (first[k] !== k) return;
      const node = plan.nodes[l.node]!;
      const y = f32(be, mem.run[l.node]!.outB, m * node.out.size);
      const mark = live[k]!;
      const [lo, hi] = aliveRange(l.act);
      // Volumes are CNHW: unit (c, p) of sample j at ((c·m + j)·hw + p); vectors [N][F]: unit u at j·f + u.
      const hw = node.out.vol ? node.out.h * node.out.w : node.out.size;
      const planes = node.out.vol ? node.out.c : 1;
      for (let c = 0; c < planes; c++) {
        for (let j = 0; j < m; j++) {
          const base = (c * m + j) * hw;
          const unit = c * hw;
          for (let p = 0; p < hw; p++) {
            const v = y[base + p]!;
            if (v >= lo && v <= hi) mark[unit + p] = 1;
          }
        }
      }
    });
  }
  return layers.map((l, k) => {
    let off = 0;
    for (const v of live[first[k]!]!) if (!v) off++;
    const share = n > 0 ? off / l.units : 0;
    const dying = l.act === 'relu' || l.act === 'leakyrelu';
    return { index: l.index, act: l.act, units: l.units, dead: dying ? share : null, saturated: dying ? null : share };
  });
}
