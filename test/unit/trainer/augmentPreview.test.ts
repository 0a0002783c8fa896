// Issue 9, item 3 (trainer side): the inspector's augmentation grid is answered in inspect mode — the training
// sample and `count` augmented versions under the request's settings (the editor's, not the job's source),
// repeatable for a seed, the sample's classes for both tasks, the sample clamped to the split; and a
// multi-label sample's snapshot carries its truth per label.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeNpy } from '../../../src/data/index';
import type { AugmentPreviewMessage, AugmentSpec, HostMessage, RunRequest, SnapshotMessage, TrainerMessage } from '../../../src/protocol/trainer';
import { isHostMessage, isTrainerMessage } from '../../../src/protocol/trainer';
import { runInspect, runTraining } from '../../../src/trainer/run';
import { zipBytes } from '../data/helpers';
import { tempDir, tinyModel, writeModel } from './helpers';

const OFF: AugmentSpec = { flip: 'none', rotate: 0, shift: 0, zoom: null, brightness: 0, contrast: 0, line: 0 };

/** Runs the inspect-mode trainer on `source`, answers `requests` in order, then stops; every message it sent. */
async function inspect(source: string, requests: RunRequest[], files: Record<string, Buffer> = {}): Promise<TrainerMessage[]> {
  const dir = tempDir();
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  const file = writeModel(dir, source);
  const messages: TrainerMessage[] = [];
  const queue = [...requests];
  const result = await runInspect(
    { file, source, outDir: tempDir(), mode: 'inspect' },
    { emit: (m) => messages.push(m), stopRequested: () => false, takeRequest: () => null, nextRequest: async () => queue.shift() ?? null },
  );
  expect(result.type, JSON.stringify(result)).toBe('done');
  for (const m of messages) expect(isTrainerMessage(m), m.type).toBe(true);
  return messages;
}

const previews = (ms: TrainerMessage[]) => ms.filter((m): m is AugmentPreviewMessage => m.type === 'augmentPreview');
const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => v === b[i]);

describe('augmentation preview in inspect mode', () => {
  it('answers with the sample and `count` augmented versions under the request’s settings, repeatable for a seed', async () => {
    const rotate: AugmentSpec = { ...OFF, flip: 'horizontal', rotate: 30, brightness: 0.2 };
    const ms = await inspect(tinyModel({ samples: 60 }), [
      { type: 'augmentPreview', sample: 5, count: 8, augment: rotate },
      { type: 'augmentPreview', sample: 5, count: 8, augment: rotate },
      { type: 'augmentPreview', sample: 5, count: 8, augment: rotate, seed: 99 },
      { type: 'augmentPreview', sample: 5, count: 3, augment: OFF },
      { type: 'augmentPreview', sample: 10_000, count: 1, augment: rotate },
    ]);
    const [a, again, other, off, clamped] = previews(ms);
    expect(a!.sample).toBe(5);
    expect(a!.images).toHaveLength(8);
    expect(a!.input.shape).toEqual([16, 16, 1]);
    for (const img of a!.images) expect(img.shape).toEqual([16, 16, 1]);
    expect(a!.augment).toEqual(rotate);
    expect(a!.classes).toEqual(['door', 'stair', 'sign']);
    expect(a!.labels).toHaveLength(1);
    expect(a!.seed).toBe(3); // the file's `train seed`
    // Augmented: the images differ from the sample and from each other.
    expect(a!.images.some((img) => !same(img.data, a!.input.data))).toBe(true);
    expect(new Set(a!.images.map((img) => Array.from(img.data).join(','))).size).toBe(8);
    // The same request draws the same images; another seed others.
    a!.images.forEach((img, i) => expect(same(img.data, again!.images[i]!.data)).toBe(true));
    expect(other!.seed).toBe(99);
    expect(other!.images.some((img, i) => !same(img.data, a!.images[i]!.data))).toBe(true);
    // Every setting off: the sample itself, as often as asked.
    expect(off!.images).toHaveLength(3);
    for (const img of off!.images) expect(same(img.data, a!.input.data)).toBe(true);
    // A sample past the end of the split: its last sample (60 shapes, 10% held out: 54 to train).
    expect(clamped!.sample).toBe(53);
  });

  it('a multi-label sample: its labels in the preview, its truth per label in the snapshot', async () => {
    // ChestMNIST-shaped: uint8 N×8×8 images, N×3 uint8 labels of 0/1.
    const n = 12;
    const img = new Uint8Array(n * 64).map((_, i) => (i * 37) & 255);
    const labels = Array.from({ length: n * 3 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 || i % 5 === 0 ? 1 : 0));
    const npz = zipBytes(
      [
        ['train_images', img, [n, 8, 8]],
        ['train_labels', labels, [n, 3]],
        ['val_images', img.subarray(0, 4 * 64), [4, 8, 8]],
        ['val_labels', labels.slice(0, 12), [4, 3]],
      ].map(([name, data, shape]) => ({ name: `${name as string}.npy`, data: writeNpy(data as ArrayLike<number>, shape as number[], 'u1'), method: 'store' as const })),
    );
    const source = ['network Chest', 'input 8x8x1', 'classes a b c', 'conv filters=2 size=3 pad=1 activation=relu', 'dense units=3', 'sigmoid', 'data npz chest.npz', 'train epochs=1 batch=4 seed=1', ''].join('\n');
    const ms = await inspect(source, [{ type: 'augmentPreview', sample: 4, count: 2, augment: { ...OFF, shift: 1 } }, { type: 'snapshot', sample: 1 }], { 'chest.npz': npz });
    const error = ms.find((m) => m.type === 'error');
    expect(error, JSON.stringify(error)).toBeUndefined();
    const [p] = previews(ms);
    const row = labels.slice(4 * 3, 5 * 3);
    expect(p!.labels).toEqual(row.flatMap((v, k) => (v ? [k] : [])));
    const snaps = ms.filter((m): m is SnapshotMessage => m.type === 'snapshot');
    const last = snaps.at(-1)!;
    expect(last.label).toBeNull();
    expect(last.truth).toEqual(labels.slice(3, 6));
    expect(last.probabilities).toHaveLength(3);
  });
});

describe('augmentation preview while training', () => {
  it('the running trainer answers between steps (the grid while the file trains)', async () => {
    const dir = tempDir();
    const source = tinyModel({ samples: 60, epochs: 1 });
    const file = writeModel(dir, source);
    const messages: TrainerMessage[] = [];
    let asked = false;
    const result = await runTraining(
      { file, source, outDir: tempDir() },
      {
        emit: (m) => messages.push(m),
        stopRequested: () => false,
        takeRequest: () => (asked ? null : ((asked = true), { type: 'augmentPreview', sample: 2, count: 4, augment: { ...OFF, flip: 'vertical' } })),
      },
    );
    expect(result.type, JSON.stringify(result)).toBe('done');
    const [p] = previews(messages);
    expect(p!.sample).toBe(2);
    expect(p!.images).toHaveLength(4);
    // Before the run's first epoch ended.
    expect(messages.indexOf(p!)).toBeLessThan(messages.findIndex((m) => m.type === 'epoch'));
  });
});

describe('augmentation preview messages', () => {
  const req = (augment: Partial<AugmentSpec>, count = 8): unknown => ({ type: 'augmentPreview', sample: 0, count, augment: { ...OFF, ...augment } });

  it('a request carries settings in range and a sensible count', () => {
    expect(isHostMessage(req({ rotate: 15, zoom: [0.9, 1.1] }))).toBe(true);
    expect(isHostMessage(req({ rotate: 720 }))).toBe(false);
    expect(isHostMessage(req({ zoom: [1.2, 0.8] }))).toBe(false);
    expect(isHostMessage(req({ brightness: 2 }))).toBe(false);
    expect(isHostMessage(req({ shift: 1.5 }))).toBe(false);
    expect(isHostMessage(req({}, 0))).toBe(false);
    expect(isHostMessage(req({}, 1000))).toBe(false);
    const ok: HostMessage = { type: 'augmentPreview', sample: 2, count: 4, augment: OFF, seed: 5 };
    expect(isHostMessage(ok)).toBe(true);
  });
});
