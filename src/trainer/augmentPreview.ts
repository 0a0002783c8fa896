// The inspector's augmentation grid, answered by the trainer (inspect mode, or between training steps): a
// training sample as the network sees it, and `count` augmented versions of it under the editor's current
// `augment` settings (src/data/augment.ts draws them exactly as training does).

import { augmentPreview } from '../data/augment';
import { type Dataset, taskOf } from '../data/dataset';
import type { AugmentPreviewMessage, AugmentPreviewRequest } from '../protocol/trainer';

/** A multi-label sample's 0/1 per label (the inspector's truth marks); null for a single-label set. */
export function sampleTruth(set: Dataset, i: number): number[] | null {
  if (taskOf(set) === 'single' || !set.labelRow) return null;
  const row = new Float32Array(set.numClasses);
  set.labelRow(i, row, 0);
  return Array.from(row, (v) => (v > 0.5 ? 1 : 0));
}

/** The classes a sample carries: its class, or (multi-label) the labels that are 1. */
export function sampleLabels(set: Dataset, i: number): number[] {
  const truth = sampleTruth(set, i);
  if (!truth) return [set.label(i)];
  const on: number[] = [];
  truth.forEach((v, k) => v && on.push(k));
  return on;
}

/** The answer to an AugmentPreviewRequest from the training split `train` (the sample clamped to it). */
export function augmentPreviewMessage(train: Dataset, req: AugmentPreviewRequest, defaultSeed: number): AugmentPreviewMessage {
  if (train.size === 0) throw new Error('the training set is empty: there is no sample to augment');
  const { height: h, width: w, channels: c } = train;
  const sample = Math.min(Math.max(0, Math.floor(req.sample)), train.size - 1);
  const x = new Float32Array(h * w * c);
  train.read(sample, x, 0);
  const seed = req.seed ?? defaultSeed;
  // augmentPreview gives the sample itself first, then the augmented versions.
  const [input, ...images] = augmentPreview(x, h, w, c, req.augment, seed, req.count + 1);
  const shape = [h, w, c];
  return {
    type: 'augmentPreview',
    sample,
    labels: sampleLabels(train, sample),
    classes: train.classNames.slice(),
    input: { shape, data: input! },
    images: images.map((data) => ({ shape: shape.slice(), data })),
    augment: req.augment,
    seed,
  };
}
