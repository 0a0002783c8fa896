// Shared helpers for the export tests: Debian's Python with PyTorch, checked models from text, engine predictions.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';
import { check, toModelSpec } from '../../../src/language';
import type { ModelSpec } from '../../../src/language/model';
import { writePytorchPackage } from '../../../src/export';

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

/**
 * A small multi-label network (ChestMNIST's kind: it ends in dense + sigmoid) on an .npz, with balanced class
 * weights (pos_weight) and every augmentation setting.
 */
export const MULTILABEL = `network Findings
input 12x12x1
classes effusion nodule mass
augment flip=horizontal rotate=10 shift=1 zoom=0.9-1.1 brightness=0.1 contrast=0.1
conv filters=4 size=3 pad=1 activation=relu
pool max size=2
dense units=8 activation=relu
dense units=3
sigmoid
data npz findings.npz
train epochs=2 batch=8 optimizer=adam lr=0.01 seed=4 class_weights=balanced
`;

/** A single-label network with class weights given by hand (CrossEntropyLoss(weight=)). */
export const WEIGHTED = `network Weighted
input 12x12x1
classes a b c
conv filters=4 size=3 pad=1 activation=relu
pool max size=2
dense units=3
softmax
data npz classes.npz
train epochs=1 batch=8 optimizer=sgd lr=0.05 seed=2 class_weights=0.5,2,1.25
`;

/**
 * Python that writes a MedMNIST-style .npz: uint8 images N×H×W (grey, no channel axis) under train_/val_/test_,
 * labels N×L of 0/1 (multi-label) or N×1 class indices, as argv: path, H, W, L, multilabel (0/1), counts "a,b,c".
 * The images carry their labels (a bright quarter per positive label, or per class), so a network can learn them.
 */
export const MAKE_NPZ_PY = String.raw`
import sys
import numpy as np
path, h, w, l, multi = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
counts = [int(c) for c in sys.argv[6].split(",")]
rng = np.random.default_rng(0)
out = {}
for split, n in zip(("train", "val", "test"), counts):
    if multi:
        y = (rng.random((n, l)) < np.linspace(0.15, 0.5, l)).astype(np.uint8)
    else:
        y = rng.integers(0, l, size=(n, 1)).astype(np.uint8)
    x = (rng.random((n, h, w)) * 60).astype(np.uint8)
    for i in range(n):
        for j in (np.nonzero(y[i])[0] if multi else [int(y[i, 0])]):
            x[i, (j % 2) * (h // 2):(j % 2 + 1) * (h // 2), (j // 2) * (w // 3):(j // 2 + 1) * (w // 3)] += 150
    out[split + "_images"], out[split + "_labels"] = x, y
np.savez(path, **out)
`;

/**
 * Runs PYTHON with args and waits for it to exit (the exit event). A guard kills the process group after guardMs,
 * so a hung launch fails with its output rather than as a bare test timeout.
 */
export function runPython(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, guardMs = 100_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    // PYTHONFAULTHANDLER: a hung process group is sent SIGABRT first, so every Python process prints where it hung.
    const child = spawn(PYTHON, args, { cwd, env: { ...PY_ENV, PYTHONFAULTHANDLER: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        child.kill(signal);
      }
    };
    let killer: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => {
      stderr += `\n[test] no exit after ${guardMs / 1000} s: SIGABRT (Python tracebacks follow), then SIGKILL\n`;
      kill('SIGABRT');
      killer = setTimeout(() => kill('SIGKILL'), 5000);
    }, guardMs);
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.on('error', (e) => {
      clearTimeout(guard);
      fail(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      clearTimeout(killer);
      done({ code, signal, stdout, stderr });
    });
  });
}

/**
 * A network's package written beside its .cnn file (in a new temporary folder), with an .npz for it made by
 * MAKE_NPZ_PY (12×12 grey images, `labels` classes or labels, train/val/test sizes `counts`).
 */
export function taskPackage(text: string, npz: string, labels: number, multi: boolean, counts: number[]): { dir: string; file: string; pkg: string; spec: ModelSpec } {
  const dir = tempDir('cnn-tasks-');
  const file = join(dir, 'net.cnn');
  writeFileSync(file, text);
  python(MAKE_NPZ_PY, [join(dir, npz), '12', '12', String(labels), multi ? '1' : '0', counts.join(',')]);
  const spec = specOf(text, file);
  const pkg = join(dir, 'pkg');
  writePytorchPackage(spec, { file, outDir: pkg });
  return { dir, file, pkg, spec };
}
