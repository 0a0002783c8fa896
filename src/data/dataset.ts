// The Dataset interface every reader implements, the data layer's error type, and small views
// (subsets, label remapping) shared by the readers.

import { escapeInvisible } from '../language/printable';
import type { Task } from '../language/model';

/**
 * A random-access set of labelled images at the model's input size.
 * `read` writes sample `i` as H×W×C float32 (row-major, channels last) into `out` at `offset`.
 */
export interface Dataset {
  readonly size: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly numClasses: number;
  readonly classNames: readonly string[];
  /**
   * 'multilabel': every sample has numClasses independent 0/1 labels (ChestMNIST's 14 findings), read with
   * `labelRow`; `label` throws. Absent or 'single': one class per sample, read with `label`.
   */
  readonly task?: Task;
  /** Writes sample `i` (H·W·C floats, NHWC order) into `out[offset…]`. */
  read(i: number, out: Float32Array, offset: number): void;
  /** The class index of sample `i`, in 0…numClasses-1 (single-label datasets). */
  label(i: number): number;
  /** Multi-label datasets: writes sample `i`'s numClasses labels (0 or 1 each) into `out[offset…]`. */
  labelRow?(i: number, out: Float32Array, offset: number): void;
}

/** The task of a dataset ('single' when it does not say). */
export function taskOf(ds: Dataset): Task {
  return ds.task ?? 'single';
}

/**
 * An error the user can act on, with the checker's code: E040 (the data cannot be used) or E055 (the
 * network's task, softmax or sigmoid, does not fit the labels).
 */
export class DataError extends Error {
  constructor(
    message: string,
    readonly code: 'E040' | 'E055' = 'E040',
  ) {
    super(message);
    this.name = 'DataError';
  }
}

/** The error for `label(i)` on a multi-label dataset: a programming mistake, never the user's. */
export function multiLabelOnly(): Error {
  return new TypeError('a multi-label dataset has no single label per sample: read labelRow(i, out, offset)');
}

/** The error for `labelRow` on a single-label dataset. */
export function singleLabelOnly(): Error {
  return new TypeError('a single-label dataset has no label rows: read label(i)');
}

/** 47040000 → "47,040,000". */
export function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** 1536 → "1.5 KB", 5e9 → "4.66 GB" (binary units, as file managers mostly show). */
export function fmtBytes(n: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${fmt(n)} bytes` : `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[u]}`;
}

/**
 * Text taken from a file (a header, an entry name), fit for a one-line message: control, line-separator and
 * bidirectional-override characters escaped as \uXXXX, runs of spaces collapsed, at most `max` characters.
 */
export function printable(text: string, max = 120): string {
  const clean = escapeInvisible(text).replace(/ {2,}/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** "28×28×1". */
export function fmtShape(h: number, w: number, c: number): string {
  return `${h}×${w}×${c}`;
}

/** A view of some samples of another dataset, in the order of `indices`. */
export class SubsetDataset implements Dataset {
  readonly size: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly numClasses: number;
  readonly classNames: readonly string[];
  readonly task: Task;

  constructor(
    readonly parent: Dataset,
    readonly indices: Uint32Array,
  ) {
    this.size = indices.length;
    this.height = parent.height;
    this.width = parent.width;
    this.channels = parent.channels;
    this.numClasses = parent.numClasses;
    this.classNames = parent.classNames;
    this.task = taskOf(parent);
  }

  read(i: number, out: Float32Array, offset: number): void {
    this.parent.read(this.index(i), out, offset);
  }

  label(i: number): number {
    return this.parent.label(this.index(i));
  }

  labelRow(i: number, out: Float32Array, offset: number): void {
    if (!this.parent.labelRow) throw singleLabelOnly();
    this.parent.labelRow(this.index(i), out, offset);
  }

  private index(i: number): number {
    if (!(i >= 0 && i < this.size)) throw new RangeError(`sample ${i} is outside 0…${this.size - 1}`);
    return this.indices[i];
  }
}

/**
 * A view that renumbers labels (`map[old] = new`) and carries new class names. For a multi-label parent the
 * label columns are reordered the same way: column `map[k]` of a row is the parent's column k.
 */
export class RelabelledDataset implements Dataset {
  readonly size: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly task: Task;
  private readonly row: Float32Array | null;

  constructor(
    readonly parent: Dataset,
    readonly map: Int32Array,
    readonly classNames: readonly string[],
  ) {
    this.size = parent.size;
    this.height = parent.height;
    this.width = parent.width;
    this.channels = parent.channels;
    this.task = taskOf(parent);
    this.row = this.task === 'multilabel' ? new Float32Array(parent.numClasses) : null;
  }

  get numClasses(): number {
    return this.classNames.length;
  }

  read(i: number, out: Float32Array, offset: number): void {
    this.parent.read(i, out, offset);
  }

  label(i: number): number {
    return this.map[this.parent.label(i)];
  }

  labelRow(i: number, out: Float32Array, offset: number): void {
    if (!this.parent.labelRow || !this.row) throw singleLabelOnly();
    this.parent.labelRow(i, this.row, 0);
    for (let k = 0; k < this.row.length; k++) out[offset + this.map[k]] = this.row[k];
  }
}

/** Checks a sample index; readers call this so a bad index fails loudly instead of reading garbage. */
export function checkIndex(i: number, size: number): void {
  if (!(Number.isInteger(i) && i >= 0 && i < size)) throw new RangeError(`sample ${i} is outside 0…${size - 1}`);
}

/** Copies `n` bytes of uint8 pixels into float32 scaled to [0, 1]. */
export function bytesToUnit(src: Uint8Array, srcOffset: number, n: number, out: Float32Array, offset: number): void {
  const k = 1 / 255;
  for (let j = 0; j < n; j++) out[offset + j] = src[srcOffset + j] * k;
}

/** A small least-recently-used cache of samples (a Map keeps insertion order). */
export class Lru {
  private readonly map = new Map<number, Float32Array>();
  constructor(readonly capacity: number) {}
  get(k: number): Float32Array | undefined {
    const v = this.map.get(k);
    if (v) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: number, v: Float32Array): void {
    if (this.capacity <= 0) return;
    this.map.set(k, v);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }
}
