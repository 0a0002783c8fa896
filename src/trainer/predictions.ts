// Class probabilities of every sample of a split, in evaluation mode (batch norm's running statistics, no
// dropout), with the true labels beside them: what `cnn evaluate` computes its metrics from.

import type { Dataset } from '../data';
import type { Network } from '../engine';

export interface SplitPredictions {
  /** N×classes probabilities, row by row. */
  probs: Float32Array;
  /** N true class indices. */
  labels: Int32Array;
}

export function predictSplit(net: Network, data: Dataset, batch: number): SplitPredictions {
  const per = data.height * data.width * data.channels;
  const k = net.classes;
  const probs = new Float32Array(data.size * k);
  const labels = new Int32Array(data.size);
  const x = new Float32Array(batch * per);
  for (let start = 0; start < data.size; start += batch) {
    const n = Math.min(batch, data.size - start);
    for (let i = 0; i < n; i++) {
      data.read(start + i, x, i * per);
      labels[start + i] = data.label(start + i);
    }
    probs.set(net.predict(x.subarray(0, n * per), n), start * k);
  }
  return { probs, labels };
}
