// A network built from a ModelSpec: the graph of its layer statements (plan.ts) over one arena of memory
// (the backend's; memory.ts), a flat parameter buffer, a flat gradient buffer, the optimizer state and the
// buffers (batch norm's running statistics) beside them. The passes are in passes.ts, each layer kind's
// maths in layers/. See index.ts for the API.

import type { LayerSpec, ModelSpec, Shape } from '../language/model';
import { createBackend, type Backend, type BackendChoice, type BackendName } from './backend';
import { initBound, initUniform } from './init';
import { softmaxCrossEntropyBackward, softmaxCrossEntropyForward, softmaxForward } from './kernels-loss';
import { allocateBatch, allocateFixed, f32, type BatchMemory, type Fixed } from './memory';
import { adamStep, OPTIMIZER_DEFAULTS, sgdStep, type OptimizerConfig } from './optim';
import { backwardNode, dlogitsView, forwardNodes, logitsView, zeroGrads, type Runtime } from './passes';
import { buildPlan, feedsRelu, type Plan } from './plan';
import { Rng } from './rng';
import { namedTensors, writeTensors, type NamedTensor } from './tensors';

export type { NamedTensor } from './tensors';

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
 * and resolves to true to abandon the pass (the parameters and buffers are then left as they were).
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
  kind: 'conv' | 'deconv';
  /** PyTorch's layout: conv [K, C/G, FH, FW]; deconv (ConvTranspose2d) [C, K, FH, FW]. */
  shape: [number, number, number, number];
  data: Float32Array;
}

export class Network {
  readonly spec: ModelSpec;
  readonly backend: Backend;
  readonly classes: number;
  readonly inputSize: number;
  readonly paramCount: number;
  readonly optimizer: OptimizerConfig;
  private readonly plan: Plan;
  private readonly rt: Runtime;
  private readonly fixed: Fixed;
  private readonly batchMark: number;
  private step = 0;

  constructor(spec: ModelSpec, opts: NetworkOptions = {}) {
    this.spec = spec;
    this.plan = buildPlan(spec);
    this.backend = createBackend(opts.backend ?? 'auto', { threads: opts.threads ?? 1 });
    this.optimizer = {
      ...OPTIMIZER_DEFAULTS,
      kind: spec.train.optimizer,
      lr: spec.train.lr,
      momentum: spec.train.momentum,
      weightDecay: spec.train.weightDecay,
      ...opts.optimizer,
    };
    this.inputSize = this.plan.input.size;
    this.classes = this.plan.classes;
    this.paramCount = this.plan.paramCount;
    this.fixed = allocateFixed(this.backend, this.plan);
    this.batchMark = this.backend.mark();
    const rng = new Rng(opts.seed ?? spec.train.seed);
    this.rt = { plan: this.plan, be: this.backend, rng, fixed: this.fixed, mem: undefined as unknown as BatchMemory };
    this.initParams();
    this.allocate(Math.max(1, opts.batch ?? spec.train.batch));
  }

  private allocate(cap: number): void {
    this.backend.release(this.batchMark);
    this.rt.mem = allocateBatch(this.backend, this.plan, cap);
  }

  private get capacity(): number {
    return this.rt.mem.capacity;
  }

  private view(which: 'paramsB' | 'gradsB' | 'state1B' | 'state2B'): Float32Array {
    return f32(this.backend, this.fixed[which], this.paramCount);
  }

  private buffers(): Float32Array {
    return f32(this.backend, this.fixed.buffersB, this.plan.bufferCount);
  }

  /** He- or Glorot-uniform weights in layer order from the seeded RNG, constants elsewhere (init.ts). */
  private initParams(): void {
    const p = this.view('paramsB');
    const b = this.buffers();
    for (const node of this.plan.nodes) {
      const kind = feedsRelu(this.plan, node) ? 'he' : 'glorot';
      for (const t of node.params) {
        const init = t.decl.init;
        if ('value' in init) p.fill(init.value, t.off, t.off + t.len);
        else initUniform(p.subarray(t.off, t.off + t.len), t.len, initBound(kind, init.fanIn, init.fanOut), this.rt.rng);
      }
      for (const t of node.buffers) b.fill(t.decl.init, t.off, t.off + t.len);
    }
    this.resetOptimizer();
  }

  private resetOptimizer(): void {
    this.view('state1B').fill(0);
    this.view('state2B').fill(0);
    this.step = 0;
  }

  // ---------------------------------------------------------------------------------------------- passes

  /** Copies n NHWC samples into the arena and converts them to CNHW. */
  private loadInput(x: Float32Array, offset: number, n: number): void {
    const len = n * this.inputSize;
    if (x.length < offset + len) throw new Error(`input holds ${x.length - offset} values, ${len} needed for ${n} samples`);
    const stage = f32(this.backend, this.rt.mem.inNhwcB, len);
    stage.set(x.subarray(offset, offset + len));
    const { h, w, c } = this.spec.input;
    this.backend.nhwcToCnhw(f32(this.backend, this.rt.mem.inB, len), stage, n, h * w, c);
  }

  private checkLabels(labels: Int32Array, n: number): void {
    if (labels.length < n) throw new Error(`${labels.length} labels for ${n} samples`);
    for (let i = 0; i < n; i++) {
      const l = labels[i]!;
      if (!(l >= 0 && l < this.classes)) throw new Error(`label ${l} of sample ${i} is outside 0…${this.classes - 1}`);
    }
  }

  private prepare(labels: Int32Array, n: number): void {
    if (n < 1) throw new Error('trainStep needs at least one sample');
    this.checkLabels(labels, n);
    if (n > this.capacity) this.allocate(n);
  }

  /** Loss, correct count and the logits' gradient after a training forward; gradients zeroed. */
  private lossAndSeed(labels: Int32Array, n: number): StepResult {
    const probs = f32(this.backend, this.rt.mem.probsB, n * this.classes);
    const r = softmaxCrossEntropyForward(probs, logitsView(this.rt, n, 'run'), labels, n, this.classes);
    zeroGrads(this.rt, n);
    const dlogits = dlogitsView(this.rt, n);
    if (dlogits) softmaxCrossEntropyBackward(dlogits, probs, labels, n, this.classes);
    return r;
  }

  /** Probabilities of a forward just run over m samples (evaluation). */
  private probabilities(m: number): Float32Array {
    const probs = f32(this.backend, this.rt.mem.probsB, m * this.classes);
    softmaxForward(probs, logitsView(this.rt, m, 'run'), m, this.classes);
    return probs;
  }

  // ---------------------------------------------------------------------------------------------- public API

  /**
   * One optimizer step on n samples: x is N×H×W×C (NHWC), labels N class indices. Returns the batch's mean
   * cross-entropy and correct count, both measured before the update.
   */
  trainStep(x: Float32Array, labels: Int32Array, n: number): StepResult {
    const r = this.forwardBackward(x, labels, n);
    this.applyOptimizer();
    return r;
  }

  /** Forward (training mode) and backward without the optimizer step; gradients land in grads(). */
  forwardBackward(x: Float32Array, labels: Int32Array, n: number): StepResult {
    this.prepare(labels, n);
    this.loadInput(x, 0, n);
    const nodes = this.plan.nodes.length;
    forwardNodes(this.rt, n, true, 'run', 0, nodes);
    const r = this.lossAndSeed(labels, n);
    for (let li = nodes - 1; li >= 0; li--) backwardNode(this.rt, li, n);
    return r;
  }

  /**
   * trainStep in pieces of layers, asking `y` between layers whether to give way: resolves to null when the
   * step was abandoned (no update made, running statistics as they were), else the step's result. Between
   * pieces nothing else may use the network. For a long step, so a stop request is honoured mid-step.
   */
  async trainStepCooperative(x: Float32Array, labels: Int32Array, n: number, y: Yielder): Promise<StepResult | null> {
    this.prepare(labels, n);
    this.loadInput(x, 0, n);
    const saved = this.plan.bufferCount > 0 ? this.buffers().slice() : null;
    const abandon = (): null => {
      if (saved) this.buffers().set(saved);
      return null;
    };
    const nodes = this.plan.nodes.length;
    for (let li = 0; li < nodes; li++) {
      forwardNodes(this.rt, n, true, 'run', li, li + 1);
      if (y.due() && (await y.pause())) return abandon();
    }
    const r = this.lossAndSeed(labels, n);
    for (let li = nodes - 1; li >= 0; li--) {
      backwardNode(this.rt, li, n);
      if (y.due() && (await y.pause())) return abandon();
    }
    this.applyOptimizer();
    return r;
  }

  /** predict() that gives way between layers (see trainStepCooperative); null when abandoned. */
  async predictCooperative(x: Float32Array, n: number, y: Yielder): Promise<Float32Array | null> {
    const out = new Float32Array(n * this.classes);
    for (let s = 0; s < n; s += this.capacity) {
      const m = Math.min(this.capacity, n - s);
      this.loadInput(x, s * this.inputSize, m);
      for (let li = 0; li < this.plan.nodes.length; li++) {
        forwardNodes(this.rt, m, false, 'run', li, li + 1);
        if (y.due() && (await y.pause())) return null;
      }
      out.set(this.probabilities(m), s * this.classes);
    }
    return out;
  }

  /** The optimizer update from the current gradients (parameters only: buffers are not learned). */
  applyOptimizer(): void {
    this.step++;
    const o = this.optimizer;
    const [params, grads, s1, s2] = [this.view('paramsB'), this.view('gradsB'), this.view('state1B'), this.view('state2B')];
    if (o.kind === 'sgd') sgdStep(params, grads, s1, this.paramCount, this.step, o.lr, o.momentum, o.weightDecay);
    else adamStep(params, grads, s1, s2, this.paramCount, this.step, o.lr, o.beta1, o.beta2, o.eps, o.weightDecay);
  }

  /** Loss and correct count in evaluation mode (running statistics, no dropout, no update); any n. */
  evaluate(x: Float32Array, labels: Int32Array, n: number): StepResult {
    this.checkLabels(labels, n);
    let loss = 0;
    let correct = 0;
    for (let s = 0; s < n; s += this.capacity) {
      const m = Math.min(this.capacity, n - s);
      this.loadInput(x, s * this.inputSize, m);
      forwardNodes(this.rt, m, false, 'run', 0, this.plan.nodes.length);
      const probs = f32(this.backend, this.rt.mem.probsB, m * this.classes);
      const r = softmaxCrossEntropyForward(probs, logitsView(this.rt, m, 'run'), labels.subarray(s, s + m), m, this.classes);
      loss += r.loss * m;
      correct += r.correct;
    }
    return { loss: n > 0 ? loss / n : 0, correct };
  }

  /** Class probabilities, N×classes, for n NHWC samples in evaluation mode; any n. */
  predict(x: Float32Array, n: number): Float32Array {
    const out = new Float32Array(n * this.classes);
    for (let s = 0; s < n; s += this.capacity) {
      const m = Math.min(this.capacity, n - s);
      this.loadInput(x, s * this.inputSize, m);
      forwardNodes(this.rt, m, false, 'run', 0, this.plan.nodes.length);
      out.set(this.probabilities(m), s * this.classes);
    }
    return out;
  }

  /** Every layer's output for one H×W×C sample in evaluation mode, as written (nothing fused). */
  activations(x1: Float32Array): LayerActivation[] {
    this.loadInput(x1, 0, 1);
    forwardNodes(this.rt, 1, false, 'inspect', 0, this.plan.nodes.length);
    return this.plan.nodes.map((node, li) => ({
      index: node.info.index,
      kind: node.spec.kind,
      shape: node.out.vol ? { kind: 'volume', h: node.out.h, w: node.out.w, c: node.out.c } : { kind: 'vector', n: node.out.size },
      data: f32(this.backend, this.rt.mem.inspect[li]!.outB, node.out.size).slice(),
    }));
  }

  /** Copies of the conv and deconv layers' weights, in PyTorch's layout (see LayerFilters). */
  filters(): LayerFilters[] {
    const params = this.view('paramsB');
    const out: LayerFilters[] = [];
    for (const node of this.plan.nodes) {
      const kind = node.spec.kind;
      if (kind !== 'conv' && kind !== 'deconv') continue;
      const w = node.params[0]!;
      out.push({ index: node.info.index, kind, shape: w.decl.shape.slice() as LayerFilters['shape'], data: params.slice(w.off, w.off + w.len) });
    }
    return out;
  }

  /**
   * Copies of the model's state, as PyTorch's state_dict: every parameter (`layers.{i}.weight|bias`) and
   * buffer (`layers.{i}.running_mean|running_var|num_batches_tracked`), in PyTorch layout.
   */
  params(): NamedTensor[] {
    return namedTensors(this.plan, this.view('paramsB'), this.buffers());
  }

  /** Copies of the parameters' gradients from the last forwardBackward/trainStep, named like params(). */
  grads(): NamedTensor[] {
    return namedTensors(this.plan, this.view('gradsB'), null);
  }

  /** The tensors this model's state holds (params()): names and shapes, in order. */
  paramShapes(): { name: string; shape: number[] }[] {
    return this.params().map(({ name, shape }) => ({ name, shape }));
  }

  /**
   * Replaces the parameters and buffers (e.g. from a checkpoint). Every tensor of params() must be present
   * with its exact shape; optimizer state is reset.
   */
  setParams(tensors: readonly NamedTensor[]): void {
    writeTensors(this.plan, tensors, this.view('paramsB'), this.buffers());
    this.resetOptimizer();
  }

  /** Optimizer steps taken since creation (or the last setParams). */
  get steps(): number {
    return this.step;
  }

  /** The flat parameter buffer (a live view; invalid after a larger batch re-sizes the arena). */
  flatParams(): Float32Array {
    return this.view('paramsB');
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

/** Builds a network from a checked model. */
export function createNetwork(spec: ModelSpec, opts: NetworkOptions = {}): Network {
  return new Network(spec, opts);
}
