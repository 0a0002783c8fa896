// Rate limits for the inspector's stream of trainer messages to the webview.

/** Progress at most 5 a second, snapshots at most 2 a second (the last one always gets through). */
export const PROGRESS_INTERVAL_MS = 200;
export const SNAPSHOT_INTERVAL_MS = 500;

/** Sends at most one value per interval; a value that comes too soon waits, and only the newest waits. */
export class Throttle<T> {
  private last = 0;
  private pending: T | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly send: (v: T) => void,
  ) {}

  push(v: T): void {
    const now = Date.now();
    if (this.timer === null && now - this.last >= this.intervalMs) {
      this.last = now;
      this.send(v);
      return;
    }
    this.pending = v;
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.intervalMs - (now - this.last)));
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending !== null) {
      const v = this.pending;
      this.pending = null;
      this.last = Date.now();
      this.send(v);
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }
}
