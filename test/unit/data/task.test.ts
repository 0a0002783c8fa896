// E055: the network's task (softmax: one class per sample; sigmoid: N×L labels of 0/1) against the data's
// labels, decided from the .npz's label header alone — proved on files whose label arrays could not be loaded
// (a damaged body, a declared size far beyond memory) — and shown by the checker (the editor and `cnn check`)
// on the network's last line, and by the data check and openData before training.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkModelData, dataTaskIssue, DataError, labelLayout, openData, probeData, writeNpy } from '../../../src/data/index';
import { main } from '../../../src/cli/main';
import { ZipReader } from '../../../src/data/zip';
import { check, toModelSpec, type DataSpec, type ModelSpec } from '../../../src/language';
import { fileHost } from '../../../src/trainer/paths';
import { idxPair, noisePng, tmpDir, zipBytes, type ZipInput } from './helpers';

/** An npz with uint8 N×28×28 images and the given labels (train split only). */
function npzWith(file: string, labels: { data: ArrayLike<number>; shape: number[] }, method: ZipInput['method'] = 'deflate'): void {
  const n = labels.shape[0]!;
  fs.writeFileSync(
    file,
    zipBytes([
      { name: 'train_images.npy', data: writeNpy(new Uint8Array(n * 28 * 28), [n, 28, 28], 'u1'), method },
      { name: 'train_labels.npy', data: writeNpy(labels.data, labels.shape, 'u1'), method },
    ]),
  );
}

const multi = (n: number, l: number): { data: number[]; shape: number[] } => ({ data: Array.from({ length: n * l }, (_, k) => ((k * 7) % 3 === 0 ? 1 : 0)), shape: [n, l] });
const single = (n: number, shape: 'N' | 'Nx1') => ({ data: Array.from({ length: n }, (_, i) => i % 14), shape: shape === 'N' ? [n] : [n, 1] });

/** The model spec of a small network ending in `ending` with `units` outputs, on `data`. */
function model(ending: 'softmax' | 'sigmoid', units: number, data: string): ModelSpec {
  const text = `input 28x28x1\ndense units=${units}\n${ending}\ndata ${data}\n`;
  const spec = toModelSpec(check(text));
  if (!spec) throw new Error('the test network does not check');
  return spec;
}

const npzSpec = (p: string): DataSpec => ({ kind: 'npz', path: p, val: null, samples: null, line: 3 });

describe('E055 from the label header', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a softmax network on N×14 labels', () => {
    const dir = tmpDir();
    npzWith(path.join(dir, 'chest.npz'), multi(100, 14));
    expect(checkModelData(model('softmax', 14, 'npz chest.npz'), dir)).toEqual([
      {
        code: 'E055',
        severity: 'error',
        target: 'task',
        message: "The network ends in softmax (one class per sample) but 'train_labels' in chest.npz holds 14 labels per sample (shape 100×14), which is multi-label data: end in dense units=14 and sigmoid.",
      },
    ]);
  });

  it('a sigmoid network on N×1 and on N labels', () => {
    const dir = tmpDir();
    npzWith(path.join(dir, 'chest.npz'), single(100, 'Nx1'));
    expect(checkModelData(model('sigmoid', 14, 'npz chest.npz'), dir)).toEqual([
      {
        code: 'E055',
        severity: 'error',
        target: 'task',
        message: "The network ends in sigmoid (multi-label, 14 labels) but 'train_labels' in chest.npz holds one class per sample (shape 100×1): end in softmax, or use N×14 labels of 0/1.",
      },
    ]);
    npzWith(path.join(dir, 'flat.npz'), single(50, 'N'));
    expect(checkModelData(model('sigmoid', 14, 'npz flat.npz'), dir)[0]!.message).toContain("'train_labels' in flat.npz holds one class per sample (shape 50):");
  });

  it('a sigmoid network on idx, folder and shapes data (one class per image)', () => {
    const dir = tmpDir();
    const p = idxPair(6, 28, 28, 3);
    fs.mkdirSync(path.join(dir, 'mnist'));
    fs.writeFileSync(path.join(dir, 'mnist', 'train-images-idx3-ubyte'), p.images);
    fs.writeFileSync(path.join(dir, 'mnist', 'train-labels-idx1-ubyte'), p.labels);
    for (const c of ['cat', 'dog']) {
      fs.mkdirSync(path.join(dir, 'photos', c), { recursive: true });
      fs.writeFileSync(path.join(dir, 'photos', c, 'a.png'), noisePng(8, 8, c.length));
    }
    expect(checkModelData(model('sigmoid', 3, 'idx mnist'), dir)).toEqual([
      { code: 'E055', severity: 'error', target: 'task', message: 'The network ends in sigmoid (multi-label, 3 labels) but data idx mnist gives one class per image: end in softmax, or use an .npz with N×3 labels of 0/1.' },
    ]);
    expect(checkModelData(model('sigmoid', 2, 'folder photos'), dir)[0]).toMatchObject({ code: 'E055', message: expect.stringContaining('but data folder photos gives one class per image') });
    expect(checkModelData(model('sigmoid', 3, 'shapes'), dir)[0]).toMatchObject({ code: 'E055', message: expect.stringContaining('but data shapes gives one class per image') });
    // The endings that fit give no E055.
    expect(checkModelData(model('softmax', 3, 'idx mnist'), dir)).toEqual([]);
    expect(checkModelData(model('softmax', 3, 'shapes'), dir)).toEqual([]);
  });

  it('nothing when the ending fits the labels', () => {
    const dir = tmpDir();
    npzWith(path.join(dir, 'chest.npz'), multi(20, 14));
    expect(checkModelData(model('sigmoid', 14, 'npz chest.npz'), dir)).toEqual([]);
    npzWith(path.join(dir, 'path.npz'), single(30, 'Nx1'));
    expect(checkModelData(model('softmax', 14, 'npz path.npz'), dir)).toEqual([]);
  });

  it('reads only the header: a damaged label array still gives E055, and nothing is loaded', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'chest.npz');
    npzWith(file, multi(100, 14), 'store');
    // Damage the stored checksum of train_labels.npy in the central directory: loading the array now fails.
    const bytes = fs.readFileSync(file);
    const at = bytes.lastIndexOf(Buffer.from('train_labels.npy')) - 46;
    expect(bytes.readUInt32LE(at)).toBe(0x02014b50);
    bytes.writeUInt32LE((bytes.readUInt32LE(at + 16) ^ 0xffffffff) >>> 0, at + 16);
    fs.writeFileSync(file, bytes);
    expect(() => probeData(npzSpec('chest.npz'), dir)).toThrow("chest.npz is damaged: the checksum of 'train_labels.npy' does not match.");
    const read = vi.spyOn(ZipReader.prototype, 'read');
    const source = vi.spyOn(ZipReader.prototype, 'source');
    expect(checkModelData(model('softmax', 14, 'npz chest.npz'), dir)).toEqual([expect.objectContaining({ code: 'E055', message: expect.stringContaining('(shape 100×14)') })]);
    expect(dataTaskIssue(npzSpec('chest.npz'), { task: 'single', units: 14 }, dir)).toContain('holds 14 labels per sample');
    expect(read).not.toHaveBeenCalled();
    expect(source).not.toHaveBeenCalled();
  });

  it('reads only the header: labels declared far larger than memory (ChestMNIST-224 scale and beyond)', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'huge.npz');
    const n = 400_000_000; // 400M × 14 bytes = 5.6 GB, beyond MAX_INFLATED_BYTES
    const header = writeNpy(new Uint8Array(0), [0, 14], 'u1');
    // The same header with the huge N (same length: pad the dict's spaces).
    const text = Buffer.from(header).toString('latin1');
    const big = text.replace('(0, 14)', `(${n}, 14)`);
    const extra = big.length - text.length;
    const trimmed = big.replace(new RegExp(` {${extra}}\n$`), '\n');
    expect(trimmed.length).toBe(text.length);
    const labelBytes = Buffer.concat([Buffer.from(trimmed, 'latin1'), Buffer.alloc(4096)]);
    const zip = zipBytes(
      [
        { name: 'train_images.npy', data: writeNpy(new Uint8Array(2 * 28 * 28), [2, 28, 28], 'u1'), method: 'deflate' },
        { name: 'train_labels.npy', data: labelBytes, method: 'deflate' },
      ],
      { zip64: true },
    );
    // Declare the entry's uncompressed size to match the header (the zip64 extra field of its central record).
    const at = zip.lastIndexOf(Buffer.from('train_labels.npy')) - 46;
    const nameLen = zip.readUInt16LE(at + 28);
    zip.writeBigUInt64LE(BigInt(header.length + n * 14), at + 46 + nameLen + 4);
    fs.writeFileSync(file, zip);
    expect(labelLayout(npzSpec('huge.npz'), dir)).toEqual({ task: 'multilabel', labels: 14, source: "'train_labels' in huge.npz", shape: [n, 14] });
    expect(checkModelData(model('softmax', 14, 'npz huge.npz'), dir)).toEqual([
      expect.objectContaining({ code: 'E055', message: expect.stringContaining('(shape 400,000,000×14)') }),
    ]);
    // Loading the array is refused (memory), which E055 never tried.
    const reader = ZipReader.open(file);
    expect(() => reader.read(reader.entry('train_labels.npy')!)).toThrow(/more than the .* that can be held in memory/);
    reader.close();
  });

  it('no E055 when the label header cannot be read: the data check says what is wrong instead', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'nolabels.npz'), zipBytes([{ name: 'train_images.npy', data: writeNpy(new Uint8Array(2 * 28 * 28), [2, 28, 28], 'u1'), method: 'store' }]));
    const issues = checkModelData(model('sigmoid', 14, 'npz nolabels.npz'), dir);
    expect(issues).toEqual([expect.objectContaining({ code: 'E040', message: expect.stringContaining("nolabels.npz has no 'train_labels' array") })]);
    expect(() => openData(npzSpec('nolabels.npz'), { baseDir: dir, input: { h: 28, w: 28, c: 1 }, numClasses: 14, task: 'multilabel', seed: 1 })).toThrow(/has no 'train_labels' array/);
    expect(dataTaskIssue(npzSpec('nolabels.npz'), { task: 'multilabel', units: 14 }, dir)).toBeNull();
    expect(dataTaskIssue(npzSpec('missing.npz'), { task: 'multilabel', units: 14 }, dir)).toBeNull();
  });

  it('openData refuses the mismatch with code E055 before reading any labels', () => {
    const dir = tmpDir();
    const a = multi(10, 14);
    a.data[5] = 7; // a value a multi-label reader would refuse: the task error comes first
    npzWith(path.join(dir, 'chest.npz'), a);
    let err: unknown = null;
    try {
      openData(npzSpec('chest.npz'), { baseDir: dir, input: { h: 28, w: 28, c: 1 }, numClasses: 14, seed: 1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).code).toBe('E055');
    expect((err as DataError).message).toMatch(/^The network ends in softmax/);
  });

  it('the checker reports it on the last layer with the fix that swaps the ending (editor and cnn check share the host)', () => {
    const dir = tmpDir();
    npzWith(path.join(dir, 'chest.npz'), single(40, 'Nx1'));
    const file = path.join(dir, 'net.cnn');
    const text = 'input 28x28x1\ndense units=14\nsigmoid\ndata npz chest.npz\n';
    const result = check(text, fileHost(file));
    const e055 = result.diagnostics.filter((d) => d.code === 'E055');
    expect(e055).toHaveLength(1);
    expect(text.slice(e055[0]!.offset, e055[0]!.offset + e055[0]!.length)).toBe('sigmoid');
    expect(e055[0]!.message).toBe("The network ends in sigmoid (multi-label, 14 labels) but 'train_labels' in chest.npz holds one class per sample (shape 40×1): end in softmax, or use N×14 labels of 0/1.");
    expect(e055[0]!.fixes[0]).toMatchObject({ title: 'Change sigmoid to softmax', edits: [{ offset: text.indexOf('sigmoid'), length: 7, newText: 'softmax' }] });
    expect(check(text.replace('sigmoid', 'softmax'), fileHost(file)).diagnostics.filter((d) => d.code === 'E055')).toEqual([]);
    // The header is cached per file version: a rewritten file is read again.
    npzWith(path.join(dir, 'chest.npz'), multi(40, 14));
    fs.utimesSync(path.join(dir, 'chest.npz'), new Date(), new Date(Date.now() + 5000));
    expect(check(text, fileHost(file)).diagnostics.filter((d) => d.code === 'E055')).toEqual([]);
  });

  it('cnn check prints it on the last layer line and fails', async () => {
    const dir = tmpDir();
    npzWith(path.join(dir, 'chest.npz'), multi(12, 14));
    const file = path.join(dir, 'net.cnn');
    fs.writeFileSync(file, 'input 28x28x1\ndense units=14\nsoftmax\ndata npz chest.npz\n');
    let out = '';
    let err = '';
    const code = await main(['check', file], { out: (t) => (out += t), err: (t) => (err += t) });
    expect(code).toBe(1);
    expect(out).toContain(`${file}:3:1: error E055: The network ends in softmax (one class per sample) but 'train_labels' in chest.npz holds 14 labels per sample (shape 12×14)`);
    expect(err).toBe('1 error, 0 warnings in 1 file\n');
  });
});
