// A network built from a ModelSpec: the graph of its layer statements (plan.ts) over one arena of memory
// (the backend's; memory.ts), a flat parameter buffer, a flat gradient buffer, the optimizer state and the
// buffers (batch norm's running statistics) beside them. The passes are in passes.ts, each layer kind's
// maths in layers/. See index.ts for the API.

import type { ModelSpec, Task } from '../language/model';
import type { LayerActivation, LayerFilters, NetworkOptions, StepResult, Yielder } from './network-types';
import { createBackend, type Backend, type BackendName } from './backend';
import { initBound, initUniform } from './init';
import { LossHead, type Targets } from './loss';
import { allocateBatch, allocateFixed, f32, type BatchMemory, type Fixed } from './memory';
import { OPTIMIZER_DEFAULTS, type OptimizerConfig } from './optim';
import { logitGradients, type LogitGradients, type LogitGradRequest } from './explainGrad';
import { healthLayout, unitActivity, type HealthLayout, type UnitActivity } from './health';
import { backwardNode, forwardNodes, logitsView, lossBackward, lossForward, zeroGrads, type Runtime } from './passes';
import type { ProfileTarget } from './profiler';
import { buildPlan, feedsRelu, type Plan } from './plan';
import { Rng } from './rng';
import { namedTensors, writeTensors, type NamedTensor } from './tensors';

export type { NamedTensor } from './tensors';
export type { Targets } from './loss';

export type { NetworkOptions, StepResult, Yielder, LayerActivation, LayerFilters } from './network-types';

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
  private readonly head: LossHead;
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
    this.head = new LossHead(spec.task ?? 'single', this.classes, spec.classes);
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

  private prepare(targets: Targets, n: number): void {
    if (n < 1) throw new Error('trainStep needs at least one sample');
    this.head.check(targets, n);
    if (n > this.capacity) this.allocate(n);
  }

  /** Loss, correct count and the logits' gradient after a training forward; gradients zeroed. */
  private lossAndSeed(targets: Targets, n: number): StepResult {
    const r = lossForward(this.rt, this.head, targets, n);
    zeroGrads(this.rt, n);
    lossBackward(this.rt, this.head, targets, n);
    return r;
  }

  /** Probabilities of a forward just run over m samples (evaluation). */
  private probabilities(m: number): Float32Array {
    const probs = f32(this.backend, this.rt.mem.probsB, m * this.classes);
    this.head.probabilities(probs, logitsView(this.rt, m, 'run'), m);
    return probs;
  }

  // ---------------------------------------------------------------------------------------------- public API

  /**
   * Single label: the per-class weights of the cross-entropy (CrossEntropyLoss(weight=w)); multi-label: each
   * label's positive weight (BCEWithLogitsLoss(pos_weight=w)). One finite weight ≥ 0 per class (label); null:
   * none (the default). Used by every later step and evaluate.
   */
  setLossWeights(w: Float32Array | null): void {
    this.head.setWeights(w);
  }

  /** A copy of the loss weights set by setLossWeights, or null. */
  get lossWeights(): Float32Array | null {
    return this.head.lossWeights;
  }

  /** What the network is trained to do (spec.task): it decides the targets' form and the loss. */
  get task(): Task {
    return this.head.task;
  }

  /**
   * One optimizer step on n samples: x is N×H×W×C (NHWC); targets are N class indices (Int32Array) for a
   * single-label network, N×L values of 0 or 1 (Float32Array) for a multi-label one. Returns the batch's loss
   * and correct count (see StepResult), both measured before the update.
   */
  trainStep(x: Float32Array, targets: Targets, n: number): StepResult {
    const r = this.forwardBackward(x, targets, n);
    this.applyOptimizer();
    return r;
  }

  /** Forward (training mode) and backward without the optimizer step; gradients land in grads(). */
  forwardBackward(x: Float32Array, targets: Targets, n: number): StepResult {
    this.prepare(targets, n);
    this.loadInput(x, 0, n);
    const nodes = this.plan.nodes.length;
    forwardNodes(this.rt, n, 'train', 0, nodes);
    const r = this.lossAndSeed(targets, n);
    for (let li = nodes - 1; li >= 0; li--) backwardNode(this.rt, li, n);
    return r;
  }

  /**
   * trainStep in pieces of layers, asking `y` between layers whether to give way: resolves to null when the
   * step was abandoned (no update made, running statistics as they were), else the step's result. Between
   * pieces nothing else may use the network. For a long step, so a stop request is honoured mid-step.
   */
  async trainStepCooperative(x: Float32Array, targets: Targets, n: number, y: Yielder): Promise<StepResult | null> {
    this.prepare(targets, n);
    this.loadInput(x, 0, n);
    const saved = this.plan.bufferCount > 0 ? this.buffers().slice() : null;
    const abandon = (): null => {
      if (saved) this.buffers().set(saved);
      return null;
    };
    const nodes = this.plan.nodes.length;
    for (let li = 0; li < nodes; li++) {
      forwardNodes(this.rt, n, 'train', li, li + 1);
      if (y.due() && (await y.pause())) return abandon();
    }
    const r = this.lossAndSeed(targets, n);
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
        forwardNodes(this.rt, m, 'predict', li, li + 1);
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
    if (o.kind === 'sgd') this.backend.sgdStep(params, grads, s1, this.paramCount, this.step, o.lr, o.momentum, o.weightDecay);
    else this.backend.adamStep(params, grads, s1, s2, this.paramCount, this.step, o.lr, o.beta1, o.beta2, o.eps, o.weightDecay);
  }

  /**
   * Loss and correct count (as trainStep's, loss weights included) in evaluation mode (running statistics, no
   * dropout, no update); any n.
   */
  evaluate(x: Float32Array, targets: Targets, n: number): StepResult {
    this.head.check(targets, n);
    let loss = 0;
    let norm = 0;
    let correct = 0;
    for (let s = 0; s < n; s += this.capacity) {
      const m = Math.min(this.capacity, n - s);
      this.loadInput(x, s * this.inputSize, m);
      forwardNodes(this.rt, m, 'predict', 0, this.plan.nodes.length);
      const probs = f32(this.backend, this.rt.mem.probsB, m * this.classes);
      const r = this.head.forward(probs, logitsView(this.rt, m, 'run'), this.head.slice(targets, s, m), m);
      loss += r.loss * r.norm;
      norm += r.norm;
      correct += r.correct;
    }
    return { loss: norm > 0 ? loss / norm : 0, correct };
  }

  /**
   * Probabilities, N×classes, for n NHWC samples in evaluation mode; any n: softmax over the classes (single
   * label) or each label's sigmoid (multi-label).
   */
  predict(x: Float32Array, n: number): Float32Array {
    const out = new Float32Array(n * this.classes);
    for (let s = 0; s < n; s += this.capacity) {
      const m = Math.min(this.capacity, n - s);
      this.loadInput(x, s * this.inputSize, m);
      forwardNodes(this.rt, m, 'predict', 0, this.plan.nodes.length);
      out.set(this.probabilities(m), s * this.classes);
    }
    return out;
  }

  /**
   * For explanations: the logits of n NHWC samples and, in evaluation mode, the gradient of logit
   * req.classes[i] of each sample i with respect to the input and/or one layer's output (explainGrad.ts).
   * Overwrites the parameter gradients (grads()).
   */
  logitGradients(x: Float32Array, n: number, req: LogitGradRequest): LogitGradients {
    return logitGradients(this.rt, n, req, { capacity: this.capacity, load: (s, m) => this.loadInput(x, s * this.inputSize, m) });
  }

  /** Every layer's output for one H×W×C sample in evaluation mode, as written (nothing fused). */
  activations(x1: Float32Array): LayerActivation[] {
    this.loadInput(x1, 0, 1);
    forwardNodes(this.rt, 1, 'inspect', 0, this.plan.nodes.length);
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

  /** The flat gradient buffer of the last step, laid out like flatParams() (a live view, as flatParams'). */
  flatGrads(): Float32Array {
    return this.view('gradsB');
  }

  /** Training health: where each parameterised layer's parameters lie, and which statements are activations. */
  healthLayout(): HealthLayout {
    return healthLayout(this.plan);
  }

  /**
   * Training health: the dead (relu) or saturated (sigmoid, tanh) share of every activation's units over n NHWC
   * samples in evaluation mode (health.ts). Parameters, gradients and buffers are left as they are.
   */
  unitActivity(x: Float32Array, n: number): UnitActivity[] {
    const layers = healthLayout(this.plan).activations;
    return unitActivity(this.rt, layers, n, { capacity: this.capacity, load: (s, m) => this.loadInput(x, s * this.inputSize, m) });
  }

  /** The runtime, loss head and batch loading, for the per-layer profiler (profiler.ts), which times each piece. */
  profileTarget(): ProfileTarget {
    return { rt: this.rt, head: this.head, load: (x, t, n) => (this.prepare(t, n), this.loadInput(x, 0, n)), optimize: () => this.applyOptimizer() };
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
