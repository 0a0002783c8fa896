// What the engine needs from the runtime it runs in, given once by the entry point: where the compiled kernels'
// bytes come from, and how to start an engine thread. Node (the trainer child, the command line, the tests, the
// benchmarks) installs runtime-node.ts; the web worker trainer installs runtime-web.ts with the bytes the
// extension host read through vscode.workspace.fs. Nothing here imports a Node module, so the browser bundle
// (esbuild refuses `node:` imports there) can carry the engine.

import type { ThreadInit } from './threads';

/** One started engine thread (a worker_threads Worker, a Web Worker). */
export interface EngineThread {
  /** Ends it at once (the pool has already asked it to leave its loop). */
  terminate(): void;
  /** `listener` runs once when the thread has ended (or could not start). */
  onExit(listener: () => void): void;
}

export interface EngineRuntime {
  /** The bytes of one build of the kernels (a name of WASM_FILES), or null when this runtime has none of it. */
  wasmBytes(file: string): Uint8Array<ArrayBuffer> | null;
  /** Where the builds were looked for, for the error when none is there. */
  wasmWhere(): string;
  /** Where one build was found (a path), for WasmModuleInfo.path; its name when absent. */
  wasmPath?(file: string): string | null;
  /** Called once before the first build is compiled (Node turns off Liftoff and turns on relaxed SIMD). */
  beforeCompile?(): void;
  /**
   * Starts one engine thread running the kernels over the shared memory in `init`, or null when this runtime
   * cannot share memory with a thread (a page that is not cross-origin isolated): the engine then runs on one.
   */
  spawnThread: ((init: ThreadInit) => EngineThread) | null;
}

let current: EngineRuntime | null = null;

/** The runtime the entry point installed; throws when none was (a wiring mistake, never a user's). */
export function engineRuntime(): EngineRuntime {
  if (!current) throw new Error('CNN Studio: no engine runtime installed (an entry point must call installEngineRuntime first)');
  return current;
}

/** Installs the engine's runtime (again: replaces it; modules compiled from the last one are not reused). */
export function installEngineRuntime(r: EngineRuntime): void {
  current = r;
}

/** The installed runtime, or null (for callers that have a fallback of their own). */
export function installedEngineRuntime(): EngineRuntime | null {
  return current;
}
