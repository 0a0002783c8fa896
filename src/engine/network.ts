// A network built from a ModelSpec: a list of layer nodes over one arena of memory (the backend's), a flat
// parameter buffer, a flat gradient buffer and the optimizer state beside them. See index.ts for the API.

import type { Activation, LayerInfo, LayerSpec, ModelSpec, Shape } from '../language/model';
import { createBackend, type Backend, type BackendChoice, type BackendName } from './backend';
import { initBound, initUniform, type InitKind } from './init';
import { convGeom, dropoutMask, softmaxCrossEntropyBackward, softmaxCrossEntropyForward, softmaxForward, type ActKind, type ConvGeom } from './kernels';
import { adamStep, OPTIMIZER_DEFAULTS, sgdStep, type OptimizerConfig } from './optim';
import { Rng } from './rng';

/** A named tensor in PyTorch layout (conv weight [K,C,FH,FW], dense weight [U,I], bias [n]). */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface NetworkOptions {
  /** Seed of the one RNG (init, dropout). Default: spec.train.seed. */
  seed?: number;
  /**
   * Threads the kernels run on (default 1): T > 1 starts T-1 worker threads over shared WebAssembly memory
   * (the shared-memory build; without it, or on the js backend, the network runs on 1 thread: see
   * `threads`). Results then differ from 1 thread in the last bits (another summation order of the weight
   * gradients) but are reproducible for a given T. Call dispose() to stop the workers.
   */
  threads?: number;
  /** Samples per step the buffers are sized for; grows on demand in trainStep. Default: spec.train.batch. */
  batch?: number;
  /** Kernels: 'auto' (best wasm build, else js), or one by name. Default 'auto'. */
  backend?: BackendChoice;
  /** Optimizer settings. Default: spec.train's optimizer, lr, momentum and weight decay. */
  optimizer?: Partial<OptimizerConfig>;
}

export interface StepResult {
  /** Mean cross-entropy over the batch. */
  loss: number;
  /** Samples whose arg-max prediction equals the label. */
  correct: number;
}

/**
 * Lets a long pass give way to the event loop (so a stop request or Ctrl+C is seen) and be abandoned.
 * `due()` is asked between layers and must be cheap; when it says so, `pause()` gives the event loop a turn
 * and resolves to true to abandon the pass (the parameters are then left as they were before the step).
 */
export interface Yielder {
  due(): boolean;
  pause(): Promise<boolean>;
}

export interface LayerActivation {
  /** LayerInfo.index of the layer statement. */
  index: number;
  kind: LayerSpec['kind'];
  shape: Shape;
  /** Volumes: C×H×W (channel planes, row-major); vectors: n values. Post-activation for fused activations. */
  data: Float32Array;
}

export interface LayerFilters {
  index: number;
  /** [K, C, FH, FW]. */
  shape: [number, number, number, number];
  data: Float32Array;
}

/** Per-sample dimensions of the values flowing between layers. */
interface Dims {
  vol: boolean;
  c: number;
  h: number;
  w: number;
  /** c·h·w */
  size: number;
}

const volume = (c: number, h: number, w: number): Dims => ({ vol: true, c, h, w, size: c * h * w });
const vector = (n: number): Dims => ({ vol: false, c: n, h: 1, w: 1, size: n });

interface Node {
  info: LayerInfo;
  spec: LayerSpec;
  in: Dims;
  out: Dims;
  /** Parameter ranges in the flat parameter buffer (floats); wLen 0 when the layer has none. */
  wOff: number;
  wLen: number;
  bOff: number;
  bLen: number;
  wShape: number[];
  /** The activation of conv/dense as written (`activation=`). */
  act: ActKind;
  /** Buffers and fusion for training and prediction (fused) and for activations() (as written). */
  run: Slot;
  inspect: Slot;
}

/**
 * Where one layer's values live in a plan. In the `run` plan a relu/sigmoid/tanh statement right after a
 * conv or dense without its own activation is fused into it: the layer computes the activation in its GEMM
 * epilogue, and the statement aliases its buffers and does nothing (saves two buffers and two passes). A relu
 * right after a relu's output (a relu statement, or a conv/dense whose activation is relu) is fused the same
 * way: it is the identity there, in value and in gradient.
 */
interface Slot {
  /** Byte offsets of the output and its gradient (0: none). */
  outB: number;
  dOutB: number;
  /** Dense after a volume: the flattened input and its gradient. */
  flatB: number;
  dFlatB: number;
  /** Max pool winners (int32) or dropout mask (float). */
  auxB: number;
  /** The activation this layer applies in this plan. */
  act: ActKind;
  /** An activation statement fused into the layer before it: no work of its own. */
  fused: boolean;
}

const emptySlot = (act: ActKind): Slot => ({ outB: 0, dOutB: 0, flatB: 0, dFlatB: 0, auxB: 0, act, fused: false });

/** Views over the arena, rebuilt after every allocation. */
interface Views {
  params: Float32Array;
  grads: Float32Array;
  state1: Float32Array;
  state2: Float32Array;
}

function actOf(a: Activation): ActKind {
  return a;
}

export class Network {
  readonly spec: ModelSpec;
  readonly backend: Backend;
  readonly classes: number;
  readonly inputSize: number;
  readonly paramCount: number;

  readonly optimizer: OptimizerConfig;
  private readonly nodes: Node[] = [];
  private readonly rng: Rng;
  private step = 0;
  private capacity = 0;
  // Arena offsets (bytes).
  private paramsB = 0;
  private gradsB = 0;
  private state1B = 0;
  private state2B = 0;
  private batchMark = 0;
  private inNhwcB = 0;
  private inB = 0;
  private probsB = 0;
  /** Index into nodes of the layer whose output is the logits. */
  private readonly logitsNode: number;
  private v!: Views;

  constructor(spec: ModelSpec, opts: NetworkOptions = {}) {
    this.spec = spec;
    this.backend = createBackend(opts.backend ?? 'auto', { threads: opts.threads ?? 1 });
    this.rng = new Rng(opts.seed ?? spec.train.seed);
    this.optimizer = {
      ...OPTIMIZER_DEFAULTS,
      kind: spec.train.optimizer,
      lr: spec.train.lr,
      momentum: spec.train.momentum,
      weightDecay: spec.train.weightDecay,
      ...opts.optimizer,
    };
    const { h, w, c } = spec.input;
    this.inputSize = h * w * c;
    let dims = volume(c, h, w);
    let pcount = 0;
    spec.layers.forEach((info, li) => {
      const s = info.spec;
      const node: Node = {
        info, spec: s, in: dims, out: dims, wOff: 0, wLen: 0, bOff: 0, bLen: 0, wShape: [], act: 'none',
        run: emptySlot('none'), inspect: emptySlot('none'),
      };
      const where = `layer ${info.index} (${s.kind}, line ${info.line + 1})`;
      switch (s.kind) {
        case 'conv': {
          if (!dims.vol) throw new Error(`${where}: conv needs a volume input`);
          const g = convGeom(1, dims, s.filters, s);
          if (g.oh < 1 || g.ow < 1) throw new Error(`${where}: the output would be empty`);
          node.out = volume(s.filters, g.oh, g.ow);
          node.wShape = [s.filters, dims.c, s.fh, s.fw];
          node.wLen = s.filters * dims.c * s.fh * s.fw;
          node.bLen = s.filters;
          node.act = actOf(s.activation);
          break;
        }
        case 'pool': {
          if (!dims.vol) throw new Error(`${where}: pool needs a volume input`);
          const g = convGeom(1, dims, dims.c, s);
          if (g.oh < 1 || g.ow < 1) throw new Error(`${where}: the output would be empty`);
          node.out = volume(dims.c, g.oh, g.ow);
          break;
        }
        case 'dense':
          node.out = vector(s.units);
          node.wShape = [s.units, dims.size];
          node.wLen = s.units * dims.size;
          node.bLen = s.units;
          node.act = actOf(s.activation);
          break;
        case 'flatten':
          node.out = vector(dims.size);
          break;
        case 'softmax':
          if (li !== spec.layers.length - 1) throw new Error(`${where}: softmax must be the last layer`);
          if (dims.vol) throw new Error(`${where}: softmax needs a vector input`);
          break;
        case 'relu':
        case 'sigmoid':
        case 'tanh':
        case 'leakyrelu':
        case 'dropout':
          break;
      }
      if (node.wLen > 0) {
        node.wOff = pcount;
        pcount += node.wLen;
        node.bOff = pcount;
        pcount += node.bLen;
      }
      const expected = info.output;
      if (expected) {
        const got = expected.kind === 'volume' ? volume(expected.c, expected.h, expected.w) : vector(expected.n);
        if (got.vol !== node.out.vol || got.size !== node.out.size || got.c !== node.out.c || got.h !== node.out.h) {
          throw new Error(`${where}: the engine computes output ${fmtDims(node.out)} but the model says ${fmtDims(got)}`);
        }
      }
      node.run = emptySlot(node.act);
      node.inspect = emptySlot(node.act);
      const prev = this.nodes[li - 1];
      if (
        prev &&
        (s.kind === 'relu' || s.kind === 'sigmoid' || s.kind === 'tanh') &&
        (prev.spec.kind === 'conv' || prev.spec.kind === 'dense') &&
        prev.act === 'none'
      ) {
        prev.run.act = s.kind;
        node.run.fused = true;
      } else if (prev && s.kind === 'relu' && outputIsRelu(prev)) {
        // relu of a relu's output is that output, and its gradient mask the same: nothing to compute or keep
        // (a network of 50,000 relu lines needs one buffer, not 50,000).
        node.run.fused = true;
      }
      this.nodes.push(node);
      dims = node.out;
    });
    if (this.nodes.length === 0) throw new Error('the model has no layers');
    const last = this.nodes[this.nodes.length - 1]!;
    this.logitsNode = last.spec.kind === 'softmax' ? this.nodes.length - 2 : this.nodes.length - 1;
    const logitDims = this.logitsNode >= 0 ? this.nodes[this.logitsNode]!.out : volume(c, h, w);
    if (logitDims.vol) throw new Error('the network must end in a vector (a dense layer) to be trained on classes');
    this.classes = logitDims.size;
    this.paramCount = pcount;

    // Fixed region: parameters, gradients, optimizer state.
    const bytes = Math.max(pcount, 1) * 4;
    this.paramsB = this.backend.allocate(bytes);
    this.gradsB = this.backend.allocate(bytes);
    this.state1B = this.backend.allocate(bytes);
    this.state2B = this.backend.allocate(bytes);
    this.batchMark = this.backend.mark();
    this.refreshViews();
    this.initParams();
    this.allocateBatch(Math.max(1, opts.batch ?? spec.train.batch));
  }

  // ---------------------------------------------------------------------------------------------- memory

  private refreshViews(): void {
    const buf = this.backend.buffer();
    const n = this.paramCount;
    this.v = {
      params: new Float32Array(buf, this.paramsB, n),
      grads: new Float32Array(buf, this.gradsB, n),
      state1: new Float32Array(buf, this.state1B, n),
      state2: new Float32Array(buf, this.state2B, n),
    };
  }

  private f32(byteOffset: number, len: number): Float32Array {
    return new Float32Array(this.backend.buffer(), byteOffset, len);
  }
  private i32(byteOffset: number, len: number): Int32Array {
    return new Int32Array(this.backend.buffer(), byteOffset, len);
  }

  /** Sizes every per-batch buffer for `cap` samples (once; again only when a larger batch arrives). */
  private allocateBatch(cap: number): void {
    const be = this.backend;
    be.release(this.batchMark);
    this.inNhwcB = be.allocate(cap * this.inputSize * 4);
    this.inB = be.allocate(cap * this.inputSize * 4);
    let col = 0;
    for (const [plan, n] of [['run', cap], ['inspect', 1]] as const) {
      this.nodes.forEach((node, li) => {
        const slot = node[plan];
        if (slot.fused) {
          const prev = this.nodes[li - 1]![plan];
          slot.outB = prev.outB;
          slot.dOutB = prev.dOutB;
          return;
        }
        const outLen = n * node.out.size;
        slot.outB = be.allocate(outLen * 4);
        const backward = plan === 'run' && node.spec.kind !== 'softmax';
        slot.dOutB = backward ? be.allocate(outLen * 4) : 0;
        if (node.spec.kind === 'dense' && node.in.vol) {
          slot.flatB = be.allocate(n * node.in.size * 4);
          slot.dFlatB = backward ? be.allocate(n * node.in.size * 4) : 0;
        }
        if ((node.spec.kind === 'pool' && node.spec.mode === 'max') || node.spec.kind === 'dropout') {
          slot.auxB = be.allocate(outLen * 4);
        }
        if (node.spec.kind === 'conv') col = Math.max(col, be.colFloats(this.geom(node, n)));
      });
    }
    this.probsB = be.allocate(cap * this.classes * 4);
    let grad = 0;
    for (const node of this.nodes) if (node.spec.kind === 'conv') grad = Math.max(grad, node.wLen + node.bLen);
    be.reserveScratch(col, grad);
    this.capacity = cap;
    this.refreshViews();
  }

  private geom(node: Node, n: number): ConvGeom {
    const s = node.spec;
    if (s.kind !== 'conv' && s.kind !== 'pool') throw new Error('not a windowed layer');
    return convGeom(n, node.in, s.kind === 'conv' ? s.filters : node.in.c, s);
  }

  // ---------------------------------------------------------------------------------------------- init

  private initParams(): void {
    const p = this.v.params;
    p.fill(0);
    this.nodes.forEach((node, i) => {
      if (node.wLen === 0) return;
      const next = this.nodes[i + 1]?.spec.kind;
      const kind: InitKind = node.act === 'relu' || next === 'relu' || next === 'leakyrelu' ? 'he' : 'glorot';
      const s = node.spec;
      let fanIn: number;
      let fanOut: number;
      if (s.kind === 'conv') {
        fanIn = node.in.c * s.fh * s.fw;
        fanOut = s.filters * s.fh * s.fw;
      } else {
        fanIn = node.in.size;
        fanOut = node.out.size;
      }
      initUniform(p.subarray(node.wOff, node.wOff + node.wLen), node.wLen, initBound(kind, fanIn, fanOut), this.rng);
    });
    this.v.state1.fill(0);
    this.v.state2.fill(0);
    this.step = 0;
  }

  // ---------------------------------------------------------------------------------------------- passes

  /** Copies n NHWC samples into the arena and converts them to CNHW. */
  private loadInput(x: Float32Array, offset: number, n: number): void {
    const len = n * this.inputSize;
    if (x.length < offset + len) throw new Error(`input holds ${x.length - offset} values, ${len} needed for ${n} samples`);
    const stage = this.f32(this.inNhwcB, len);
    stage.set(x.subarray(offset, offset + len));
    const { h, w, c } = this.spec.input;
    this.backend.nhwcToCnhw(this.f32(this.inB, len), stage, n, h * w, c);
  }

  /**
   * Forward over n samples already in the input buffer; fills every layer output of the plan. Dropout is
   * active only when `train`.
   */
  private forward(n: number, train: boolean, plan: 'run' | 'inspect' = 'run'): void {
    this.forwardLayers(n, train, plan, 0, this.nodes.length);
  }

  /** The input's byte offset of layer `li` in a plan (a fused layer aliases the output of the one before). */
  private inputOf(li: number, plan: 'run' | 'inspect'): number {
    return li > 0 ? this.nodes[li - 1]![plan].outB : this.inB;
  }

  /** forward() of layers [from, to) only: the passes below run in pieces between which they may give way. */
  private forwardLayers(n: number, train: boolean, plan: 'run' | 'inspect', from: number, to: number): void {
    const be = this.backend;
    const P = this.v.params;
    let xB = this.inputOf(from, plan);
    for (let li = from; li < to; li++) {
      const node = this.nodes[li]!;
      const s = node.spec;
      const slot = node[plan];
      if (slot.fused) continue;
      const inLen = n * node.in.size;
      const outLen = n * node.out.size;
      const x = this.f32(xB, inLen);
      const y = this.f32(slot.outB, outLen);
      switch (s.kind) {
        case 'conv':
          be.convForward(y, x, P.subarray(node.wOff, node.wOff + node.wLen), P.subarray(node.bOff, node.bOff + node.bLen), this.geom(node, n), slot.act);
          break;
        case 'pool':
          if (s.mode === 'max') be.maxPoolForward(y, this.i32(slot.auxB, outLen), x, this.geom(node, n));
          else be.avgPoolForward(y, x, this.geom(node, n));
          break;
        case 'dense': {
          let xin = x;
          if (node.in.vol) {
            xin = this.f32(slot.flatB, inLen);
            be.flattenForward(xin, x, n, node.in.c, node.in.h * node.in.w);
          }
          be.denseForward(y, xin, P.subarray(node.wOff, node.wOff + node.wLen), P.subarray(node.bOff, node.bOff + node.bLen), n, node.in.size, s.units, slot.act);
          break;
        }
        case 'flatten':
          if (node.in.vol) be.flattenForward(y, x, n, node.in.c, node.in.h * node.in.w);
          else y.set(x);
          break;
        case 'relu':
        case 'sigmoid':
        case 'tanh':
          be.activationForward(y, x, inLen, s.kind, 0);
          break;
        case 'leakyrelu':
          be.activationForward(y, x, inLen, 'leakyrelu', s.slope);
          break;
        case 'dropout':
          if (train && s.rate > 0) {
            const mask = this.f32(slot.auxB, outLen);
            dropoutMask(mask, outLen, s.rate, () => this.rng.uniform());
            for (let i = 0; i < outLen; i++) y[i] = x[i]! * mask[i]!;
          } else {
            y.set(x);
          }
          break;
        case 'softmax':
          softmaxForward(y, x, n, node.in.size);
          break;
      }
      xB = slot.outB;
    }
  }

  /** The logits of the last forward (the output of the layer before a final softmax statement). */
  private logits(n: number, plan: 'run' | 'inspect' = 'run'): Float32Array {
    return this.logitsNode >= 0 ? this.f32(this.nodes[this.logitsNode]![plan].outB, n * this.classes) : this.f32(this.inB, n * this.classes);
  }

  /** Backward from dlogits already in the logits layer's output-gradient buffer. */
  private backward(n: number): void {
    this.backwardLayers(n, this.logitsNode, -1);
  }

  /** backward() of layers from `from` down to `to` (exclusive), in that order. */
  private backwardLayers(n: number, from: number, to: number): void {
    const be = this.backend;
    const P = this.v.params;
    const G = this.v.grads;
    for (let li = from; li > to; li--) {
      const node = this.nodes[li]!;
      const s = node.spec;
      const slot = node.run;
      if (slot.fused) continue;
      const inLen = n * node.in.size;
      const outLen = n * node.out.size;
      const prev = li > 0 ? this.nodes[li - 1]!.run : null;
      const x = this.f32(prev ? prev.outB : this.inB, inLen);
      const y = this.f32(slot.outB, outLen);
      const dy = this.f32(slot.dOutB, outLen);
      const dx = prev ? this.f32(prev.dOutB, inLen) : null;
      switch (s.kind) {
        case 'conv':
          be.convBackward(dx, G.subarray(node.wOff, node.wOff + node.wLen), G.subarray(node.bOff, node.bOff + node.bLen), dy, y, x, P.subarray(node.wOff, node.wOff + node.wLen), this.geom(node, n), slot.act);
          break;
        case 'pool':
          if (!dx) break;
          if (s.mode === 'max') be.maxPoolBackward(dx, dy, this.i32(slot.auxB, outLen), this.geom(node, n));
          else be.avgPoolBackward(dx, dy, this.geom(node, n));
          break;
        case 'dense': {
          const w = P.subarray(node.wOff, node.wOff + node.wLen);
          const dw = G.subarray(node.wOff, node.wOff + node.wLen);
          const db = G.subarray(node.bOff, node.bOff + node.bLen);
          if (node.in.vol) {
            const flat = this.f32(slot.flatB, inLen);
            const dflat = dx ? this.f32(slot.dFlatB, inLen) : null;
            if (dflat) dflat.fill(0);
            be.denseBackward(dflat, dw, db, dy, y, flat, w, n, node.in.size, s.units, slot.act);
            if (dx && dflat) be.flattenBackward(dx, dflat, n, node.in.c, node.in.h * node.in.w);
          } else {
            be.denseBackward(dx, dw, db, dy, y, x, w, n, node.in.size, s.units, slot.act);
          }
          break;
        }
        case 'flatten':
          if (!dx) break;
          if (node.in.vol) be.flattenBackward(dx, dy, n, node.in.c, node.in.h * node.in.w);
          else for (let i = 0; i < inLen; i++) dx[i] += dy[i]!;
          break;
        case 'relu':
        case 'sigmoid':
        case 'tanh':
          if (dx) be.activationBackward(dx, dy, y, x, inLen, s.kind, 0);
          break;
        case 'leakyrelu':
          if (dx) be.activationBackward(dx, dy, y, x, inLen, 'leakyrelu', s.slope);
          break;
        case 'dropout':
          if (!dx) break;
          if (s.rate > 0) {
            const mask = this.f32(slot.auxB, outLen);
            for (let i = 0; i < inLen; i++) dx[i] += dy[i]! * mask[i]!;
          } else {
            for (let i = 0; i < inLen; i++) dx[i] += dy[i]!;
          }
          break;
        case 'softmax':
          break;
      }
    }
  }

  private zeroGrads(n: number): void {
    this.v.grads.fill(0);
    for (let li = 0; li <= this.logitsNode; li++) {
      const node = this.nodes[li]!;
      if (!node.run.fused) this.f32(node.run.dOutB, n * node.out.size).fill(0);
    }
  }

  private checkLabels(labels: Int32Array, n: number): void {
    if (labels.length < n) throw new Error(`${labels.length} labels for ${n} samples`);
    for (let i = 0; i < n; i++) {
      const l = labels[i]!;
      if (!(l >= 0 && l < this.classes)) throw new Error(`label ${l} of sample ${i} is outside 0…${this.classes - 1}`);
    }
  }

  // ---------------------------------------------------------------------------------------------- public API

  /**
   * One optimizer step on n samples: x is N×H×W×C (NHWC), labels N class indices. Returns the batch's mean
   * cross-entropy and correct count, both measured before the update.
   */
  trainStep(x: Float32Array, labels: Int32Array, n: number): StepResult {
    if (n < 1) throw new Error('trainStep needs at least one sample');
    this.checkLabels(labels, n);
    if (n > this.capacity) this.allocateBatch(n);
    const r = this.forwardBackward(x, labels, n);
    this.applyOptimizer();
    return r;
  }

  /** Forward and backward without the optimizer step; gradients land in grads() (for tests and tools). */
  forwardBackward(x: Float32Array, labels: Int32Array, n: number): StepResult {
    this.checkLabels(labels, n);
    if (n > this.capacity) this.allocateBatch(n);
    this.loadInput(x, 0, n);
    this.forward(n, true);
    const probs = this.f32(this.probsB, n * this.classes);
    const r = softmaxCrossEntropyForward(probs, this.logits(n), labels, n, this.classes);
    this.zeroGrads(n);
    const dlogits = this.logitsNode >= 0 ? this.f32(this.nodes[this.logitsNode]!.run.dOutB, n * this.classes) : null;
    if (dlogits) {
      softmaxCrossEntropyBackward(dlogits, probs, labels, n, this.classes);
      this.backward(n);
    }
    return r;
  }

  /**
   * trainStep in pieces of layers, asking `y` between layers whether to give way: resolves to null when the
   * step was abandoned (no update made), else the step's result. Between pieces nothing else may use the
   * network. For a network of many layers or a long step, so a stop request is honoured mid-step.
   */
  async trainStepCooperative(x: Float32Array, labels: Int32Array, n: number, y: Yielder): Promise<StepResult | null> {
    if (n < 1) throw new Error('trainStep needs at least one sample');
    this.checkLabels(labels, n);
    if (n > this.capacity) this.allocateBatch(n);
    this.loadInput(x, 0, n);
    if (!(await this.forwardCooperative(n, true, y))) return null;
    const probs = this.f32(this.probsB, n * this.classes);
    const r = softmaxCrossEntropyForward(probs, this.logits(n), labels, n, this.classes);
    this.zeroGrads(n);
    if (this.logitsNode >= 0) {
      softmaxCrossEntropyBackward(this.f32(this.nodes[this.logitsNode]!.run.dOutB, n * this.classes), probs, labels, n, this.classes);
      let li = this.logitsNode;
      while (li >= 0) {
        const next = li - 1;
        this.backwardLayers(n, li, next);
        li = next;
        if (li >= 0 && y.due() && (await y.pause())) return null;
      }
    }
    if (y.due() && (await y.pause())) return null;
    this.applyOptimizer();
    return r;
  }

  /** predict() that gives way between layers (see trainStepCooperative); null when abandoned. */
  async predictCooperative(x: Float32Array, n: number, y: Yielder): Promise<Float32Array | null> {
    const out = new Float32Array(n * this.classes);
    for (let s = 0; s < n; s += this.capacity) {
      const m = Math.min(this.capacity, n - s);
      this.loadInput(x, s * this.inputSize, m);
      if (!(await this.forwardCooperative(m, false, y))) return null;
      const probs = this.f32(this.probsB, m * this.classes);
      softmaxForward(probs, this.logits(m), m, this.classes);
      out.set(probs, s * this.classes);
    }
    return out;
  }

  /** The run plan's forward one layer at a time, pausing when `y` says so; false when abandoned. */
  private async forwardCooperative(n: number, train: boolean, y: Yielder): Promise<boolean> {
    for (let li = 0; li < this.nodes.length; li++) {
      this.forwardLayers(n, train, 'run', li, li + 1);
      if (y.due() && (await y.pause())) return false;
    }
    return true;
  }

  /** The optimizer update from the current gradients. */
  applyOptimizer(): void {
    this.step++;
    const o = this.optimizer;
    const { params, grads, state1, state2 } = this.v;
    if (o.kind === 'sgd') sgdStep(params, grads, state1, this.paramCount, this.step, o.lr, o.momentum, o.weightDecay);
    else adamStep(params, grads, state1, state2, this.paramCount, this.step, o.lr, o.beta1, o.beta2, o.eps, o.weightDecay);
  }

  /** Loss and correct count without training (dropout off); any n (runs in chunks of the capacity). */
  evaluate(x: Float32Array, labels: Int32Array, n: number): StepResult {
    this.checkLabels(labels, n);
    let loss = 0;
    let correct = 0;
    for (let s = 0; s < n; s += this.capacity) {
      const m = Math.min(this.capacity, n - s);
      this.loadInput(x, s * this.inputSize, m);
      this.forward(m, false);
      const probs = this.f32(this.probsB, m * this.classes);
      const r = softmaxCrossEntropyForward(probs, this.logits(m), labels.subarray(s, s + m), m, this.classes);
      loss += r.loss * m;
      correct += r.correct;
    }
    return { loss: n > 0 ? loss / n : 0, correct };
  }

  /** Class probabilities, N×classes, for n NHWC samples (dropout off); any n. */
  predict(x: Float32Array, n: number): Float32Array {
    const out = new Float32Array(n * this.classes);
    for (let s = 0; s < n; s += this.capacity) {
      const m = Math.min(this.capacity, n - s);
      this.loadInput(x, s * this.inputSize, m);
      this.forward(m, false);
      const probs = this.f32(this.probsB, m * this.classes);
      softmaxForward(probs, this.logits(m), m, this.classes);
      out.set(probs, s * this.classes);
    }
    return out;
  }

  /** Every layer's output for one H×W×C sample (dropout off), for the feature-map inspector. */
  activations(x1: Float32Array): LayerActivation[] {
    this.loadInput(x1, 0, 1);
    this.forward(1, false, 'inspect');
    return this.nodes.map((node) => ({
      index: node.info.index,
      kind: node.spec.kind,
      shape: node.out.vol ? { kind: 'volume', h: node.out.h, w: node.out.w, c: node.out.c } : { kind: 'vector', n: node.out.size },
      data: this.f32(node.inspect.outB, node.out.size).slice(),
    }));
  }

  /** Copies of the conv layers' filters, [K, C, FH, FW] each. */
  filters(): LayerFilters[] {
    const out: LayerFilters[] = [];
    for (const node of this.nodes) {
      if (node.spec.kind !== 'conv') continue;
      const [k, c, fh, fw] = node.wShape as [number, number, number, number];
      out.push({ index: node.info.index, shape: [k, c, fh, fw], data: this.v.params.slice(node.wOff, node.wOff + node.wLen) });
    }
    return out;
  }

  /** Copies of every parameter tensor, named `layers.{i}.weight` / `layers.{i}.bias`, in PyTorch layout. */
  params(): NamedTensor[] {
    return this.tensors(this.v.params);
  }

  /** Copies of the gradients from the last forwardBackward/trainStep, named like params(). */
  grads(): NamedTensor[] {
    return this.tensors(this.v.grads);
  }

  private tensors(buf: Float32Array): NamedTensor[] {
    const out: NamedTensor[] = [];
    for (const node of this.nodes) {
      if (node.wLen === 0) continue;
      const i = node.info.index;
      out.push({ name: `layers.${i}.weight`, shape: node.wShape.slice(), data: buf.slice(node.wOff, node.wOff + node.wLen) });
      out.push({ name: `layers.${i}.bias`, shape: [node.bLen], data: buf.slice(node.bOff, node.bOff + node.bLen) });
    }
    return out;
  }

  /** The tensors this model needs: names and shapes, in order. */
  paramShapes(): { name: string; shape: number[] }[] {
    return this.tensors(new Float32Array(this.paramCount)).map(({ name, shape }) => ({ name, shape }));
  }

  /**
   * Replaces the parameters (e.g. from a checkpoint). Every needed tensor must be present with its exact
   * shape; optimizer state is reset.
   */
  setParams(tensors: readonly NamedTensor[]): void {
    const byName = new Map(tensors.map((t) => [t.name, t]));
    const writes: [number, Float32Array][] = [];
    for (const node of this.nodes) {
      if (node.wLen === 0) continue;
      const i = node.info.index;
      for (const [suffix, off, shape] of [['weight', node.wOff, node.wShape], ['bias', node.bOff, [node.bLen]]] as const) {
        const name = `layers.${i}.${suffix}`;
        const t = byName.get(name);
        if (!t) throw new Error(`${name} is missing`);
        if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
          throw new Error(`${name} has shape [${t.shape.join(',')}] but the model needs [${shape.join(',')}]`);
        }
        writes.push([off, t.data]);
      }
    }
    for (const [off, data] of writes) this.v.params.set(data, off);
    this.v.state1.fill(0);
    this.v.state2.fill(0);
    this.step = 0;
  }

  /** Optimizer steps taken since creation (or the last setParams). */
  get steps(): number {
    return this.step;
  }

  /** The flat parameter buffer (a live view; invalid after a larger batch re-sizes the arena). */
  flatParams(): Float32Array {
    return this.v.params;
  }

  get backendName(): BackendName {
    return this.backend.name;
  }

  /** Threads the kernels run on. */
  get threads(): number {
    return this.backend.threads;
  }

  /**
   * Stops the worker threads (if any); resolves once they have exited. With more than one thread the network
   * must not be used afterwards (its kernels throw); with one thread this does nothing. Idempotent.
   */
  dispose(): Promise<void> {
    return this.backend.dispose();
  }

  /** Worker threads still running: threads - 1 until dispose(), then 0. */
  get workersRunning(): number {
    return this.backend.workersRunning;
  }

  /** Samples per step the buffers currently hold. */
  get batchCapacity(): number {
    return this.capacity;
  }
}

/** Whether a node's output in the run plan is a relu's (so a relu after it changes nothing). */
function outputIsRelu(node: Node): boolean {
  if (node.spec.kind === 'relu') return true;
  return (node.spec.kind === 'conv' || node.spec.kind === 'dense') && node.run.act === 'relu';
}

function fmtDims(d: Dims): string {
  return d.vol ? `${d.h}×${d.w}×${d.c}` : `${d.size}`;
}

/** Builds a network from a checked model. */
export function createNetwork(spec: ModelSpec, opts: NetworkOptions = {}): Network {
  return new Network(spec, opts);
}
