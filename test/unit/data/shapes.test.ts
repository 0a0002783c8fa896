import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { SHAPES_CLASSES, SHAPES_DEFAULT_SAMPLES, openData, probeData, renderShapePng, samplePng } from '../../../src/data/index';
import { ShapesDataset } from '../../../src/data/shapes';
import type { DataSpec } from '../../../src/language/model';

const spec = (samples = SHAPES_DEFAULT_SAMPLES, val: number | null = null): DataSpec => ({ kind: 'shapes', samples, val, line: 0 });

function sample(ds: ShapesDataset, i: number): Float32Array {
  const out = new Float32Array(ds.height * ds.width * ds.channels);
  ds.read(i, out, 0);
  return out;
}

describe('data shapes', () => {
  it('is deterministic from the seed and differs between seeds and indices', () => {
    const a = new ShapesDataset(30, 32, 32, 3, 7);
    const b = new ShapesDataset(30, 32, 32, 3, 7);
    const c = new ShapesDataset(30, 32, 32, 3, 8);
    expect(sample(a, 5)).toEqual(sample(b, 5));
    // Reading out of order gives the same pixels (each sample has its own generator).
    const s12 = sample(a, 12);
    sample(a, 3);
    expect(sample(a, 12)).toEqual(s12);
    expect(sample(a, 5)).not.toEqual(sample(c, 5));
    expect(sample(a, 5)).not.toEqual(sample(a, 8));
  });

  it('draws at any size and channel count, in [0, 1], grey when C=1', () => {
    for (const [h, w, ch] of [
      [17, 23, 1],
      [32, 32, 3],
      [64, 48, 3],
      [8, 8, 1],
    ]) {
      const ds = new ShapesDataset(9, h, w, ch, 1);
      for (let i = 0; i < 9; i++) {
        const s = sample(ds, i);
        expect(s.length).toBe(h * w * ch);
        let min = Infinity;
        let max = -Infinity;
        for (const v of s) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
        expect(min).toBeGreaterThanOrEqual(0);
        expect(max).toBeLessThanOrEqual(1);
        expect(max - min).toBeGreaterThan(0.25); // something is drawn
      }
    }
    // The grey image is the luminance of the colour one.
    const rgb = sample(new ShapesDataset(3, 16, 16, 3, 4), 2);
    const grey = sample(new ShapesDataset(3, 16, 16, 1, 4), 2);
    for (let p = 0; p < 256; p++) expect(grey[p]).toBeCloseTo(0.299 * rgb[3 * p] + 0.587 * rgb[3 * p + 1] + 0.114 * rgb[3 * p + 2], 5);
  });

  it('balances the three classes and splits train/val by the fraction', () => {
    const probe = probeData(spec(), '.', { input: { h: 32, w: 32, c: 3 } });
    expect(probe).toMatchObject({ kind: 'shapes', numClasses: 3, classNames: ['door', 'stair', 'sign'], trainSize: 2700, valSize: 300, fixedSize: false });
    const d = openData(spec(), { baseDir: '.', input: { h: 32, w: 32, c: 3 }, numClasses: 3, seed: 7 });
    expect(d.classNames).toEqual([...SHAPES_CLASSES]);
    const counts = [0, 0, 0];
    for (let i = 0; i < d.train.size; i++) counts[d.train.label(i)]++;
    for (let i = 0; i < d.val!.size; i++) counts[d.val!.label(i)]++;
    expect(counts).toEqual([1000, 1000, 1000]);
    for (const c of counts) expect(c).toBe(1000);
    const valCounts = [0, 0, 0];
    for (let i = 0; i < d.val!.size; i++) valCounts[d.val!.label(i)]++;
    for (const c of valCounts) expect(c).toBeGreaterThan(70);
  });

  it('renumbers to the model class order and checks the class count', () => {
    const d = openData(spec(30, 0), { baseDir: '.', input: { h: 8, w: 8, c: 1 }, numClasses: 3, classNames: ['sign', 'door', 'stair'], seed: 1 });
    expect(d.classNames).toEqual(['sign', 'door', 'stair']);
    expect([0, 1, 2].map((i) => d.train.label(i))).toEqual([1, 2, 0]);
    expect(() => openData(spec(30), { baseDir: '.', input: { h: 8, w: 8, c: 1 }, numClasses: 10, seed: 1 })).toThrow(
      'the data has 3 classes (door, stair, sign) but the last dense layer has 10 units: set units=3.',
    );
  });

  it('renders a sample to a PNG', () => {
    const buf = renderShapePng({ seed: 7, index: 4, h: 32, w: 32, c: 3, scale: 4 });
    const img = PNG.sync.read(Buffer.from(buf));
    expect([img.width, img.height]).toEqual([128, 128]);
    const ds = new ShapesDataset(10, 20, 20, 1, 7);
    const g = PNG.sync.read(Buffer.from(samplePng(ds, 4)));
    expect([g.width, g.height]).toEqual([20, 20]);
    expect(g.data[0]).toBe(g.data[1]);
  });
});
