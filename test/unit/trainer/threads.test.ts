// Training on two threads (the editor's cnnStudio.training.threads, `cnn train --threads 2`) gives what one
// thread gives, within float tolerance: the batch is split across worker threads and the weight gradients
// summed in another order, nothing else changes.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../../src/engine';
import type { EpochMessage, TrainerMessage } from '../../../src/protocol/trainer';
import { runTraining } from '../../../src/trainer/run';
import { tempDir, tinyModel, writeModel } from './helpers';

async function train(file: string, source: string, threads: number) {
  const outDir = tempDir();
  const messages: TrainerMessage[] = [];
  const result = await runTraining({ file, source, outDir, threads }, { emit: (m) => messages.push(m), stopRequested: () => false, takeRequest: () => null });
  expect(result.type, JSON.stringify(result)).toBe('done');
  const epochs = messages.filter((m): m is EpochMessage => m.type === 'epoch');
  return { epochs, tensors: loadCheckpoint(join(outDir, 'model.safetensors')).tensors };
}

describe('training threads', () => {
  it('2 threads train like 1 thread: the same losses, accuracies and weights within float tolerance', async () => {
    const source = tinyModel({ samples: 96, epochs: 2, optimizer: 'sgd', lr: 0.05 });
    const file = writeModel(tempDir(), source);
    const one = await train(file, source, 1);
    const two = await train(file, source, 2);
    expect(two.epochs).toHaveLength(2);
    two.epochs.forEach((e, i) => {
      const o = one.epochs[i]!;
      expect(Math.abs(e.trainLoss - o.trainLoss)).toBeLessThan(1e-4);
      expect(e.trainAccuracy).toBeCloseTo(o.trainAccuracy, 6);
      expect(Math.abs((e.valLoss ?? 0) - (o.valLoss ?? 0))).toBeLessThan(1e-4);
    });
    for (const t of two.tensors) {
      const o = one.tensors.find((u) => u.name === t.name)!;
      let diff = 0;
      for (let i = 0; i < t.data.length; i++) diff = Math.max(diff, Math.abs(t.data[i]! - o.data[i]!));
      expect(diff, t.name).toBeLessThan(1e-4);
    }
  });
});
