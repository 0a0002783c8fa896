// The engine's runtime in a browser's Web Worker (the web extension's trainer, src/trainer/webWorker.ts): the
// kernels' builds are bytes the extension host read with vscode.workspace.fs and posted in the boot message, and
// engine threads are Web Workers made from a Blob URL of the thread program, over a shared WebAssembly.Memory.
// Posting shared memory to a worker needs a cross-origin-isolated page (vscode.dev is; code-server is only behind
// a proxy that sends COOP/COEP): without it the engine runs on one thread.

import type { EngineRuntime, EngineThread } from './runtime';
import { THREAD_LOOP_SOURCE, type ThreadInit } from './threads';

const WEB_THREAD_SOURCE = `${THREAD_LOOP_SOURCE}\nself.onmessage = (e) => { self.onmessage = null; engineThread(e.data); };\n`;

export interface WebEngineOptions {
  /** Whether engine threads may be started (default: when the worker is cross-origin isolated). */
  threads?: boolean;
}

/** True where this scope may share memory with a worker it starts. */
export function canShareMemory(): boolean {
  const scope = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown; Blob?: unknown; URL?: { createObjectURL?: unknown } };
  return scope.crossOriginIsolated === true && typeof scope.Worker === 'function' && typeof scope.Blob === 'function' && typeof scope.URL?.createObjectURL === 'function';
}

let threadUrl: string | null = null;

function spawnWebThread(init: ThreadInit): EngineThread {
  threadUrl ??= URL.createObjectURL(new Blob([WEB_THREAD_SOURCE], { type: 'text/javascript' }));
  const w = new Worker(threadUrl, { name: `cnn-engine-${init.index + 1}` });
  const listeners: (() => void)[] = [];
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    for (const l of listeners.splice(0)) l();
  };
  // A thread that fails to start never says it started: the pool runs its jobs on the main thread.
  w.onerror = () => {
    w.terminate();
    end();
  };
  w.postMessage(init);
  return {
    terminate: () => {
      w.terminate();
      end();
    },
    onExit: (listener) => {
      if (ended) listener();
      else listeners.push(listener);
    },
  };
}

/** The runtime over `wasm` (a build's name → its bytes, see WASM_FILES). */
export function webEngineRuntime(wasm: ReadonlyMap<string, Uint8Array<ArrayBuffer>> | Record<string, Uint8Array<ArrayBuffer>>, opts: WebEngineOptions = {}): EngineRuntime {
  const bytes = wasm instanceof Map ? wasm : new Map(Object.entries(wasm));
  const threads = (opts.threads ?? true) && canShareMemory();
  return {
    wasmBytes: (file) => bytes.get(file) ?? null,
    wasmWhere: () => `the builds the extension gave the trainer (${[...bytes.keys()].join(', ') || 'none'})`,
    spawnThread: threads ? spawnWebThread : null,
  };
}
