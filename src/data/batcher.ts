// Mini-batches over a Dataset: a fresh seeded shuffle each epoch (a function of seed and epoch only, so any
// epoch can be replayed or resumed), filling one preallocated float32 NHWC batch and Int32 label buffer, and
// for a multi-label dataset a preallocated float32 batch×L buffer of 0/1 targets.

import type { Augmenter } from './augment';
import { taskOf, type Dataset } from './dataset';
import { permutation } from './rng';

export interface BatcherOptions {
  batchSize: number;
  /** The shuffle of epoch e depends only on (seed, e). */
  seed: number;
  /** Shuffle each epoch (default true); false keeps the dataset's order (use it for validation). */
  shuffle?: boolean;
  /** Drop the last, shorter batch (default false: it is kept and `n` says how many rows are real). */
  dropLast?: boolean;
  /** Augments every filled batch in place (training batches only; never give it to validation or test). */
  augment?: Augmenter;
}

export interface Batch {
  /** 0-based batch number within the epoch. */
  index: number;
  /** Rows filled: batchSize, or fewer for the last batch. */
  n: number;
  /** n×H×W×C floats: a view of the shared buffer, valid until the next batch is filled. */
  x: Float32Array;
  /** n labels: a view of the shared buffer (all 0 for a multi-label dataset: read `t`). */
  y: Int32Array;
  /** Multi-label datasets: n×L targets of 0/1, a view of the shared buffer; null for single-label ones. */
  t: Float32Array | null;
}

export class Batcher {
  readonly batchSize: number;
  /** Floats per sample: H·W·C. */
  readonly sampleSize: number;
  readonly batchesPerEpoch: number;
  /** The whole preallocated batch buffer: batchSize×H×W×C. Rows ≥ n of a short batch are zero. */
  readonly x: Float32Array;
  /** The preallocated labels: batchSize. Rows ≥ n of a short batch are 0. Unused (0) for multi-label data. */
  readonly y: Int32Array;
  /** Multi-label datasets: the preallocated targets, batchSize×L (L = numClasses); rows ≥ n of a short batch are 0. Else null. */
  readonly t: Float32Array | null;
  /** Labels per sample of a multi-label dataset; 0 for single-label. */
  readonly labelsPerSample: number;
  private readonly shuffle: boolean;
  private readonly seed: number;
  private readonly augment: Augmenter | undefined;
  private cachedEpoch = -1;
  private cachedOrder: Uint32Array | null = null;

  constructor(
    readonly data: Dataset,
    opts: BatcherOptions,
  ) {
    if (!(Number.isInteger(opts.batchSize) && opts.batchSize >= 1)) throw new RangeError(`batch size must be a whole number ≥ 1, got ${opts.batchSize}`);
    this.batchSize = opts.batchSize;
    this.seed = opts.seed;
    this.shuffle = opts.shuffle ?? true;
    this.augment = opts.augment;
    this.sampleSize = data.height * data.width * data.channels;
    this.batchesPerEpoch = opts.dropLast ? Math.floor(data.size / this.batchSize) : Math.ceil(data.size / this.batchSize);
    this.x = new Float32Array(this.batchSize * this.sampleSize);
    this.y = new Int32Array(this.batchSize);
    const multi = taskOf(data) === 'multilabel';
    if (multi && !data.labelRow) throw new TypeError('a multi-label dataset must provide labelRow');
    this.labelsPerSample = multi ? data.numClasses : 0;
    this.t = multi ? new Float32Array(this.batchSize * data.numClasses) : null;
  }

  /** The order in which epoch `epoch` visits the samples (every index exactly once). */
  order(epoch: number): Uint32Array {
    if (this.cachedEpoch !== epoch || !this.cachedOrder) {
      if (this.shuffle) this.cachedOrder = permutation(this.data.size, this.seed, 0x42415443, epoch);
      else {
        const o = new Uint32Array(this.data.size);
        for (let i = 0; i < o.length; i++) o[i] = i;
        this.cachedOrder = o;
      }
      this.cachedEpoch = epoch;
    }
    return this.cachedOrder;
  }

  /** Fills `x` and `y` (or `t`) with batch `b` of epoch `epoch`; returns the number of rows filled (0 past the end). */
  fill(epoch: number, b: number): number {
    if (b < 0 || b >= this.batchesPerEpoch) return 0;
    const order = this.order(epoch);
    const start = b * this.batchSize;
    const n = Math.min(this.batchSize, order.length - start);
    const t = this.t;
    const l = this.labelsPerSample;
    for (let r = 0; r < n; r++) {
      const i = order[start + r];
      this.data.read(i, this.x, r * this.sampleSize);
      if (t) this.data.labelRow!(i, t, r * l);
      else this.y[r] = this.data.label(i);
    }
    // Batch b of epoch e is augmented the same way every time it is filled (a resumed epoch replays it).
    this.augment?.apply(this.x, n, epoch, b);
    if (n < this.batchSize) {
      this.x.fill(0, n * this.sampleSize);
      this.y.fill(0, n);
      t?.fill(0, n * l);
    }
    return n;
  }

  /** Iterates over the batches of one epoch; each batch's views share the preallocated buffers. */
  *epoch(epoch: number): Generator<Batch> {
    for (let b = 0; b < this.batchesPerEpoch; b++) {
      const n = this.fill(epoch, b);
      yield { index: b, n, x: this.x.subarray(0, n * this.sampleSize), y: this.y.subarray(0, n), t: this.t ? this.t.subarray(0, n * this.labelsPerSample) : null };
    }
  }
}
