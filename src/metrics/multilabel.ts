// Per-label figures of multi-label predictions, each label decided present when its probability is above the
// threshold (0.5): precision, recall, F1 and support per label (`precision_recall_fscore_support(Y, P > 0.5,
// average=None, zero_division=0)`), and the fraction right per label. Pure.

import type { ClassScores } from './classification';

function check(truth: ArrayLike<number>, scores: ArrayLike<number>, n: number, labels: number): void {
  if (truth.length !== n * labels || scores.length !== n * labels) throw new Error(`expected ${n}×${labels} truths and scores`);
}

function safeDiv(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** Precision, recall, F1 and support (positives in the truth) of each label at `threshold`. */
export function perLabelScores(truth: ArrayLike<number>, scores: ArrayLike<number>, n: number, labels: number, threshold = 0.5): ClassScores[] {
  check(truth, scores, n, labels);
  const out: ClassScores[] = [];
  for (let l = 0; l < labels; l++) {
    let tp = 0;
    let predicted = 0;
    let support = 0;
    for (let i = 0; i < n; i++) {
      const t = truth[i * labels + l] === 1;
      const p = scores[i * labels + l]! > threshold;
      if (t) support++;
      if (p) predicted++;
      if (t && p) tp++;
    }
    const precision = safeDiv(tp, predicted);
    const recall = safeDiv(tp, support);
    out.push({ precision, recall, f1: safeDiv(2 * precision * recall, precision + recall), support });
  }
  return out;
}

/** The fraction of samples whose label `l` is right at `threshold`, for each label (0 for no samples). */
export function perLabelAccuracy(truth: ArrayLike<number>, scores: ArrayLike<number>, n: number, labels: number, threshold = 0.5): number[] {
  check(truth, scores, n, labels);
  const out: number[] = [];
  for (let l = 0; l < labels; l++) {
    let right = 0;
    for (let i = 0; i < n; i++) if ((scores[i * labels + l]! > threshold ? 1 : 0) === truth[i * labels + l]) right++;
    out.push(safeDiv(right, n));
  }
  return out;
}
