// The WebAssembly SIMD kernels as a backend (the normal path): one WebAssembly.Memory is the arena, kernels
// take byte offsets into it, and with threads > 1 the shared-memory build runs each kernel's ranges on
// engine threads (threads.ts; started by the installed runtime), weight gradients reduced from private copies.

import { align } from './arena';
import type { Backend } from './backend';
import { ACT, isDepthwise, type ActKind, type ConvGeom } from './kernels';
import type { DeconvGeom } from './kernels-deconv';
import type { UpsampleGeom, UpsampleMode } from './kernels-upsample';
import { directForward, directWeights, transposedData, winograd5, winogradForward, winogradTile, winogradBackward } from './convAlgorithms';
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

export class WasmBackend implements Backend {
  readonly name: 'wasm-relaxed' | 'wasm-simd';
  readonly threads: number;
  private readonly ex: WasmExports;
  private readonly memory: WebAssembly.Memory;
  private readonly pool: ThreadPool | null;
  private top: number;
  /** Per thread: GEMM packing scratch and im2col columns (byte offsets). */
  private readonly work: number[] = [];
  private col: number[] = [];
  /** Per extra thread: private weight/bias gradients, reduced into the real ones by the main thread. */
  private grad: number[] = [];
  private gradFloats = 0;
  /** Flipped filters for convBackwardData (byte offset). */
  private flip = 0;
  /** Highest byte ever allocated: memory above it has never been written. */
  private high = 0;
  private readonly colBudget: number;

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
  /** Output columns per im2col step: as many as fit the column budget, a multiple of 8. */
  private chunk(g: ConvGeom): number {
    return this.chunkFor((g.c / (g.groups ?? 1)) * g.fh * g.fw, g.n * g.oh * g.ow);
  }
  private chunkFor(rows: number, total: number): number {
    return Math.max(8, Math.min(total, Math.floor(this.colBudget / rows / 8) * 8));
  }
  private depthwiseScratch(g: ConvGeom): number {
    return this.ex.depthwiseScratchFloats(g.h, g.w, g.fh, g.fw, g.sh, g.sw, g.dh ?? 1, g.dw ?? 1, g.oh, g.ow);
  }
  /** Scratch of the Winograd forward kernel that a C → K convolution with outputs OH × OW runs on. */
  private winogradScratch(C: number, K: number, OH: number, OW: number): number {
    return winogradTile(OH, OW) === 4 ? this.ex.winograd4ScratchFloats(C, K, OH, OW) : this.ex.winogradScratchFloats(C, K, OH, OW);
  }
  /** Scratch of the Winograd weight-gradient kernel for a C → K convolution with outputs OH × OW. */
  private winogradWeightsScratch(C: number, K: number, OH: number, OW: number): number {
    return winogradTile(OH, OW) === 4 ? this.ex.winograd4WeightsScratchFloats(C, K, OH, OW) : this.ex.winogradWeightsScratchFloats(C, K, OH, OW);
  }
  colFloats(g: ConvGeom): number {
    if (isDepthwise(g)) return this.depthwiseScratch(g);
    const G = g.groups ?? 1;
    let need = (g.c / G) * g.fh * g.fw * this.chunk(g);
    if (directForward(g)) need = Math.max(need, this.ex.directScratchFloats(g.c, g.h, g.w, g.ph, g.pw));
    if (winogradForward(g)) need = Math.max(need, this.winogradScratch(g.c, g.k, g.oh, g.ow));
    if (winogradBackward(g)) {
      // The weight gradient, and the input gradient (K channels in, C out, on the input's size).
      return Math.max(need, this.winogradWeightsScratch(g.c, g.k, g.oh, g.ow), this.winogradScratch(g.k, g.c, g.h, g.w));
    }
    if (winograd5(g)) {
      const ex = this.ex;
      return Math.max(need, ex.winograd5ScratchFloats(g.c, g.k, g.oh, g.ow), ex.winograd5WeightsScratchFloats(g.c, g.k, g.oh, g.ow), ex.winograd5DataScratchFloats(g.c, g.k, g.oh, g.ow));
    }
    if (directWeights(g)) need = Math.max(need, this.ex.directWeightsScratchFloats(g.c, g.k, g.fh, g.fw, g.oh, g.ow));
    if (!transposedData(g) && !directWeights(g)) return need;
    const kff = (g.k / G) * g.fh * g.fw;
    return Math.max(need, kff * this.chunkFor(kff, g.n * g.h * g.w));
  }
  deconvColFloats(g: DeconvGeom): number {
    const kff = g.k * g.fh * g.fw;
    return kff * this.chunkFor(kff, g.n * g.h * g.w);
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
  private parallel(fn: ThreadFn, n: number, part: (t: number, lo: number, hi: number) => number[]): void {
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
  private parallelGrads(fn: ThreadFn, n: number, dw: Float32Array, db: Float32Array, part: (t: number, lo: number, hi: number, dwAt: number, dbAt: number) => number[]): void {
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
  private fusedActivationBackward(dy: Float32Array, y: Float32Array, len: number, act: ActKind): void {
    if (act === 'none') return;
    this.parallel('activationBackwardInPlace', len, (_t, lo, hi) => [dy.byteOffset + lo * 4, y.byteOffset + lo * 4, hi - lo, ACT[act]]);
  }

  convForward(y: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array, g: ConvGeom, act: ActKind): void {
    const [dh, dw, G] = [g.dh ?? 1, g.dw ?? 1, g.groups ?? 1];
    if (isDepthwise(g)) {
      // Threads take ranges of input channels.
      this.parallel('depthwiseForward', g.c, (t, lo, hi) => [
        y.byteOffset, x.byteOffset, w.byteOffset, b.byteOffset,
        g.n, g.c, g.h, g.w, g.k, g.fh, g.fw, g.sh, g.sw, g.ph, g.pw, dh, dw, g.oh, g.ow,
        ACT[act], this.col[t]!, lo, hi,
      ]);
      return;
    }
    if (directForward(g)) {
      this.parallel('directConvForward', g.n, (t, lo, hi) => [
        y.byteOffset, x.byteOffset, w.byteOffset, b.byteOffset,
        g.n, g.c, g.h, g.w, g.k, g.fh, g.fw, g.ph, g.pw, g.oh, g.ow, ACT[act], this.col[t]!, lo, hi,
      ]);
      return;
    }
    if (winograd5(g)) {
      this.parallel('winograd5Conv', g.n, (t, lo, hi) => [
        y.byteOffset, x.byteOffset, w.byteOffset, b.byteOffset,
        g.n, g.c, g.h, g.w, g.k, g.ph, g.pw, g.oh, g.ow, ACT[act], this.col[t]!, lo, hi,
      ]);
      return;
    }
    if (winogradForward(g)) {
      this.parallel(winogradTile(g.oh, g.ow) === 4 ? 'winograd4Conv' : 'winogradConv', g.n, (t, lo, hi) => [
        y.byteOffset, x.byteOffset, w.byteOffset, b.byteOffset,
        g.n, g.c, g.h, g.w, g.k, g.ph, g.pw, g.oh, g.ow, ACT[act], 0, this.col[t]!, lo, hi,
      ]);
      return;
    }
    const ohow = g.oh * g.ow;
    this.parallel('convForward', g.n, (t, lo, hi) => [
      y.byteOffset, x.byteOffset, w.byteOffset, b.byteOffset,
      g.n, g.c, g.h, g.w, g.k, g.fh, g.fw, g.sh, g.sw, g.ph, g.pw, dh, dw, G, g.oh, g.ow,
      ACT[act], this.col[t]!, this.chunk(g), lo * ohow, hi * ohow,
    ]);
  }
  convBackward(dx: Float32Array | null, dw: Float32Array, db: Float32Array, dy: Float32Array, y: Float32Array, x: Float32Array, w: Float32Array, g: ConvGeom, act: ActKind): void {
    const ohow = g.oh * g.ow;
    const [DH, DW, G] = [g.dh ?? 1, g.dw ?? 1, g.groups ?? 1];
    this.fusedActivationBackward(dy, y, g.k * g.n * ohow, act);
    if (isDepthwise(g)) {
      // Each thread's input channels own their filters, biases and input gradients: no private copies.
      this.parallel('depthwiseBackward', g.c, (t, lo, hi) => [
        dx ? dx.byteOffset : 0, dw.byteOffset, db.byteOffset, dy.byteOffset, x.byteOffset, w.byteOffset,
        g.n, g.c, g.h, g.w, g.k, g.fh, g.fw, g.sh, g.sw, g.ph, g.pw, DH, DW, g.oh, g.ow,
        this.col[t]!, lo, hi,
      ]);
      return;
    }
    const onWinograd = winogradBackward(g) || winograd5(g);
    const transposed = dx !== null && (onWinograd || directWeights(g) || transposedData(g));
    if (onWinograd) {
      const fn = winograd5(g) ? 'winograd5ConvWeights' : winogradTile(g.oh, g.ow) === 4 ? 'winograd4ConvWeights' : 'winogradConvWeights';
      this.parallelGrads(fn, g.n, dw, db, (t, lo, hi, dwAt, dbAt) => [
        dwAt, dbAt, dy.byteOffset, x.byteOffset,
        g.n, g.c, g.h, g.w, g.k, g.ph, g.pw, g.oh, g.ow, this.col[t]!, lo, hi,
      ]);
    } else if (directWeights(g)) {
      this.parallelGrads('directConvWeights', g.n, dw, db, (t, lo, hi, dwAt, dbAt) => [
        dwAt, dbAt, dy.byteOffset, x.byteOffset,
        g.n, g.c, g.h, g.w, g.k, g.fh, g.fw, g.ph, g.pw, g.oh, g.ow, this.col[t]!, lo, hi,
      ]);
    } else this.parallelGrads('convBackward', g.n, dw, db, (t, lo, hi, dwAt, dbAt) => [
      dx && !transposed ? dx.byteOffset : 0, dwAt, dbAt,
      dy.byteOffset, x.byteOffset, w.byteOffset,
      g.n, g.c, g.h, g.w, g.k, g.fh, g.fw, g.sh, g.sw, g.ph, g.pw, DH, DW, G, g.oh, g.ow,
      this.col[t]!, this.chunk(g), this.work[t]!, lo * ohow, hi * ohow,
    ]);
    if (dx && winograd5(g)) {
      // dx += the forward's adjoint on the output tiles (no flipped filters, no padded dy).
      this.parallel('winograd5ConvData', g.n, (t, lo, hi) => [
        dx.byteOffset, dy.byteOffset, w.byteOffset,
        g.n, g.c, g.h, g.w, g.k, g.ph, g.pw, g.oh, g.ow, this.col[t]!, lo, hi,
      ]);
      return;
    }
    if (transposed && dx) {
      if (dw.length > this.gradFloats) throw new Error('engine scratch too small for this layer');
      this.ex.flipWeights(this.flip, w.byteOffset, g.k, g.c, g.fh, g.fw, G);
      if (onWinograd) {
        // dx += conv(dy padded by 2 − P, the flipped filters [C][K][3][3]): K channels in, C out.
        this.parallel(winogradTile(g.h, g.w) === 4 ? 'winograd4Conv' : 'winogradConv', g.n, (t, lo, hi) => [
          dx.byteOffset, dy.byteOffset, this.flip, 0,
          g.n, g.k, g.oh, g.ow, g.c, 2 - g.ph, 2 - g.pw, g.h, g.w, 0, 1, this.col[t]!, lo, hi,
        ]);
        return;
      }
      const hw = g.h * g.w;
      const chunk = this.chunkFor((g.k / G) * g.fh * g.fw, g.n * hw);
      this.parallel('convBackwardData', g.n, (t, lo, hi) => [
        dx.byteOffset, dy.byteOffset, this.flip,
        g.n, g.c, g.h, g.w, g.k, g.fh, g.fw, g.ph, g.pw, DH, DW, G, g.oh, g.ow,
        this.col[t]!, chunk, this.work[t]!, lo * hw, hi * hw,
      ]);
    }
  }
  deconvForward(y: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array, g: DeconvGeom, act: ActKind): void {
    // Threads take whole samples of x (and so of y).
    const hw = g.h * g.w;
    const chunk = this.chunkFor(g.k * g.fh * g.fw, g.n * hw);
    this.parallel('deconvForward', g.n, (t, lo, hi) => [
      y.byteOffset, x.byteOffset, w.byteOffset, b.byteOffset,
      g.n, g.c, g.h, g.w, g.k, g.fh, g.fw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow,
      ACT[act], this.col[t]!, chunk, this.work[t]!, lo * hw, hi * hw,
    ]);
  }
  deconvBackward(dx: Float32Array | null, dw: Float32Array, db: Float32Array, dy: Float32Array, y: Float32Array, x: Float32Array, w: Float32Array, g: DeconvGeom, act: ActKind): void {
    this.fusedActivationBackward(dy, y, g.k * g.n * g.oh * g.ow, act);
    const hw = g.h * g.w;
    const chunk = this.chunkFor(g.k * g.fh * g.fw, g.n * hw);
    this.parallelGrads('deconvBackward', g.n, dw, db, (t, lo, hi, dwAt, dbAt) => [
      dx ? dx.byteOffset : 0, dwAt, dbAt, dy.byteOffset, x.byteOffset, w.byteOffset,
      g.n, g.c, g.h, g.w, g.k, g.fh, g.fw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow,
      this.col[t]!, chunk, this.work[t]!, lo * hw, hi * hw,
    ]);
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
