// The engine's runtime in Node (the trainer child process, the command line, the tests, the benchmarks): the
// kernels' builds are files beside the bundle (dist/) or in build/, V8 is told to optimise wasm from the first
// call and to accept relaxed SIMD, and engine threads are worker_threads. Node entry points install it with
// installEngineRuntime(nodeEngineRuntime()).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { EngineRuntime, EngineThread } from './runtime';
import { THREAD_LOOP_SOURCE, type ThreadInit } from './threads';

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

const NODE_THREAD_SOURCE = `${THREAD_LOOP_SOURCE}\nengineThread(require('node:worker_threads').workerData);\n`;

function spawnNodeThread(init: ThreadInit): EngineThread {
  const w = new Worker(NODE_THREAD_SOURCE, { eval: true, workerData: init });
  // Unreferenced, so a pool that is never disposed cannot keep the process alive.
  w.unref();
  return {
    terminate: () => void w.terminate(),
    onExit: (listener) => void w.once('exit', listener),
  };
}

export function nodeEngineRuntime(): EngineRuntime {
  return {
    wasmBytes: (file) => {
      const p = findWasm(file);
      return p ? (readFileSync(p) as Uint8Array<ArrayBuffer>) : null;
    },
    wasmPath: findWasm,
    wasmWhere: () => wasmSearchDirs().join(', '),
    beforeCompile: () => {
      // Kernels run optimised from their first call; relaxed SIMD (fused multiply-add) validates.
      setFlagsFromString('--no-liftoff');
      setFlagsFromString('--experimental-wasm-relaxed-simd');
    },
    spawnThread: spawnNodeThread,
  };
}
