// The engine's two backends behind one interface: the WebAssembly SIMD kernels (the normal path) and the
// TypeScript reference kernels (the fallback, and the yardstick in tests). A backend owns the memory the
// network lives in — one arena of bytes — and its kernels take Float32Array views of that arena.
//
// Memory: `allocate` may grow the arena, which detaches (wasm) or replaces (js) the ArrayBuffer; callers
// therefore keep byte offsets and rebuild their views from `buffer()` after allocating. The network allocates
// everything once per batch capacity, never during a step.
//
// The pieces: backend-js.ts (reference kernels), backend-wasm.ts (WebAssembly kernels and their threads),
// wasm-module.ts (compiling the .wasm builds), runtime.ts (where their bytes come from and how threads start:
// the entry point installs runtime-node.ts or runtime-web.ts), arena.ts (the alignment rule they share).

import type { ActKind, ConvGeom } from './kernels';
import type { DeconvGeom } from './kernels-deconv';
import type { UpsampleGeom, UpsampleMode } from './kernels-upsample';
import { JsBackend } from './backend-js';
import { WasmBackend } from './backend-wasm';
import { engineRuntime } from './runtime';
import { loadWasmModule, wasmWhere } from './wasm-module';

export { JsBackend } from './backend-js';
export { WasmBackend } from './backend-wasm';
export { loadWasmModule, WASM_FILES, type WasmFile, type WasmModuleInfo } from './wasm-module';

export type BackendName = 'wasm-relaxed' | 'wasm-simd' | 'js';

export interface Backend {
  readonly name: BackendName;
  /** The current backing store; views made on it are valid until the next `allocate`. */
  buffer(): ArrayBuffer;
  /** Reserves `bytes` (16-byte aligned, zeroed) and returns its byte offset. May grow the arena. */
  allocate(bytes: number): number;
  /** The current top of the arena (for `release`). */
  mark(): number;
  /** Frees everything allocated after `mark`. */
  release(mark: number): void;
  /** Threads the kernels run on (1 for the js backend). */
  readonly threads: number;
  /**
   * Floats of column scratch a convolution with this geometry needs (groups and dilation included; 0 for the
   * js backend).
   */
  colFloats(g: ConvGeom): number;
  /** Floats of column scratch a transposed convolution with this geometry needs (0 for the js backend). */
  deconvColFloats(g: DeconvGeom): number;
  /**
   * Allocates the kernels' scratch: `colFloats` (the largest colFloats() of the model) per thread, and
   * `gradFloats` (the largest weight + bias count of a layer) per extra thread for its private gradients.
   */
  reserveScratch(colFloats: number, gradFloats: number): void;
  /** Stops worker threads, if any; resolves once they have exited. Idempotent. */
  dispose(): Promise<void>;
  /** Worker threads still running (0 for one thread, and after dispose). */
  readonly workersRunning: number;

  convForward(y: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array, g: ConvGeom, act: ActKind): void;
  /** May overwrite dy (the fused activation's derivative is applied in place). */
  convBackward(
    dx: Float32Array | null,
    dw: Float32Array,
    db: Float32Array,
    dy: Float32Array,
    y: Float32Array,
    x: Float32Array,
    w: Float32Array,
    g: ConvGeom,
    act: ActKind,
  ): void;
  /** Transposed convolution (ConvTranspose2d): w is [C][K][FH][FW]. */
  deconvForward(y: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array, g: DeconvGeom, act: ActKind): void;
  /** May overwrite dy. */
  deconvBackward(
    dx: Float32Array | null,
    dw: Float32Array,
    db: Float32Array,
    dy: Float32Array,
    y: Float32Array,
    x: Float32Array,
    w: Float32Array,
    g: DeconvGeom,
    act: ActKind,
  ): void;
  upsampleForward(y: Float32Array, x: Float32Array, g: UpsampleGeom, mode: UpsampleMode): void;
  upsampleBackward(dx: Float32Array, dy: Float32Array, g: UpsampleGeom, mode: UpsampleMode): void;
  maxPoolForward(y: Float32Array, argmax: Int32Array, x: Float32Array, g: ConvGeom): void;
  maxPoolBackward(dx: Float32Array, dy: Float32Array, argmax: Int32Array, g: ConvGeom): void;
  avgPoolForward(y: Float32Array, x: Float32Array, g: ConvGeom): void;
  avgPoolBackward(dx: Float32Array, dy: Float32Array, g: ConvGeom): void;
  denseForward(y: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array, n: number, inputs: number, units: number, act: ActKind): void;
  /** May overwrite dy. */
  denseBackward(
    dx: Float32Array | null,
    dw: Float32Array,
    db: Float32Array,
    dy: Float32Array,
    y: Float32Array,
    x: Float32Array,
    w: Float32Array,
    n: number,
    inputs: number,
    units: number,
    act: ActKind,
  ): void;
  activationForward(y: Float32Array, x: Float32Array, len: number, act: ActKind, slope: number): void;
  /** y = act(a + b) elementwise over len values (y may be a or b): an add of two inputs and its epilogue. */
  addForward(y: Float32Array, a: Float32Array, b: Float32Array, len: number, act: ActKind): void;
  activationBackward(dx: Float32Array, dy: Float32Array, y: Float32Array, x: Float32Array, len: number, act: ActKind, slope: number): void;
  flattenForward(y: Float32Array, x: Float32Array, n: number, c: number, hw: number): void;
  flattenBackward(dx: Float32Array, dy: Float32Array, n: number, c: number, hw: number): void;
  /** dst (CNHW) from src (NHWC); both views of this backend's arena. */
  nhwcToCnhw(dst: Float32Array, src: Float32Array, n: number, hw: number, c: number): void;
  /** dy ·= act'(y) in place, from the activation's output y (relu, sigmoid, tanh). */
  activationBackwardInPlace(dy: Float32Array, y: Float32Array, len: number, act: ActKind): void;
  /**
   * Per channel of c contiguous planes of m values (CNHW; kernels-channel.ts): sum[ch] = Σ a, sq[ch] = Σ a·b
   * (b null: Σ a²), in float64. sum and sq are views of this arena too.
   */
  channelSums(sum: Float64Array, sq: Float64Array, a: Float32Array, b: Float32Array | null, c: number, m: number): void;
  /** y = act(x·scale[ch] + shift[ch]) per plane (y may be x). */
  channelAffine(y: Float32Array, x: Float32Array, scale: Float32Array, shift: Float32Array, c: number, m: number, act: ActKind): void;
  /** dx += p[ch]·dy + q[ch]·x + r[ch] per plane. */
  channelAxpby(dx: Float32Array, dy: Float32Array, x: Float32Array, p: Float32Array, q: Float32Array, r: Float32Array, c: number, m: number): void;
  /** a.fill(0), on the threads where that pays. */
  zero(a: Float32Array): void;
  /** The optimizers' updates (optim.ts's rules; `step` 1-based) over views of this arena. */
  adamStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, len: number, step: number, lr: number, beta1: number, beta2: number, eps: number, wd: number): void;
  sgdStep(p: Float32Array, g: Float32Array, buf: Float32Array, len: number, step: number, lr: number, momentum: number, wd: number): void;
}

export type BackendChoice = 'auto' | BackendName;

/**
 * The backend for `choice`: 'auto' takes the best wasm build found and falls back to js. `threads` > 1
 * uses the shared-memory build and engine threads (the js backend always runs on one thread; so does a runtime
 * that cannot start threads: a page that is not cross-origin isolated).
 */
export function createBackend(choice: BackendChoice = 'auto', opts: { threads?: number } = {}): Backend {
  if (choice === 'js') return new JsBackend();
  const threads = engineRuntime().spawnThread ? Math.max(1, Math.floor(opts.threads ?? 1)) : 1;
  const prefer = choice === 'wasm-simd' ? 'wasm-simd' : undefined;
  const info = loadWasmModule(prefer, threads > 1);
  if (!info) {
    if (threads > 1 && loadWasmModule(prefer)) {
      // No shared-memory build: fall back to one thread rather than fail.
      return createBackend(choice, { threads: 1 });
    }
    if (choice === 'auto') return new JsBackend();
    throw new Error(`the engine's WebAssembly kernels were not found (looked in ${wasmWhere()}); run npm run build`);
  }
  if (choice === 'wasm-relaxed' && info.variant !== 'wasm-relaxed') throw new Error('relaxed SIMD is not available in this runtime');
  return new WasmBackend(info, { threads });
}
