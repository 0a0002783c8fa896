// The editor's check cache: one check per version; a slow document (a 10 MB file) answers views with its last
// result and is checked again after the typing pauses, so a keystroke never waits seconds for a check.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckCache, MAX_PAUSE_MS, SLOW_MS, type Versioned } from '../../../src/features/checkCache';

/** A document whose check "takes" `cost` ms on a fake clock. */
function setup(cost: number) {
  let clock = 0;
  const doc: Versioned = { key: 'file:///m.cnn', version: 1, text: (): string => `text v${doc.version}` };
  const checked: string[] = [];
  const updates: string[] = [];
  const cache = new CheckCache<string>({
    now: () => clock,
    check: (d) => {
      const t = d.text();
      checked.push(t);
      clock += cost;
      return `checked ${t}`;
    },
    onUpdate: (key) => updates.push(key),
  });
  return { cache, doc, checked, updates };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('CheckCache', () => {
  it('checks each version once, and a cheap document always at its current version', () => {
    const { cache, doc, checked } = setup(1);
    expect(cache.get(doc)).toBe('checked text v1');
    expect(cache.latest(doc)).toBe('checked text v1');
    doc.version = 2;
    expect(cache.latest(doc)).toBe('checked text v2');
    expect(cache.get(doc)).toBe('checked text v2');
    expect(checked).toEqual(['text v1', 'text v2']);
    expect(cache.pending(doc.key)).toBe(false);
  });

  it('answers a slow document with its last result, then checks the newest version once the typing pauses', () => {
    const cost = 2000;
    const { cache, doc, checked, updates } = setup(cost);
    expect(cache.latest(doc)).toBe('checked text v1'); // first sight: checked
    expect(cache.costOf(doc.key)).toBe(cost);
    // Three keystrokes: each view gets the old result at once; nothing is checked while the typing goes on.
    for (const v of [2, 3, 4]) {
      doc.version = v;
      expect(cache.latest(doc)).toBe('checked text v1');
      vi.advanceTimersByTime(cost); // less than the pause (2 × cost) since the last keystroke
    }
    expect(checked).toEqual(['text v1']);
    expect(cache.pending(doc.key)).toBe(true);
    vi.advanceTimersByTime(2 * cost);
    expect(checked).toEqual(['text v1', 'text v4']);
    expect(updates).toEqual([doc.key]);
    expect(cache.latest(doc)).toBe('checked text v4');
    // get() is exact: a command after one more keystroke checks at once.
    doc.version = 5;
    expect(cache.get(doc)).toBe('checked text v5');
    expect(cache.pending(doc.key)).toBe(false);
  });

  it('tells the views when a check for the diagnostics or a command gets to the newer version first', () => {
    const { cache, doc, checked, updates } = setup(1000);
    cache.latest(doc);
    doc.version = 2;
    expect(cache.latest(doc)).toBe('checked text v1'); // the status bar got the old result
    // The diagnostics' own debounce fires before the views' pause is over, and checks version 2 exactly.
    expect(cache.get(doc)).toBe('checked text v2');
    expect(updates).toEqual([doc.key]); // so the status bar, hints and outline ask again
    expect(cache.pending(doc.key)).toBe(false);
    vi.runAllTimers();
    expect(checked).toEqual(['text v1', 'text v2']); // and the views' re-check is not run twice
    expect(updates).toEqual([doc.key]);
    // No stale answer was given for version 3's exact check: nobody is owed an update.
    doc.version = 3;
    cache.get(doc);
    expect(updates).toEqual([doc.key]);
  });

  it('waits at most MAX_PAUSE_MS, and checks a document that became cheap at its current version again', () => {
    let cost = 60_000;
    let clock = 0;
    const doc: Versioned = { key: 'k', version: 1, text: (): string => 'x'.repeat(doc.version) };
    const cache = new CheckCache<number>({
      now: () => clock,
      check: (d) => {
        clock += cost;
        return d.text().length;
      },
    });
    cache.latest(doc);
    doc.version = 2;
    expect(cache.latest(doc)).toBe(1);
    cost = SLOW_MS / 2; // the file was cut down to size
    vi.advanceTimersByTime(MAX_PAUSE_MS);
    expect(cache.latest(doc)).toBe(2);
    doc.version = 3;
    expect(cache.latest(doc)).toBe(3); // cheap again: no more stale answers
  });

  it('forgets a closed document, and its pending check never runs', () => {
    const { cache, doc, checked, updates } = setup(500);
    cache.latest(doc);
    doc.version = 2;
    cache.latest(doc);
    cache.delete(doc.key);
    vi.runAllTimers();
    expect(checked).toEqual(['text v1']);
    expect(updates).toEqual([]);
    expect(cache.costOf(doc.key)).toBe(0);
  });
});
