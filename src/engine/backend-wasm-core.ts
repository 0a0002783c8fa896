// The WebAssembly backend's core (backend-wasm.ts adds the convolution family): one WebAssembly.Memory is the
// arena, kernels take byte offsets into it, and with threads > 1 the shared-memory build runs each kernel's
// ranges on engine threads (threads.ts; started by the installed runtime), weight gradients reduced from
// private copies. The kernels here are the ones whose dispatch is a single call: pooling, dense layers,
// activations, upsampling, batch norm's channel passes, the optimizers.

import { align } from './arena';
import { ACT, type ActKind, type ConvGeom } from './kernels';
import type { UpsampleGeom, UpsampleMode } from './kernels-upsample';
import { engineRuntime } from './runtime';
import { splitRange, ThreadPool, type ThreadFn } from './threads';
import type { WasmExports, WasmModuleInfo } from './wasm-module';

/** Column scratch per convolution step, in floats (256 KiB: the columns stay in L2 while packed). */
const COL_BUDGET = 1 << 16;
/** Floats from which zeroing a buffer is split across the threads (a memset of 2 MiB takes ~50 µs, as waking a worker can: LeNet-5's 1.2 MB first-layer gradient zeroes faster on one thread). */
const ZERO_SPLIT = 1 << 19;
/** Multiply-adds (batch × inputs × units) from which a dense layer runs on the threads (LeNet-5's 400 → 120, 3.1M, gains; its 120 → 84 would not). */
const DENSE_SPLIT = 1 << 21;
/**
 * Parameters from which an optimizer step is split across the threads (see parallelUnless()). Alone, LeNet-5's
 * 61K take 0.07–0.09 ms on either count of threads; in a training step on 2 threads they took 0.37 ms on one
 * (half its gradients were just written by the other thread, on another core, and are read from there) and
 * take 0.19 split.
 */
const OPTIMIZER_SPLIT = 1 << 14;

const PAGE = 65536;

/** Pages (64 KiB) a shared memory may grow to: the wasm32 limit, 4 GiB (only address space is reserved). */
const SHARED_MAX_PAGES = 65536;

/** The most one amortised grow adds beyond the need (256 MiB), so a large arena does not overshoot by half. */
const MAX_GROW_STEP_PAGES = 4096;

/** A WebAssembly backend without its convolutions (WasmBackend in backend-wasm.ts adds them). */
export abstract class WasmBackendCore {
  readonly name: 'wasm-relaxed' | 'wasm-simd';
  readonly threads: number;
  protected readonly ex: WasmExports;
  protected readonly memory: WebAssembly.Memory;
  private readonly pool: ThreadPool | null;
  private top: number;
  /** Per thread: GEMM packing scratch and im2col columns (byte offsets). */
  protected readonly work: number[] = [];
  protected col: number[] = [];
  /** Per extra thread: private weight/bias gradients, reduced into the real ones by the main thread. */
  private grad: number[] = [];
  protected gradFloats = 0;
  /** Flipped filters for convBackwardData (byte offset). */
  protected flip = 0;
  /** Highest byte ever allocated: memory above it has never been written. */
  private high = 0;
  protected readonly colBudget: number;

  /**
   * `threads` > 1 needs the shared-memory build (info.shared). `colBudget` (floats of im2col columns per
   * step) is for tests that want many small steps.
   */
  constructor(info: WasmModuleInfo, opts: { threads?: number; colBudget?: number } = {}) {
    this.name = info.variant;
    this.colBudget = opts.colBudget ?? COL_BUDGET;
    const threads = Math.max(1, Math.min(64, Math.floor(opts.threads ?? 1)));
    if (threads > 1 && !info.shared) throw new Error('worker threads need the shared-memory kernels (engine-*-mt.wasm)');
    const abort = (): never => {
      throw new Error('engine wasm abort');
    };
    if (info.shared) {
      this.memory = new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAX_PAGES, shared: true });
      const instance = new WebAssembly.Instance(info.module, { env: { memory: this.memory, abort } });
      this.ex = instance.exports as unknown as WasmExports;
    } else {
      const instance = new WebAssembly.Instance(info.module, { env: { abort } });
      this.ex = instance.exports as unknown as WasmExports;
      this.memory = this.ex.memory!;
    }
    this.threads = threads;
    this.top = align(Math.max(this.ex.heapBase(), 1024));
    for (let t = 0; t < threads; t++) this.work.push(this.allocate(this.ex.gemmWorkFloats() * 4));
    const spawn = threads > 1 ? engineRuntime().spawnThread : null;
    if (threads > 1 && !spawn) throw new Error('this runtime cannot start engine threads');
    this.pool = spawn ? new ThreadPool(info.module, this.memory, threads, spawn, (fn, args) => (this.ex[fn] as unknown as (...a: number[]) => void)(...args)) : null;
  }

  buffer(): ArrayBuffer {
    return this.memory.buffer as ArrayBuffer;
  }
  allocate(bytes: number): number {
    const off = this.top;
    const end = align(off + bytes);
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      // Grow by at least half of what is there: a network of many small layers allocates thousands of
      // buffers, and growing page by page made that quadratic (each grow re-maps the memory and detaches
      // the old buffer). Falls back to the exact need when the larger step is refused.
      const pages = Math.ceil((end - have) / PAGE);
      const generous = Math.max(pages, Math.min(Math.ceil(have / PAGE / 2), MAX_GROW_STEP_PAGES));
      try {
        this.memory.grow(generous);
      } catch {
        try {
          this.memory.grow(pages);
        } catch {
          throw new Error(`the engine needs ${Math.ceil(end / 2 ** 20)} MiB of WebAssembly memory, more than this runtime allows`);
        }
      }
    }
    // Fresh pages are zero already: clear only what an earlier allocation may have dirtied.
    const dirty = Math.min(end, this.high);
    if (dirty > off) new Uint8Array(this.memory.buffer, off, dirty - off).fill(0);
    this.top = end;
    this.high = Math.max(this.high, end);
    return off;
  }
  mark(): number {
    return this.top;
  }
  release(mark: number): void {
    this.top = mark;
  }
  dispose(): Promise<void> {
    return this.pool ? this.pool.dispose() : Promise.resolve();
  }
  get workersRunning(): number {
    return this.pool?.running ?? 0;
  }
  reserveScratch(colFloats: number, gradFloats: number): void {
    this.col = [];
    this.grad = [];
    this.flip = this.allocate(Math.max(1, gradFloats) * 4);
    for (let t = 0; t < this.threads; t++) this.col.push(this.allocate(Math.max(1, colFloats) * 4));
    for (let t = 1; t < this.threads; t++) this.grad.push(this.allocate(Math.max(1, gradFloats) * 4));
    this.gradFloats = gradFloats;
  }

  /**
   * Runs `part(t, lo, hi)` for t = 0 … T-1 over [0, n) split in T ranges: t = 0 on this thread, the others
   * on the workers; returns when all are done. `part` returns the kernel's arguments for its range.
   */
  protected parallel(fn: ThreadFn, n: number, part: (t: number, lo: number, hi: number) => number[]): void {
    const T = this.pool ? Math.min(this.threads, n) : 1;
    const b = splitRange(n, T);
    for (let t = 1; t < T; t++) this.pool!.post(t - 1, fn, part(t, b[t]!, b[t + 1]!));
    const f = this.ex[fn] as unknown as (...a: number[]) => void;
    try {
      f(...part(0, b[0]!, b[1]!));
    } finally {
      if (T > 1) this.pool!.join();
    }
  }

  /**
   * parallel(), or `part(0, 0, n)` on this thread alone when the work is `small`: below a threshold where
   * waking a worker (tens of µs) costs more than it saves (a layer's 2M-float gradient zeroes in ~50 µs).
   */
  private parallelUnless(small: boolean, fn: ThreadFn, n: number, part: (t: number, lo: number, hi: number) => number[]): void {
    if (small || !this.pool) (this.ex[fn] as unknown as (...a: number[]) => void)(...part(0, 0, n));
    else this.parallel(fn, n, part);
  }

  /**
   * Runs a weight-gradient kernel over [0, n) samples on the threads, each extra thread into its own zeroed
   * copy of dw and db (`part` gets their byte offsets), then adds the copies into dw and db.
   */
  protected parallelGrads(fn: ThreadFn, n: number, dw: Float32Array, db: Float32Array, part: (t: number, lo: number, hi: number, dwAt: number, dbAt: number) => number[]): void {
    const T = this.pool ? Math.min(this.threads, n) : 1;
    const wl = dw.length;
    const bl = db.length;
    if (T > 1 && wl + bl > this.gradFloats) throw new Error('engine scratch too small for this layer');
    const mem = this.memory.buffer;
    for (let t = 1; t < T; t++) this.ex.zeroFloats(this.grad[t - 1]!, wl + bl);
    this.parallel(fn, n, (t, lo, hi) =>
      part(t, lo, hi, t === 0 ? dw.byteOffset : this.grad[t - 1]!, t === 0 ? db.byteOffset : this.grad[t - 1]! + wl * 4),
    );
    for (let t = 1; t < T; t++) {
      const p = new Float32Array(mem, this.grad[t - 1]!, wl + bl);
      for (let i = 0; i < wl; i++) dw[i] += p[i]!;
      for (let i = 0; i < bl; i++) db[i] += p[wl + i]!;
    }
  }

  /** dy *= act'(y) in place over len values, on the threads. */
  protected fusedActivationBackward(dy: Float32Array, y: Float32Array, len: number, act: ActKind): void {
    if (act === 'none') return;
    this.parallel('activationBackwardInPlace', len, (_t, lo, hi) => [dy.byteOffset + lo * 4, y.byteOffset + lo * 4, hi - lo, ACT[act]]);
  }

  upsampleForward(y: Float32Array, x: Float32Array, g: UpsampleGeom, mode: UpsampleMode): void {
    const hw = g.h * g.w;
    const ohow = hw * g.scale * g.scale;
    const fn = mode === 'nearest' ? 'upsampleNearestForward' : 'upsampleBilinearForward';
    this.parallel(fn, g.c * g.n, (_t, lo, hi) => [y.byteOffset + lo * ohow * 4, x.byteOffset + lo * hw * 4, hi - lo, g.h, g.w, g.scale]);
  }
  upsampleBackward(dx: Float32Array, dy: Float32Array, g: UpsampleGeom, mode: UpsampleMode): void {
    const hw = g.h * g.w;
    const ohow = hw * g.scale * g.scale;
    const fn = mode === 'nearest' ? 'upsampleNearestBackward' : 'upsampleBilinearBackward';
    this.parallel(fn, g.c * g.n, (_t, lo, hi) => [dx.byteOffset + lo * hw * 4, dy.byteOffset + lo * ohow * 4, hi - lo, g.h, g.w, g.scale]);
  }
  maxPoolForward(y: Float32Array, argmax: Int32Array, x: Float32Array, g: ConvGeom): void {
    // Each thread takes whole planes; winners are indices relative to the thread's first plane, and
    // maxPoolBackward splits the same way.
    const hw = g.h * g.w;
    const ohow = g.oh * g.ow;
    this.parallel('maxPoolForward', g.c * g.n, (_t, lo, hi) => [
      y.byteOffset + lo * ohow * 4, argmax.byteOffset + lo * ohow * 4, x.byteOffset + lo * hw * 4, hi - lo,
      g.h, g.w, g.fh, g.fw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow,
    ]);
  }
  maxPoolBackward(dx: Float32Array, dy: Float32Array, argmax: Int32Array, g: ConvGeom): void {
    const hw = g.h * g.w;
    const ohow = g.oh * g.ow;
    this.parallel('maxPoolBackward', g.c * g.n, (_t, lo, hi) => [
      dx.byteOffset + lo * hw * 4, dy.byteOffset + lo * ohow * 4, argmax.byteOffset + lo * ohow * 4, (hi - lo) * ohow,
    ]);
  }
  avgPoolForward(y: Float32Array, x: Float32Array, g: ConvGeom): void {
    const hw = g.h * g.w;
    const ohow = g.oh * g.ow;
    this.parallel('avgPoolForward', g.c * g.n, (_t, lo, hi) => [
      y.byteOffset + lo * ohow * 4, x.byteOffset + lo * hw * 4, hi - lo, g.h, g.w, g.fh, g.fw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow,
    ]);
  }
  avgPoolBackward(dx: Float32Array, dy: Float32Array, g: ConvGeom): void {
    const hw = g.h * g.w;
    const ohow = g.oh * g.ow;
    this.parallel('avgPoolBackward', g.c * g.n, (_t, lo, hi) => [
      dx.byteOffset + lo * hw * 4, dy.byteOffset + lo * ohow * 4, hi - lo, g.h, g.w, g.fh, g.fw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow,
    ]);
  }
  denseForward(y: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array, n: number, inputs: number, units: number, act: ActKind): void {
    // Threads take ranges of samples (rows of y).
    this.parallelUnless(n * inputs * units < DENSE_SPLIT, 'denseForward', n, (t, lo, hi) => [
      y.byteOffset + lo * units * 4, x.byteOffset + lo * inputs * 4, w.byteOffset, b.byteOffset, hi - lo, inputs, units, ACT[act], this.work[t]!,
    ]);
  }
  denseBackward(dx: Float32Array | null, dw: Float32Array, db: Float32Array, dy: Float32Array, y: Float32Array, x: Float32Array, w: Float32Array, n: number, inputs: number, units: number, act: ActKind): void {
    if (act !== 'none') this.ex.activationBackwardInPlace(dy.byteOffset, y.byteOffset, n * units, ACT[act]);
    // Threads take ranges of samples for dx, and the same fractions of the units for dw and db (each its own
    // rows): [lo, hi) of n samples goes with [⌊U·lo/n⌋, ⌊U·hi/n⌋) of U units, so the ranges tile both.
    this.parallelUnless(n * inputs * units < DENSE_SPLIT, 'denseBackward', n, (t, lo, hi) => [
      dx ? dx.byteOffset : 0, dw.byteOffset, db.byteOffset, dy.byteOffset, x.byteOffset, w.byteOffset, n, inputs, units, this.work[t]!,
      lo, hi, Math.floor((units * lo) / n), Math.floor((units * hi) / n),
    ]);
  }
  activationForward(y: Float32Array, x: Float32Array, len: number, act: ActKind, slope: number): void {
    this.parallel('activationForward', len, (_t, lo, hi) => [y.byteOffset + lo * 4, x.byteOffset + lo * 4, hi - lo, ACT[act], slope]);
  }
  addForward(y: Float32Array, a: Float32Array, b: Float32Array, len: number, act: ActKind): void {
    this.parallel('addForward', len, (_t, lo, hi) => [y.byteOffset + lo * 4, a.byteOffset + lo * 4, b.byteOffset + lo * 4, hi - lo, ACT[act]]);
  }
  activationBackward(dx: Float32Array, dy: Float32Array, y: Float32Array, x: Float32Array, len: number, act: ActKind, slope: number): void {
    this.parallel('activationBackward', len, (_t, lo, hi) => [dx.byteOffset + lo * 4, dy.byteOffset + lo * 4, y.byteOffset + lo * 4, x.byteOffset + lo * 4, hi - lo, ACT[act], slope]);
  }
  flattenForward(y: Float32Array, x: Float32Array, n: number, c: number, hw: number): void {
    this.ex.flattenForward(y.byteOffset, x.byteOffset, n, c, hw);
  }
  flattenBackward(dx: Float32Array, dy: Float32Array, n: number, c: number, hw: number): void {
    this.ex.flattenBackward(dx.byteOffset, dy.byteOffset, n, c, hw);
  }
  nhwcToCnhw(dst: Float32Array, src: Float32Array, n: number, hw: number, c: number): void {
    this.ex.nhwcToCnhw(dst.byteOffset, src.byteOffset, n, hw, c);
  }
  activationBackwardInPlace(dy: Float32Array, y: Float32Array, len: number, act: ActKind): void {
    this.parallel('activationBackwardInPlace', len, (_t, lo, hi) => [dy.byteOffset + lo * 4, y.byteOffset + lo * 4, hi - lo, ACT[act]]);
  }
  // Per-channel kernels: each thread takes whole channels.
  channelSums(sum: Float64Array, sq: Float64Array, a: Float32Array, b: Float32Array | null, c: number, m: number): void {
    this.parallel('channelSums', c, (_t, lo, hi) => [sum.byteOffset + lo * 8, sq.byteOffset + lo * 8, a.byteOffset + lo * m * 4, b ? b.byteOffset + lo * m * 4 : 0, hi - lo, m]);
  }
  channelAffine(y: Float32Array, x: Float32Array, scale: Float32Array, shift: Float32Array, c: number, m: number, act: ActKind): void {
    this.parallel('channelAffine', c, (_t, lo, hi) => [y.byteOffset + lo * m * 4, x.byteOffset + lo * m * 4, scale.byteOffset + lo * 4, shift.byteOffset + lo * 4, hi - lo, m, ACT[act]]);
  }
  channelAxpby(dx: Float32Array, dy: Float32Array, x: Float32Array, p: Float32Array, q: Float32Array, r: Float32Array, c: number, m: number): void {
    this.parallel('channelAxpby', c, (_t, lo, hi) => [dx.byteOffset + lo * m * 4, dy.byteOffset + lo * m * 4, x.byteOffset + lo * m * 4, p.byteOffset + lo * 4, q.byteOffset + lo * 4, r.byteOffset + lo * 4, hi - lo, m]);
  }

  zero(a: Float32Array): void {
    // Through the module's memory.fill: a typed array's fill on a shared memory (threads) is ~9× slower.
    this.parallelUnless(a.length < ZERO_SPLIT, 'zeroFloats', a.length, (_t, lo, hi) => [a.byteOffset + lo * 4, hi - lo]);
  }
  adamStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, len: number, step: number, lr: number, beta1: number, beta2: number, eps: number, wd: number): void {
    const stepSize = lr / (1 - Math.pow(beta1, step));
    const bc2sqrt = Math.sqrt(1 - Math.pow(beta2, step));
    this.parallelUnless(len < OPTIMIZER_SPLIT, 'adamStep', len, (_t, lo, hi) => [p.byteOffset + lo * 4, g.byteOffset + lo * 4, m.byteOffset + lo * 4, v.byteOffset + lo * 4, hi - lo, stepSize, beta1, beta2, bc2sqrt, eps, wd]);
  }
  sgdStep(p: Float32Array, g: Float32Array, buf: Float32Array, len: number, step: number, lr: number, momentum: number, wd: number): void {
    this.parallelUnless(len < OPTIMIZER_SPLIT, 'sgdStep', len, (_t, lo, hi) => [p.byteOffset + lo * 4, g.byteOffset + lo * 4, buf.byteOffset + lo * 4, hi - lo, lr, momentum, wd, step === 1 ? 1 : 0]);
  }

  /** Raw GEMM on arena views (tests and benchmarks): C[M×N] (=|+=) A·B with element strides. */
  gemm(M: number, N: number, K: number, A: Float32Array, ars: number, acs: number, B: Float32Array, brs: number, bcs: number, C: Float32Array, ldc: number, accumulate: boolean): void {
    this.ex.gemm(M, N, K, A.byteOffset, ars, acs, B.byteOffset, brs, bcs, C.byteOffset, ldc, accumulate ? 1 : 0, this.work[0]!);
  }
}
