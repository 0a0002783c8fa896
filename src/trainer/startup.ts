// Start-up of a training run as the user sees it: between its stages (checking the model, opening the data,
// building the network, the first step) the event loop gets a turn, so a stop request or Ctrl+C is honoured
// at once, and a start-up that takes a while says what it is doing (a `preparing` message per stage): a
// network of 50,000 layers is never half a minute of silence.

import type { Yielder } from '../engine';
import type { PreparingMessage } from '../protocol/trainer';

/** Start-up news only after this long, or at once for a network this deep (its start-up will take a while). */
export const ANNOUNCE_AFTER_MS = 1000;
export const MANY_LAYERS = 2000;
/** A source this long (characters) takes a while to check: said before the check begins. */
export const LONG_SOURCE = 1_000_000;

/** Thrown out of a start-up stage when a stop was requested before training began. */
export class StoppedBeforeStart extends Error {
  constructor() {
    super('stopped before training started');
  }
}

export class Startup {
  private readonly t0: number;
  /** Layer statements of the network, once the model is checked. */
  layers = 0;

  constructor(
    private readonly emit: (m: PreparingMessage) => void,
    private readonly yielder: Yielder,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.t0 = now();
  }

  /**
   * Begins a stage: news when due (or when `slow` says this stage will take a while), a turn of the event
   * loop, and StoppedBeforeStart when a stop came.
   */
  async stage(stage: string, slow = false): Promise<void> {
    const t = this.now();
    const elapsed = t - this.t0;
    if (slow || elapsed >= ANNOUNCE_AFTER_MS || this.layers >= MANY_LAYERS) {
      this.emit({ type: 'preparing', stage, layers: this.layers, seconds: elapsed / 1000 });
    }
    if (await this.yielder.pause()) throw new StoppedBeforeStart();
  }
}
