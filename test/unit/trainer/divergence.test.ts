// A loss that explodes stops training as a NaN does: `lr=1000` ended "Done" with a loss of 11 million and exit
// 0. The rule on numbers, then through bin/cnn.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { divergence } from '../../../src/trainer/divergence';
import { buildOnce, root, tempDir, tinyModel, writeModel } from './helpers';

describe('divergence', () => {
  it('is NaN or infinity, or 100 times where the loss started or the loss of guessing, whichever is larger', () => {
    expect(divergence(NaN, 1.1, 3)).toBe('became NaN');
    expect(divergence(Infinity, 1.1, 3)).toBe('became Infinity');
    expect(divergence(1.1, 1.1, 3)).toBeNull();
    expect(divergence(109, 1.1, 3)).toBeNull();
    expect(divergence(11_000_000, 1.1, 3)).toBe('reached 11,000,000, over 100 times where it started (1.10)');
    // From a good checkpoint the first loss is tiny: the bound is the loss of guessing among 10 classes (2.30).
    expect(divergence(50, 0.01, 10)).toBeNull();
    expect(divergence(231, 0.01, 10)).toBe('reached 231, over 100 times the loss of guessing among 10 classes (2.30)');
  });
});

describe('cnn train with lr=1000', () => {
  beforeAll(() => buildOnce());
  for (const optimizer of ['sgd', 'adam']) {
    it(`${optimizer}: stops with a clear error and exit 1, not "Done"`, () => {
      const dir = tempDir();
      const file = writeModel(dir, tinyModel({ lr: 1000, optimizer, epochs: 3 }));
      const r = spawnSync(process.execPath, [join(root, 'bin/cnn'), 'train', file, '--out', join(dir, 'run')], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
      expect(r.status).toBe(1);
      expect(r.stdout).not.toMatch(/Done/);
      expect(r.stderr).toMatch(/cnn: train error: The loss (reached [\d,.]+, over 100 times|became (NaN|-?Infinity)).* training diverged\. Try a lower learning rate \(lr=100 instead of 1000\)/);
      expect(existsSync(join(dir, 'run', 'model.safetensors'))).toBe(false);
    });
  }
});
