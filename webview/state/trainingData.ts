// The Training tab's "Training data" section: the training split's class counts as bars (multi-label: the
// positives of each label), the loss's weights in effect (`train class_weights`) and the warnings the trainer
// sent (the imbalance warning among them). Pure.

import type { StartedMessage } from '../../src/protocol/trainer';

/** What the section shows: the trainer's `started` message of a run or of the inspector's own trainer. */
export type TrainingData = Pick<StartedMessage, 'task' | 'classes' | 'classCounts' | 'classWeights' | 'warnings' | 'trainSize'>;

/** A class under this share of the most common one is marked rare (the imbalance warning's rule: 10%). */
export const RARE_SHARE = 0.1;

export interface CountRow {
  index: number;
  name: string;
  count: number;
  /** The bar's length: count over the largest count, 0…1. */
  share: number;
  /** The count as text, with its percentage of the training samples: `1,200 (12.0%)`. */
  text: string;
  /** The class's loss weight (multi-label: pos_weight), formatted, or null without weights. */
  weight: string | null;
  /** Under 10% of the most common class. */
  rare: boolean;
}

/** A weight as read: 3 significant digits, whole numbers without decimals. */
export function formatWeight(w: number): string {
  if (!Number.isFinite(w)) return '–';
  return Number.isInteger(w) ? String(w) : String(Number(w.toPrecision(3)));
}

export function countRows(d: TrainingData): CountRow[] {
  const max = Math.max(0, ...d.classCounts);
  return d.classCounts.map((count, i) => {
    const pct = d.trainSize > 0 ? ` (${((100 * count) / d.trainSize).toFixed(1)}%)` : '';
    const w = d.classWeights?.[i];
    return {
      index: i,
      name: d.classes[i] ?? String(i),
      count,
      share: max > 0 ? count / max : 0,
      text: `${count.toLocaleString('en-US')}${pct}`,
      weight: w === undefined ? null : formatWeight(w),
      rare: max > 0 && count < RARE_SHARE * max,
    };
  });
}

/** The section's heading note: what the counts are and what the weights mean for this task. */
export function countsCaption(d: TrainingData): string {
  const n = d.trainSize.toLocaleString('en-US');
  const what = d.task === 'multilabel' ? `positives per label among ${n} training samples` : `samples per class among ${n} training samples`;
  const weights = d.classWeights === null ? 'no class weights' : d.task === 'multilabel' ? 'weights: pos_weight per label (negatives / positives)' : 'weights: the loss weight per class';
  return `${what}; ${weights}`;
}
