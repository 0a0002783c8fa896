// The learning tests: the lecture's network and the small ResNet really learn the built-in shapes.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EpochMessage, TrainerMessage } from '../../../src/protocol/trainer';
import { runTraining } from '../../../src/trainer/run';
import { root, tempDir } from './helpers';

describe('learning', () => {
  it('the lecture network reaches at least 95% validation accuracy on data shapes within 3 epochs', async () => {
    const file = join(root, 'examples/lecture.cnn');
    const source = readFileSync(file, 'utf8');
    const messages: TrainerMessage[] = [];
    const result = await runTraining(
      { file, source, outDir: tempDir(), epochs: 3 },
      { emit: (m) => messages.push(m), stopRequested: () => false, takeRequest: () => null },
    );
    expect(result.type).toBe('done');
    const epochs = messages.filter((m): m is EpochMessage => m.type === 'epoch');
    expect(epochs).toHaveLength(3);
    const best = Math.max(...epochs.map((e) => e.valAccuracy ?? 0));
    expect(best).toBeGreaterThanOrEqual(0.95);
    // It learned, not guessed: the loss fell.
    expect(epochs[2]!.trainLoss).toBeLessThan(epochs[0]!.trainLoss);
  });

  it('the small ResNet (batch norm, an identity and a projection shortcut) reaches at least 95% validation accuracy within 2 epochs', async () => {
    const file = join(root, 'examples/resnet.cnn');
    const source = readFileSync(file, 'utf8');
    expect(source).toMatch(/^add /m);
    const messages: TrainerMessage[] = [];
    const result = await runTraining(
      { file, source, outDir: tempDir(), epochs: 2 },
      { emit: (m) => messages.push(m), stopRequested: () => false, takeRequest: () => null },
    );
    expect(result.type).toBe('done');
    const epochs = messages.filter((m): m is EpochMessage => m.type === 'epoch');
    expect(epochs).toHaveLength(2);
    // Validation runs in evaluation mode (batch norm's running statistics): this is what predict will see.
    const best = Math.max(...epochs.map((e) => e.valAccuracy ?? 0));
    expect(best).toBeGreaterThanOrEqual(0.95);
    expect(epochs[1]!.trainLoss).toBeLessThan(epochs[0]!.trainLoss);
  }, 300_000); // about 30 s alone on two busy cores; a guard for a loaded full run, not a speed test
});
