// data.py against our data layer on the same sources (shapes, idx, npz, folder): the same classes, split sizes
// and label counts. Which samples land in the validation split differs (numpy's generator, not ours), and the
// generated shapes differ in pixels, so those are not compared.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { openData, writeNpy } from '../../../src/data';
import { writePytorchPackage } from '../../../src/export';
import { idxPair, zipBytes } from '../data/helpers';
import { python, RUN_TORCH, specOf, tempDir } from './helpers';

const OPEN_PY = String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
import data, train
d = data.open_data(train.DEFAULTS["seed"], train.DEFAULTS["val"])

def counts(ds):
    out = [0] * len(d.class_names)
    for i in range(len(ds)):
        out[ds.label(i)] += 1
    return out

x, y = d.train[0]
print(json.dumps({
    "train": len(d.train), "val": len(d.val) if d.val is not None else 0, "classes": d.class_names,
    "trainCounts": counts(d.train), "valCounts": counts(d.val) if d.val is not None else [0] * len(d.class_names),
    "sample": list(x.shape), "dtype": str(x.dtype), "warnings": d.warnings,
}))
`;

function png(w: number, h: number, rgb: [number, number, number]): Buffer {
  const p = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) p.data.set([...rgb, 255], i * 4);
  return PNG.sync.write(p);
}

function npy(shape: number[], fill: (i: number) => number, dtype: 'u1' | 'i8'): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return writeNpy(Array.from({ length: n }, (_, i) => fill(i)), shape, dtype);
}

interface Case {
  name: string;
  text: string;
  /** samples= on a file source: a random subset. */
  subset?: boolean;
  make?(dir: string): void;
}

const CASES: Case[] = [
  {
    name: 'shapes',
    text: 'network S\ninput 12x12x3\nclasses door stair sign\ndense units=3\ndata shapes samples=40 val=0.2\ntrain seed=4\n',
  },
  {
    name: 'idx with its own t10k split',
    text: 'network I\ninput 8x8x1\nclasses 0 1 2\ndense units=3\ndata idx digits\ntrain seed=2\n',
    make(dir) {
      mkdirSync(join(dir, 'digits'));
      const train = idxPair(30, 8, 8, 3);
      const test = idxPair(9, 8, 8, 3);
      writeFileSync(join(dir, 'digits', 'train-images-idx3-ubyte'), train.images);
      writeFileSync(join(dir, 'digits', 'train-labels-idx1-ubyte'), train.labels);
      writeFileSync(join(dir, 'digits', 't10k-images-idx3-ubyte'), test.images);
      writeFileSync(join(dir, 'digits', 't10k-labels-idx1-ubyte'), test.labels);
    },
  },
  {
    name: 'idx, samples= and a val fraction',
    subset: true,
    text: 'network I\ninput 8x8x1\nclasses 0 1 2\ndense units=3\ndata idx digits samples=20\ntrain seed=2 val=0.25\n',
    make(dir) {
      mkdirSync(join(dir, 'digits'));
      const train = idxPair(30, 8, 8, 3);
      writeFileSync(join(dir, 'digits', 'train-images-idx3-ubyte'), train.images);
      writeFileSync(join(dir, 'digits', 'train-labels-idx1-ubyte'), train.labels);
    },
  },
  {
    name: 'npz (MedMNIST keys)',
    text: 'network N\ninput 6x6x3\nclasses 0 1 2 3\ndense units=4\ndata npz med.npz\ntrain seed=9\n',
    make(dir) {
      const entries = [
        { name: 'train_images.npy', data: npy([22, 6, 6, 3], (i) => (i * 31) & 255, 'u1'), method: 'deflate' as const },
        { name: 'train_labels.npy', data: npy([22, 1], (i) => i % 4, 'u1'), method: 'store' as const },
        { name: 'val_images.npy', data: npy([7, 6, 6, 3], (i) => (i * 17) & 255, 'u1'), method: 'store' as const },
        { name: 'val_labels.npy', data: npy([7, 1], (i) => (i * 3) % 4, 'u1'), method: 'store' as const },
      ];
      writeFileSync(join(dir, 'med.npz'), zipBytes(entries));
    },
  },
  {
    name: 'folder (class order from the classes line)',
    text: 'network F\ninput 8x8x3\nclasses red blue\ndense units=2\ndata folder pics val=0.3\ntrain seed=1\n',
    make(dir) {
      for (const [cls, rgb, n] of [['blue', [0, 0, 255], 4], ['red', [255, 0, 0], 6]] as const) {
        mkdirSync(join(dir, 'pics', cls), { recursive: true });
        for (let i = 0; i < n; i++) writeFileSync(join(dir, 'pics', cls, `${i}.png`), png(10, 12, rgb as [number, number, number]));
      }
      writeFileSync(join(dir, 'pics', 'red', 'notes.txt'), 'not an image');
    },
  },
];

function labelCounts(ds: { size: number; label(i: number): number }, k: number): number[] {
  const out = new Array<number>(k).fill(0);
  for (let i = 0; i < ds.size; i++) out[ds.label(i)]!++;
  return out;
}

describe.skipIf(!RUN_TORCH)('data.py reads the sources as our data layer does', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const dir = tempDir();
      c.make?.(dir);
      const file = join(dir, 'net.cnn');
      writeFileSync(file, c.text);
      const spec = specOf(c.text, file);
      const ours = openData(spec.data!, { baseDir: dir, input: spec.input, numClasses: spec.classes.length, classNames: spec.classes, seed: spec.train.seed, valFraction: spec.train.val });
      const pkg = join(dir, 'out', 'pkg'); // a folder below the .cnn file's: the data paths are rewritten
      writePytorchPackage(spec, { file, outDir: pkg });
      const theirs = JSON.parse(python(OPEN_PY, [pkg]));
      const k = spec.classes.length;
      expect(theirs.classes).toEqual(ours.classNames);
      expect({ train: theirs.train, val: theirs.val }).toEqual({ train: ours.train.size, val: ours.val?.size ?? 0 });
      const total = (a: number[], b: number[]) => a.map((v, i) => v + b[i]!);
      // With samples= the subset is a random one (another generator): only its size is the same.
      if (!c.subset)
        expect(total(theirs.trainCounts, theirs.valCounts)).toEqual(total(labelCounts(ours.train, k), ours.val ? labelCounts(ours.val, k) : new Array(k).fill(0)));
      if (c.name.startsWith('idx with') || c.name.startsWith('npz')) {
        // The source's own split: the same samples on both sides.
        expect(theirs.valCounts).toEqual(labelCounts(ours.val!, k));
      }
      expect(theirs.sample).toEqual([spec.input.h, spec.input.w, spec.input.c]);
      expect(theirs.dtype).toBe('float32');
      expect(theirs.warnings).toEqual(ours.warnings);
      ours.close();
    });
  }
});
