// The `augment` statement in training: the training batches are augmented, validation is not, and a run with
// augmentation repeats exactly.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { Augmenter } from '../../../src/data/augment';
import type { EpochMessage, TrainerMessage } from '../../../src/protocol/trainer';
import { runTraining } from '../../../src/trainer/run';
import { tempDir, tinyModel, writeModel } from './helpers';

/** Trains the tiny model (120 shapes: 108 train, 12 val, batch 16) and returns its epoch messages. */
async function trainTiny(opts: { augment?: string; lr?: number; epochs?: number }): Promise<EpochMessage[]> {
  const dir = tempDir();
  const source = tinyModel({ samples: 120, epochs: opts.epochs ?? 1, lr: opts.lr, extra: opts.augment ?? '' });
  const file = writeModel(dir, source);
  const messages: TrainerMessage[] = [];
  const result = await runTraining({ file, source, outDir: tempDir() }, { emit: (m) => messages.push(m), stopRequested: () => false, takeRequest: () => null });
  expect(result.type, JSON.stringify(result)).toBe('done');
  return messages.filter((m): m is EpochMessage => m.type === 'epoch');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('augmentation in training', () => {
  it('augments every training batch once, and nothing else (no validation batch)', async () => {
    const calls: { n: number; epoch: number; batch: number }[] = [];
    const apply = Augmenter.prototype.apply;
    vi.spyOn(Augmenter.prototype, 'apply').mockImplementation(function (this: Augmenter, x, n, epoch, batch) {
      calls.push({ n, epoch, batch });
      apply.call(this, x, n, epoch, batch);
    });
    await trainTiny({ augment: 'augment flip=horizontal shift=1', epochs: 2 });
    // 108 training samples in batches of 16: 7 batches per epoch (the last of 12); the 12 validation samples never.
    const expected = [1, 2].flatMap((epoch) => Array.from({ length: 7 }, (_, b) => ({ n: b < 6 ? 16 : 12, epoch, batch: b })));
    expect(calls).toEqual(expected);
  });

  it('with weights that barely move, the augment statement changes the training loss but not the validation figures', async () => {
    // lr=1e-12: Adam's steps are far below float32's resolution of the weights, so both runs validate the same network.
    const lr = 0.000000000001;
    const [plain] = await trainTiny({ lr });
    const [augmented] = await trainTiny({ lr, augment: 'augment brightness=0.5 contrast=0.5 rotate=30' });
    expect(Math.abs(augmented!.trainLoss - plain!.trainLoss)).toBeGreaterThan(1e-4);
    expect(augmented!.valLoss).toBeCloseTo(plain!.valLoss!, 6);
    expect(augmented!.valAccuracy).toBe(plain!.valAccuracy);
  });

  it('a run with augmentation repeats exactly', async () => {
    const augment = 'augment flip=both rotate=15 shift=2 zoom=0.9-1.1 brightness=0.2 contrast=0.2';
    const a = await trainTiny({ augment, epochs: 2 });
    const b = await trainTiny({ augment, epochs: 2 });
    expect(b.map((e) => [e.trainLoss, e.valLoss])).toEqual(a.map((e) => [e.trainLoss, e.valLoss]));
  });
});
