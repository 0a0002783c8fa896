// What a data path is (a file, a folder, nothing), or another answer about it kept as a string (a data folder's
// class folders), remembered for a synchronous asker (the checker) over an asynchronous source
// (vscode.workspace.fs): pure, so its timing rules are unit-tested (webCheckHost.ts wires it).
//
// - Never asked before: `undefined` ("not known yet") at once; the answer is fetched, and every asker waiting on
//   the key is called back when it arrives.
// - Known: the answer at once; when older than `refreshMs` it is fetched again in the background, and the askers
//   are called back only if it changed.
// - One fetch per key at a time; a failed fetch counts as "nothing there" (null).
// - Answers are compared with ===, so an answer is a string (or null), never a fresh object.

export type DataPathKind = 'file' | 'dir' | null;

interface Entry<V> {
  value: V | null | undefined;
  at: number;
  pending: boolean;
  waiters: Set<() => void>;
}

export class StatCache<K, V extends string | null = DataPathKind> {
  private readonly entries = new Map<K, Entry<V>>();

  constructor(private readonly options: { refreshMs: number; now: () => number }) {}

  get(key: K, fetch: () => Promise<V>, changed: () => void): V | null | undefined {
    let e = this.entries.get(key);
    if (!e) {
      e = { value: undefined, at: 0, pending: false, waiters: new Set() };
      this.entries.set(key, e);
    }
    e.waiters.add(changed);
    if (!e.pending && (e.value === undefined || this.options.now() - e.at >= this.options.refreshMs)) {
      e.pending = true;
      const entry = e;
      const settle = (value: V | null) => {
        entry.pending = false;
        entry.at = this.options.now();
        const before = entry.value;
        entry.value = value;
        if (before === value) return;
        const waiting = [...entry.waiters];
        entry.waiters.clear();
        for (const w of waiting) w();
      };
      fetch().then(settle, () => settle(null));
    }
    return e.value;
  }
}
