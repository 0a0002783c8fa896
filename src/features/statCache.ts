// What a data path is (a file, a folder, nothing), remembered for a synchronous asker (the checker) over an
// asynchronous source (vscode.workspace.fs): pure, so its timing rules are unit-tested (webCheckHost.ts wires it).
//
// - Never asked before: `undefined` ("not known yet") at once; the answer is fetched, and every asker waiting on
//   the key is called back when it arrives.
// - Known: the answer at once; when older than `refreshMs` it is fetched again in the background, and the askers
//   are called back only if it changed.
// - One fetch per key at a time; a failed fetch counts as "nothing there".

export type DataPathKind = 'file' | 'dir' | null;

interface Entry {
  value: DataPathKind | undefined;
  at: number;
  pending: boolean;
  waiters: Set<() => void>;
}

export class StatCache<K> {
  private readonly entries = new Map<K, Entry>();

  constructor(private readonly options: { refreshMs: number; now: () => number }) {}

  get(key: K, fetch: () => Promise<DataPathKind>, changed: () => void): DataPathKind | undefined {
    let e = this.entries.get(key);
    if (!e) {
      e = { value: undefined, at: 0, pending: false, waiters: new Set() };
      this.entries.set(key, e);
    }
    e.waiters.add(changed);
    if (!e.pending && (e.value === undefined || this.options.now() - e.at >= this.options.refreshMs)) {
      e.pending = true;
      const entry = e;
      const settle = (value: DataPathKind) => {
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
