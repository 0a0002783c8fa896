// Reference kernels of the loss: softmax and its cross-entropy with integer labels, over a batch of logit
// vectors [N][K], in the style of kernels.ts (the network runs these on the main thread for every backend:
// they are small).

import type { Buf } from './kernels';

/**
 * Softmax cross-entropy, mean over the batch, numerically stable (max subtracted).
 * probs[N][K] = softmax(logits[N][K]); returns { loss, correct } where correct counts argmax == label.
 */
export function softmaxCrossEntropyForward(
  probs: Buf,
  logits: Buf,
  labels: Int32Array,
  n: number,
  classes: number,
): { loss: number; correct: number } {
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
      loss += Math.log(sum) - (logits[o + label]! - max);
      if (arg === label) correct++;
    }
  }
  return { loss: n > 0 ? loss / n : 0, correct };
}

/** dlogits[N][K] += (probs - onehot(labels)) / N. */
export function softmaxCrossEntropyBackward(dlogits: Buf, probs: Buf, labels: Int32Array, n: number, classes: number): void {
  for (let s = 0; s < n; s++) {
    const o = s * classes;
    for (let k = 0; k < classes; k++) dlogits[o + k] += (probs[o + k]! - (k === labels[s] ? 1 : 0)) / n;
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
