// The trainer's message loop, whatever carries the messages: one job per trainer (a `start` message), stop
// requests honoured at the next step, snapshot/evaluation/preview/explanation requests queued for the run to
// take between steps (or, in inspect mode, to wait for), and every message out before the trainer leaves. The
// Node child process (main.ts: process.send) and the web worker (webWorker.ts: postMessage) are its transports.

import { type DoneMessage, type ErrorMessage, isHostMessage, type RunRequest, type TrainerMessage, type TrainJob } from '../protocol/trainer';
import type { RunHooks } from './hooks';

export interface TrainerTransport {
  /** Sends one message to the host. */
  send(m: TrainerMessage): void;
  /** Resolves once every message sent so far is out (written to the channel). */
  flushed(): Promise<void>;
  /** The run is over and every message is out: leave (disconnect, post the last message). */
  finish(): void;
  /** A stop came before any job: leave at once, nothing was started. */
  exitIdle(): void;
}

/** How a job runs (run.ts; tests pass their own). */
export interface TrainerRunners {
  train(job: TrainJob, hooks: RunHooks): Promise<DoneMessage | ErrorMessage>;
  inspect(job: TrainJob, hooks: RunHooks): Promise<DoneMessage | ErrorMessage>;
  readImage?: RunHooks['readImage'];
}

export interface TrainerLoop {
  /** One message from the host, checked here. */
  receive(raw: unknown): void;
  /** The host went away: stop at the next step. */
  hostGone(): void;
  /** Resolves when the job's run has ended and the transport was told to finish. */
  readonly ended: Promise<void>;
}

export function createTrainerLoop(transport: TrainerTransport, runners: TrainerRunners): TrainerLoop {
  let stop = false;
  let started = false;
  const queue: RunRequest[] = [];
  let waiter: ((r: RunRequest | null) => void) | null = null;
  let resolveEnded!: () => void;
  const ended = new Promise<void>((r) => (resolveEnded = r));

  function wake(r: RunRequest | null): void {
    const w = waiter;
    waiter = null;
    w?.(r);
  }

  const hooks: RunHooks = {
    emit: (m) => transport.send(m),
    stopRequested: () => stop,
    takeRequest: () => queue.shift() ?? null,
    nextRequest: () => {
      if (stop) return Promise.resolve(null);
      const r = queue.shift();
      if (r) return Promise.resolve(r);
      return new Promise((resolve) => (waiter = resolve));
    },
    ...(runners.readImage ? { readImage: runners.readImage } : {}),
  };

  function receive(raw: unknown): void {
    if (!isHostMessage(raw)) {
      transport.send({ type: 'log', message: `the trainer ignored a malformed message: ${JSON.stringify(raw)?.slice(0, 200)}` });
      return;
    }
    switch (raw.type) {
      case 'start': {
        if (started) return;
        started = true;
        const run = raw.job.mode === 'inspect' ? runners.inspect : runners.train;
        void run(raw.job, hooks)
          .then(() => transport.flushed())
          .then(() => {
            // Every message is out: leave.
            transport.finish();
            resolveEnded();
          });
        break;
      }
      case 'stop':
        stop = true;
        wake(null);
        if (!started) transport.exitIdle();
        break;
      case 'snapshot':
      case 'evaluate':
      case 'augmentPreview':
      case 'explain':
      case 'explainGallery':
        // A newer snapshot (or augmentation preview: one per keystroke; or explanation) request replaces an older one still waiting.
        if (raw.type !== 'evaluate') {
          const i = queue.findIndex((q) => q.type === raw.type);
          if (i >= 0) queue.splice(i, 1);
        }
        if (waiter) wake(raw);
        else queue.push(raw);
        break;
    }
  }

  return {
    receive,
    hostGone: () => {
      stop = true;
      wake(null);
    },
    ended,
  };
}
