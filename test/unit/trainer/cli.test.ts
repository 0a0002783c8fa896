// `cnn train`, `cnn predict` and `cnn bench` end to end through bin/cnn.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../../src/data';
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
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
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
});
