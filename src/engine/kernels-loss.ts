// Reference kernels of the loss over a batch of logit vectors [N][K], in the style of kernels.ts (the network
// runs these on the main thread for every backend: they are small): softmax cross-entropy with integer labels
// (single label; PyTorch's CrossEntropyLoss, optionally with per-class weights) and binary cross-entropy on the
// logits with N×L 0/1 targets (multi-label; PyTorch's BCEWithLogitsLoss, optionally with pos_weight).
//
// Each forward returns the loss as PyTorch reduces it (`loss`), the denominator of that mean (`norm`: the batch
// for plain cross-entropy, Σ w[y_i] when weighted, N·L for BCE), so that chunks combine as
// Σ loss·norm / Σ norm, and `correct` (see each kernel).

import type { Buf } from './kernels';

export interface LossSums {
  loss: number;
  correct: number;
  norm: number;
}

/** Σ weights[labels[s]] over the batch (n when weights is null). */
function labelWeightSum(labels: Int32Array, n: number, classes: number, weights: Buf | null): number {
  if (!weights) return n;
  let sum = 0;
  for (let s = 0; s < n; s++) {
    const label = labels[s]!;
    if (label >= 0 && label < classes) sum += weights[label]!;
  }
  return sum;
}

/**
 * Softmax cross-entropy, numerically stable (max subtracted), as CrossEntropyLoss(weight=weights): the mean over
 * the batch, or with weights Σ w[y_i]·ℓ_i / Σ w[y_i]. probs[N][K] = softmax(logits[N][K]); correct counts
 * argmax == label.
 */
export function softmaxCrossEntropyForward(
  probs: Buf,
  logits: Buf,
  labels: Int32Array,
  n: number,
  classes: number,
  weights: Buf | null = null,
): LossSums {
  let loss = 0;
  let correct = 0;
  for (let s = 0; s < n; s++) {
    const o = s * classes;
    let max = -Infinity;
    let arg = 0;
    for (let k = 0; k < classes; k++) {
      const v = logits[o + k]!;
      if (v > max) {
        max = v;
        arg = k;
      }
    }
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(logits[o + k]! - max);
    for (let k = 0; k < classes; k++) probs[o + k] = Math.exp(logits[o + k]! - max) / sum;
    const label = labels[s]!;
    if (label >= 0 && label < classes) {
      loss += (weights ? weights[label]! : 1) * (Math.log(sum) - (logits[o + label]! - max));
      if (arg === label) correct++;
    }
  }
  const norm = labelWeightSum(labels, n, classes, weights);
  return { loss: norm > 0 ? loss / norm : 0, correct, norm };
}

/** dlogits[N][K] += w[y]·(probs − onehot(labels)) / Σ w[y_i] (w = 1 and Σ = N without weights). */
export function softmaxCrossEntropyBackward(
  dlogits: Buf,
  probs: Buf,
  labels: Int32Array,
  n: number,
  classes: number,
  weights: Buf | null = null,
): void {
  const norm = labelWeightSum(labels, n, classes, weights);
  if (!(norm > 0)) return;
  for (let s = 0; s < n; s++) {
    const o = s * classes;
    const label = labels[s]!;
    if (!(label >= 0 && label < classes)) continue;
    const scale = (weights ? weights[label]! : 1) / norm;
    for (let k = 0; k < classes; k++) dlogits[o + k] += scale * (probs[o + k]! - (k === label ? 1 : 0));
  }
}

/** probs[N][K] = softmax(logits[N][K]) (stable). */
export function softmaxForward(probs: Buf, logits: Buf, n: number, classes: number): void {
  for (let s = 0; s < n; s++) {
    const o = s * classes;
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, logits[o + k]!);
    let sum = 0;
    for (let k = 0; k < classes; k++) {
      const e = Math.exp(logits[o + k]! - max);
      probs[o + k] = e;
      sum += e;
    }
    for (let k = 0; k < classes; k++) probs[o + k] = probs[o + k]! / sum;
  }
}

/** The logistic sigmoid 1/(1 + e^−z) without overflow for either sign of z. */
function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** probs[i] = sigmoid(logits[i]) for count values (stable). */
export function sigmoidForward(probs: Buf, logits: Buf, count: number): void {
  for (let i = 0; i < count; i++) probs[i] = sigmoid(logits[i]!);
}

/**
 * Binary cross-entropy on the logits, as BCEWithLogitsLoss(pos_weight=posWeight) computes it (log-sum-exp form):
 * with lw = 1 + (pw_l − 1)·y, ℓ = (1 − y)·z + lw·(log(1 + e^−|z|) + max(−z, 0)), mean over the N×L values.
 * targets[N][L] are 0/1 (values between are taken as soft targets, as PyTorch does). probs[N][L] = sigmoid(z).
 * correct = Σ over samples of (labels right at the 0.5 threshold: z > 0 ⇔ y > 0.5) / L, so correct / N is the
 * label-averaged accuracy.
 */
export function sigmoidBinaryCrossEntropyForward(
  probs: Buf,
  logits: Buf,
  targets: Buf,
  n: number,
  labels: number,
  posWeight: Buf | null = null,
): LossSums {
  let loss = 0;
  let right = 0;
  for (let s = 0; s < n; s++) {
    const o = s * labels;
    for (let l = 0; l < labels; l++) {
      const z = logits[o + l]!;
      const y = targets[o + l]!;
      const lw = posWeight ? 1 + (posWeight[l]! - 1) * y : 1;
      loss += (1 - y) * z + lw * (Math.log1p(Math.exp(-Math.abs(z))) + Math.max(-z, 0));
      probs[o + l] = sigmoid(z);
      if (z > 0 === y > 0.5) right++;
    }
  }
  const norm = n * labels;
  return { loss: norm > 0 ? loss / norm : 0, correct: labels > 0 ? right / labels : 0, norm };
}

/**
 * dlogits[N][L] += ((1 − y) + lw·(sigmoid(z) − 1)) / (N·L), the derivative of the forward's ℓ (sigmoid(z) − y
 * without pos_weight); probs from the forward.
 */
export function sigmoidBinaryCrossEntropyBackward(
  dlogits: Buf,
  probs: Buf,
  targets: Buf,
  n: number,
  labels: number,
  posWeight: Buf | null = null,
): void {
  const norm = n * labels;
  for (let s = 0; s < n; s++) {
    const o = s * labels;
    for (let l = 0; l < labels; l++) {
      const y = targets[o + l]!;
      const lw = posWeight ? 1 + (posWeight[l]! - 1) * y : 1;
      dlogits[o + l] += (1 - y + lw * (probs[o + l]! - 1)) / norm;
    }
  }
}
