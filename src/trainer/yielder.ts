// Giving way during long synchronous work (a 50,000-layer network's start-up, a long step, a validation pass):
// the trainer runs on one thread, and a stop request (the editor's message, the CLI's Ctrl+C) is only seen
// when the event loop gets a turn. A Yielder says when a turn is due (every `sliceMs` of work) and takes it.

import type { Yielder } from '../engine';

/** Work between turns of the event loop: a stop is seen well within a second. */
export const SLICE_MS = 100;

/**
 * One macrotask turn of the event loop, so messages from the host are received: setImmediate in Node; in a
 * browser's worker (the web trainer), which has none, a MessageChannel round trip (setTimeout(0) is clamped to
 * 4 ms once nested, too slow between steps).
 */
export function nextTurn(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise<void>((resolve) => setImmediate(resolve));
  return new Promise<void>((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

/** A Yielder whose pause() gives the event loop one macrotask turn and then reports whether to stop. */
export function createYielder(stopRequested: () => boolean, sliceMs = SLICE_MS, now: () => number = performance.now.bind(performance)): Yielder {
  let last = now();
  return {
    due: () => now() - last >= sliceMs,
    pause: async () => {
      await nextTurn();
      last = now();
      return stopRequested();
    },
  };
}
