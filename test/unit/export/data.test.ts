// data.py against our data layer on the same sources (shapes, idx, npz, folder): the same classes, split sizes
// and label counts. Which samples land in the validation split differs (numpy's generator, not ours), and the
// generated shapes differ in pixels, so those are not compared.

import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { openData, writeNpy } from '../../../src/data';
import { writePytorchPackage } from '../../../src/export';
import { corruptBody, idxPair, noiseJpg, noisePng, zipBytes } from '../data/helpers';
import { PY_ENV, PYTHON, python, RUN_TORCH, specOf, tempDir } from './helpers';

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

/**
 * The decoders' own reasons in "x.png cannot be decoded as a PNG image (reason)" differ (Pillow and libjpeg in
 * data.py, pngjs and jpeg-js here): everything else of a message must be the same.
 */
function withoutReasons(text: string): string {
  return text.replace(/(cannot be decoded as a (?:PNG|JPEG) image) \(.*?\)(?=; |\); |$)/g, '$1 (…)');
}

/** A folder of noise images, a damaged PNG, a damaged JPEG and a JPEG cut short in class a; b's are fine. */
function damagedFolder(root: string): void {
  mkdirSync(join(root, 'a'), { recursive: true });
  mkdirSync(join(root, 'b'), { recursive: true });
  const goodJpg = noiseJpg(16, 16, 2);
  writeFileSync(join(root, 'a', 'bad.png'), corruptBody(noisePng(12, 10, 1), 7));
  writeFileSync(join(root, 'a', 'bad.jpg'), corruptBody(goodJpg, 8));
  writeFileSync(join(root, 'a', 'cut.jpg'), goodJpg.subarray(0, goodJpg.length - 40)); // a download cut short
  for (let k = 0; k < 4; k++) writeFileSync(join(root, 'a', `ok${k}.png`), noisePng(12, 10, 10 + k));
  for (let k = 0; k < 5; k++) writeFileSync(join(root, 'b', `ok${k}.jpg`), noiseJpg(9, 11, 20 + k));
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
  /** More to compare: ours from openData, theirs data.py's (OPEN_PY's JSON). */
  check?(ours: { warnings: string[] }, theirs: { train: number; val: number; warnings: string[] }): void;
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
  {
    name: 'folder with undecodable images (skipped before training, counted in one warning)',
    text: 'network D\ninput 8x8x3\nclasses a b\ndense units=2\ndata folder pics val=0.25\ntrain seed=3\n',
    make(dir) {
      damagedFolder(join(dir, 'pics'));
    },
    check(ours, theirs) {
      // 12 files, 3 undecodable: 9 samples on both sides, the split sizes from 9.
      expect(ours.warnings).toHaveLength(1);
      expect(ours.warnings[0]).toMatch(/^skipped 3 of 12 images that cannot be decoded: a\/bad\.jpg cannot be decoded as a JPEG image \(.+\); a\/bad\.png cannot be decoded as a PNG image \(.+\); a\/cut\.jpg cannot be decoded as a JPEG image \(.+\)$/);
      expect(theirs.warnings.map(withoutReasons)).toEqual(ours.warnings.map(withoutReasons));
      expect(theirs.train + theirs.val).toBe(9);
    },
  },
  {
    name: 'folder of DICOM files (pydicom), a text file skipped with the same words',
    text: 'network M\ninput 8x8x1\nclasses a b\ndense units=2\ndata folder scans val=0.25\ntrain seed=2\n',
    make(dir) {
      dicomFolder(dir, {
        a: ['mono8_window.dcm', 'mono16_implicit.dcm', 'signed16.dcm', 'IM000001'],
        b: ['mono1.dcm', 'mono8_minmax.dcm', 'mono16_big_endian.dcm', 'rgb8.dcm'],
      });
      writeFileSync(join(dir, 'scans', 'b', 'notes.txt'), 'not an image');
    },
    check(ours, theirs) {
      expect(ours.warnings).toEqual(['skipped b/notes.txt: not a PNG, JPEG or DICOM image']);
      expect(theirs.warnings).toEqual(ours.warnings);
      expect(theirs.train + theirs.val).toBe(8);
    },
  },
];

/** DIR/scans/<class>/<fixture> from test/fixtures/dicom/make_dicom.py's files. */
function dicomFolder(dir: string, classes: Record<string, string[]>): void {
  const fx = join(dir, 'fixtures');
  execFileSync('/usr/bin/python3', [resolve(__dirname, '../../fixtures/dicom/make_dicom.py'), fx]);
  for (const [cls, names] of Object.entries(classes)) {
    mkdirSync(join(dir, 'scans', cls), { recursive: true });
    for (const n of names) copyFileSync(join(fx, n), join(dir, 'scans', cls, n));
  }
}

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
      expect(theirs.warnings.map(withoutReasons)).toEqual(ours.warnings.map(withoutReasons));
      c.check?.(ours, theirs);
      ours.close();
    });
  }
});

const OPEN_ERROR_PY = String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
import data, train
try:
    data.open_data(train.DEFAULTS["seed"], train.DEFAULTS["val"])
    print(json.dumps({"error": None}))
except data.DataError as e:
    print(json.dumps({"error": str(e)}))
`;

/** The DataError that our openData and data.py's open_data give for the same file. */
function bothErrors(text: string, make: (dir: string) => void): { ours: string; theirs: string | null } {
  const dir = tempDir();
  make(dir);
  const file = join(dir, 'net.cnn');
  writeFileSync(file, text);
  const spec = specOf(text, file);
  let ours = '';
  try {
    openData(spec.data!, { baseDir: dir, input: spec.input, numClasses: spec.classes.length, classNames: spec.classes, seed: spec.train.seed, valFraction: spec.train.val }).close();
  } catch (e) {
    ours = (e as Error).message;
  }
  const pkg = join(dir, 'out', 'pkg');
  writePytorchPackage(spec, { file, outDir: pkg });
  return { ours, theirs: JSON.parse(python(OPEN_ERROR_PY, [pkg])).error };
}

function labelledNpz(labels: number[]): (dir: string) => void {
  return (dir) => {
    const n = labels.length;
    const entries = [
      { name: 'train_images.npy', data: npy([n, 4, 4, 1], (i) => (i * 7) & 255, 'u1'), method: 'store' as const },
      { name: 'train_labels.npy', data: npy([n], (i) => labels[i]!, 'i8'), method: 'store' as const },
      { name: 'test_images.npy', data: npy([3, 4, 4, 1], (i) => i & 255, 'u1'), method: 'store' as const },
      { name: 'test_labels.npy', data: npy([3], (i) => i, 'i8'), method: 'store' as const },
    ];
    writeFileSync(join(dir, 'med.npz'), zipBytes(entries));
  };
}

describe.skipIf(!RUN_TORCH)('data.py refuses what our data layer refuses, in the same words', () => {
  const NPZ_NET = 'network N\ninput 4x4x1\nclasses 0 1 2 3\ndense units=4\ndata npz med.npz\ntrain seed=9\n';

  it('a stray label names the sample, the label and what the network expects (never "units=201")', () => {
    const labels = Array.from({ length: 12 }, (_, i) => i % 4);
    labels[7] = 200;
    const { ours, theirs } = bothErrors(NPZ_NET, labelledNpz(labels));
    expect(ours).toMatch(/^sample 7 of train_labels in med\.npz has label 200, but the last dense layer has 4 units, so the network expects labels 0…3 /);
    expect(theirs).toBe(ours);
    expect(theirs).not.toMatch(/units=201/);
  });

  it('a negative label names where it is', () => {
    const labels = Array.from({ length: 12 }, (_, i) => i % 4);
    labels[5] = -1;
    const { ours, theirs } = bothErrors(NPZ_NET, labelledNpz(labels));
    expect(ours).toBe('train_labels in med.npz: label -1 at index 5 is negative; labels are class indices 0, 1, 2…');
    expect(theirs).toBe(ours);
  });

  it('train.py --text prints the warning about undecodable images before training, as cnn train does', () => {
    const dir = tempDir();
    damagedFolder(join(dir, 'pics'));
    const text = 'network D\ninput 8x8x3\nclasses a b\ndense units=2\ndata folder pics val=0.25\ntrain seed=3 epochs=1 batch=4\n';
    const file = join(dir, 'net.cnn');
    writeFileSync(file, text);
    const pkg = join(dir, 'pkg');
    writePytorchPackage(specOf(text, file), { file, outDir: pkg });
    const r = spawnSync(PYTHON, [join(pkg, 'train.py'), '--text', '--epochs', '1', '--out', join(dir, 'run')], { cwd: pkg, encoding: 'utf8', env: PY_ENV });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => !l.startsWith('PyTorch '));
    expect(lines[0]).toMatch(/^warning: skipped 3 of 12 images that cannot be decoded: a\/bad\.jpg cannot be decoded as a JPEG image \(.+\); a\/bad\.png .+; a\/cut\.jpg .+$/);
    expect(lines[1]).toMatch(/^Training on 7 samples, validating on 2;/);
  });

  it('unusable DICOM files (compressed, empty, no pixels, several frames, not DICOM, cut short): one refusal, counted, the first five named', () => {
    const text = 'network M\ninput 8x8x1\nclasses a b\ndense units=2\ndata folder scans\n';
    const { ours, theirs } = bothErrors(text, (dir) =>
      dicomFolder(dir, {
        a: ['mono8_window.dcm', 'IM000001', 'jpeg.dcm', 'empty.dcm'],
        b: ['mono1.dcm', 'no_pixels.dcm', 'multiframe.dcm', 'notes.dcm', 'truncated.dcm'],
      }),
    );
    expect(ours).toMatch(/^6 DICOM files in '.*scans' cannot be used: a\/empty\.dcm is empty \(0 bytes\), not a DICOM image; a\/jpeg\.dcm is compressed \(transfer syntax 1\.2\.840\.10008\.1\.2\.4\.50, JPEG Baseline \(Process 1\)\) and .*; b\/multiframe\.dcm holds 3 frames; .*; b\/no_pixels\.dcm .*; b\/notes\.dcm .*; and 1 more\. Fix or remove them \(unlike PNG and JPEG images, a DICOM file that cannot be used is not skipped\)\.$/);
    expect(theirs).toBe(ours);
  });

  it('one unusable DICOM file (pixels cut short) in the same words', () => {
    const text = 'network M\ninput 8x8x1\nclasses a b\ndense units=2\ndata folder scans\n';
    const { ours, theirs } = bothErrors(text, (dir) => dicomFolder(dir, { a: ['mono8_window.dcm'], b: ['mono1.dcm', 'truncated.dcm'] }));
    expect(ours).toMatch(/^1 DICOM file in '.*scans' cannot be used: b\/truncated\.dcm has pixel data that ends early \(23 of the 30 bytes of a 5×6 image\)\. Fix or remove it \(/);
    expect(theirs).toBe(ours);
  });

  it('a class folder with no decodable image left is an error naming it', () => {
    const { ours, theirs } = bothErrors('network D\ninput 8x8x3\nclasses a b\ndense units=2\ndata folder pics\n', (dir) => {
      damagedFolder(join(dir, 'pics'));
      for (let k = 0; k < 4; k++) writeFileSync(join(dir, 'pics', 'a', `ok${k}.png`), corruptBody(noisePng(12, 10, 10 + k), 30 + k));
    });
    expect(ours).toMatch(/^No image in the class folder 'a' in '.*pics' can be decoded \(a\/bad\.jpg cannot be decoded as a JPEG image \(.+\)\); replace the damaged files\.$/);
    expect(withoutReasons(theirs ?? '')).toBe(withoutReasons(ours));
  });
});
