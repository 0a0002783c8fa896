import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkDataAgainstModel, openData, probeData, type OpenDataOptions } from '../../../src/data/index';
import type { DataSpec } from '../../../src/language/model';
import { idxBytes, idxPair, tmpDir } from './helpers';

const spec = (p: string, extra: Partial<{ val: number | null; samples: number | null }> = {}): DataSpec => ({ kind: 'idx', path: p, val: null, samples: null, line: 0, ...extra });
const opts = (baseDir: string, extra: Partial<OpenDataOptions> = {}): OpenDataOptions => ({ baseDir, input: { h: 6, w: 5, c: 1 }, numClasses: 4, seed: 3, ...extra });

function writePair(dir: string, prefix: 'train' | 't10k', n: number, gz: boolean, classes = 4): ReturnType<typeof idxPair> {
  const p = idxPair(n, 6, 5, classes);
  const z = (b: Buffer): Buffer => (gz ? zlib.gzipSync(b) : b);
  fs.writeFileSync(path.join(dir, `${prefix}-images-idx3-ubyte${gz ? '.gz' : ''}`), z(p.images));
  fs.writeFileSync(path.join(dir, `${prefix}-labels-idx1-ubyte${gz ? '.gz' : ''}`), z(p.labels));
  return p;
}

describe('data idx', () => {
  it('reads a gzipped train pair and uses the t10k pair as validation', () => {
    const base = tmpDir();
    const dir = path.join(base, 'mnist');
    fs.mkdirSync(dir);
    const tr = writePair(dir, 'train', 40, true);
    const te = writePair(dir, 't10k', 12, true);
    const probe = probeData(spec('mnist'), base);
    expect(probe).toMatchObject({ kind: 'idx', h: 6, w: 5, c: 1, numClasses: 4, trainSize: 40, valSize: 12, valFrom: 'split', fixedSize: true });
    const d = openData(spec('mnist'), opts(base));
    expect(d.train.size).toBe(40);
    expect(d.val!.size).toBe(12);
    expect(d.classNames).toEqual(['0', '1', '2', '3']);
    const out = new Float32Array(30 + 2);
    d.train.read(7, out, 2);
    for (let j = 0; j < 30; j++) expect(out[2 + j]).toBeCloseTo(tr.pixels[7 * 30 + j] / 255, 6);
    expect(d.train.label(7)).toBe(tr.labelValues[7]);
    d.val!.read(11, out, 0);
    expect(out[29]).toBeCloseTo(te.pixels[11 * 30 + 29] / 255, 6);
    d.close();
  });

  it('trains on the t10k pair with a validation fraction when there are no train files', () => {
    const dir = tmpDir();
    writePair(dir, 't10k', 50, true);
    const probe = probeData(spec('.'), dir);
    expect(probe).toMatchObject({ trainSize: 45, valSize: 5, valFrom: 'fraction' });
    expect(probe.description).toMatch(/t10k split is used for training/);
    const d = openData(spec('.', { val: 0.2 }), opts(dir));
    expect([d.train.size, d.val!.size]).toEqual([40, 10]);
    // train val= beats data val=; 0 turns validation off.
    const d2 = openData(spec('.', { val: 0.2 }), opts(dir, { valFraction: 0.3 }));
    expect([d2.train.size, d2.val!.size]).toEqual([35, 15]);
    const d3 = openData(spec('.'), opts(dir, { valFraction: 0 }));
    expect([d3.train.size, d3.val]).toEqual([50, null]);
    // The split is a partition and depends on the seed only.
    const seen = new Set<string>();
    const key = (ds: typeof d.train, i: number): string => {
      const o = new Float32Array(30);
      ds.read(i, o, 0);
      return Array.from(o).join(',');
    };
    for (let i = 0; i < d.train.size; i++) seen.add(key(d.train, i));
    for (let i = 0; i < d.val!.size; i++) seen.add(key(d.val!, i));
    expect(seen.size).toBe(50);
    const again = openData(spec('.', { val: 0.2 }), opts(dir));
    expect(key(again.val!, 0)).toBe(key(d.val!, 0));
    for (const x of [d, d2, d3, again]) x.close();
  });

  it('streams plain files above the threshold from disk and reads the same values', () => {
    const dir = tmpDir();
    const tr = writePair(dir, 'train', 30, false);
    const mem = openData(spec('.'), opts(dir));
    const disk = openData(spec('.'), opts(dir, { streamThresholdBytes: 100 }));
    const a = new Float32Array(30);
    const b = new Float32Array(30);
    for (let i = 0; i < mem.train.size; i++) {
      mem.train.read(i, a, 0);
      disk.train.read(i, b, 0);
      expect(b).toEqual(a);
    }
    expect(tr.pixels.length).toBe(900);
    mem.close();
    disk.close();
  });

  it('keeps a seeded subset with samples=', () => {
    const dir = tmpDir();
    writePair(dir, 'train', 100, false);
    const d = openData(spec('.', { samples: 20 }), opts(dir, { valFraction: 0.25 }));
    expect([d.train.size, d.val!.size]).toEqual([15, 5]);
    expect(probeData(spec('.', { samples: 20 }), dir, { valFraction: 0.25 })).toMatchObject({ trainSize: 15, valSize: 5 });
    d.close();
  });

  it('reports truncated files with the header arithmetic', () => {
    const dir = tmpDir();
    const p = idxPair(60, 28, 28, 10);
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte.gz'), zlib.gzipSync(p.images.subarray(0, 16 + 1024)));
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte.gz'), zlib.gzipSync(p.labels));
    expect(() => probeData(spec('.'), dir)).toThrow('train-images-idx3-ubyte.gz is truncated: header says 60×28×28 = 47,040 bytes, found 1,024.');
    // A gzip stream that is itself cut off.
    const gz = zlib.gzipSync(p.images);
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
    expect(() => probeData(spec('.'), dir)).toThrow(/train-images-idx3-ubyte\.gz is truncated: header says 60×28×28 = 47,040 bytes, found [\d,]+\./);
    // A plain file.
    fs.rmSync(path.join(dir, 'train-images-idx3-ubyte.gz'));
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), p.images.subarray(0, 16 + 500));
    expect(() => openData(spec('.'), opts(dir, { input: { h: 28, w: 28, c: 1 }, numClasses: 10 }))).toThrow('train-images-idx3-ubyte is truncated: header says 60×28×28 = 47,040 bytes, found 500.');
  });

  it('checks magic numbers, the data type, dimensions and counts', () => {
    const dir = tmpDir();
    const p = idxPair(10, 6, 5, 4);
    const img = path.join(dir, 'train-images-idx3-ubyte');
    const lab = path.join(dir, 'train-labels-idx1-ubyte');
    fs.writeFileSync(img, p.labels);
    fs.writeFileSync(lab, p.images);
    expect(() => probeData(spec('.'), dir)).toThrow(/train-images-idx3-ubyte does not start with the IDX images magic number 2051: found 2049 \(the labels magic — are the files swapped\?\)/);
    fs.writeFileSync(img, Buffer.from('hello world, this is not an idx file'));
    expect(() => probeData(spec('.'), dir)).toThrow(/does not start with the IDX images magic number 2051: found \d+ — is this an IDX file\?/);
    fs.writeFileSync(img, zlib.gzipSync(p.images));
    expect(() => probeData(spec('.'), dir)).toThrow(/the file is gzipped: name it with \.gz/);
    const f32 = idxBytes(3, [1, 1, 1], new Uint8Array(4));
    f32[2] = 0x0d;
    fs.writeFileSync(img, f32);
    expect(() => probeData(spec('.'), dir)).toThrow(/holds float32 values \(magic 3331\); only unsigned bytes \(magic 2051\)/);
    fs.writeFileSync(img, idxBytes(2, [10, 30], new Uint8Array(300)));
    fs.writeFileSync(lab, p.labels);
    expect(() => probeData(spec('.'), dir)).toThrow(/magic number 2051: found 2050/);
    fs.writeFileSync(img, p.images);
    fs.writeFileSync(lab, idxBytes(1, [9], new Uint8Array(9)));
    expect(() => probeData(spec('.'), dir)).toThrow('train-images-idx3-ubyte holds 10 images but train-labels-idx1-ubyte holds 9 labels; they must match.');
    fs.rmSync(lab);
    expect(() => probeData(spec('.'), dir)).toThrow(/has train-images-idx3-ubyte but no train-labels-idx1-ubyte/);
  });

  it('gives clear errors for missing folders and folders without IDX files', () => {
    const dir = tmpDir();
    expect(() => probeData(spec('nope'), dir)).toThrow(/The folder 'nope' does not exist/);
    fs.writeFileSync(path.join(dir, 'readme.txt'), 'x');
    expect(() => probeData(spec('.'), dir)).toThrow(/holds no MNIST IDX files: expected train-images-idx3-ubyte .* Found: readme\.txt\./);
  });

  it('rejects labels outside the model classes, naming the first bad index', () => {
    const dir = tmpDir();
    writePair(dir, 'train', 20, false, 6);
    expect(() => openData(spec('.'), opts(dir))).toThrow('label 4 at index 4 of train-labels-idx1-ubyte is outside 0…3: the model has 4 classes (set units=6 on the last dense layer if the data really has that many).');
  });

  it('never resizes: a size mismatch names the input line to write', () => {
    const dir = tmpDir();
    writePair(dir, 'train', 8, false);
    const probe = probeData(spec('.'), dir);
    const issues = checkDataAgainstModel(probe, { input: { h: 32, w: 32, c: 3 }, numClasses: 4 });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'E040', target: 'input', suggestion: 'input 6x5x1' });
    expect(issues[0].message).toBe(`the images are 6×5×1 but the model's input is 32×32×3: change the input line to "input 6x5x1" (idx data is not resized).`);
    expect(() => openData(spec('.'), opts(dir, { input: { h: 28, w: 28, c: 1 } }))).toThrow(/change the input line to "input 6x5x1"/);
  });

  it('refuses gzipped files that would inflate beyond the memory limit, before inflating them', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte.gz'), zlib.gzipSync(idxBytes(3, [100000, 300, 300], new Uint8Array(64))));
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte.gz'), zlib.gzipSync(idxBytes(1, [100000], new Uint8Array(100000))));
    expect(() => probeData(spec('.'), dir)).toThrow(/train-images-idx3-ubyte\.gz would inflate to 8\.38 GB, more than the 4\.00 GB a gzipped file may hold here; gunzip it so it streams from disk\./);
  });

  it('accepts the dotted file names some mirrors use', () => {
    const dir = tmpDir();
    const p = idxPair(10, 6, 5, 4);
    fs.writeFileSync(path.join(dir, 'train-images.idx3-ubyte'), p.images);
    fs.writeFileSync(path.join(dir, 'train-labels.idx1-ubyte'), p.labels);
    expect(probeData(spec('.'), dir)).toMatchObject({ trainSize: 9, valSize: 1, h: 6, w: 5 });
  });
});
