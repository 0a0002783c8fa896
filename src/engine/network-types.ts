// The types of the Network's API (network.ts): its options, a step's result, the cooperative passes' yielder,
// and what the inspector reads (activations, filters).

import type { LayerSpec, Shape } from '../language/model';
import type { BackendChoice } from './backend';
import type { OptimizerConfig } from './optim';

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
  /**
   * The loss as PyTorch reduces it: single label, the mean cross-entropy over the batch (with class weights
   * Σ w[y]·ℓ / Σ w[y]); multi-label, the binary cross-entropy's mean over the N×L values.
   */
  loss: number;
  /**
   * Single label: samples whose arg-max prediction equals the label. Multi-label: Σ over samples of the share of
   * labels right at the 0.5 threshold, so correct / n is the label-averaged accuracy.
   */
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
