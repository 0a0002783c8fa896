// The trainer child process (dist/trainer.js), forked by the extension host. Receives one job, trains
// (or, in inspect mode, only answers snapshot requests), streams typed messages, honours stop requests at
// the next step, and exits. The loop itself is loop.ts (shared with the web worker trainer); this file is
// its transport over the IPC channel.

import { installEngineRuntime } from '../engine/runtime';
import { nodeEngineRuntime } from '../engine/runtime-node';
import { installHost } from '../platform/host';
import { nodeHost } from '../platform/node';
import type { TrainerMessage } from '../protocol/trainer';
import { readImageForModel } from './image';
import { createTrainerLoop } from './loop';
import { runInspect, runTraining } from './run';

installHost(nodeHost);
installEngineRuntime(nodeEngineRuntime());

/** Resolves when every message sent so far has been written to the IPC channel. */
let flushed: Promise<void> = Promise.resolve();

function send(m: TrainerMessage): void {
  if (!process.send || !process.connected) return;
  // Large snapshots queue up in the channel; disconnecting before they are written would drop them (and the
  // `done` after them), so remember when the last one has gone out.
  flushed = new Promise((resolve) => process.send!(m, undefined, {}, () => resolve()));
}

const loop = createTrainerLoop(
  {
    send,
    flushed: () => flushed,
    finish: () => {
      if (process.connected) process.disconnect();
    },
    exitIdle: () => process.exit(0),
  },
  { train: runTraining, inspect: runInspect, readImage: readImageForModel },
);

process.on('message', (raw: unknown) => loop.receive(raw));

// The parent went away (editor closed): stop at the next step and leave.
process.on('disconnect', () => {
  loop.hostGone();
  setTimeout(() => process.exit(0), 200).unref();
});
