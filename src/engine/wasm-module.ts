// The compiled WebAssembly kernels (src/engine/wasm/assembly/kernels.ts): the builds there are, how the best
// one this runtime accepts is compiled (once per installed runtime), and what an instance exports. The bytes
// come from the entry point's engine runtime (runtime.ts: files beside the bundle in Node, bytes posted by the
// extension host in a Web Worker). The backend that runs them is backend-wasm.ts.

import { engineRuntime, type EngineRuntime } from './runtime';

/**
 * The builds scripts/build.mjs writes to build/ and dist/: plain SIMD and relaxed SIMD, each with its own memory
 * (one thread) and with an imported shared memory (`-mt`, for engine threads). The web extension reads these.
 */
export const WASM_FILES = ['engine-relaxed.wasm', 'engine-simd.wasm', 'engine-relaxed-mt.wasm', 'engine-simd-mt.wasm'] as const;
export type WasmFile = (typeof WASM_FILES)[number];

/** The exports of src/engine/wasm/assembly/kernels.ts (byte addresses are plain numbers). */
export interface WasmExports {
  /** Exported by the single-thread builds; the shared-memory builds import theirs. */
  memory?: WebAssembly.Memory;
  gemmWorkFloats(): number;
  heapBase(): number;
  gemm(M: number, N: number, K: number, A: number, ars: number, acs: number, B: number, brs: number, bcs: number, C: number, ldc: number, accumulate: number, work: number): void;
  activationForward(y: number, x: number, len: number, act: number, slope: number): void;
  addForward(y: number, a: number, b: number, len: number, act: number): void;
  activationBackward(dx: number, dy: number, y: number, x: number, len: number, act: number, slope: number): void;
  activationBackwardInPlace(dy: number, y: number, len: number, act: number): void;
  convForward(y: number, x: number, w: number, b: number, N: number, C: number, H: number, W: number, K: number, FH: number, FW: number, SH: number, SW: number, PH: number, PW: number, DH: number, DW: number, G: number, OH: number, OW: number, act: number, col: number, chunk: number, qStart: number, qEnd: number): void;
  convBackward(dx: number, dw: number, db: number, dy: number, x: number, w: number, N: number, C: number, H: number, W: number, K: number, FH: number, FW: number, SH: number, SW: number, PH: number, PW: number, DH: number, DW: number, G: number, OH: number, OW: number, col: number, chunk: number, work: number, qStart: number, qEnd: number): void;
  flipWeights(wT: number, w: number, K: number, C: number, FH: number, FW: number, G: number): void;
  convBackwardData(dx: number, dy: number, wT: number, N: number, C: number, H: number, W: number, K: number, FH: number, FW: number, PH: number, PW: number, DH: number, DW: number, G: number, OH: number, OW: number, col: number, chunk: number, work: number, qStart: number, qEnd: number): void;
  directScratchFloats(C: number, H: number, W: number, PH: number, PW: number): number;
  directConvForward(
    y: number, x: number, w: number, b: number,
    N: number, C: number, H: number, W: number, K: number, FH: number, FW: number, PH: number, PW: number, OH: number, OW: number,
    act: number, scratch: number, nStart: number, nEnd: number,
  ): void;
  directWeightsScratchFloats(C: number, K: number, FH: number, FW: number, OH: number, OW: number): number;
  directConvWeights(
    dw: number, db: number, dy: number, x: number,
    N: number, C: number, H: number, W: number, K: number, FH: number, FW: number, PH: number, PW: number, OH: number, OW: number,
    scratch: number, nStart: number, nEnd: number,
  ): void;
  zeroFloats(dst: number, len: number): void;
  adamStep(p: number, g: number, m: number, v: number, len: number, stepSize: number, beta1: number, beta2: number, bc2sqrt: number, eps: number, wd: number): void;
  sgdStep(p: number, g: number, buf: number, len: number, lr: number, momentum: number, wd: number, first: number): void;
  winogradScratchFloats(C: number, K: number, OH: number, OW: number): number;
  winogradConv(
    y: number, x: number, w: number, b: number,
    N: number, C: number, H: number, W: number, K: number, PH: number, PW: number, OH: number, OW: number,
    act: number, accumulate: number, scratch: number, nStart: number, nEnd: number,
  ): void;
  winograd4ScratchFloats(C: number, K: number, OH: number, OW: number): number;
  /** The same arguments as winogradConv (F(4×4, 3×3) in place of F(2×2, 3×3)). */
  winograd4Conv(
    y: number, x: number, w: number, b: number,
    N: number, C: number, H: number, W: number, K: number, PH: number, PW: number, OH: number, OW: number,
    act: number, accumulate: number, scratch: number, nStart: number, nEnd: number,
  ): void;
  winogradWeightsScratchFloats(C: number, K: number, OH: number, OW: number): number;
  winogradConvWeights(
    dw: number, db: number, dy: number, x: number,
    N: number, C: number, H: number, W: number, K: number, PH: number, PW: number, OH: number, OW: number,
    scratch: number, nStart: number, nEnd: number,
  ): void;
  winograd4WeightsScratchFloats(C: number, K: number, OH: number, OW: number): number;
  /** The same arguments as winogradConvWeights (F(3×3, 4×4) in place of F(3×3, 2×2)). */
  winograd4ConvWeights(
    dw: number, db: number, dy: number, x: number,
    N: number, C: number, H: number, W: number, K: number, PH: number, PW: number, OH: number, OW: number,
    scratch: number, nStart: number, nEnd: number,
  ): void;
  winograd5ScratchFloats(C: number, K: number, OH: number, OW: number): number;
  /** winogradConv's arguments but `accumulate` (F(2×2, 5×5) for 5×5 filters; never accumulates). */
  winograd5Conv(
    y: number, x: number, w: number, b: number,
    N: number, C: number, H: number, W: number, K: number, PH: number, PW: number, OH: number, OW: number,
    act: number, scratch: number, nStart: number, nEnd: number,
  ): void;
  winograd5WeightsScratchFloats(C: number, K: number, OH: number, OW: number): number;
  /** The same arguments as winogradConvWeights (F(5×5, 2×2) for 5×5 filters). */
  winograd5ConvWeights(
    dw: number, db: number, dy: number, x: number,
    N: number, C: number, H: number, W: number, K: number, PH: number, PW: number, OH: number, OW: number,
    scratch: number, nStart: number, nEnd: number,
  ): void;
  winograd5DataScratchFloats(C: number, K: number, OH: number, OW: number): number;
  /** dx += the input gradient of a 5×5 stride-1 convolution (F(2×2, 5×5)'s adjoint), for the samples [nStart, nEnd). */
  winograd5ConvData(
    dx: number, dy: number, w: number,
    N: number, C: number, H: number, W: number, K: number, PH: number, PW: number, OH: number, OW: number,
    scratch: number, nStart: number, nEnd: number,
  ): void;
  depthwiseScratchFloats(H: number, W: number, FH: number, FW: number, SH: number, SW: number, DH: number, DW: number, OH: number, OW: number): number;
  depthwiseForward(y: number, x: number, w: number, b: number, N: number, C: number, H: number, W: number, K: number, FH: number, FW: number, SH: number, SW: number, PH: number, PW: number, DH: number, DW: number, OH: number, OW: number, act: number, scratch: number, cLo: number, cHi: number): void;
  depthwiseBackward(dx: number, dw: number, db: number, dy: number, x: number, w: number, N: number, C: number, H: number, W: number, K: number, FH: number, FW: number, SH: number, SW: number, PH: number, PW: number, DH: number, DW: number, OH: number, OW: number, scratch: number, cLo: number, cHi: number): void;
  deconvForward(y: number, x: number, w: number, b: number, N: number, C: number, H: number, W: number, K: number, FH: number, FW: number, SH: number, SW: number, PH: number, PW: number, OH: number, OW: number, act: number, col: number, chunk: number, work: number, qStart: number, qEnd: number): void;
  deconvBackward(dx: number, dw: number, db: number, dy: number, x: number, w: number, N: number, C: number, H: number, W: number, K: number, FH: number, FW: number, SH: number, SW: number, PH: number, PW: number, OH: number, OW: number, col: number, chunk: number, work: number, qStart: number, qEnd: number): void;
  upsampleNearestForward(y: number, x: number, planes: number, H: number, W: number, S: number): void;
  upsampleNearestBackward(dx: number, dy: number, planes: number, H: number, W: number, S: number): void;
  upsampleBilinearForward(y: number, x: number, planes: number, H: number, W: number, S: number): void;
  upsampleBilinearBackward(dx: number, dy: number, planes: number, H: number, W: number, S: number): void;
  denseForward(y: number, x: number, w: number, b: number, N: number, I: number, U: number, act: number, work: number): void;
  denseBackward(dx: number, dw: number, db: number, dy: number, x: number, w: number, N: number, I: number, U: number, work: number, n0: number, n1: number, u0: number, u1: number): void;
  maxPoolForward(y: number, arg: number, x: number, planes: number, H: number, W: number, FH: number, FW: number, SH: number, SW: number, PH: number, PW: number, OH: number, OW: number): void;
  maxPoolBackward(dx: number, dy: number, arg: number, len: number): void;
  avgPoolForward(y: number, x: number, planes: number, H: number, W: number, FH: number, FW: number, SH: number, SW: number, PH: number, PW: number, OH: number, OW: number): void;
  avgPoolBackward(dx: number, dy: number, planes: number, H: number, W: number, FH: number, FW: number, SH: number, SW: number, PH: number, PW: number, OH: number, OW: number): void;
  nhwcToCnhw(dst: number, src: number, N: number, HW: number, C: number): void;
  flattenForward(y: number, x: number, N: number, C: number, HW: number): void;
  flattenBackward(dx: number, dy: number, N: number, C: number, HW: number): void;
  channelSums(sum: number, sq: number, a: number, b: number, C: number, M: number): void;
  channelAffine(y: number, x: number, scale: number, shift: number, C: number, M: number, act: number): void;
  channelAxpby(dx: number, dy: number, x: number, p: number, q: number, r: number, C: number, M: number): void;
}

export interface WasmModuleInfo {
  module: WebAssembly.Module;
  variant: 'wasm-relaxed' | 'wasm-simd';
  /** True for the shared-memory build (threads): it imports env.memory. */
  shared: boolean;
  /** Where the bytes came from (a path in Node, the file's name where the extension host gave the bytes). */
  path: string;
}

const caches = new WeakMap<EngineRuntime, Map<string, WasmModuleInfo | null>>();

function compile(runtime: EngineRuntime, file: WasmFile, variant: 'wasm-relaxed' | 'wasm-simd', shared: boolean): WasmModuleInfo | null {
  const bytes = runtime.wasmBytes(file);
  if (!bytes || !WebAssembly.validate(bytes)) return null;
  return { module: new WebAssembly.Module(bytes), variant, shared, path: runtime.wasmPath?.(file) ?? file };
}

/**
 * Compiles the best kernels this runtime can run: relaxed SIMD (fused multiply-add) when WebAssembly.validate
 * accepts it (Node: after `--experimental-wasm-relaxed-simd`, set by the runtime's beforeCompile), else plain
 * SIMD; null when neither is there or valid. `shared` asks for the shared-memory build used with engine threads.
 * `prefer: 'wasm-simd'` skips relaxed SIMD.
 */
export function loadWasmModule(prefer?: 'wasm-simd', shared = false): WasmModuleInfo | null {
  const runtime = engineRuntime();
  let cache = caches.get(runtime);
  if (!cache) {
    cache = new Map();
    caches.set(runtime, cache);
    try {
      runtime.beforeCompile?.();
    } catch {
      /* only speed */
    }
  }
  const key = `${prefer ?? 'best'}/${shared}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let result: WasmModuleInfo | null = null;
  if (!prefer) result = compile(runtime, shared ? 'engine-relaxed-mt.wasm' : 'engine-relaxed.wasm', 'wasm-relaxed', shared);
  if (!result) result = compile(runtime, shared ? 'engine-simd-mt.wasm' : 'engine-simd.wasm', 'wasm-simd', shared);
  cache.set(key, result);
  return result;
}

/** Where the installed runtime looked for the builds (for the error when there is none). */
export function wasmWhere(): string {
  return engineRuntime().wasmWhere();
}
