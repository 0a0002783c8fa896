import { describe, expect, it } from 'vitest';
import { Batcher, type Dataset } from '../../../src/data/index';

/** A dataset whose sample i is filled with i and labelled i % 5. */
function counting(n: number, h = 2, w = 3, c = 1): Dataset {
  return {
    size: n,
    height: h,
    width: w,
    channels: c,
    numClasses: 5,
    classNames: ['a', 'b', 'c', 'd', 'e'],
    read(i, out, offset) {
      out.fill(i, offset, offset + h * w * c);
    },
    label: (i) => i % 5,
  };
}

function epochIds(b: Batcher, e: number): number[] {
  const ids: number[] = [];
  for (const batch of b.epoch(e)) {
    expect(batch.x.length).toBe(batch.n * b.sampleSize);
    for (let r = 0; r < batch.n; r++) {
      const id = batch.x[r * b.sampleSize];
      expect(batch.x[(r + 1) * b.sampleSize - 1]).toBe(id);
      expect(batch.y[r]).toBe(id % 5);
      ids.push(id);
    }
  }
  return ids;
}

describe('Batcher', () => {
  it('visits every sample exactly once per epoch, with a short last batch', () => {
    const b = new Batcher(counting(103), { batchSize: 10, seed: 1 });
    expect(b.batchesPerEpoch).toBe(11);
    expect(b.x.length).toBe(10 * 6);
    const ids = epochIds(b, 0);
    expect(ids).toHaveLength(103);
    expect([...ids].sort((p, q) => p - q)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    const sizes = [...b.epoch(1)].map((x) => x.n);
    expect(sizes).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
    // The unused rows of the short batch are zeroed.
    b.fill(0, 10);
    expect(Array.from(b.y.subarray(3))).toEqual(new Array(7).fill(0));
    expect(b.x.subarray(3 * 6).every((v) => v === 0)).toBe(true);
  });

  it('shuffles anew each epoch, reproducibly from the seed', () => {
    const a = new Batcher(counting(50), { batchSize: 8, seed: 42 });
    const b = new Batcher(counting(50), { batchSize: 8, seed: 42 });
    const c = new Batcher(counting(50), { batchSize: 8, seed: 43 });
    const e0 = epochIds(a, 0);
    const e1 = epochIds(a, 1);
    expect(e0).not.toEqual(e1);
    expect(e0).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    // Same seed → same order, in any epoch order (resuming at epoch 1 replays it exactly).
    expect(epochIds(b, 1)).toEqual(e1);
    expect(epochIds(b, 0)).toEqual(e0);
    expect(epochIds(c, 0)).not.toEqual(e0);
    expect(Array.from(a.order(3))).toEqual(Array.from(b.order(3)));
  });

  it('keeps the order without shuffling and can drop the last batch', () => {
    const v = new Batcher(counting(7), { batchSize: 3, seed: 1, shuffle: false });
    expect(epochIds(v, 0)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const d = new Batcher(counting(7), { batchSize: 3, seed: 1, dropLast: true });
    expect(d.batchesPerEpoch).toBe(2);
    expect(epochIds(d, 0)).toHaveLength(6);
    expect(d.fill(0, 2)).toBe(0);
    expect(() => new Batcher(counting(7), { batchSize: 0, seed: 1 })).toThrow(/batch size/);
  });

  it('handles a batch larger than the dataset', () => {
    const b = new Batcher(counting(4, 1, 1, 3), { batchSize: 16, seed: 9 });
    expect(b.batchesPerEpoch).toBe(1);
    expect(b.fill(0, 0)).toBe(4);
    expect([...b.y.subarray(0, 4)].sort()).toEqual([0, 1, 2, 3]);
  });
});
