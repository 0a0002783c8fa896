import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openData, probeData, writeNpy, type OpenDataOptions } from '../../../src/data/index';
import type { NpyData, NpyDtype } from '../../../src/data/npy';
import type { DataSpec } from '../../../src/language/model';
import { hasNumpy, tmpDir, zipBytes, type ZipInput } from './helpers';

const spec = (p: string, extra: Partial<{ val: number | null; samples: number | null }> = {}): DataSpec => ({ kind: 'npz', path: p, val: null, samples: null, line: 0, ...extra });

interface Arr {
  data: NpyData | ArrayLike<number>;
  shape: number[];
  dtype?: NpyDtype;
}

function npz(file: string, arrays: Record<string, Arr>, method: ZipInput['method'] | ((key: string) => ZipInput['method']), zip64 = false): void {
  const entries = Object.entries(arrays).map(([k, a]) => ({
    name: `${k}.npy`,
    data: writeNpy(a.data, a.shape, a.dtype),
    method: typeof method === 'function' ? method(k) : method,
  }));
  fs.writeFileSync(file, zipBytes(entries, { zip64 }));
}

/** MedMNIST-like arrays: uint8 N×H×W images with pixel = (i*31 + j) & 255, labels i % k. */
function medmnist(n: number, h: number, w: number, k: number, labelShape: 'N' | 'Nx1', labelDtype: NpyDtype = 'u1'): Record<string, Arr> {
  const split = (m: number, salt: number): [Arr, Arr] => {
    const img = new Uint8Array(m * h * w);
    for (let i = 0; i < m; i++) for (let j = 0; j < h * w; j++) img[i * h * w + j] = (i * 31 + j + salt) & 255;
    const lab = Array.from({ length: m }, (_, i) => i % k);
    return [
      { data: img, shape: [m, h, w] },
      { data: lab, shape: labelShape === 'N' ? [m] : [m, 1], dtype: labelDtype },
    ];
  };
  const [ti, tl] = split(n, 0);
  const [vi, vl] = split(Math.ceil(n / 4), 100);
  const [si, sl] = split(Math.ceil(n / 5), 200);
  return { train_images: ti, train_labels: tl, val_images: vi, val_labels: vl, test_images: si, test_labels: sl };
}

const opts = (baseDir: string, extra: Partial<OpenDataOptions> = {}): OpenDataOptions => ({ baseDir, input: { h: 4, w: 3, c: 1 }, numClasses: 3, seed: 1, ...extra });

describe('data npz', () => {
  for (const method of ['store', 'deflate'] as const) {
    for (const zip64 of [false, true]) {
      it(`reads uint8 N×H×W images with N labels (${method}d${zip64 ? ', zip64' : ''})`, () => {
        const dir = tmpDir();
        npz(path.join(dir, 'm.npz'), medmnist(20, 4, 3, 3, 'N', 'i8'), method, zip64);
        const probe = probeData(spec('m.npz'), dir);
        expect(probe).toMatchObject({ kind: 'npz', h: 4, w: 3, c: 1, numClasses: 3, trainSize: 20, valSize: 5, valFrom: 'split' });
        const d = openData(spec('m.npz'), opts(dir));
        expect([d.train.size, d.val!.size]).toEqual([20, 5]);
        const out = new Float32Array(12);
        d.train.read(6, out, 0);
        expect(out[5]).toBeCloseTo(((6 * 31 + 5) & 255) / 255, 6);
        expect(d.train.label(7)).toBe(1);
        d.val!.read(2, out, 0);
        expect(out[0]).toBeCloseTo(((2 * 31 + 100) & 255) / 255, 6);
        d.close();
      });
    }
  }

  it('reads float32 N×H×W×C images as they are, with N×1 labels of another int dtype', () => {
    const dir = tmpDir();
    const n = 9;
    const img = new Float32Array(n * 2 * 2 * 3);
    for (let i = 0; i < img.length; i++) img[i] = i / 10 - 1; // outside [0,1] on purpose: used as is
    npz(path.join(dir, 'f.npz'), { train_images: { data: img, shape: [n, 2, 2, 3] }, train_labels: { data: Int16Array.from({ length: n }, (_, i) => i % 2), shape: [n, 1] } }, (k) => (k === 'train_images' ? 'deflate' : 'store'));
    const probe = probeData(spec('f.npz'), dir);
    expect(probe).toMatchObject({ h: 2, w: 2, c: 3, numClasses: 2, valFrom: 'fraction', trainSize: 8, valSize: 1 });
    const d = openData(spec('f.npz'), opts(dir, { input: { h: 2, w: 2, c: 3 }, numClasses: 2, valFraction: 0 }));
    const out = new Float32Array(12);
    d.train.read(4, out, 0);
    expect(Array.from(out)).toEqual(Array.from(img.subarray(48, 60)));
    expect(d.train.label(3)).toBe(1);
    d.close();
  });

  it('reads float64 images and streams large stored entries from disk', () => {
    const dir = tmpDir();
    const n = 30;
    const img = Float64Array.from({ length: n * 4 * 3 }, (_, i) => (i % 97) / 96);
    npz(path.join(dir, 'g.npz'), { train_images: { data: img, shape: [n, 4, 3] }, train_labels: { data: Uint32Array.from({ length: n }, (_, i) => i % 3), shape: [n] } }, 'store');
    const mem = openData(spec('g.npz'), opts(dir, { valFraction: 0 }));
    const disk = openData(spec('g.npz'), opts(dir, { valFraction: 0, streamThresholdBytes: 64 }));
    const a = new Float32Array(12);
    const b = new Float32Array(12);
    for (let i = 0; i < n; i++) {
      mem.train.read(i, a, 0);
      disk.train.read(i, b, 0);
      expect(b).toEqual(a);
      expect(a[0]).toBeCloseTo(((i * 12) % 97) / 96, 6);
    }
    mem.close();
    disk.close();
  });

  it('uses test_ as the validation split when there is no val_', () => {
    const dir = tmpDir();
    const a = medmnist(10, 4, 3, 3, 'N');
    delete a.val_images;
    delete a.val_labels;
    npz(path.join(dir, 'm.npz'), a, 'deflate');
    expect(probeData(spec('m.npz'), dir)).toMatchObject({ trainSize: 10, valSize: 2, valFrom: 'split' });
  });

  it('names missing keys and lists what the archive holds', () => {
    const dir = tmpDir();
    const a = medmnist(6, 4, 3, 3, 'N');
    delete a.train_labels;
    npz(path.join(dir, 'm.npz'), a, 'store');
    expect(() => probeData(spec('m.npz'), dir)).toThrow(
      "m.npz has no 'train_labels' array (MedMNIST keys: train_images, train_labels, val_images, val_labels, test_images, test_labels). It holds: train_images, val_images, val_labels, test_images, test_labels.",
    );
    const b = medmnist(6, 4, 3, 3, 'N');
    delete b.val_labels;
    npz(path.join(dir, 'm.npz'), b, 'store');
    expect(() => probeData(spec('m.npz'), dir)).toThrow(/has no 'val_labels' array/);
  });

  it('rejects truncated and non-zip files', () => {
    const dir = tmpDir();
    npz(path.join(dir, 'm.npz'), medmnist(20, 4, 3, 3, 'N'), 'deflate');
    const full = fs.readFileSync(path.join(dir, 'm.npz'));
    fs.writeFileSync(path.join(dir, 'cut.npz'), full.subarray(0, Math.floor(full.length * 0.6)));
    expect(() => probeData(spec('cut.npz'), dir)).toThrow(/cut\.npz is truncated: it starts like a zip \(\.npz\) file but its end \(the central directory\) is missing\./);
    fs.writeFileSync(path.join(dir, 'x.npy.npz'), writeNpy(new Float32Array(4), [4]));
    expect(() => probeData(spec('x.npy.npz'), dir)).toThrow(/is not a zip \(\.npz\) file \(it looks like a single \.npy array/);
    // An array whose .npy data is shorter than its header says.
    const short = writeNpy(new Uint8Array(5 * 4 * 3), [5, 4, 3]);
    fs.writeFileSync(
      path.join(dir, 's.npz'),
      zipBytes([
        { name: 'train_images.npy', data: short.subarray(0, short.length - 7), method: 'deflate' },
        { name: 'train_labels.npy', data: writeNpy([0, 1, 2, 0, 1], [5], 'i8'), method: 'store' },
      ]),
    );
    expect(() => probeData(spec('s.npz'), dir)).toThrow('train_images in s.npz is truncated: header says 5×4×3 of u1 = 60 bytes, found 53.');
    expect(() => probeData(spec('missing.npz'), dir)).toThrow(/The file 'missing\.npz' does not exist/);
  });

  it('rejects bad dtypes and shapes with messages', () => {
    const dir = tmpDir();
    const f = path.join(dir, 'b.npz');
    npz(f, { train_images: { data: new Int32Array(2 * 4 * 3), shape: [2, 4, 3] }, train_labels: { data: [0, 1], shape: [2], dtype: 'i8' } }, 'store');
    expect(() => probeData(spec('b.npz'), dir)).toThrow(/train_images in b\.npz has dtype i4; images must be uint8 .* or float32\/float64/);
    npz(f, { train_images: { data: new Uint8Array(2 * 4 * 3), shape: [2, 4, 3] }, train_labels: { data: [0, 1], shape: [2], dtype: 'f4' } }, 'store');
    expect(() => probeData(spec('b.npz'), dir)).toThrow(/train_labels in b\.npz has dtype f4; labels must be integers/);
    npz(f, { train_images: { data: new Uint8Array(2 * 4 * 3), shape: [2, 4, 3] }, train_labels: { data: [0, 1, 1, 0, 0, 1, 1, 0], shape: [2, 2, 2], dtype: 'u1' } }, 'store');
    expect(() => probeData(spec('b.npz'), dir)).toThrow(
      "train_labels in b.npz has shape (2, 2, 2); labels must be N or N×1 class indices, or N×L of 0/1 for multi-label data (ChestMNIST's N×14).",
    );
    npz(f, { train_images: { data: new Uint8Array(24), shape: [24] }, train_labels: { data: [0, 1], shape: [2], dtype: 'u1' } }, 'store');
    expect(() => probeData(spec('b.npz'), dir)).toThrow(/has shape \(24\); images must be N×H×W or N×H×W×C/);
    npz(f, { train_images: { data: new Uint8Array(2 * 4 * 3), shape: [2, 4, 3] }, train_labels: { data: [0, 1, 2], shape: [3], dtype: 'u1' } }, 'store');
    expect(() => probeData(spec('b.npz'), dir)).toThrow('train_images in b.npz holds 2 images but train_labels holds 3 labels; they must match.');
    npz(f, { train_images: { data: new Uint8Array(2 * 4 * 3), shape: [2, 4, 3] }, train_labels: { data: [0, -1], shape: [2], dtype: 'i8' } }, 'store');
    expect(() => probeData(spec('b.npz'), dir)).toThrow('train_labels in b.npz: label -1 at index 1 is negative; labels are class indices 0, 1, 2…');
  });

  it('rejects labels outside the model classes and size mismatches', () => {
    const dir = tmpDir();
    npz(path.join(dir, 'm.npz'), medmnist(12, 4, 3, 5, 'Nx1'), 'store');
    expect(() => openData(spec('m.npz'), opts(dir))).toThrow(/^label 3 at index 3 of train_labels in m\.npz is outside 0…2: the model has 3 classes/);
    expect(() => openData(spec('m.npz'), opts(dir, { numClasses: 5, input: { h: 28, w: 28, c: 3 } }))).toThrow(
      `the images are 4×3×1 but the model's input is 28×28×3: change the input line to "input 4x3x1" (npz data is not resized).`,
    );
    expect(() => openData(spec('m.npz'), opts(dir, { numClasses: 7 }))).toThrow('the data has 5 classes but the last dense layer has 7 units: set units=5.');
  });

  it.skipIf(!hasNumpy())('reads archives written by numpy (np.savez and np.savez_compressed)', () => {
    const dir = tmpDir();
    const script = `
import numpy as np
rng = np.random.default_rng(0)
ti = rng.integers(0, 256, size=(11, 5, 4, 3), dtype=np.uint8)
tl = (np.arange(11) % 4).reshape(11, 1).astype(np.int64)
vi = rng.random((3, 5, 4, 3), dtype=np.float32)
vl = np.array([3, 0, 1], dtype=np.uint8)
np.savez(${JSON.stringify(path.join(dir, 'plain.npz'))}, train_images=ti, train_labels=tl, val_images=vi.astype(np.uint8), val_labels=vl)
np.savez_compressed(${JSON.stringify(path.join(dir, 'small.npz'))}, train_images=ti, train_labels=tl, test_images=ti[:3], test_labels=tl[:3])
np.savez(${JSON.stringify(path.join(dir, 'float.npz'))}, train_images=vi, train_labels=vl)
np.save(${JSON.stringify(path.join(dir, 'ti.npy'))}, ti)
`;
    const r = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const ti = new Uint8Array(fs.readFileSync(path.join(dir, 'ti.npy')).subarray(128));
    for (const file of ['plain.npz', 'small.npz']) {
      const d = openData(spec(file), { baseDir: dir, input: { h: 5, w: 4, c: 3 }, numClasses: 4, seed: 1 });
      expect(d.train.size).toBe(11);
      expect(d.val!.size).toBe(3);
      const out = new Float32Array(60);
      d.train.read(10, out, 0);
      for (let j = 0; j < 60; j++) expect(out[j]).toBeCloseTo(ti[600 + j] / 255, 6);
      expect(d.train.label(10)).toBe(2);
      d.close();
    }
    const f = probeData(spec('float.npz'), dir);
    expect(f).toMatchObject({ h: 5, w: 4, c: 3, numClasses: 4, trainSize: 3 - 1, valSize: 1 });
  });
});
