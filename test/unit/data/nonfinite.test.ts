// NaN or infinite pixels are the data's fault, not the learning rate's: float arrays are checked when they are
// opened (in memory and streamed from disk), the message names the split, the sample and the pixel, and
// `cnn train` says so instead of "the loss became NaN … try a lower learning rate"; `cnn predict` on an .npy
// holding NaN says which element.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataError, openData, writeNpy } from '../../../src/data/index';
import { npyPixels } from '../../../src/data/arrays';
import { readNpy } from '../../../src/data/npy';
import { buildOnce, root, tinyModel, writeModel } from '../trainer/helpers';
import { tmpDir, zipBytes } from './helpers';

const N = 30;
const H = 16;

/** float images N×16×16 (values in [0,1]) with `value` at sample `bad`, row 2, column 3; labels i % 3. */
function writeFloatNpz(file: string, value: number, bad: number, dtype: 'f4' | 'f8' = 'f4'): void {
  const img = new Float64Array(N * H * H).map((_, i) => (i % 17) / 17);
  if (bad >= 0) img[bad * H * H + 2 * H + 3] = value;
  const labels = new Int32Array(N).map((_, i) => i % 3);
  fs.writeFileSync(
    file,
    zipBytes([
      { name: 'train_images.npy', data: writeNpy(dtype === 'f4' ? Float32Array.from(img) : img, [N, H, H], dtype), method: 'store' },
      { name: 'train_labels.npy', data: writeNpy(labels, [N], 'i4'), method: 'deflate' },
    ]),
  );
}

const opts = (baseDir: string, streamThreshold?: number) => ({ baseDir, input: { h: H, w: H, c: 1 }, numClasses: 3, seed: 1, valFraction: 0, ...(streamThreshold !== undefined ? { streamThresholdBytes: streamThreshold } : {}) });

describe('non-finite pixels', () => {
  const dir = tmpDir();

  for (const [value, dtype] of [[NaN, 'f4'], [Infinity, 'f4'], [-Infinity, 'f8'], [1e300, 'f8']] as const) {
    it(`a float ${dtype} array holding ${value} is refused when opened, naming the sample and the pixel`, () => {
      writeFloatNpz(path.join(dir, 'bad.npz'), value, 7, dtype);
      const open = () => openData({ kind: 'npz', path: 'bad.npz', val: null, samples: null, line: 0 }, opts(dir));
      expect(open).toThrow(DataError);
      expect(open).toThrow(/train_images in bad\.npz: sample 7 has a pixel of (NaN|-?Infinity)/);
      expect(open).toThrow(/row 2, column 3, channel 0/);
    });
  }

  it('is found in data streamed from disk as well', () => {
    writeFloatNpz(path.join(dir, 'stream.npz'), NaN, 29);
    expect(() => openData({ kind: 'npz', path: 'stream.npz', val: null, samples: null, line: 0 }, opts(dir, 1024))).toThrow(/sample 29 has a pixel of NaN/);
  });

  it('finite float data opens as before', () => {
    writeFloatNpz(path.join(dir, 'good.npz'), 0, -1);
    const d = openData({ kind: 'npz', path: 'good.npz', val: null, samples: null, line: 0 }, opts(dir));
    expect(d.train.size).toBe(N);
    d.close();
  });

  it('an .npy for predict holding NaN names the element', () => {
    const x = new Float32Array(12).fill(0.5);
    x[9] = NaN;
    expect(() => npyPixels(readNpy(writeNpy(x, [2, 2, 3, 1], 'f4')), 'x.npy')).toThrow(/x\.npy holds NaN at element 9/);
  });

  describe('cnn train', () => {
    beforeAll(() => buildOnce());
    it('blames the data, not the learning rate', () => {
      writeFloatNpz(path.join(dir, 'train.npz'), NaN, 4);
      const file = writeModel(dir, tinyModel({ data: 'data npz train.npz', epochs: 1 }));
      const r = spawnSync(process.execPath, [path.join(root, 'bin/cnn'), 'train', file, '--out', path.join(dir, 'run')], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/sample 4 has a pixel of NaN/);
      expect(r.stderr).not.toMatch(/learning rate/);
    });
  });
});
