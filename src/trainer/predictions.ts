// Class (or label) probabilities of every sample of a split, in evaluation mode (batch norm's running
// statistics, no dropout), with the true targets beside them: what `cnn evaluate` computes its metrics from.

import type { Dataset } from '../data';
import type { Network } from '../engine';
import type { Task } from '../language/model';
import { readTargets, targetBuffer } from './targets';

export interface SplitPredictions {
  /** N×classes probabilities (softmax rows, or per-label sigmoids for multi-label), row by row. */
  probs: Float32Array;
  /** N true class indices (single-label), or N×L 0/1 labels (multi-label). */
  targets: Int32Array | Float32Array;
}

export function predictSplit(net: Network, data: Dataset, batch: number, task: Task = 'single'): SplitPredictions {
  const per = data.height * data.width * data.channels;
  const k = net.classes;
  const probs = new Float32Array(data.size * k);
  const targets = targetBuffer(task, data.size, k);
  const x = new Float32Array(batch * per);
  for (let start = 0; start < data.size; start += batch) {
    const n = Math.min(batch, data.size - start);
    for (let i = 0; i < n; i++) data.read(start + i, x, i * per);
    readTargets(data, start, n, task === 'multilabel' ? targets.subarray(start * k) : targets.subarray(start), k);
    probs.set(net.predict(x.subarray(0, n * per), n).subarray(0, n * k), start * k);
  }
  return { probs, targets };
}
