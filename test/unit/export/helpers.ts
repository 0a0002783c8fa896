// Shared helpers for the export tests: Debian's Python with PyTorch, checked models from text, engine predictions.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';
import { check, toModelSpec } from '../../../src/language';
import type { ModelSpec } from '../../../src/language/model';

export const root = resolve(__dirname, '../../..');

/**
 * The Python the parity tests run: Debian's /usr/bin/python3 with python3-torch (.ci/run installs it), whatever
 * python3 comes first on PATH; CNN_TEST_PYTHON overrides it.
 */
export const PYTHON = process.env.CNN_TEST_PYTHON ?? '/usr/bin/python3';

/** Environment for Python children: one thread each (the machine's cores are shared), no .pyc files. */
export const PY_ENV: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' };

function probeTorch(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8', env: PY_ENV });
  return r.status === 0 ? r.stdout.trim() : null;
}

export const TORCH_VERSION = probeTorch();
/**
 * Whether the PyTorch tests run: when torch imports, and always on CI (where a missing torch must fail loudly
 * rather than skip; .ci/run installs python3-torch).
 */
export const RUN_TORCH = TORCH_VERSION !== null || process.env.CI === 'true';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary folder, removed after the test file. */
export function tempDir(prefix = 'cnn-export-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** The checked model of a .cnn text (as if saved as `file`); throws on errors. */
export function specOf(text: string, file = join(tmpdir(), 'model.cnn')): ModelSpec {
  const result = check(text);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${file}: ${errors.map((e) => `${e.code} ${e.message}`).join('; ')}`);
  const spec = toModelSpec(result, file.split('/').pop()!.replace(/\.cnn$/, ''));
  if (!spec) throw new Error('no model');
  return spec;
}

export function example(name: string): string {
  return readFileSync(join(root, 'examples', `${name}.cnn`), 'utf8');
}

/** Deterministic pseudo-random floats in [0, 1). */
export function randomInput(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    x[i] = (s >>> 0) / 2 ** 32;
  }
  return x;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Runs a Python script (text) with PYTHON; throws with its stderr when it fails. */
export function python(script: string, args: string[] = [], cwd = root): string {
  const r = spawnSync(PYTHON, ['-c', script, ...args], { cwd, encoding: 'utf8', env: PY_ENV, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** `bin/cnn ARGS` (needs dist/): exit code, stdout, stderr. */
export function cnn(args: string[], cwd = root): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/cnn'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Odd strides, paddings, rectangular filters and every activation: the layers only (no data or train line). */
export const ODD_LAYERS = `network Odd
input 13x10x2
classes a b c d
conv filters=3 size=3x2 stride=2x1 pad=1 activation=tanh
leakyrelu slope=0.1
pool avg size=3 stride=2 pad=1
conv filters=4 size=1
sigmoid
dropout rate=0.3
pool max size=2 stride=1 pad=1
dense units=7 activation=relu
tanh
dense units=4
`;

/** A small, fast network on the built-in shapes, with its data and train lines. */
export const TINY = `network Tiny
input 16x16x1
classes door stair sign
conv filters=4 size=3 pad=1 activation=relu
pool max size=2
dense units=3
softmax
data shapes samples=48
train epochs=1 batch=8 optimizer=adam lr=0.01 seed=3 val=0.25
`;
