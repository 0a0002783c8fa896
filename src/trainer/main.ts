// The trainer child process (dist/trainer.js), forked by the extension host. Receives one job, trains
// (or, in inspect mode, only answers snapshot requests), streams typed messages, honours stop requests at
// the next step, and exits.

import { type AugmentPreviewRequest, type EvaluateRequest, type ExplainGalleryRequest, type ExplainRequest, isHostMessage, type SnapshotRequest, type TrainerMessage } from '../protocol/trainer';
import { readImageForModel } from './image';
import { type RunHooks, runInspect, runTraining } from './run';

type Request = SnapshotRequest | EvaluateRequest | AugmentPreviewRequest | ExplainRequest | ExplainGalleryRequest;

let stop = false;
let started = false;
const queue: Request[] = [];
let waiter: ((r: Request | null) => void) | null = null;

/** Resolves when every message sent so far has been written to the IPC channel. */
let flushed: Promise<void> = Promise.resolve();

function send(m: TrainerMessage): void {
  if (!process.send || !process.connected) return;
  // Large snapshots queue up in the channel; disconnecting before they are written would drop them (and the
  // `done` after them), so remember when the last one has gone out.
  flushed = new Promise((resolve) => process.send!(m, undefined, {}, () => resolve()));
}

function wake(r: Request | null): void {
  const w = waiter;
  waiter = null;
  w?.(r);
}

const hooks: RunHooks = {
  emit: send,
  stopRequested: () => stop,
  takeRequest: () => {
    // Only the latest snapshot request matters; evaluations are kept.
    return queue.shift() ?? null;
  },
  nextRequest: () => {
    if (stop) return Promise.resolve(null);
    const r = queue.shift();
    if (r) return Promise.resolve(r);
    return new Promise((resolve) => (waiter = resolve));
  },
  readImage: readImageForModel,
};

process.on('message', (raw: unknown) => {
  if (!isHostMessage(raw)) {
    send({ type: 'log', message: `the trainer ignored a malformed message: ${JSON.stringify(raw)?.slice(0, 200)}` });
    return;
  }
  switch (raw.type) {
    case 'start': {
      if (started) return;
      started = true;
      const run = raw.job.mode === 'inspect' ? runInspect : runTraining;
      void run(raw.job, hooks)
        .then(() => flushed)
        .then(() => {
          // Every message is out: leave.
          if (process.connected) process.disconnect();
        });
      break;
    }
    case 'stop':
      stop = true;
      wake(null);
      if (!started) process.exit(0);
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
});

// The parent went away (editor closed): stop at the next step and leave.
process.on('disconnect', () => {
  stop = true;
  wake(null);
  setTimeout(() => process.exit(0), 200).unref();
});
