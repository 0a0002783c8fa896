// The checks of open documents, one per version, and what to do with a document too large to check on every
// keystroke. Pure (no vscode): the editor glue is documents.ts.
//
// A check runs in the extension host, synchronously. A normal file takes a millisecond; a 10 MB one about two
// seconds, and hints, the status bar, the outline and the inspector each ask on every change. So each
// document's last check time is kept: while it is slow (over SLOW_MS), `latest()` answers with the previous
// version's result at once and checks the newest version once the typing pauses for a few times its cost; then
// `onUpdate` tells the views to ask again. `get()` always checks the current version (commands, hover, fixes).

export const SLOW_MS = 50;
/** The pause after the last change before a slow document is checked again, as a multiple of its check time. */
export const PAUSE_FACTOR = 2;
/** The longest such pause. */
export const MAX_PAUSE_MS = 5000;

/** How long to wait after the last change before checking a document whose check takes `costMs`. */
export function pauseAfter(costMs: number): number {
  return Math.min(MAX_PAUSE_MS, PAUSE_FACTOR * costMs);
}

export interface Versioned {
  key: string;
  version: number;
  text(): string;
}

interface Entry<R> {
  version: number;
  result: R;
  ms: number;
  timer: ReturnType<typeof setTimeout> | null;
  /** The document `latest()` was asked about while it served an older version, and that version. */
  wanted: Versioned | null;
  wantedVersion: number;
}

export interface CheckCacheOptions<R> {
  check(doc: Versioned): R;
  now?: () => number;
  onUpdate?: (key: string) => void;
}

export class CheckCache<R> {
  private readonly entries = new Map<string, Entry<R>>();
  private readonly now: () => number;

  constructor(private readonly options: CheckCacheOptions<R>) {
    this.now = options.now ?? (() => performance.now());
  }

  /** The check of this exact version (computed at most once per version). */
  get(doc: Versioned): R {
    const e = this.entries.get(doc.key);
    if (e && e.version === doc.version) return e.result;
    return this.run(doc, e).result;
  }

  /**
   * The check of this version when it is cheap; for a slow document the last result (of an older version) at
   * once, with a check of this version after the pause. Never undefined: a document seen for the first time
   * is checked.
   */
  latest(doc: Versioned): R {
    const e = this.entries.get(doc.key);
    if (!e || e.version === doc.version || e.ms <= SLOW_MS) return this.get(doc);
    this.schedule(doc, e);
    return e.result;
  }

  /** How long the last check of this document took (0 if never checked). */
  costOf(key: string): number {
    return this.entries.get(key)?.ms ?? 0;
  }

  /** Whether a later check of a newer version is waiting. */
  pending(key: string): boolean {
    return Boolean(this.entries.get(key)?.timer);
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (e?.timer) clearTimeout(e.timer);
    this.entries.delete(key);
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.delete(key);
  }

  private run(doc: Versioned, previous: Entry<R> | undefined): Entry<R> {
    // A pending re-check means some view was answered with an older result: whoever checks the newer version
    // first (the timer, or get() for the diagnostics or a command) tells the views to ask again.
    const owed = Boolean(previous?.timer);
    if (previous?.timer) clearTimeout(previous.timer);
    const start = this.now();
    const result = this.options.check(doc);
    const entry: Entry<R> = { version: doc.version, result, ms: this.now() - start, timer: null, wanted: null, wantedVersion: -1 };
    this.entries.set(doc.key, entry);
    if (owed) this.options.onUpdate?.(doc.key);
    return entry;
  }

  private schedule(doc: Versioned, e: Entry<R>): void {
    // Each newer change restarts the pause: check once the typing stops.
    // (The version is kept apart: an editor's document object may read its version live.)
    if (e.timer && e.wantedVersion === doc.version) return;
    if (e.timer) clearTimeout(e.timer);
    e.wanted = doc;
    e.wantedVersion = doc.version;
    const pause = pauseAfter(e.ms); // (slow documents only, so always over 2 × SLOW_MS)
    e.timer = setTimeout(() => {
      const wanted = e.wanted;
      if (!wanted || this.entries.get(doc.key) !== e) return;
      this.run(wanted, e); // (the timer is still set: run() owes the views an update)
    }, pause);
  }
}
