// Evaluating a network on a split during a run (each epoch's validation, the inspector's request, the test split
// at the end): the loss with the run's class weights, accuracy, AUC, per-class scores, ROC curves and some
// misclassified samples, for single-label and multi-label networks alike.

import type { Dataset } from '../data';
import type { Network, Yielder } from '../engine';
import type { Task } from '../language/model';
import { argmaxRows, confusionMatrix, multiLabelAuc, ovrAuc, perClassScores, perLabelAccuracy, perLabelScores, rocCurve, type AucSummary } from '../metrics';
import type { ClassScore, EvaluationMessage, Misclassified, RocCurve } from '../protocol/trainer';
import { readTargets, targetBuffer } from './targets';

export interface Evaluation {
  task: Task;
  samples: number;
  /** Mean cross-entropy (single) or binary cross-entropy over samples×labels (multi-label), weighted as in training. */
  loss: number;
  /** Single: the fraction right; multi-label: the fraction of labels right at 0.5. */
  accuracy: number;
  auc: AucSummary;
  /** confusion[true][predicted]; [] for multi-label. */
  confusion: number[][];
  perClass: ClassScore[];
  roc: RocCurve[];
  labelAccuracy: number[] | null;
  misclassified: Misclassified[];
}

export interface EvaluateOptions {
  task: Task;
  /** The loss's class weights (multi-label: pos_weight), as in training; null for none. */
  weights?: Float32Array | null;
  /** Misclassified samples to keep (default 24). */
  keepWrong?: number;
}

function mean(sum: number, n: number): number {
  return n > 0 ? sum / n : 0;
}

const EPS = 1e-12;

/** Whether sample i is misclassified: the arg-max is not its class, or any label is wrong at 0.5. */
function wrong(task: Task, probs: Float32Array, targets: Int32Array | Float32Array, i: number, k: number): boolean {
  if (task === 'multilabel') {
    for (let l = 0; l < k; l++) if ((probs[i * k + l]! > 0.5 ? 1 : 0) !== targets[i * k + l]) return true;
    return false;
  }
  let best = 0;
  for (let c = 1; c < k; c++) if (probs[i * k + c]! > probs[i * k + best]!) best = c;
  return best !== targets[i];
}

/**
 * The figures of `data` under `net`, predicted in batches (evaluation mode), giving way to the event loop when
 * `yielder` says so; null when it asked to stop.
 */
export async function evaluate(net: Network, data: Dataset, batch: number, yielder: Yielder, opts: EvaluateOptions): Promise<Evaluation | null> {
  const { task } = opts;
  const keep = opts.keepWrong ?? 24;
  const k = net.classes;
  const n = data.size;
  const per = data.height * data.width * data.channels;
  const x = new Float32Array(batch * per);
  const probs = new Float32Array(n * k);
  const targets = targetBuffer(task, n, k);
  const misclassified: Misclassified[] = [];
  for (let start = 0; start < n; start += batch) {
    const m = Math.min(batch, n - start);
    for (let i = 0; i < m; i++) data.read(start + i, x, i * per);
    readTargets(data, start, m, task === 'multilabel' ? targets.subarray(start * k) : targets.subarray(start), k);
    const p = await net.predictCooperative(x.subarray(0, m * per), m, yielder);
    if (!p) return null;
    probs.set(p.subarray(0, m * k), start * k);
    // Misclassified samples are picked while their inputs are still in the batch buffer.
    for (let i = 0; i < m && misclassified.length < keep; i++) {
      const s = start + i;
      if (!wrong(task, probs, targets, s, k)) continue;
      const row = Array.from(probs.subarray(s * k, (s + 1) * k));
      const input = { shape: [data.height, data.width, data.channels], data: x.slice(i * per, (i + 1) * per) };
      if (task === 'multilabel') {
        misclassified.push({ index: s, label: -1, predicted: -1, probabilities: row, input, truth: Array.from(targets.subarray(s * k, (s + 1) * k)) });
      } else {
        misclassified.push({ index: s, label: targets[s]!, predicted: row.indexOf(Math.max(...row)), probabilities: row, input });
      }
    }
  }
  return task === 'multilabel'
    ? multiLabelFigures(probs, targets as Float32Array, n, k, opts.weights ?? null, misclassified)
    : singleLabelFigures(probs, targets as Int32Array, n, k, opts.weights ?? null, misclassified);
}

function singleLabelFigures(probs: Float32Array, labels: Int32Array, n: number, k: number, weights: Float32Array | null, misclassified: Misclassified[]): Evaluation {
  let lossSum = 0;
  let weightSum = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    const w = weights ? weights[y]! : 1;
    lossSum += -w * Math.log(Math.max(probs[i * k + y]!, EPS));
    weightSum += w;
  }
  const confusion = confusionMatrix(labels, argmaxRows(probs, n, k), k);
  let right = 0;
  for (let c = 0; c < k; c++) right += confusion[c]![c]!;
  const roc = rocPerColumn(probs, n, k, (i, c) => (labels[i] === c ? 1 : 0));
  return {
    task: 'single',
    samples: n,
    loss: mean(lossSum, weightSum),
    accuracy: mean(right, n),
    auc: ovrAuc(labels, probs, n, k),
    confusion,
    perClass: perClassScores(confusion),
    roc,
    labelAccuracy: null,
    misclassified,
  };
}

function multiLabelFigures(probs: Float32Array, truth: Float32Array, n: number, k: number, posWeight: Float32Array | null, misclassified: Misclassified[]): Evaluation {
  let lossSum = 0;
  for (let i = 0; i < n * k; i++) {
    const p = probs[i]!;
    const w = posWeight ? posWeight[i % k]! : 1;
    lossSum += truth[i] === 1 ? -w * Math.log(Math.max(p, EPS)) : -Math.log(Math.max(1 - p, EPS));
  }
  const labelAccuracy = perLabelAccuracy(truth, probs, n, k);
  const roc = rocPerColumn(probs, n, k, (i, l) => truth[i * k + l]!);
  return {
    task: 'multilabel',
    samples: n,
    loss: mean(lossSum, n * k),
    accuracy: labelAccuracy.length ? labelAccuracy.reduce((a, b) => a + b, 0) / labelAccuracy.length : 0,
    auc: multiLabelAuc(truth, probs, n, k),
    confusion: [],
    perClass: perLabelScores(truth, probs, n, k),
    roc,
    labelAccuracy,
    misclassified,
  };
}

/** The message the inspector draws from an evaluation. */
export function evaluationMessage(v: Evaluation, classes: readonly string[], split: EvaluationMessage['split']): EvaluationMessage {
  return {
    type: 'evaluation',
    task: v.task,
    classes: classes.slice(),
    confusion: v.confusion,
    misclassified: v.misclassified,
    split,
    auc: { mean: v.auc.mean, perClass: v.auc.perClass },
    roc: v.roc,
    perClass: v.perClass,
    labelAccuracy: v.labelAccuracy,
  };
}

/** One-vs-rest ROC curve of each of the k columns of probs (n rows), sample i positive for column c when positive(i, c) is 1. */
function rocPerColumn(probs: Float32Array, n: number, k: number, positive: (i: number, c: number) => number): RocCurve[] {
  const roc: RocCurve[] = [];
  const col = new Float64Array(n);
  const pos = new Uint8Array(n);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      col[i] = probs[i * k + c]!;
      pos[i] = positive(i, c);
    }
    roc.push(rocCurve(pos, col));
  }
  return roc;
}
