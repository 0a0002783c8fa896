// Worker threads for the WebAssembly kernels: every thread instantiates the same shared-memory module over
// one shared WebAssembly.Memory, and the main thread hands each worker a kernel call through a small shared
// control block (function index + numeric arguments), never through postMessage (30–130 µs a round trip).
// A worker spins briefly after each job (an answer in under a microsecond) and then sleeps in Atomics.wait.
// The worker source is a string run with `eval: true`, so it works the same from the TypeScript sources
// (vitest) and from the esbuild bundles, with no extra file to ship.

import { Worker } from 'node:worker_threads';

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
  'adamStep',
  'zeroFloats',
  'sgdStep',
  'directConvForward',
  'winogradConvWeights',
] as const;
export type ThreadFn = (typeof THREAD_FNS)[number];

const MAX_ARGS = 32;
/** Per worker: Int32 [seq, done, fn, nargs/error] then Float64 args. */
const SLOT_BYTES = 16 + MAX_ARGS * 8;
/** How long a worker spins for the next job before it sleeps, and how long the main thread spins. */
const SPIN_MS = 0.3;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, index, names, spinMs, slotBytes, maxArgs } = workerData;
const inst = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('engine wasm abort'); } } });
const fns = names.map((n) => inst.exports[n]);
const ints = new Int32Array(control, index * slotBytes, 4);
const args = new Float64Array(control, index * slotBytes + 16, maxArgs);
let seen = 0;
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
`;

export class ThreadPool {
  /** Threads in all, the main one included. */
  readonly size: number;
  private readonly workers: Worker[] = [];
  private readonly ints: Int32Array[] = [];
  private readonly args: Float64Array[] = [];
  private readonly seq: number[] = [];
  private readonly pending: boolean[] = [];
  private readonly exits: Promise<void>[] = [];
  private live = 0;
  private disposed = false;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, threads: number) {
    this.size = threads;
    const control = new SharedArrayBuffer(SLOT_BYTES * Math.max(1, threads - 1));
    for (let i = 0; i < threads - 1; i++) {
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module, memory, control, index: i, names: THREAD_FNS, spinMs: SPIN_MS, slotBytes: SLOT_BYTES, maxArgs: MAX_ARGS },
      });
      // Unreferenced, so a pool that is never disposed cannot keep the process alive.
      w.unref();
      this.live++;
      this.exits.push(
        new Promise<void>((resolve) =>
          w.once('exit', () => {
            this.live--;
            resolve();
          }),
        ),
      );
      this.workers.push(w);
      this.ints.push(new Int32Array(control, i * SLOT_BYTES, 4));
      this.args.push(new Float64Array(control, i * SLOT_BYTES + 16, MAX_ARGS));
      this.seq.push(0);
      this.pending.push(false);
    }
  }

  /** Starts `fn(...args)` on worker `w` (0-based among the workers) and returns at once. */
  post(w: number, fn: ThreadFn, args: readonly number[]): void {
    if (this.disposed) throw new Error('the engine thread pool is closed');
    const ints = this.ints[w]!;
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
        void this.workers[w]!.terminate();
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
