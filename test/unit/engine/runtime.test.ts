// The engine's runtime (src/engine/runtime.ts): where the kernels' bytes come from and how threads start. The
// web runtime (bytes handed over, Web Workers only in a cross-origin-isolated page) and a thread that never
// starts (a browser starts a worker only once its creator yields) must give one thread's results, never a hang.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveObjectURL } from 'node:buffer';
import { Worker as NodeWorker } from 'node:worker_threads';
import { createNetwork, type Network } from '../../../src/engine';
import type { ThreadInit } from '../../../src/engine/threads';
import { loadWasmModule, WASM_FILES } from '../../../src/engine/backend';
import { type EngineRuntime, installEngineRuntime } from '../../../src/engine/runtime';
import { nodeEngineRuntime } from '../../../src/engine/runtime-node';
import { webEngineRuntime } from '../../../src/engine/runtime-web';
import { Rng } from '../../../src/engine/rng';
import { BENCH_MODELS } from '../../../src/engine/specs';

const build = join(__dirname, '../../../build');
const bytes = (f: string) => new Uint8Array(readFileSync(join(build, f)));

afterEach(() => installEngineRuntime(nodeEngineRuntime()));

interface Trained {
  losses: number[];
  params: number[];
  threads: number;
  workers: number;
}

/** Three steps of the lecture network from seed 3 on one batch: the loss of each and the weights after. */
function train(threads: number): Trained {
  return steps(createNetwork(BENCH_MODELS.lecture(), { seed: 3, batch: 6, threads, optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 } }));
}

function steps(net: Network): Trained {
  const spec = BENCH_MODELS.lecture();
  const n = 6;
  const rng = new Rng(9);
  const x = new Float32Array(n * spec.input.h * spec.input.w * spec.input.c).map(() => rng.uniform());
  const labels = new Int32Array(n).map(() => rng.int(net.classes));
  const losses = [0, 1, 2].map(() => net.trainStep(x, labels, n).loss);
  const out = { losses, params: Array.from(net.flatParams()), threads: net.threads, workers: net.workersRunning };
  void net.dispose();
  return out;
}

describe('engine runtime', () => {
  it('the web runtime runs the kernels from bytes it was given, on one thread where the page is not cross-origin isolated', () => {
    const reference = train(1);
    installEngineRuntime(webEngineRuntime(Object.fromEntries(WASM_FILES.map((f) => [f, bytes(f)]))));
    expect(loadWasmModule()?.path).toMatch(/^engine-(relaxed|simd)\.wasm$/);
    // Node is not cross-origin isolated: four threads asked for, one given, no workers started.
    const web = train(4);
    expect([web.threads, web.workers]).toEqual([1, 0]);
    expect(web.losses).toEqual(reference.losses);
    expect(web.params).toEqual(reference.params);
  });

  it('falls back from relaxed to plain SIMD when the relaxed build does not validate, and says where it looked when none is there', () => {
    installEngineRuntime(webEngineRuntime({ 'engine-relaxed.wasm': new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]) as Uint8Array<ArrayBuffer>, 'engine-simd.wasm': bytes('engine-simd.wasm') }));
    expect(loadWasmModule()?.variant).toBe('wasm-simd');
    installEngineRuntime(webEngineRuntime({}));
    expect(loadWasmModule()).toBeNull();
    expect(() => createNetwork(BENCH_MODELS.lecture(), { seed: 1, backend: 'wasm-simd' })).toThrow(/not found \(looked in the builds the extension gave the trainer \(none\)\)/);
  });

  it('runs the jobs of a thread that has not started on the main thread: the numbers of running threads, no hang', () => {
    // Three threads sum weight gradients in their own order; the same count reproduces itself bit for bit.
    const reference = train(3);
    expect(reference.workers).toBe(2);
    const node = nodeEngineRuntime();
    let spawned = 0;
    const neverStarts: EngineRuntime = {
      ...node,
      spawnThread: () => {
        spawned++;
        return { terminate: () => {}, onExit: () => {} };
      },
    };
    installEngineRuntime(neverStarts);
    const stalled = train(3);
    expect(spawned).toBe(2);
    expect(stalled.threads).toBe(3);
    expect(stalled.losses).toEqual(reference.losses);
    expect(stalled.params).toEqual(reference.params);
  });

  it('the web runtime starts its threads from a Blob URL where the page is cross-origin isolated, and they run the kernels', async () => {
    const reference = train(3);
    const started: ThreadInit[] = [];
    const created: string[] = [];
    /** A browser's Worker, played by worker_threads: the script is the Blob's text, started only once it is read. */
    class FakeWebWorker {
      private w: NodeWorker | null = null;
      private readonly queue: unknown[] = [];
      private dead = false;
      onerror: (() => void) | null = null;
      constructor(url: string) {
        created.push(url);
        void resolveObjectURL(url)!.text().then((text) => {
          if (this.dead) return;
          const self = "const { parentPort } = require('node:worker_threads'); const self = { set onmessage(f) { if (f) parentPort.once('message', (d) => f({ data: d })); } };\n";
          this.w = new NodeWorker(self + text, { eval: true });
          this.w.unref();
          for (const m of this.queue.splice(0)) this.w.postMessage(m);
        });
      }
      postMessage(m: ThreadInit): void {
        started.push(m);
        if (this.w) this.w.postMessage(m);
        else this.queue.push(m);
      }
      terminate(): void {
        this.dead = true;
        void this.w?.terminate();
      }
    }
    const scope = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
    scope.crossOriginIsolated = true;
    scope.Worker = FakeWebWorker;
    try {
      installEngineRuntime(webEngineRuntime(Object.fromEntries(WASM_FILES.map((f) => [f, bytes(f)]))));
      const net = createNetwork(BENCH_MODELS.lecture(), { seed: 3, batch: 6, threads: 3, optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 } });
      expect(created).toHaveLength(2);
      expect(created.every((u) => u.startsWith('blob:'))).toBe(true);
      expect(started.map((i) => [i.index, i.memory.buffer instanceof SharedArrayBuffer, i.control instanceof SharedArrayBuffer])).toEqual([
        [0, true, true],
        [1, true, true],
      ]);
      // Wait until both threads say they run (the flag the pool reads before it hands one a job).
      const flag = (i: ThreadInit) => new Int32Array(i.control, i.index * i.slotBytes, i.headerBytes / 4);
      await new Promise<void>((resolve) => {
        const check = () => (started.every((i) => Atomics.load(flag(i), 4) === 1) ? resolve() : setTimeout(check, 2));
        check();
      });
      const web = steps(net);
      expect(web.losses).toEqual(reference.losses);
      expect(web.params).toEqual(reference.params);
      // Jobs went to the threads, not to the main thread.
      expect(started.every((i) => Atomics.load(flag(i), 0) > 0)).toBe(true);
    } finally {
      delete scope.crossOriginIsolated;
      delete scope.Worker;
    }
  });
});
