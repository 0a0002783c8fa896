// A ChestMNIST-shaped NPZ for the multi-label CLI tests: uint8 N×28×28 grey images (no channel axis) and uint8
// N×14 labels of 0/1, with the real keys. Finding l brightens its own 7×7 patch (two rows of seven patches),
// so a small network learns it; finding 13 is rare (a few positives) so the imbalance warning shows.

import { writeFileSync } from 'node:fs';
import { writeNpy } from '../../../src/data';
import { zipBytes } from '../data/helpers';

export const CHEST_LABELS = 14;
export const CHEST_NAMES = ['atelectasis', 'cardiomegaly', 'effusion', 'infiltration', 'mass', 'nodule', 'pneumonia', 'pneumothorax', 'consolidation', 'edema', 'emphysema', 'fibrosis', 'pleural', 'hernia'];

/** xorshift32 in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

export function chestLabels(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const lab = new Uint8Array(n * CHEST_LABELS);
  for (let i = 0; i < n; i++) for (let l = 0; l < CHEST_LABELS; l++) lab[i * CHEST_LABELS + l] = r() < (l === 13 ? 0.04 : 0.3) ? 1 : 0;
  return lab;
}

export function chestImages(lab: Uint8Array, seed: number): Uint8Array {
  const n = lab.length / CHEST_LABELS;
  const r = rng(seed + 99);
  const img = new Uint8Array(n * 28 * 28);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < 28 * 28; p++) img[i * 784 + p] = Math.floor(r() * 40);
    for (let l = 0; l < CHEST_LABELS; l++) {
      if (!lab[i * CHEST_LABELS + l]) continue;
      const y0 = l < 7 ? 3 : 17;
      const x0 = (l % 7) * 4;
      for (let y = y0; y < y0 + 7; y++) for (let x = x0; x < Math.min(28, x0 + 4); x++) img[i * 784 + y * 28 + x] = 200 + Math.floor(r() * 55);
    }
  }
  return img;
}

/** Writes the NPZ with the given splits' sizes; `labels` overrides a split's label array (e.g. a bad value). */
export function writeChestNpz(file: string, splits: Record<string, number>, opts: { labels?: Record<string, Uint8Array>; labelShape?: (n: number) => number[] } = {}): void {
  const entries = Object.entries(splits).flatMap(([split, n], s) => {
    const lab = opts.labels?.[split] ?? chestLabels(n, 7 + s);
    return [
      { name: `${split}_images.npy`, data: writeNpy(chestImages(lab, 7 + s), [n, 28, 28], 'u1'), method: 'deflate' as const },
      { name: `${split}_labels.npy`, data: writeNpy(lab, opts.labelShape?.(n) ?? [n, CHEST_LABELS], 'u1'), method: 'store' as const },
    ];
  });
  writeFileSync(file, zipBytes(entries));
}

export const CHEST = (data: string, train = 'train epochs=2 batch=16 optimizer=adam lr=0.01 seed=3', ending = 'sigmoid') => `network Chest
input 28x28x1
classes ${CHEST_NAMES.join(' ')}
conv filters=6 size=3 pad=1 activation=relu
pool max size=2
conv filters=8 size=3 pad=1 activation=relu
pool max size=2
dense units=14
${ending}
${data}
${train}
`;
