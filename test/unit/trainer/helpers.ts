// Shared helpers for the trainer tests: a fresh build of the bundles once, temp folders, small models.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(__dirname, '../../..');

let built = false;
/** Build dist/ once per test file (the trainer child runs the bundle, as in the editor). */
export function buildOnce(): void {
  if (built) return;
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  built = true;
}

export function tempDir(prefix = 'cnn-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A small, fast network on the built-in shapes. */
export function tinyModel(opts: { samples?: number; epochs?: number; lr?: number; optimizer?: string; extra?: string; data?: string } = {}): string {
  return [
    'network Tiny',
    'input 16x16x1',
    'classes door stair sign',
    'conv filters=4 size=3 pad=1 activation=relu',
    'pool max size=2',
    'dense units=3',
    'softmax',
    opts.data ?? `data shapes samples=${opts.samples ?? 240}`,
    `train epochs=${opts.epochs ?? 2} batch=16 optimizer=${opts.optimizer ?? 'adam'} lr=${opts.lr ?? 0.01} seed=3`,
    opts.extra ?? '',
    '',
  ].join('\n');
}

export function writeModel(dir: string, text: string, name = 'model.cnn'): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}
