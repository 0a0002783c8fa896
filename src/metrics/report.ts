// The evaluation report of a split, in the shape `cnn evaluate --json` prints: every figure from the metric
// functions of this folder. Pure: no node, no editor.

import { accuracy, argmaxRows, balancedAccuracy, confusionMatrix, perClassScores } from './classification';
import { multiLabelAccuracy, multiLabelAuc, ovrAuc } from './auc';

export interface SingleLabelReport {
  split: string;
  samples: number;
  task: 'single';
  accuracy: number;
  balancedAccuracy: number;
  perClass: { class: string; precision: number; recall: number; f1: number; support: number }[];
  /** confusion[true][predicted] */
  confusion: number[][];
  /** perClass[c] is null (and left out of the macro mean) when the split has no sample of class c, or only those. */
  auc: { macro: number | null; perClass: (number | null)[] };
}

export interface MultiLabelReport {
  split: string;
  samples: number;
  task: 'multilabel';
  accuracy: number;
  auc: { mean: number | null; perClass: (number | null)[] };
}

/** The report of single-label predictions: `probs` is N×classes (each row sums to 1), `labels` the true classes. */
export function singleLabelReport(split: string, classes: readonly string[], labels: ArrayLike<number>, probs: ArrayLike<number>): SingleLabelReport {
  const k = classes.length;
  const n = labels.length;
  const confusion = confusionMatrix(labels, argmaxRows(probs, n, k), k);
  const auc = ovrAuc(labels, probs, n, k);
  return {
    split,
    samples: n,
    task: 'single',
    accuracy: accuracy(confusion),
    balancedAccuracy: balancedAccuracy(confusion),
    perClass: perClassScores(confusion).map((s, c) => ({ class: classes[c]!, ...s })),
    confusion,
    auc: { macro: auc.mean, perClass: auc.perClass },
  };
}

/** The report of multi-label predictions: `truth` and `probs` are N×labels (0/1 truths, sigmoid probabilities). */
export function multiLabelReport(split: string, labels: number, truth: ArrayLike<number>, probs: ArrayLike<number>): MultiLabelReport {
  const n = labels === 0 ? 0 : truth.length / labels;
  const auc = multiLabelAuc(truth, probs, n, labels);
  return { split, samples: n, task: 'multilabel', accuracy: multiLabelAccuracy(truth, probs, n, labels), auc: { mean: auc.mean, perClass: auc.perClass } };
}
