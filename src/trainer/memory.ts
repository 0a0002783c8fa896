// Whether a model fits the built-in engine's memory before it is built, and if not, what to change, in the
// lecture's terms: the weights (which no batch size changes) or the outputs kept for the backward pass (which
// grow with the batch).

import { describeLayer, formatBytes, formatCount, formatShape, type LayerInfo, type ModelSpec, shapeSize } from '../language';

/** wasm32's whole address space: 65,536 pages of 64 KiB. The engine's memory can never grow beyond it. */
export const ENGINE_MEMORY_LIMIT = 4 * 1024 ** 3;

const FLOAT = 4;
/** The engine keeps every weight four times: the weight, its gradient and two optimizer buffers (Adam's m and v). */
const COPIES = 4;

export interface MemoryPlan {
  /** Bytes that do not depend on the batch: the weights with their gradients and optimizer state. */
  fixedBytes: number;
  /** Bytes per sample of a batch: the input and every layer's output and gradient, kept for backward. */
  perSampleBytes: number;
  /** The layer with the most weights, and the one with the largest output per sample. */
  heaviest: LayerInfo | null;
  widest: LayerInfo | null;
}

/** What training `spec` asks of the engine's memory, as the engine allocates it (network.ts), to within scratch space. */
export function memoryPlan(spec: ModelSpec): MemoryPlan {
  let params = 0;
  let perSample = 2 * (spec.input.h * spec.input.w * spec.input.c); // the batch as given and as the kernels read it
  let heaviest: LayerInfo | null = null;
  let widest: LayerInfo | null = null;
  let widestFloats = -1;
  spec.layers.forEach((l, i) => {
    params += l.params ?? 0;
    if (l.params !== null && l.params > (heaviest?.params ?? 0)) heaviest = l;
    const out = l.output ? shapeSize(l.output) : 0;
    const prev = spec.layers[i - 1];
    // An activation right after a conv or dense layer without its own is fused into it and shares its buffers.
    const fused = (l.spec.kind === 'relu' || l.spec.kind === 'sigmoid' || l.spec.kind === 'tanh') && prev && (prev.spec.kind === 'conv' || prev.spec.kind === 'dense') && prev.spec.activation === 'none';
    if (fused) return;
    let floats = l.spec.kind === 'softmax' ? out : 2 * out; // the output and its gradient
    if (l.spec.kind === 'dense' && l.implicitFlatten && l.input) floats += 2 * shapeSize(l.input);
    if ((l.spec.kind === 'pool' && l.spec.mode === 'max') || l.spec.kind === 'dropout') floats += out; // argmax or mask
    perSample += floats;
    if (floats > widestFloats) {
      widestFloats = floats;
      widest = l;
    }
  });
  perSample += spec.classes.length;
  return { fixedBytes: params * FLOAT * COPIES, perSampleBytes: perSample * FLOAT, heaviest, widest };
}

/**
 * Null when training at the file's batch fits in `limit` bytes (the engine's 4 GiB, or less when the machine has
 * less); otherwise what to change: the layer whose weights are too many when no batch would fit, or the batch
 * and the layer whose output is largest when a smaller batch would.
 */
export function memoryProblem(spec: ModelSpec, limit = ENGINE_MEMORY_LIMIT): string | null {
  const plan = memoryPlan(spec);
  const batch = spec.train.batch;
  // One more sample for the inspector's snapshots, which have buffers of their own.
  const need = (b: number) => plan.fixedBytes + plan.perSampleBytes * (b + 1);
  if (need(batch) <= limit) return null;
  const where = `the ${formatBytes(limit)} ${limit === ENGINE_MEMORY_LIMIT ? 'the built-in engine can hold' : 'this machine can spare'}`;
  // Not even one sample fits: no batch size helps. Mostly weights: that layer is too big.
  if (need(1) > limit && plan.fixedBytes >= plan.perSampleBytes * 2) return tooManyWeights(plan, where);
  const w = plan.widest;
  const outputs = w
    ? `${formatBytes(plan.perSampleBytes)} a sample, the most for layer ${w.index} on line ${w.line + 1} (${describeLayer(w)}: ${w.implicitFlatten && w.input ? `a flattened copy of ${formatShape(w.input)}` : formatShape(w.output)})`
    : `${formatBytes(plan.perSampleBytes)} a sample`;
  if (need(1) > limit) {
    return (
      `This network does not fit in ${where}, not even at batch=1: training keeps every layer's output for the backward pass, ${outputs}. ` +
      `Make the input or the early outputs smaller: a smaller input line, or a stride=2 or a pool near the start.`
    );
  }
  const fits = Math.floor((limit - plan.fixedBytes) / plan.perSampleBytes) - 1;
  let suggest = 1;
  while (suggest * 2 <= fits) suggest *= 2;
  return (
    `At batch=${batch} this network does not fit in ${where}: training keeps every layer's output for the backward pass, ${outputs}; ` +
    `${formatBytes(need(batch))} in all. Lower batch= to ${suggest} (at most ${fits} fits), or make that output smaller with a stride or a pool before it.`
  );
}

function tooManyWeights(plan: MemoryPlan, where: string): string {
  const h = plan.heaviest;
  const weights = `keeps each weight ${COPIES} times (the weight, its gradient and the optimizer's two running averages): ${formatBytes(plan.fixedBytes)}, more than ${where}, whatever the batch`;
  if (!h || h.params === null) return `This network is too large to train here: it ${weights}.`;
  const s = h.spec;
  const at = `The layer on line ${h.line + 1} (${describeLayer(h)}) has ${formatCount(h.params)} weights`;
  if (s.kind === 'dense' && h.input) {
    const inputs = shapeSize(h.input);
    const from = h.input.kind === 'volume' ? `the ${formatShape(h.input)} volume flattened into ${formatCount(inputs)} inputs` : `${formatCount(inputs)} inputs`;
    return (
      `${at}: ${from} × ${formatCount(s.units)} units + ${formatCount(s.units)} biases. Training ${weights}. ` +
      `Make the volume smaller before this layer (each pool size=2 stride=2, or conv with stride=2, divides its inputs by 4), or give it fewer units.`
    );
  }
  if (s.kind === 'conv' && h.input?.kind === 'volume') {
    return (
      `${at}: ${formatCount(s.filters)} filters of ${s.fh}×${s.fw}×${h.input.c} + ${formatCount(s.filters)} biases. Training ${weights}. ` +
      `Use fewer filters (filters=${formatCount(Math.max(1, Math.floor(s.filters / 4)))}) or smaller ones.`
    );
  }
  return `${at}. Training ${weights}. Make that layer smaller.`;
}
