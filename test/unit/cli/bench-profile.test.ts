// `cnn bench --profile` end to end through bin/cnn: the per-layer rows of a training step and an inference
// pass, as JSON and as tables. Only the structure and the sums are checked, never a speed.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '../../../src/engine/profile';
import { buildOnce, root, tempDir, writeModel } from '../trainer/helpers';
import { CHEST, writeChestNpz } from './chest';

function cnn(args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/cnn'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// Lines: 4 conv (reads the input: no input gradient), 5 relu (fused into 4), 6 conv, 7 batchnorm,
// 8 relu (fused into 7), 9 pool, 10 dense, 11 softmax.
const MODEL = [
  'network Prof',
  'input 16x16x1',
  'classes a b c',
  'conv filters=4 size=3 pad=1',
  'relu',
  'conv filters=6 size=3 pad=1',
  'batchnorm',
  'relu',
  'pool max size=2',
  'dense units=3',
  'softmax',
  'data shapes samples=60',
  'train batch=8',
  '',
].join('\n');

beforeAll(() => buildOnce());

describe('cnn bench --profile', () => {
  const file = writeModel(tempDir('cnn-bench-profile-'), MODEL);

  it('--json: a row per layer that runs, the gradients split where a layer has weights, rows that add up to the total', () => {
    const r = cnn(['bench', file, '--profile', '--steps', '2', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { train: Profile; infer: Profile; batch: number; trainSamplesPerSec: number };
    expect(j.batch).toBe(8);
    expect(j.trainSamplesPerSec).toBeGreaterThan(0);
    // Inference folds the batch norm (line 7) into the conv before it (line 6), its fused relu with it.
    const lines = { train: [4, 6, 7, 9, 10, 11], infer: [4, 6, 9, 10, 11] };
    const intoBn = { train: 7, infer: 6 };
    for (const [name, p] of Object.entries({ train: j.train, infer: j.infer }) as ['train' | 'infer', Profile][]) {
      expect(p.rows.filter((row) => row.part === 'layer').map((row) => row.line), name).toEqual(lines[name]);
      expect(p.fused).toEqual([
        { line: 5, layer: 'relu', into: 4 },
        { line: 8, layer: 'relu', into: intoBn[name] },
      ]);
      const sum = p.rows.reduce((a, row) => a + row.ms, 0);
      expect(Math.abs(sum - p.totalMs)).toBeLessThanOrEqual(0.01 * p.totalMs);
      expect(p.rows.reduce((a, row) => a + row.share, 0)).toBeCloseTo(100, 6);
      expect(p.steps).toBe(2);
      expect(p.samplesPerSec).toBeGreaterThan(0);
      for (const row of p.rows) expect(Number.isFinite(row.ms) && row.ms >= 0, `${name} ${row.layer}`).toBe(true);
    }
    const rows = j.train.rows;
    const at = (line: number) => rows.find((row) => row.line === line)!;
    expect(rows.slice(6).map((row) => row.part)).toEqual(['loss', 'zero', 'optimizer', 'other']);
    // The first conv's input is the network's: no input gradient, all of its backward is the weight gradient.
    expect(at(4)).toMatchObject({ layer: 'conv 4×3×3 s1 p1 +relu', output: '16×16×4', inputGradMs: null, inputGradGflops: null, flops: 2 * 8 * 16 * 16 * 4 * 1 * 9 });
    expect(at(4).weightGradMs).toBeGreaterThanOrEqual(0);
    for (const line of [6, 10]) {
      const row = at(line);
      expect(row.flops).toBeGreaterThan(0);
      for (const ms of [row.forwardMs, row.inputGradMs, row.weightGradMs]) expect(ms).toBeGreaterThanOrEqual(0);
      expect(row.ms).toBeCloseTo(row.forwardMs! + row.inputGradMs! + row.weightGradMs!, 9);
    }
    expect(at(10).layer).toBe('dense 384→3');
    // Memory-bound layers: no FLOP rate; the pool has no weights.
    expect(at(9)).toMatchObject({ flops: null, forwardGflops: null, weightGradMs: null });
    expect(at(9).inputGradMs).toBeGreaterThanOrEqual(0);
    expect(j.infer.rows.slice(5).map((row) => row.part)).toEqual(['probabilities', 'other']);
    expect(j.infer.rows[1]!.layer).toBe('conv 6×3×3 s1 p1 +batchnorm +relu');
    expect([j.train.folded, j.infer.folded]).toEqual([[], [{ line: 7, layer: 'batchnorm +relu', into: 6 }]]);
    expect(j.infer.rows.every((row) => row.inputGradMs === null && row.weightGradMs === null)).toBe(true);
  });

  it('prints the two tables and what they mean, on two threads too', () => {
    const r = cnn(['bench', file, '--profile', '--steps', '2', '--threads', '2']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Prof: batch 8, 2 threads/);
    expect(r.out).toMatch(/\nTraining step by layer \(median of 2 steps at batch 8, ms per step\):\n {2}line {2}layer +output +forward ms {2}GFLOP\/s {2}input grad ms {2}GFLOP\/s {2}weight grad ms {2}GFLOP\/s +ms {2}share\n/);
    expect(r.out).toMatch(/\n {5}4 {2}conv 4×3×3 s1 p1 \+relu +16×16×4 +[\d.]+ +[\d.]+ +– +– +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+%\n/);
    expect(r.out).toMatch(/\n {8}optimizer step \(adam\) +[\d.]+ +[\d.]+%\n/);
    expect(r.out).toMatch(/\n {2}total [\d.]+ ms per step, [\d,]+ samples\/s under profiling\n/);
    expect(r.out).toMatch(/\nInference by layer \(evaluation mode, median of 2 passes at batch 8\):\n/);
    expect(r.out).toMatch(/\nFused \(no row of their own\): line 5 relu runs in line 4; line 8 relu runs in line 7\.\n/);
    expect(r.out).toMatch(/\n {5}6 {2}conv 6×3×3 s1 p1 \+batchnorm \+relu +16×16×6 +[\d.]+ +[\d.]+ +[\d.]+%\n/);
    expect(r.out).toMatch(/\nFolded into a conv in inference \(no row of their own there; [^)]+\): line 7 batchnorm \+relu runs in line 6\.\n/);
  });

  it('profiles a multi-label network (it ends in sigmoid) on 0/1 targets', () => {
    const dir = tempDir('cnn-bench-chest-');
    writeChestNpz(join(dir, 'chest.npz'), { train: 16, val: 8 });
    const chest = writeModel(dir, CHEST('data npz chest.npz', 'train batch=8'), 'chest.cnn');
    const r = cnn(['bench', chest, '--profile', '--steps', '1', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { train: Profile; infer: Profile };
    expect(j.train.rows.find((row) => row.part === 'loss')!.layer).toBe('loss (sigmoid + binary cross-entropy)');
    expect(j.infer.rows.find((row) => row.part === 'probabilities')!.layer).toBe('probabilities (sigmoid)');
    expect(j.train.rows.filter((row) => row.part === 'layer').map((row) => row.layer)).toEqual([
      'conv 6×3×3 s1 p1 +relu', 'maxpool 2×2 s2 p0', 'conv 8×3×3 s1 p1 +relu', 'maxpool 2×2 s2 p0', 'dense 392→14', 'sigmoid',
    ]);
  });

  it('bench --help names the flag', () => {
    const r = cnn(['bench', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/cnn bench FILE \[--steps N\] \[--threads T\] \[--profile\] \[--json\]/);
  });
});
