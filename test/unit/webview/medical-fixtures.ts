// Realistic data for the inspector's medical-task tests and screenshots (issue 9): a ChestMNIST-like multi-label
// network checked for real, a 28×28 "chest X-ray" (two dark lungs in a bright chest), its snapshot with 14
// sigmoid outputs and truths, a validation evaluation with 14 ROC curves, the training split's counts, and an
// augmentation preview computed by the real augmenter. Not a test file: imported by them.

import { augmentPreview } from '../../../src/data/augment';
import type { AugmentPreviewMessage, AugmentSpec, EvaluationMessage, SnapshotMessage, StartedMessage, Tensor } from '../../../src/protocol/trainer';
import { rng, rocCurve } from './fixtures';

export const CHEST_LABELS = [
  'atelectasis',
  'cardiomegaly',
  'effusion',
  'infiltration',
  'mass',
  'nodule',
  'pneumonia',
  'pneumothorax',
  'consolidation',
  'edema',
  'emphysema',
  'fibrosis',
  'pleural',
  'hernia',
];

export const CHEST_AUGMENT_LINE = 'augment flip=horizontal rotate=10 shift=2 zoom=0.9-1.1 brightness=0.1';

export function chestSource(augment = CHEST_AUGMENT_LINE): string {
  return [
    'network Chest',
    'input 28x28x1',
    `classes ${CHEST_LABELS.join(' ')}`,
    augment,
    'conv filters=8 size=3 pad=1 activation=relu',
    'pool max size=2',
    'conv filters=16 size=3 pad=1 activation=relu',
    'pool max size=2',
    'dense units=14',
    'sigmoid',
    'data npz chestmnist.npz',
    'train epochs=2 batch=32 class_weights=balanced',
    '',
  ].join('\n');
}

/** A 28×28 chest picture in 0…1: a bright chest, two darker lungs, the heart's shadow, some seeded noise. */
export function chestImage(seed = 1, h = 28, w = 28): Tensor {
  const r = rng(seed);
  const data = new Float32Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const body = Math.hypot((x - w / 2) / (w * 0.48), (y - h * 0.55) / (h * 0.55)) < 1;
      const lung = (cx: number) => Math.hypot((x - cx) / (w * 0.16), (y - h * 0.5) / (h * 0.3)) < 1;
      const heart = Math.hypot((x - w * 0.56) / (w * 0.12), (y - h * 0.62) / (h * 0.14)) < 1;
      let v = body ? 0.75 : 0.08;
      if (lung(w * 0.32) || lung(w * 0.68)) v = 0.3;
      if (heart) v = 0.7;
      data[y * w + x] = Math.min(1, Math.max(0, v + 0.08 * (r() - 0.5)));
    }
  return { shape: [h, w, 1], data };
}

/** Sigmoid outputs and truths of one validation sample: effusion and infiltration present, infiltration missed. */
export function chestSnapshot(): SnapshotMessage {
  const probabilities = [0.31, 0.08, 0.83, 0.42, 0.12, 0.09, 0.05, 0.04, 0.19, 0.07, 0.03, 0.06, 0.58, 0.01];
  const truth = [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  return { type: 'snapshot', source: 'validation sample 12', label: null, truth, input: chestImage(12), activations: [], filters: [], probabilities, classes: CHEST_LABELS };
}

const CHEST_AUC = [0.761, 0.873, 0.842, 0.694, 0.771, 0.702, 0.652, 0.801, 0.735, 0.846, 0.859, 0.744, 0.713, null];

/** A multi-label validation evaluation: 14 AUCs (hernia has no positive in the split), their curves, per-label figures. */
export function chestEvaluation(): EvaluationMessage {
  const defined = CHEST_AUC.filter((a): a is number => a !== null);
  const support = [42, 11, 48, 71, 20, 23, 5, 9, 17, 8, 9, 6, 12, 0];
  return {
    type: 'evaluation',
    task: 'multilabel',
    classes: CHEST_LABELS,
    confusion: [],
    misclassified: [3, 8, 21, 34].map((index, k) => {
      const truth = CHEST_LABELS.map((_, j) => (j === (k * 3) % 14 || j === 2 + k ? 1 : 0));
      const probabilities = truth.map((t, j) => (j === 2 + k ? 0.2 : t ? 0.7 : j === 12 - k ? 0.61 : 0.1));
      return { index, label: -1, predicted: -1, probabilities, truth, input: chestImage(index) };
    }),
    split: 'validation',
    auc: { mean: defined.reduce((a, b) => a + b, 0) / defined.length, perClass: CHEST_AUC },
    roc: CHEST_AUC.map((a, i) => (a === null ? { fpr: [], tpr: [] } : rocCurve(a, 100 + i))),
    perClass: support.map((s, i) => ({ precision: s ? 0.3 + 0.03 * i : 0, recall: s ? 0.5 - 0.02 * i : 0, f1: s ? 0.38 : 0, support: s })),
    labelAccuracy: support.map((s) => 1 - s / 400),
  };
}

/** The training split of ChestMNIST-like data: positives per label and balanced pos_weight. */
export function chestStarted(weights = true): StartedMessage {
  const n = 2000;
  const counts = [206, 50, 238, 354, 103, 113, 24, 38, 83, 41, 45, 30, 60, 4];
  return {
    type: 'started',
    epochs: 0,
    stepsPerEpoch: 0,
    trainSize: n,
    valSize: 400,
    classes: CHEST_LABELS,
    params: 12_494,
    backend: 'builtin',
    warnings: weights ? [] : ['Class imbalance: hernia has 4 positives, 1.1% of infiltration’s 354. Consider train class_weights=balanced.'],
    task: 'multilabel',
    classCounts: counts,
    classWeights: weights ? counts.map((c) => (n - c) / c) : null,
  };
}

/** What the trainer answers for the grid: the real augmenter on the chest picture. */
export function chestPreview(augment: AugmentSpec, seed = 1, sample = 0, count = 8): AugmentPreviewMessage {
  const x = chestImage(sample + 1);
  const [input, ...images] = augmentPreview(x.data, 28, 28, 1, augment, seed, count + 1);
  return {
    type: 'augmentPreview',
    sample,
    labels: [2, 3],
    classes: CHEST_LABELS,
    input: { shape: [28, 28, 1], data: input! },
    images: images.map((data) => ({ shape: [28, 28, 1], data })),
    augment,
    seed,
  };
}
