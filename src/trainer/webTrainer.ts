// The web worker trainer (the browser's side of src/trainer/main.ts): the boot message sets up the machine — the
// engine over the bytes the extension host posted (runtime-web.ts), and a host whose files are in memory
// (MemoryFiles, preloaded with the run's inputs) — then the trainer loop (loop.ts) runs the job as the child
// process does. Every write the run makes goes out as an `fs` batch before the next TrainerMessage, so a message
// that names a file (an epoch's metrics row, a checkpoint, `done`) always arrives after the file's bytes; the
// last batch (the run folder's lock given up) precedes `exit`. webWorker.ts wires this to `self`.

import { installEngineRuntime } from '../engine/runtime';
import { webEngineRuntime } from '../engine/runtime-web';
import { host, installHost } from '../platform/host';
import { MemoryFiles } from '../platform/memory';
import { webHost } from '../platform/webHost';
import type { TrainerMessage } from '../protocol/trainer';
import { isPreloadMessage, isWorkerBoot, type WorkerBoot, type WorkerMessage } from '../protocol/webTrainer';
import { readImageForModel } from './image';
import { createTrainerLoop, type TrainerLoop } from './loop';
import { runInspect, runTraining } from './run';

export interface WebTrainer {
  /** One message from the extension host: the boot first, then the trainer protocol's HostMessages. */
  receive(raw: unknown): void;
  /** Resolves once `exit` was posted: the worker may close. */
  readonly ended: Promise<void>;
}

/** `post` sends a message to the extension host (self.postMessage in the worker). */
export function createWebTrainer(post: (m: WorkerMessage) => void): WebTrainer {
  let files: MemoryFiles | null = null;
  let loop: TrainerLoop | null = null;
  let over = false;
  let resolveEnded!: () => void;
  const ended = new Promise<void>((r) => (resolveEnded = r));

  /** The writes made since the last message, as one batch ahead of it. */
  const flushOps = () => {
    const ops = files?.takeOps() ?? [];
    if (ops.length) post({ type: 'fs', ops });
  };
  const exit = (error?: string) => {
    if (over) return;
    over = true;
    flushOps();
    post(error === undefined ? { type: 'exit' } : { type: 'exit', error });
    resolveEnded();
  };
  const send = (m: TrainerMessage) => {
    if (over) return;
    flushOps();
    post(m);
  };

  function boot(b: WorkerBoot): void {
    files = new MemoryFiles({ files: b.files.map((f) => [f.path, f.data] as [string, Uint8Array]), dirs: b.folders, cwd: b.cwd });
    installHost(webHost(files, { cwd: b.cwd, totalMemoryBytes: b.memoryBytes }));
    installEngineRuntime(webEngineRuntime(b.wasm as Record<string, Uint8Array<ArrayBuffer>>, { threads: b.threads }));
    loop = createTrainerLoop(
      {
        send,
        // postMessage hands a message over at once: nothing is left to wait for.
        flushed: () => Promise.resolve(),
        finish: () => exit(),
        exitIdle: () => exit(),
      },
      { train: runTraining, inspect: runInspect, readImage: readImageForModel },
    );
  }

  return {
    receive(raw) {
      if (over) return;
      if (!loop) {
        if (!isWorkerBoot(raw)) {
          post({ type: 'error', stage: 'setup', message: 'The web trainer was sent a job before its boot message (the engine and the input files).' });
          exit('no boot message');
          return;
        }
        try {
          boot(raw);
        } catch (err) {
          post({ type: 'error', stage: 'setup', message: `The web trainer could not start: ${(err as Error).message}` });
          exit((err as Error).stack ?? String(err));
        }
        return;
      }
      if (isPreloadMessage(raw)) {
        // Files the host read after the boot (an image picked for a snapshot): into the tree, not into the
        // workspace, so the writes so far go out first and the preload's own are dropped.
        flushOps();
        for (const f of raw.files) {
          try {
            files!.mkdir(host().path.dirname(f.path), { recursive: true });
            files!.writeFile(f.path, f.data);
          } catch {
            // A path the tree cannot hold (under a file): the request that names it fails in the trainer's words.
          }
        }
        files!.takeOps();
        return;
      }
      loop.receive(raw);
    },
    ended,
  };
}
