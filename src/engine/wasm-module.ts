// The compiled WebAssembly kernels (src/engine/wasm/assembly/kernels.ts): where the built .wasm files are
// found, how the best build this runtime accepts is compiled (once per process), and what an instance
// exports. The backend that runs them is backend-wasm.ts.

import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';

/** The exports of src/engine/wasm/assembly/kernels.ts (byte addresses are plain numbers). */
export interface WasmExports {
  /** Exported by the single-thread builds; the shared-memory builds import theirs. */
  memory?: WebAssembly.Memory;
  gemmWorkFloats(): number;
  heapBase(): number;
  gemm(M: number, N: number, K: number, A: number, ars: number, acs: number, B: number, brs: number, bcs: number, C: number, ldc: number, accumulate: number, work: number): void;
  activationForward(y: number, x: number, len: number, act: number, slope: number): void;
  activationBackward(dx: number, dy: number, y: number, x: number, len: number, act: number, slope: number): void;
  activationBackwardInPlace(dy: number, y: number, len: number, act: number): void;
  convForward(y: number, x: number, w: number, b: number, N: number, C: number, H: number, W: number, K: number, FH: number, FW: number, SH: number, SW: number, PH: number, PW: number, DH: number, DW: number, G: number, OH: number, OW: number, act: number, col: number, chunk: number, work: number, qStart: number, qEnd: number): void;
  convBackward(dx: number, dw: number, db: number, dy: number, x: number, w: number, N: number, C: number, H: number, W: number, K: number, FH: number, FW: number, SH: number, SW: number, PH: number, PW: number, DH: number, DW: number, G: number, OH: number, OW: number, col: number, chunk: number, work: number, qStart: number, qEnd: number): void;
  flipWeights(wT: number, w: number, K: number, C: number, FH: number, FW: number, G: number): void;
  convBackwardData(dx: number, dy: number, wT: number, N: number, C: number, H: number, W: number, K: number, FH: number, FW: number, PH: number, PW: number, DH: number, DW: number, G: number, OH: number, OW: number, col: number, chunk: number, work: number, qStart: number, qEnd: number): void;
  directScratchFloats(C: number, H: number, W: number, PH: number, PW: number): number;
  directConvForward(
    y: number, x: number, w: number, b: number,
    N: number, C: number, H: number, W: number, K: number, FH: number, FW: number, PH: number, PW: number, OH: number, OW: number,
    act: number, scratch: number, nStart: number, nEnd: number,
  ): void;
  zeroFloats(dst: number, len: number): void;
  adamStep(p: number, g: number, m: number, v: number, len: number, stepSize: number, beta1: number, beta2: number, bc2sqrt: number, eps: number, wd: number): void;
  sgdStep(p: number, g: number, buf: number, len: number, lr: number, momentum: number, wd: number, first: number): void;
  winogradScratchFloats(C: number, K: number, OH: number, OW: number): number;
  winogradConv(
    y: number, x: number, w: number, b: number,
    N: number, C: number, H: number, W: number, K: number, PH: number, PW: number, OH: number, OW: number,
    act: number, accumulate: number, scratch: number, work: number, nStart: number, nEnd: number,
  ): void;
  winogradWeightsScratchFloats(C: number, K: number, OH: number, OW: number): number;
  winogradConvWeights(
    dw: number, db: number, dy: number, x: number,
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
  denseBackward(dx: number, dw: number, db: number, dy: number, x: number, w: number, N: number, I: number, U: number, work: number): void;
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
  path: string;
}

const cache = new Map<string, WasmModuleInfo | null>();

/**
 * Where the built wasm lives. The build (scripts/build.mjs) writes `engine-{simd,relaxed}.wasm` and the
 * shared-memory `engine-{simd,relaxed}-mt.wasm` to both `build/` (for tests running the TypeScript sources)
 * and `dist/` (beside the bundles, which is what the vsix ships). `CNN_ENGINE_WASM_DIR` overrides the search.
 */
export function wasmSearchDirs(): string[] {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const dirs = [
    process.env['CNN_ENGINE_WASM_DIR'],
    here, // dist/ when bundled
    join(here, '..', '..', 'build'), // src/engine/ under vitest
    join(here, '..', 'build'),
    join(here, '..', 'dist'),
    join(process.cwd(), 'build'),
    join(process.cwd(), 'dist'),
  ];
  return dirs.filter((d): d is string => typeof d === 'string' && d.length > 0);
}

function findWasm(file: string): string | null {
  for (const dir of wasmSearchDirs()) {
    const p = join(dir, file);
    if (existsSync(p)) return p;
  }
  return null;
}

function compile(file: string, variant: 'wasm-relaxed' | 'wasm-simd', shared: boolean): WasmModuleInfo | null {
  const path = findWasm(file);
  if (!path) return null;
  const bytes = readFileSync(path);
  if (!WebAssembly.validate(bytes)) return null;
  return { module: new WebAssembly.Module(bytes), variant, shared, path };
}

/**
 * Compiles the best kernels this Node can run: relaxed SIMD (fused multiply-add) when V8 accepts it after
 * `--experimental-wasm-relaxed-simd`, else plain SIMD; null when neither is found or valid. `shared` asks
 * for the shared-memory build used with worker threads. Also turns off V8's baseline wasm compiler
 * (`--no-liftoff`) so kernels run optimised from their first call. `prefer: 'wasm-simd'` skips relaxed SIMD.
 */
export function loadWasmModule(prefer?: 'wasm-simd', shared = false): WasmModuleInfo | null {
  const key = `${prefer ?? 'best'}/${shared}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  try {
    setFlagsFromString('--no-liftoff');
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    /* only speed */
  }
  const suffix = shared ? '-mt' : '';
  let result: WasmModuleInfo | null = null;
  if (!prefer) result = compile(`engine-relaxed${suffix}.wasm`, 'wasm-relaxed', shared);
  if (!result) result = compile(`engine-simd${suffix}.wasm`, 'wasm-simd', shared);
  cache.set(key, result);
  return result;
}
