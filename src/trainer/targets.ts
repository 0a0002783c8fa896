// What a network is trained towards, per sample: a class index (single-label) or L 0/1 labels (multi-label),
// read from a Dataset into the buffers the engine takes (Int32Array of classes, Float32Array n×L).

import type { Dataset } from '../data';
import type { Task } from '../language/model';

/** Writes sample i's L labels (0/1) into out[offset…]. */
export function readLabelRow(ds: Dataset, i: number, out: Float32Array, offset: number): void {
  if (!ds.labelRow) throw new Error('this data has one class per sample, not a row of labels');
  ds.labelRow(i, out, offset);
}

/** Buffers for the targets of `capacity` samples of `labels` classes/labels. */
export function targetBuffer(task: Task, capacity: number, labels: number): Int32Array | Float32Array {
  return task === 'multilabel' ? new Float32Array(capacity * labels) : new Int32Array(capacity);
}

/** Reads the targets of samples start…start+n−1 into `out` at row 0 (see targetBuffer). */
export function readTargets(ds: Dataset, start: number, n: number, out: Int32Array | Float32Array, labels: number): void {
  if (out instanceof Float32Array) for (let i = 0; i < n; i++) readLabelRow(ds, start + i, out, i * labels);
  else for (let i = 0; i < n; i++) out[i] = ds.label(start + i);
}
