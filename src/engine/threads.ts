// Engine threads for the WebAssembly kernels: every thread instantiates the same shared-memory module over
// one shared WebAssembly.Memory, and the main thread hands each thread a kernel call through a small shared
// control block (function index + numeric arguments), never through postMessage (30–130 µs a round trip).
// A thread spins briefly after each job (an answer in under a microsecond) and then sleeps in Atomics.wait.
// How a thread is started is the runtime's (runtime.ts): worker_threads with `eval: true` in Node
// (runtime-node.ts), a Web Worker from a Blob URL in a browser (runtime-web.ts); both run THREAD_LOOP_SOURCE,
// a string, so it works the same from the TypeScript sources (vitest) and from the bundles, with no extra file.
// A thread that has not started yet (a browser starts a worker only once its creator returns to its event loop)
// or could not start leaves its jobs to the main thread, so a pool never waits on a thread that is not there.

import type { EngineThread } from './runtime';

/** The kernels a worker can run, by index. */
export const THREAD_FNS = [
  'convForward',
  'convBackward',
  'convBackwardData',
  'depthwiseForward',
  'depthwiseBackward',
  'deconvForward',
  'deconvBackward',
  'upsampleNearestForward',
  'upsampleNearestBackward',
  'upsampleBilinearForward',
  'upsampleBilinearBackward',
  'activationForward',
  'addForward',
  'activationBackward',
  'activationBackwardInPlace',
  'maxPoolForward',
  'maxPoolBackward',
  'avgPoolForward',
  'avgPoolBackward',
  'channelSums',
  'channelAffine',
  'channelAxpby',
  'winogradConv',
  'winograd4Conv',
  'adamStep',
  'zeroFloats',
  'sgdStep',
  'directConvForward',
  'winogradConvWeights',
  'winograd4ConvWeights',
  'denseForward',
  'denseBackward',
  'winograd5Conv',
  'winograd5ConvWeights',
  'winograd5ConvData',
  'directConvWeights',
] as const;
export type ThreadFn = (typeof THREAD_FNS)[number];

const MAX_ARGS = 32;
/** Per worker: Int32 [seq, done, fn, nargs/error, started, –, –, –] then Float64 args. */
const HEADER_BYTES = 32;
const SLOT_BYTES = HEADER_BYTES + MAX_ARGS * 8;
/** How long a worker spins for the next job before it sleeps, and how long the main thread spins. */
const SPIN_MS = 0.3;

/** What a thread is started with (posted to a Web Worker, workerData of a worker_threads Worker). */
export interface ThreadInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  index: number;
  names: readonly string[];
  spinMs: number;
  slotBytes: number;
  headerBytes: number;
  maxArgs: number;
}

/**
 * The thread's program, as source text: `engineThread(init)` runs jobs until told to leave. It reads the job
 * counter before it says it has started, so the main thread (which runs jobs itself until then) never posts a job
 * the thread would take as already seen.
 */
export const THREAD_LOOP_SOURCE = `
function engineThread(init) {
  const { module, memory, control, index, names, spinMs, slotBytes, headerBytes, maxArgs } = init;
  const inst = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('engine wasm abort'); } } });
  const fns = names.map((n) => inst.exports[n]);
  const ints = new Int32Array(control, index * slotBytes, headerBytes / 4);
  const args = new Float64Array(control, index * slotBytes + headerBytes, maxArgs);
  let seen = Atomics.load(ints, 0);
  Atomics.store(ints, 4, 1);
  for (;;) {
    let spins = 0;
    let t0 = 0;
    while (Atomics.load(ints, 0) === seen) {
      if ((++spins & 255) === 0) {
        const now = performance.now();
        if (t0 === 0) t0 = now;
        else if (now - t0 > spinMs) { Atomics.wait(ints, 0, seen); t0 = 0; }
      }
    }
    seen = Atomics.load(ints, 0);
    const fn = ints[2];
    if (fn < 0) break;
    const n = ints[3];
    const a = new Array(n);
    for (let i = 0; i < n; i++) a[i] = args[i];
    try { fns[fn](...a); } catch (e) { ints[3] = -1; }
    Atomics.store(ints, 1, seen);
    Atomics.notify(ints, 1);
  }
}
`;

/** Starts one thread (the runtime's spawnThread). */
export type SpawnThread = (init: ThreadInit) => EngineThread;
/** Runs a job on the main thread instead (a thread that has not started, or could not). */
export type RunInline = (fn: ThreadFn, args: readonly number[]) => void;

export class ThreadPool {
  /** Threads in all, the main one included. */
  readonly size: number;
  private readonly workers: EngineThread[] = [];
  private readonly ints: Int32Array[] = [];
  private readonly args: Float64Array[] = [];
  private readonly seq: number[] = [];
  private readonly pending: boolean[] = [];
  private readonly exits: Promise<void>[] = [];
  private live = 0;
  private disposed = false;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, threads: number, spawn: SpawnThread, private readonly inline: RunInline) {
    this.size = threads;
    const control = new SharedArrayBuffer(SLOT_BYTES * Math.max(1, threads - 1));
    for (let i = 0; i < threads - 1; i++) {
      this.ints.push(new Int32Array(control, i * SLOT_BYTES, HEADER_BYTES / 4));
      this.args.push(new Float64Array(control, i * SLOT_BYTES + HEADER_BYTES, MAX_ARGS));
      this.seq.push(0);
      this.pending.push(false);
      const w = spawn({ module, memory, control, index: i, names: THREAD_FNS, spinMs: SPIN_MS, slotBytes: SLOT_BYTES, headerBytes: HEADER_BYTES, maxArgs: MAX_ARGS });
      this.live++;
      this.exits.push(
        new Promise<void>((resolve) =>
          w.onExit(() => {
            this.live--;
            resolve();
          }),
        ),
      );
      this.workers.push(w);
    }
  }

  /**
   * Starts `fn(...args)` on worker `w` (0-based among the workers) and returns at once; runs it here first when
   * that worker has not started (yet).
   */
  post(w: number, fn: ThreadFn, args: readonly number[]): void {
    if (this.disposed) throw new Error('the engine thread pool is closed');
    const ints = this.ints[w]!;
    if (Atomics.load(ints, 4) === 0) {
      this.inline(fn, args);
      return;
    }
    const a = this.args[w]!;
    for (let i = 0; i < args.length; i++) a[i] = args[i]!;
    ints[2] = THREAD_FNS.indexOf(fn);
    ints[3] = args.length;
    const s = (this.seq[w]! + 1) | 0;
    this.seq[w] = s;
    this.pending[w] = true;
    Atomics.store(ints, 0, s);
    Atomics.notify(ints, 0);
  }

  /** Waits until every posted job is done; throws if one failed. */
  join(): void {
    let failed = false;
    for (let w = 0; w < this.workers.length; w++) {
      if (!this.pending[w]) continue;
      const ints = this.ints[w]!;
      const s = this.seq[w]!;
      let spins = 0;
      let t0 = 0;
      while (Atomics.load(ints, 1) !== s) {
        if ((++spins & 255) === 0) {
          const now = performance.now();
          if (t0 === 0) t0 = now;
          else if (now - t0 > SPIN_MS) Atomics.wait(ints, 1, Atomics.load(ints, 1), 50);
        }
      }
      this.pending[w] = false;
      if (ints[3] === -1) failed = true;
    }
    if (failed) throw new Error('an engine worker thread failed');
  }

  /** Worker threads that have not exited yet. */
  get running(): number {
    return this.live;
  }

  /** Stops the workers (each leaves its loop at once, and is terminated as well); resolves once all have exited. */
  dispose(): Promise<void> {
    if (!this.disposed) {
      this.disposed = true;
      for (let w = 0; w < this.workers.length; w++) {
        const ints = this.ints[w]!;
        ints[2] = -1;
        Atomics.store(ints, 0, (this.seq[w]! + 1) | 0);
        Atomics.notify(ints, 0);
        this.workers[w]!.terminate();
      }
    }
    return Promise.all(this.exits).then(() => undefined);
  }
}

/** Splits [0, n) into `parts` contiguous ranges as equal as possible: boundaries b[0]=0 … b[parts]=n. */
export function splitRange(n: number, parts: number): number[] {
  const b: number[] = [];
  for (let t = 0; t <= parts; t++) b.push(Math.floor((n * t) / parts));
  return b;
}
