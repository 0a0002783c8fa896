// What one layer kind is to the engine: a `LayerOps` entry of the table in index.ts. An entry says what
// shape comes out of its inputs, which parameters (PyTorch's names and layouts) and buffers it owns, how its
// weights are initialised, which scratch it needs per batch, and how it runs forward and backward. The graph
// (plan.ts) and the passes (passes.ts) only loop over nodes and call these.
//
// Layouts, as everywhere in the engine: a volume batch is CNHW ([C][N][H][W]), a vector batch [N][F].
// Every backward ACCUMULATES into dx and the parameter gradients with += (a value used by several layers
// receives the sum of their gradients; gradients are zeroed once per step).

import type { Activation, LayerSpec } from '../../language/model';
import type { Backend } from '../backend';
import { dact1, type ActKind } from '../kernels';
import type { Rng } from '../rng';

/** Per-sample dimensions of a value flowing between layers. */
export interface Dims {
  vol: boolean;
  c: number;
  h: number;
  w: number;
  /** c·h·w */
  size: number;
}

export const volume = (c: number, h: number, w: number): Dims => ({ vol: true, c, h, w, size: c * h * w });
export const vector = (n: number): Dims => ({ vol: false, c: n, h: 1, w: 1, size: n });

export function fmtDims(d: Dims): string {
  return d.vol ? `${d.h}×${d.w}×${d.c}` : `${d.size}`;
}

/** A learnable tensor: `layers.{i}.{name}` in PyTorch's layout. */
export interface ParamDecl {
  name: 'weight' | 'bias';
  shape: number[];
  /** Uniform by fan (He or Glorot, chosen by the graph), or a constant (biases 0, batch norm's weight 1). */
  init: { fanIn: number; fanOut: number } | { value: number };
}

/** A tensor of state that is saved but not learned (batch norm's running statistics). */
export interface BufferDecl {
  name: 'running_mean' | 'running_var' | 'num_batches_tracked';
  shape: number[];
  /** How a checkpoint stores it (num_batches_tracked is int64 in PyTorch). */
  dtype: 'F32' | 'I64';
  /** Its value at creation. */
  init: number;
}

/** What a layer sees while it runs: views of the arena for n samples. */
export interface ForwardCtx<S extends LayerSpec> {
  spec: S;
  be: Backend;
  n: number;
  /** Per-sample dims of each input (LayerInfo.inputs order) and of the output. */
  inputs: readonly Dims[];
  out: Dims;
  x: readonly Float32Array[];
  y: Float32Array;
  /** Parameters and buffers in the order of params() / buffers(). */
  params: readonly Float32Array[];
  buffers: readonly Float32Array[];
  /** Scratch in the order of aux(). */
  aux: readonly Float32Array[];
  /** The activation this layer applies in its epilogue in this plan (conv/dense: as written, or fused). */
  act: ActKind;
  /** Training (batch statistics, dropout) or evaluation (running statistics, no dropout). */
  train: boolean;
  rng: Rng;
}

export interface BackwardCtx<S extends LayerSpec> extends ForwardCtx<S> {
  /** The output's gradient, complete (every consumer has added to it). May be overwritten. */
  dy: Float32Array;
  /** Input gradients to add to; null where none is needed (the network input). */
  dx: readonly (Float32Array | null)[];
  /** Parameter gradients to add to, in the order of params(). */
  dparams: readonly Float32Array[];
}

export interface LayerOps<S extends LayerSpec> {
  /** The output's dims for these inputs; throws an Error that says what is wrong (no location). */
  output(spec: S, inputs: readonly Dims[]): Dims;
  /** Learnable tensors, weight first. */
  params(spec: S, inputs: readonly Dims[], out: Dims): ParamDecl[];
  /** Saved state that is not learned. */
  buffers(spec: S, inputs: readonly Dims[], out: Dims): BufferDecl[];
  /** The activation written on the statement (`activation=`); 'none' for kinds without one. */
  activation(spec: S): Activation;
  /**
   * Whether a following relu/sigmoid/tanh statement can run in this layer's epilogue (ctx.act): the layer
   * applies it in forward and its derivative in backward.
   */
  readonly epilogue: boolean;
  /** Floats of per-batch scratch for n samples (e.g. max pool winners, dropout masks, saved statistics). */
  aux(spec: S, inputs: readonly Dims[], out: Dims, n: number, backward: boolean): number[];
  /** The backend's column scratch (floats) and per-thread gradient scratch this layer needs for n samples. */
  scratch(spec: S, inputs: readonly Dims[], out: Dims, n: number, be: Backend): { col: number; grad: number };
  forward(ctx: ForwardCtx<S>): void;
  backward(ctx: BackwardCtx<S>): void;
  /**
   * Kinds that are, at evaluation, a per-channel affine map of a volume (batch norm with its running
   * statistics): writes y = x·scale[c] + shift[c]'s coefficients (before the epilogue activation).
   */
  evalAffine?(spec: S, params: readonly Float32Array[], buffers: readonly Float32Array[], scale: Float32Array, shift: Float32Array): void;
  /**
   * Kinds whose output channels can take in an affine map after them (conv): writes into `into` (the
   * parameters' shapes) the parameters of this layer followed by y·scale[k] + shift[k], so that one forward
   * with them gives both (plan.ts folds a batch norm into the conv before it for predictions).
   */
  absorbAffine?(spec: S, params: readonly Float32Array[], scale: Float32Array, shift: Float32Array, into: readonly Float32Array[]): void;
}

/** Defaults for entries: no parameters, buffers, scratch or activation. */
export const NONE = {
  params: (): ParamDecl[] => [],
  buffers: (): BufferDecl[] => [],
  activation: (): Activation => 'none',
  aux: (): number[] => [],
  scratch: () => ({ col: 0, grad: 0 }),
};

/** The one input of a single-input layer. */
export function only(inputs: readonly Dims[]): Dims {
  const d = inputs[0];
  if (!d || inputs.length !== 1) throw new Error(`takes exactly one input, not ${inputs.length}`);
  return d;
}

/** Element-wise dx += dy over len values. */
export function addInto(dx: Float32Array, dy: Float32Array, len: number): void {
  for (let i = 0; i < len; i++) dx[i] += dy[i]!;
}

/** A fused activation applied in place to a layer's output (its epilogue); nothing for 'none'. */
export function epilogueForward(be: Backend, y: Float32Array, len: number, act: ActKind): void {
  if (act !== 'none') be.activationForward(y, y, len, act, 0);
}

/** dy ·= act'(y) in place, from the epilogue's output y: the gradient before the fused activation. */
export function epilogueBackward(dy: Float32Array, y: Float32Array, len: number, act: ActKind): void {
  if (act === 'none') return;
  if (act === 'relu') {
    for (let i = 0; i < len; i++) if (!(y[i]! > 0)) dy[i] = 0;
  } else {
    for (let i = 0; i < len; i++) dy[i] = dy[i]! * dact1(y[i]!, y[i]!, act, 0);
  }
}
