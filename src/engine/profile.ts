// What `cnn bench --profile` reports, from the readings the profiler takes (profiler.ts) and the plan's
// geometry: one row per node that runs (a fused activation shows as `+relu` on its layer, and is listed as
// fused), with its forward, input-gradient and weight-gradient milliseconds (each the median over the steps),
// its FLOP rate where it multiplies (conv, deconv, dense), and its share of the step; then the step's own
// rows (loss, zeroing the gradients, the optimizer) and "other", the step's time outside every row (loading
// the batch, the clock itself). Pure: no clock, no memory.

import type { LayerKind, LayerSpec, Task } from '../language/model';
import { convGeometry } from './layers/conv';
import { deconvGeometry } from './layers/deconv';
import { fmtDims, type Dims } from './layers/types';
import { runRoot, runsInside, type Plan, type PlanNode } from './plan';

/** The readings of one profiled training step (ms); per node in plan order, null where nothing ran. */
export interface TrainStepTimes {
  forward: (number | null)[];
  /** The node's real backward (input and weight gradients together). */
  backward: (number | null)[];
  /** Nodes with parameters: the backward again with no input gradient asked for (the weight gradient alone). */
  paramsOnly: (number | null)[];
  /** The loss's forward and its gradient. */
  loss: number;
  zero: number;
  optimizer: number;
  /** From loading the batch to the end of the update, without the profiler's re-runs. */
  total: number;
}

/** The readings of one profiled inference pass (ms). */
export interface InferTimes {
  forward: (number | null)[];
  /** The probabilities of the logits (softmax or sigmoid). */
  head: number;
  total: number;
}

export type RowPart = 'layer' | 'loss' | 'zero' | 'optimizer' | 'probabilities' | 'other';

export interface ProfileRow {
  part: RowPart;
  /** 1-based line of the layer statement in the .cnn file; null for the step's own rows. */
  line: number | null;
  kind: LayerKind | null;
  /** The layer in short (`conv 10×3×3 s1 p1 +relu`, `dense 8192→3`), or what the row is. */
  layer: string;
  /** Output shape per sample (H×W×C or a length); null for the step's own rows. */
  output: string | null;
  /** Medians over the steps, ms; null where the row has no such part. */
  forwardMs: number | null;
  inputGradMs: number | null;
  weightGradMs: number | null;
  /** FLOPs of one pass (each of the three costs the same); null for memory-bound kinds. */
  flops: number | null;
  forwardGflops: number | null;
  inputGradGflops: number | null;
  weightGradGflops: number | null;
  /** The row's time per step (the sum of its parts) and its share of the total, in percent. */
  ms: number;
  share: number;
}

/** An activation statement that runs inside another layer (see plan.ts), and so has no row of its own. */
export interface FusedNote {
  line: number;
  layer: string;
  /** The line of the row it runs in. */
  into: number;
}

export interface Profile {
  rows: ProfileRow[];
  fused: FusedNote[];
  /** Inference only: the batch norms folded into the conv before them (plan.ts's `absorbs`), no row of their own. */
  folded: FusedNote[];
  steps: number;
  batch: number;
  /** The sum of the rows: a step's time under profiling. */
  totalMs: number;
  samplesPerSec: number;
}

// ------------------------------------------------------------------------------------------------ layers

type SpecOf<K extends LayerKind> = Extract<LayerSpec, { kind: K }>;
type Flops<K extends LayerKind> = ((spec: SpecOf<K>, inputs: readonly Dims[], n: number) => number) | null;

/** FLOPs (2 per multiply-add) of one pass over n samples, by kind; null: memory-bound, no rate shown. */
const FLOPS: { [K in LayerKind]: Flops<K> } = {
  conv(spec, [input], n) {
    const g = convGeometry(spec, input!, n);
    return 2 * n * g.oh * g.ow * g.k * (g.c / (g.groups ?? 1)) * g.fh * g.fw;
  },
  // Every input value meets K·FH·FW weights.
  deconv(spec, [input], n) {
    const g = deconvGeometry(spec, input!, n);
    return 2 * n * g.h * g.w * g.c * g.k * g.fh * g.fw;
  },
  dense: (spec, [input], n) => 2 * n * input!.size * spec.units,
  pool: null,
  globalpool: null,
  batchnorm: null,
  upsample: null,
  add: null,
  concat: null,
  relu: null,
  sigmoid: null,
  tanh: null,
  leakyrelu: null,
  dropout: null,
  flatten: null,
  softmax: null,
};

/** FLOPs of one pass of a node over n samples (forward, input gradient and weight gradient each), or null. */
export function layerFlops(node: Pick<PlanNode, 'spec' | 'in'>, n: number): number | null {
  const rule = FLOPS[node.spec.kind] as Flops<LayerKind>;
  return rule ? rule(node.spec as never, node.in, n) : null;
}

const pair = (a: number, b: number, sep = '×'): string => (a === b ? `${a}` : `${a}${sep}${b}`);
const window = (s: { fh: number; fw: number; sh: number; sw: number; ph: number; pw: number }): string =>
  `${s.fh}×${s.fw} s${pair(s.sh, s.sw)} p${pair(s.ph, s.pw)}`;

type Describe<K extends LayerKind> = (spec: SpecOf<K>, inputs: readonly Dims[], from: string) => string;

/** A layer in short, by kind; `from` lists the lines a merge reads. */
const DESCRIBE: { [K in LayerKind]: Describe<K> } = {
  conv: (s) => `conv ${s.filters}×${window(s)}${s.dh * s.dw > 1 ? ` d${pair(s.dh, s.dw)}` : ''}${s.groups > 1 ? ` g${s.groups}` : ''}`,
  deconv: (s) => `deconv ${s.filters}×${window(s)}${s.oph + s.opw > 0 ? ` op${pair(s.oph, s.opw)}` : ''}`,
  dense: (s, [i]) => `dense ${i!.size}→${s.units}`,
  pool: (s) => `${s.mode}pool ${window(s)}`,
  globalpool: (s) => `global ${s.mode}pool`,
  batchnorm: () => 'batchnorm',
  upsample: (s) => `upsample ×${s.scale} ${s.mode}`,
  add: (_s, _i, from) => `add ${from}`,
  concat: (_s, _i, from) => `concat ${from}`,
  relu: () => 'relu',
  sigmoid: () => 'sigmoid',
  tanh: () => 'tanh',
  leakyrelu: (s) => `leakyrelu ${s.slope}`,
  dropout: (s) => `dropout ${s.rate}`,
  flatten: () => 'flatten',
  softmax: () => 'softmax',
};

const lineOf = (plan: Plan, i: number): string => (i < 0 ? 'input' : `${plan.nodes[i]!.info.line + 1}`);

/**
 * A node in short, with the activation it runs in its epilogue when that differs from none (`+relu`); in
 * predictions (`predict`) a conv with a batch norm folded in says so (`+batchnorm +relu`).
 */
export function describeNode(plan: Plan, li: number, predict = false): string {
  const node = plan.nodes[li]!;
  const from = `lines ${node.inputs.map((p) => lineOf(plan, p)).join('+')}`;
  const base = (DESCRIBE[node.spec.kind] as Describe<LayerKind>)(node.spec as never, node.in, from);
  if (predict && node.absorbs >= 0) return `${base} +${describeNode(plan, node.absorbs)}`;
  return node.ops.epilogue && node.runAct !== 'none' ? `${base} +${node.runAct}` : base;
}

/**
 * The statements that run inside another node, with the line they run in: activations in a layer's epilogue
 * or output and, in predictions (`predict`), batch norms in the conv before them (and what runs in those).
 */
export function fusedNotes(plan: Plan, predict = false): FusedNote[] {
  const out: FusedNote[] = [];
  const host = (li: number): number => (predict && plan.nodes[li]!.absorbed ? plan.nodes[li]!.inputs[0]! : li);
  plan.nodes.forEach((node, li) => {
    if (!node.fused) return;
    out.push({ line: node.info.line + 1, layer: describeNode(plan, li), into: plan.nodes[host(runRoot(plan, li))]!.info.line + 1 });
  });
  return out;
}

/** The batch norms that predictions fold into the conv before them, with that conv's line. */
export function foldedNotes(plan: Plan): FusedNote[] {
  return plan.nodes.flatMap((node, li) => (node.absorbed ? [{ line: node.info.line + 1, layer: describeNode(plan, li), into: plan.nodes[node.inputs[0]!]!.info.line + 1 }] : []));
}

// ------------------------------------------------------------------------------------------------ rows

/** The median of some values (the mean of the middle two for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** GFLOP/s of `flops` done in `ms`; null without FLOPs or time. */
export function gflops(flops: number | null, ms: number | null): number | null {
  return flops === null || ms === null || !(ms > 0) ? null : flops / (ms * 1e6);
}

/** Medians of a part over the steps; null when it never ran. */
function medianOf(values: readonly (number | null)[]): number | null {
  const got = values.filter((v): v is number => v !== null);
  return got.length === 0 ? null : median(got);
}

interface Parts {
  forward: number | null;
  inputGrad: number | null;
  weightGrad: number | null;
}

/** One step's parts of a node in a training step: the real backward split at the weight-only re-run. */
function trainParts(node: PlanNode, li: number, t: TrainStepTimes): Parts {
  const full = t.backward[li] ?? null;
  const asksInput = node.inputs.some((p) => p >= 0);
  if (full === null) return { forward: t.forward[li] ?? null, inputGrad: null, weightGrad: null };
  if (node.params.length === 0) return { forward: t.forward[li] ?? null, inputGrad: asksInput ? full : null, weightGrad: null };
  const weight = Math.min(Math.max(0, t.paramsOnly[li] ?? full), full);
  return { forward: t.forward[li] ?? null, inputGrad: asksInput ? full - weight : null, weightGrad: weight };
}

const sum = (p: Parts): number => (p.forward ?? 0) + (p.inputGrad ?? 0) + (p.weightGrad ?? 0);

function layerRow(plan: Plan, li: number, batch: number, parts: Parts[], predict = false): ProfileRow {
  const node = plan.nodes[li]!;
  const flops = layerFlops(node, batch);
  const forwardMs = medianOf(parts.map((p) => p.forward));
  const inputGradMs = medianOf(parts.map((p) => p.inputGrad));
  const weightGradMs = medianOf(parts.map((p) => p.weightGrad));
  return {
    part: 'layer',
    line: node.info.line + 1,
    kind: node.spec.kind,
    layer: describeNode(plan, li, predict),
    output: fmtDims(node.out),
    forwardMs,
    inputGradMs,
    weightGradMs,
    flops,
    forwardGflops: gflops(flops, forwardMs),
    inputGradGflops: gflops(flops, inputGradMs),
    weightGradGflops: gflops(flops, weightGradMs),
    ms: (forwardMs ?? 0) + (inputGradMs ?? 0) + (weightGradMs ?? 0),
    share: 0,
  };
}

function stepRow(part: RowPart, layer: string, ms: number): ProfileRow {
  const none = { forwardMs: null, inputGradMs: null, weightGradMs: null, flops: null, forwardGflops: null, inputGradGflops: null, weightGradGflops: null };
  return { part, line: null, kind: null, layer, output: null, ...none, ms, share: 0 };
}

/** Shares, the total and the rate, from rows whose ms are set. */
function finish(rows: ProfileRow[], plan: Plan, steps: number, batch: number, predict = false): Profile {
  const totalMs = rows.reduce((a, r) => a + r.ms, 0);
  for (const r of rows) r.share = totalMs > 0 ? (100 * r.ms) / totalMs : 0;
  const folded = predict ? foldedNotes(plan) : [];
  return { rows, fused: fusedNotes(plan, predict), folded, steps, batch, totalMs, samplesPerSec: totalMs > 0 ? (batch * 1000) / totalMs : 0 };
}

/**
 * The nodes that have a row: every one that runs (a fused activation runs inside another, and in predictions
 * a folded batch norm inside its conv).
 */
const rowNodes = (plan: Plan, predict = false): number[] => plan.nodes.flatMap((node, li) => (runsInside(node, predict) ? [] : [li]));

/** The profile of a training step from the readings of several steps at `batch` samples. */
export function trainProfile(plan: Plan, steps: readonly TrainStepTimes[], batch: number, opts: { task: Task; optimizer: string }): Profile {
  const nodes = rowNodes(plan);
  const parts = steps.map((t) => new Map(nodes.map((li) => [li, trainParts(plan.nodes[li]!, li, t)])));
  const rows = nodes.map((li) => layerRow(plan, li, batch, parts.map((p) => p.get(li)!)));
  const other = steps.map((t, s) => {
    let inRows = t.loss + t.zero + t.optimizer;
    for (const p of parts[s]!.values()) inRows += sum(p);
    return Math.max(0, t.total - inRows);
  });
  const loss = opts.task === 'single' ? 'loss (softmax + cross-entropy)' : 'loss (sigmoid + binary cross-entropy)';
  rows.push(
    stepRow('loss', loss, median(steps.map((t) => t.loss))),
    stepRow('zero', 'zero the gradients', median(steps.map((t) => t.zero))),
    stepRow('optimizer', `optimizer step (${opts.optimizer})`, median(steps.map((t) => t.optimizer))),
    stepRow('other', 'other (loading the batch, timers)', median(other)),
  );
  return finish(rows, plan, steps.length, batch);
}

/** The profile of an inference pass (evaluation mode) from the readings of several passes. */
export function inferProfile(plan: Plan, passes: readonly InferTimes[], batch: number, opts: { task: Task }): Profile {
  const nodes = rowNodes(plan, true);
  const rows = nodes.map((li) => layerRow(plan, li, batch, passes.map((t) => ({ forward: t.forward[li] ?? null, inputGrad: null, weightGrad: null })), true));
  const other = passes.map((t) => Math.max(0, t.total - t.head - nodes.reduce((a, li) => a + (t.forward[li] ?? 0), 0)));
  rows.push(
    stepRow('probabilities', opts.task === 'single' ? 'probabilities (softmax)' : 'probabilities (sigmoid)', median(passes.map((t) => t.head))),
    stepRow('other', 'other (loading the batch, timers)', median(other)),
  );
  return finish(rows, plan, passes.length, batch, true);
}
