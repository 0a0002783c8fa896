// `cnn train`, `cnn predict` and `cnn bench` end to end through bin/cnn.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { writeNpy } from '../../../src/data';
import { corruptBody } from '../data/helpers';
import { CHEST, CHEST_NAMES, writeChestNpz } from '../cli/chest';
import { buildOnce, root, tempDir, tinyModel, writeModel } from './helpers';

function cnn(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [join(root, 'bin/cnn'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => buildOnce());

describe('cnn train / predict / bench', () => {
  const dir = tempDir();
  const file = writeModel(dir, tinyModel({ epochs: 2 }));
  const out = join(dir, 'out');

  it('train --json prints JSON lines in the trainer messages\' shape and writes the run folder', () => {
    const r = cnn(['train', file, '--epochs', '1', '--out', out, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0].type).toBe('started');
    expect(lines.filter((l) => l.type === 'epoch')).toHaveLength(1);
    expect(lines[lines.length - 1].type).toBe('done');
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true);
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics.filter((l) => 'epoch' in l)).toHaveLength(1);
  });

  it('train without --out writes runs/<network>-<timestamp>/ beside the file, with plain lines', () => {
    const r = cnn(['train', file, '--epochs', '1']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/epoch 1\/1 +train loss/);
    const m = r.out.match(/Checkpoint: (.*)/);
    expect(m?.[1]).toContain(join(dir, 'runs', 'Tiny-'));
    expect(existsSync(m![1]!)).toBe(true);
  });

  it('train --init starts from a checkpoint', () => {
    const r = cnn(['train', file, '--epochs', '1', '--init', join(out, 'model.safetensors'), '--out', join(dir, 'out2'), '--json']);
    expect(r.code).toBe(0);
  });

  it('predict --json gives one probability row per sample', () => {
    const x = new Float32Array(2 * 16 * 16);
    for (let i = 0; i < x.length; i++) x[i] = (i % 7) / 7;
    const npy = join(dir, 'x.npy');
    writeFileSync(npy, writeNpy(x, [2, 16, 16, 1], 'f4'));
    const r = cnn(['predict', file, '--weights', join(out, 'model.safetensors'), '--input', npy, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.classes).toEqual(['door', 'stair', 'sign']);
    expect(j.probabilities).toHaveLength(2);
    for (const row of j.probabilities) expect(row.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('predict refuses an input of the wrong shape with one line and exit 1', () => {
    const npy = join(dir, 'bad.npy');
    writeFileSync(npy, writeNpy(new Float32Array(8 * 8), [8, 8, 1], 'f4'));
    const r = cnn(['predict', file, '--weights', join(out, 'model.safetensors'), '--input', npy]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/has shape \[8, 8, 1\], but the model takes N×16×16×1/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('predict takes grey images without their channel axis (N×H×W and H×W, as MedMNIST stores them) as N×H×W×1', () => {
    const x = new Float32Array(2 * 16 * 16);
    for (let i = 0; i < x.length; i++) x[i] = (i % 11) / 11;
    const [withAxis, without, one] = ['axis.npy', 'noaxis.npy', 'one.npy'].map((n) => join(dir, n));
    writeFileSync(withAxis, writeNpy(x, [2, 16, 16, 1], 'f4'));
    writeFileSync(without, writeNpy(x, [2, 16, 16], 'f4'));
    writeFileSync(one, writeNpy(x.subarray(256), [16, 16], 'f4'));
    const run = (npy: string) => JSON.parse(cnn(['predict', file, '--weights', join(out, 'model.safetensors'), '--input', npy, '--json']).out).probabilities;
    const expected = run(withAxis);
    expect(run(without)).toEqual(expected);
    expect(run(one)).toEqual([expected[1]]);
  });

  it('predict scales a uint8 .npy to [0, 1] exactly as the data loaders do', () => {
    const u8 = new Uint8Array(2 * 16 * 16);
    for (let i = 0; i < u8.length; i++) u8[i] = (i * 37) & 255;
    const asBytes = join(dir, 'u8.npy');
    const asFloats = join(dir, 'u8-as-f4.npy');
    writeFileSync(asBytes, writeNpy(u8, [2, 16, 16, 1], 'u1'));
    writeFileSync(asFloats, writeNpy(Float32Array.from(u8, (v) => v / 255), [2, 16, 16, 1], 'f4'));
    const weights = join(out, 'model.safetensors');
    const a = cnn(['predict', file, '--weights', weights, '--input', asBytes, '--json']);
    const b = cnn(['predict', file, '--weights', weights, '--input', asFloats, '--json']);
    expect(a.code).toBe(0);
    const pa: number[][] = JSON.parse(a.out).probabilities;
    const pb: number[][] = JSON.parse(b.out).probabilities;
    pa.forEach((row, i) => row.forEach((p, k) => expect(p).toBeCloseTo(pb[i]![k]!, 6)));
    // An integer type the loaders refuse is refused here too, in the same words.
    const i16 = join(dir, 'i16.npy');
    writeFileSync(i16, writeNpy(new Int16Array(16 * 16), [16, 16, 1], 'i2'));
    const r = cnn(['predict', file, '--weights', weights, '--input', i16]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`cnn: ${i16} has dtype i2; images must be uint8 (0–255, scaled to [0, 1]) or float32/float64 (used as they are).\n`);
  });

  it('predict on an image whose body is garbage says it cannot be decoded, in one line', () => {
    const p = new PNG({ width: 16, height: 16 });
    for (let i = 0; i < p.data.length; i++) p.data[i] = (i * 13) & 255;
    const png = join(dir, 'broken.png');
    writeFileSync(png, corruptBody(PNG.sync.write(p), 5));
    const r = cnn(['predict', file, '--weights', join(out, 'model.safetensors'), '--input', png]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(new RegExp(`^cnn: ${png.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be decoded as a PNG image \\(.+\\)\n$`));
    expect(r.err).not.toMatch(/internal error/);
  });

  it('train on an image folder skips undecodable images with one warning that counts them', () => {
    const data = join(dir, 'imgs');
    const img = (seed: number) => {
      const p = new PNG({ width: 8, height: 8 });
      for (let i = 0; i < p.data.length; i++) p.data[i] = (i * 7 + seed * 31) & 255;
      return PNG.sync.write(p);
    };
    for (const cls of ['door', 'stair', 'sign']) {
      mkdirSync(join(data, cls), { recursive: true });
      for (let k = 0; k < 4; k++) writeFileSync(join(data, cls, `${k}.png`), img(k));
    }
    writeFileSync(join(data, 'sign', '3.png'), corruptBody(img(3), 9));
    const f = writeModel(dir, tinyModel({ data: 'data folder imgs val=0' }), 'folder.cnn');
    const r = cnn(['train', f, '--epochs', '1', '--out', join(dir, 'out-folder')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Training on 11 samples/);
    expect(r.err).toMatch(/^warning: skipped 1 of 12 images that cannot be decoded: sign\/3\.png cannot be decoded as a PNG image \(.+\)\n$/);
  });

  it('bench --json prints the figures', () => {
    const r = cnn(['bench', file, '--steps', '3', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j).sort()).toEqual(['batch', 'inferSamplesPerSec', 'peakRssMB', 'threads', 'trainSamplesPerSec']);
    expect(j.batch).toBe(16);
    expect(j.trainSamplesPerSec).toBeGreaterThan(0);
  });

  it('train on a file with errors exits 1 with the first error', () => {
    const bad = writeModel(dir, 'input 7x7x1\nconv filters=1 size=3 stride=3\ndense units=3\nsoftmax\ndata shapes\n', 'bad.cnn');
    const r = cnn(['train', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/E020/);
  });

  it('a missing data path is an E040 error before training starts', () => {
    const f = writeModel(dir, tinyModel({ data: 'data npz nothing.npz' }), 'nodata.cnn');
    const r = cnn(['train', f]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/E040/);
    expect(r.err).toMatch(/nothing\.npz/);
  });

  it('multi-label through bin/cnn: ChestMNIST-shaped NPZ, --json with the task fields, evaluate --json, predict --json', () => {
    writeChestNpz(join(dir, 'chest.npz'), { train: 96, val: 24, test: 32 });
    const f = writeModel(dir, CHEST('data npz chest.npz', 'train epochs=1 batch=16 optimizer=adam lr=0.01 seed=3'), 'chest.cnn');
    const out = join(dir, 'out-chest');
    const r = cnn(['train', f, '--out', out, '--json']);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.find((l) => l.type === 'started')).toMatchObject({ task: 'multilabel', classWeights: null });
    expect(lines.find((l) => l.type === 'epoch').valAuc).toBeGreaterThan(0);
    const done = lines[lines.length - 1];
    expect(done).toMatchObject({ type: 'done', test: { samples: 32 }, best: join(out, 'best.safetensors') });
    const e = cnn(['evaluate', f, '--weights', join(out, 'best.safetensors'), '--split', 'test', '--json']);
    expect(e.code, e.err).toBe(0);
    expect(Object.keys(JSON.parse(e.out))).toEqual(['split', 'samples', 'task', 'accuracy', 'auc']);
    const x = join(dir, 'chest-x.npy');
    writeFileSync(x, writeNpy(new Uint8Array(2 * 784).fill(30), [2, 28, 28, 1], 'u1'));
    const p = cnn(['predict', f, '--weights', join(out, 'model.safetensors'), '--input', x, '--json']);
    expect(p.code, p.err).toBe(0);
    const j = JSON.parse(p.out);
    expect(j.labels).toEqual(CHEST_NAMES);
    expect(j.probabilities).toHaveLength(2);
  });
});
