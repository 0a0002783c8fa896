import { describe, expect, it } from 'vitest';
import { type DataPathKind, StatCache } from '../../../src/features/statCache';

/** A fetch whose answers the test hands out one by one. */
function source() {
  const pending: Array<(v: DataPathKind) => void> = [];
  let calls = 0;
  return {
    fetch: () => {
      calls++;
      return new Promise<DataPathKind>((resolve) => pending.push(resolve));
    },
    answer(v: DataPathKind) {
      pending.shift()!(v);
    },
    get calls() {
      return calls;
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('StatCache (data paths for the checker in the browser)', () => {
  it('answers "not known" first, fetches once, then calls every waiting asker back with the answer', async () => {
    let now = 0;
    const cache = new StatCache<string>({ refreshMs: 1000, now: () => now });
    const src = source();
    const calledA: number[] = [];
    const calledB: number[] = [];
    expect(cache.get('data', src.fetch, () => calledA.push(now))).toBeUndefined();
    expect(cache.get('data', src.fetch, () => calledB.push(now))).toBeUndefined();
    expect(src.calls).toBe(1);
    now = 5;
    src.answer('dir');
    await tick();
    expect(calledA).toEqual([5]);
    expect(calledB).toEqual([5]);
    expect(cache.get('data', src.fetch, () => undefined)).toBe('dir');
    expect(src.calls).toBe(1);
  });

  it('looks a known answer up again once it is old, and calls back only when it changed', async () => {
    let now = 0;
    const cache = new StatCache<string>({ refreshMs: 1000, now: () => now });
    const src = source();
    let changes = 0;
    const changed = () => changes++;
    cache.get('d', src.fetch, changed);
    src.answer(null);
    await tick();
    expect(changes).toBe(1);
    now = 500;
    expect(cache.get('d', src.fetch, changed)).toBeNull();
    expect(src.calls).toBe(1); // still fresh
    now = 1500;
    expect(cache.get('d', src.fetch, changed)).toBeNull(); // the old answer at once
    expect(src.calls).toBe(2);
    src.answer(null);
    await tick();
    expect(changes).toBe(1); // unchanged: no second check
    now = 3000;
    cache.get('d', src.fetch, changed);
    src.answer('dir'); // the folder was created meanwhile
    await tick();
    expect(changes).toBe(2);
    expect(cache.get('d', src.fetch, changed)).toBe('dir');
  });

  it('takes a failed look-up for "nothing there"', async () => {
    const cache = new StatCache<string>({ refreshMs: 1000, now: () => 0 });
    let changes = 0;
    cache.get('x', () => Promise.reject(new Error('EntryNotFound')), () => changes++);
    await tick();
    expect(changes).toBe(1);
    expect(cache.get('x', () => Promise.resolve('file'), () => changes++)).toBeNull();
  });
});
