// Multi-label data: MedMNIST's label layouts in .npz files with the real keys and dtypes (ChestMNIST's N×14
// uint8 train_labels; N and N×1 stay single-label), labels other than 0/1 refused naming the key, sample and
// value, the views carrying the task and the label rows, the Batcher's targets, and MedMNIST+ sizes.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArrayDataset } from '../../../src/data/arrays';
import { MemorySource } from '../../../src/data/bytes';
import { RelabelledDataset, SubsetDataset } from '../../../src/data/dataset';
import { Batcher, checkModelData, DataError, openData, probeData, writeNpy, type OpenDataOptions } from '../../../src/data/index';
import { check, toModelSpec } from '../../../src/language';
import type { NpyData, NpyDtype } from '../../../src/data/npy';
import type { DataSpec } from '../../../src/language/model';
import { tmpDir, zipBytes } from './helpers';

const spec = (p: string, extra: Partial<{ val: number | null; samples: number | null }> = {}): DataSpec => ({ kind: 'npz', path: p, val: null, samples: null, line: 0, ...extra });

interface Arr {
  data: NpyData | ArrayLike<number>;
  shape: number[];
  dtype?: NpyDtype;
}

function npz(file: string, arrays: Record<string, Arr>): void {
  fs.writeFileSync(file, zipBytes(Object.entries(arrays).map(([k, a]) => ({ name: `${k}.npy`, data: writeNpy(a.data, a.shape, a.dtype), method: 'deflate' as const }))));
}

/** Sample i, label j is 1 when (i·7 + j·3) % 5 < 2: every label has positives and negatives. */
const truth = (i: number, j: number): number => ((i * 7 + j * 3) % 5 < 2 ? 1 : 0);

/** ChestMNIST-shaped: uint8 N×28×28 images (pixel = sample index) and N×L uint8 labels, in three splits. */
function chest(n: number, l: number, size = 28, channels = 0, labelDtype: NpyDtype = 'u1'): Record<string, Arr> {
  const split = (m: number, from: number): [Arr, Arr] => {
    const per = size * size * Math.max(1, channels);
    const img = new Uint8Array(m * per);
    for (let i = 0; i < m; i++) img.fill((from + i) & 255, i * per, (i + 1) * per);
    const lab: number[] = [];
    for (let i = 0; i < m; i++) for (let j = 0; j < l; j++) lab.push(truth(from + i, j));
    return [
      { data: img, shape: channels ? [m, size, size, channels] : [m, size, size] },
      { data: lab, shape: [m, l], dtype: labelDtype },
    ];
  };
  const [ti, tl] = split(n, 0);
  const [vi, vl] = split(Math.ceil(n / 4), 1000);
  const [si, sl] = split(Math.ceil(n / 5), 2000);
  return { train_images: ti, train_labels: tl, val_images: vi, val_labels: vl, test_images: si, test_labels: sl };
}

const opts = (baseDir: string, extra: Partial<OpenDataOptions> = {}): OpenDataOptions => ({ baseDir, input: { h: 28, w: 28, c: 1 }, numClasses: 14, task: 'multilabel', seed: 3, ...extra });

function row(ds: { labelRow?(i: number, out: Float32Array, o: number): void; numClasses: number }, i: number): number[] {
  const out = new Float32Array(ds.numClasses);
  ds.labelRow!(i, out, 0);
  return Array.from(out);
}

const FINDINGS = ['atelectasis', 'cardiomegaly', 'effusion', 'infiltration', 'mass', 'nodule', 'pneumonia', 'pneumothorax', 'consolidation', 'edema', 'emphysema', 'fibrosis', 'pleural', 'hernia'];

describe('multi-label npz (ChestMNIST layout)', () => {
  it('reads N×14 uint8 labels as 14 labels per sample in every split, named 0…13 when the file gives no classes', () => {
    const dir = tmpDir();
    npz(path.join(dir, 'chestmnist.npz'), chest(20, 14));
    const probe = probeData(spec('chestmnist.npz'), dir);
    expect(probe).toMatchObject({ kind: 'npz', task: 'multilabel', numClasses: 14, trainSize: 20, valSize: 5, valFrom: 'split', labelSets: [] });
    expect(probe.description).toContain('14 labels per image');
    const d = openData(spec('chestmnist.npz'), { ...opts(dir), withTest: true });
    expect(d.classNames).toEqual(Array.from({ length: 14 }, (_, k) => String(k)));
    for (const [ds, from] of [
      [d.train, 0],
      [d.val!, 1000],
      [d.test!, 2000],
    ] as const) {
      expect(ds.task).toBe('multilabel');
      expect(ds.numClasses).toBe(14);
      expect(row(ds, 3)).toEqual(Array.from({ length: 14 }, (_, j) => truth(from + 3, j)));
      expect(() => ds.label(0)).toThrow(/multi-label dataset has no single label/);
    }
    const px = new Float32Array(28 * 28);
    d.train.read(7, px, 0);
    expect(px[100]).toBeCloseTo(7 / 255, 6);
    d.close();
  });

  it("takes the label names from the file's classes line", () => {
    const dir = tmpDir();
    npz(path.join(dir, 'c.npz'), chest(10, 14));
    const d = openData(spec('c.npz'), opts(dir, { classNames: FINDINGS }));
    expect(d.classNames).toEqual(FINDINGS);
    expect(d.train.classNames).toEqual(FINDINGS);
    expect(d.train.task).toBe('multilabel');
    expect(row(d.train, 2)).toEqual(Array.from({ length: 14 }, (_, j) => truth(2, j)));
    d.close();
  });

  it('accepts bool, int64 and float 0.0/1.0 label arrays', () => {
    for (const dtype of ['b1', 'i8', 'f4', 'f8'] as const) {
      const dir = tmpDir();
      npz(path.join(dir, 'c.npz'), chest(8, 3, 28, 0, dtype));
      const d = openData(spec('c.npz'), opts(dir, { numClasses: 3 }));
      expect(row(d.train, 1), dtype).toEqual([0, 1, 0].map((_, j) => truth(1, j)));
      d.close();
    }
  });

  it('refuses a label other than 0 or 1, naming the key, the sample, the label and the value', () => {
    const dir = tmpDir();
    const a = chest(10, 14);
    (a.train_labels!.data as number[])[6 * 14 + 4] = 2;
    npz(path.join(dir, 'c.npz'), a);
    const err = (() => {
      try {
        openData(spec('c.npz'), opts(dir));
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).code).toBe('E040');
    expect((err as DataError).message).toBe(
      'train_labels in c.npz: sample 6 has the value 2 for label 4; multi-label labels must be 0 or 1 (N×14 of 0/1, one column per label). Fix that sample, or end the network in softmax if these are class indices.',
    );
    // The data check before training (the trainer's first step) says the same, as E040 on the data.
    const model = toModelSpec(check('input 28x28x1\ndense units=14\nsigmoid\ndata npz c.npz\n'))!;
    expect(checkModelData(model, dir)).toEqual([{ code: 'E040', severity: 'error', target: 'data', message: expect.stringMatching(/^train_labels in c\.npz: sample 6 has the value 2 for label 4;/) }]);
    const b = chest(10, 3, 28, 0, 'f4');
    (b.val_labels!.data as number[])[1 * 3 + 2] = 0.5;
    npz(path.join(dir, 'f.npz'), b);
    expect(() => probeData(spec('f.npz'), dir)).toThrow('val_labels in f.npz: sample 1 has the value 0.5 for label 2;');
    const c = chest(10, 3, 28, 0, 'i8');
    (c.test_labels!.data as number[])[0] = -1;
    npz(path.join(dir, 'i.npz'), c);
    expect(() => probeData(spec('i.npz'), dir)).toThrow('test_labels in i.npz: sample 0 has the value -1 for label 0;');
  });

  it('refuses splits with different label layouts', () => {
    const dir = tmpDir();
    const a = chest(8, 14);
    a.val_labels = { data: [0, 1], shape: [2], dtype: 'u1' };
    npz(path.join(dir, 'c.npz'), a);
    expect(() => probeData(spec('c.npz'), dir)).toThrow('c.npz: train_labels hold 14 labels per sample but val_labels hold one class per sample; every split must have the same labels.');
    const b = chest(8, 14);
    b.test_labels = { data: new Uint8Array(2 * 5), shape: [2, 5] };
    npz(path.join(dir, 'd.npz'), b);
    expect(() => probeData(spec('d.npz'), dir)).toThrow('d.npz: train_labels hold 14 labels per sample but test_labels hold 5 labels per sample');
  });

  it('carries the task and the label rows through samples= subsets and the carved validation split', () => {
    const dir = tmpDir();
    const a = chest(40, 5);
    for (const k of ['val_images', 'val_labels', 'test_images', 'test_labels']) delete a[k];
    npz(path.join(dir, 'c.npz'), a);
    const d = openData(spec('c.npz', { samples: 30 }), opts(dir, { numClasses: 5, valFraction: 0.2 }));
    expect([d.train.size, d.val!.size]).toEqual([24, 6]);
    const px = new Float32Array(28 * 28);
    for (const ds of [d.train, d.val!]) {
      expect(ds.task).toBe('multilabel');
      for (let i = 0; i < ds.size; i++) {
        ds.read(i, px, 0);
        const original = Math.round(px[0]! * 255); // the pixel value is the sample's index in the file
        expect(row(ds, i)).toEqual(Array.from({ length: 5 }, (_, j) => truth(original, j)));
      }
    }
    d.close();
  });

  it('says labels, not classes, when the count differs from the last dense layer', () => {
    const dir = tmpDir();
    npz(path.join(dir, 'c.npz'), chest(8, 14));
    expect(() => openData(spec('c.npz'), opts(dir, { numClasses: 10 }))).toThrow('the data has 14 labels per sample but the last dense layer has 10 units: set units=14.');
  });
});

describe('views of multi-label data', () => {
  const rows = [
    [1, 0, 0],
    [0, 1, 1],
    [1, 1, 0],
  ];
  const base = new ArrayDataset(new MemorySource(new Uint8Array(3)), 0, 3, 1, 1, 1, 'u1', { rows: 3, count: 3, data: Uint8Array.from(rows.flat()) }, ['a', 'b', 'c']);

  it('a subset carries the task and reads the rows of its samples', () => {
    const sub = new SubsetDataset(base, Uint32Array.from([2, 0]));
    expect([sub.task, sub.numClasses]).toEqual(['multilabel', 3]);
    expect(row(sub, 0)).toEqual([1, 1, 0]);
    expect(row(sub, 1)).toEqual([1, 0, 0]);
    expect(() => sub.label(0)).toThrow(/multi-label/);
  });

  it('a relabelled view moves each label column to its new place', () => {
    const re = new RelabelledDataset(base, Int32Array.from([2, 0, 1]), ['b', 'c', 'a']);
    expect(re.task).toBe('multilabel');
    expect(row(re, 1)).toEqual([1, 1, 0]); // old [a=0, b=1, c=1] → new order b, c, a
    expect(row(re, 0)).toEqual([0, 0, 1]);
  });

  it('label rows of single-label data are refused', () => {
    const single = new ArrayDataset(new MemorySource(new Uint8Array(2)), 0, 2, 1, 1, 1, 'u1', Int32Array.from([0, 1]), ['x', 'y']);
    expect(single.task).toBe('single');
    expect(() => new SubsetDataset(single, Uint32Array.from([0])).labelRow(0, new Float32Array(2), 0)).toThrow(/single-label dataset has no label rows/);
  });
});

describe('Batcher on multi-label data', () => {
  it('fills the preallocated batch×L targets with each sample’s labels, zero past a short batch', () => {
    const dir = tmpDir();
    const a = chest(10, 4);
    npz(path.join(dir, 'c.npz'), a);
    const d = openData(spec('c.npz'), opts(dir, { numClasses: 4, valFraction: 0 }));
    const b = new Batcher(d.train, { batchSize: 4, seed: 5 });
    expect(b.t).toBeInstanceOf(Float32Array);
    expect(b.t!.length).toBe(16);
    const t = b.t!;
    const seen: number[] = [];
    for (const batch of b.epoch(0)) {
      expect(batch.t!.buffer).toBe(t.buffer); // a view, no allocation per batch
      expect(batch.t!.length).toBe(batch.n * 4);
      const order = b.order(0);
      for (let r = 0; r < batch.n; r++) {
        const i = order[batch.index * 4 + r]!;
        seen.push(i);
        expect(Array.from(batch.t!.subarray(r * 4, r * 4 + 4))).toEqual(Array.from({ length: 4 }, (_, j) => truth(i, j)));
      }
      if (batch.n < 4) expect(Array.from(t.subarray(batch.n * 4))).toEqual(new Array((4 - batch.n) * 4).fill(0));
      expect(Array.from(batch.y)).toEqual(new Array(batch.n).fill(0));
    }
    expect(seen.sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    d.close();
  });

  it('has no targets for single-label data', () => {
    const dir = tmpDir();
    const a = chest(6, 4);
    for (const k of ['train', 'val', 'test']) a[`${k}_labels`] = { data: Array.from({ length: a[`${k}_images`]!.shape[0]! }, (_, i) => i % 3), shape: [a[`${k}_images`]!.shape[0]!, 1], dtype: 'u1' };
    npz(path.join(dir, 'c.npz'), a);
    const d = openData(spec('c.npz'), opts(dir, { numClasses: 3, task: 'single' }));
    expect(d.train.task).toBe('single');
    const b = new Batcher(d.train, { batchSize: 4, seed: 5 });
    expect(b.t).toBeNull();
    expect([...b.epoch(0)][0]!.t).toBeNull();
    d.close();
  });
});

describe('MedMNIST+ sizes', () => {
  it('reads pathmnist_64.npz (N×64×64×3 uint8, N×1 labels) with a 64×64×3 input', () => {
    const dir = tmpDir();
    const a = chest(12, 1, 64, 3);
    for (const k of ['train', 'val', 'test']) a[`${k}_labels`] = { data: Array.from({ length: a[`${k}_images`]!.shape[0]! }, (_, i) => i % 9), shape: [a[`${k}_images`]!.shape[0]!, 1], dtype: 'u1' };
    npz(path.join(dir, 'pathmnist_64.npz'), a);
    const probe = probeData(spec('pathmnist_64.npz'), dir);
    expect(probe).toMatchObject({ h: 64, w: 64, c: 3, task: 'single', numClasses: 9 });
    const d = openData(spec('pathmnist_64.npz'), opts(dir, { input: { h: 64, w: 64, c: 3 }, numClasses: 9, task: 'single' }));
    const px = new Float32Array(64 * 64 * 3);
    d.train.read(5, px, 0);
    expect(px[64 * 64 * 3 - 1]).toBeCloseTo(5 / 255, 6);
    expect(d.train.label(5)).toBe(5);
    d.close();
    expect(() => openData(spec('pathmnist_64.npz'), opts(dir, { numClasses: 9, task: 'single' }))).toThrow(
      'the images are 64×64×3 but the model\'s input is 28×28×1: change the input line to "input 64x64x3" (npz data is not resized).',
    );
  });

  it('reads chestmnist_128.npz (N×128×128 grey, N×14 labels) with a 128×128×1 input', () => {
    const dir = tmpDir();
    npz(path.join(dir, 'chestmnist_128.npz'), chest(4, 14, 128));
    const d = openData(spec('chestmnist_128.npz'), opts(dir, { input: { h: 128, w: 128, c: 1 } }));
    expect([d.train.height, d.train.width, d.train.channels, d.train.task]).toEqual([128, 128, 1, 'multilabel']);
    expect(row(d.train, 3)).toEqual(Array.from({ length: 14 }, (_, j) => truth(3, j)));
    d.close();
  });
});
