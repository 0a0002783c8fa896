// A dataset over a dense N×H×W×C image array (uint8 or float) held in a ByteSource, with its labels in memory:
// class indices (single-label) or N×L rows of 0/1 (multi-label). The IDX and NPZ readers both end here.

import type { Task } from '../language/model';
import type { ByteSource } from './bytes';
import { bytesToUnit, checkIndex, DataError, multiLabelOnly, singleLabelOnly, type Dataset } from './dataset';
import type { NpyArray, NpyDtype } from './npy';

/**
 * Pixel types the array readers accept: uint8 (scaled to [0,1]) and float32/float64 (used as they are).
 * The one home of that rule: the IDX and NPZ datasets and `cnn predict` on an .npy all go through here.
 */
export type PixelType = 'u1' | 'f4' | 'f8';

export const PIXEL_BYTES: Record<PixelType, number> = { u1: 1, f4: 4, f8: 8 };

/** The rule in words, for messages. */
export const PIXEL_RULE = 'uint8 (0–255, scaled to [0, 1]) or float32/float64 (used as they are)';

/** The dtype as a pixel type, or a DataError naming `name` and the rule. */
export function pixelType(dtype: NpyDtype, name: string): PixelType {
  if (dtype === 'u1' || dtype === 'f4' || dtype === 'f8') return dtype;
  throw new DataError(`${name} has dtype ${dtype}; images must be ${PIXEL_RULE}.`);
}

/** A whole .npy array of pixels as the model's float32 input, by the rule above. */
export function npyPixels(arr: NpyArray, name: string): Float32Array {
  const t = pixelType(arr.dtype, name);
  const n = arr.data.length;
  const out = new Float32Array(n);
  if (t === 'u1') bytesToUnit(arr.data as Uint8Array, 0, n, out, 0);
  else out.set(arr.data as Float32Array | Float64Array);
  for (let i = 0; i < n; i++) {
    const v = out[i]!;
    if (v - v !== 0) throw new DataError(`${name} holds ${v} at element ${i} (counting from 0 in row-major order); pixels must be finite numbers (numpy.nan_to_num replaces NaN and infinite values).`);
  }
  return out;
}

/** Where a NaN or infinite pixel is: the sample and its row, column and channel. */
export interface NonFinitePixel {
  sample: number;
  row: number;
  col: number;
  channel: number;
  value: number;
}

/**
 * The first NaN or infinite pixel of a float dataset, or null: reads every sample once, when the data is
 * opened, so such data is refused up front instead of surfacing as a NaN loss blamed on the learning rate.
 * (A float64 value beyond float32's range counts: the engine computes in float32.)
 */
export function firstNonFinite(ds: Dataset): NonFinitePixel | null {
  const per = ds.height * ds.width * ds.channels;
  const buf = new Float32Array(per);
  for (let i = 0; i < ds.size; i++) {
    ds.read(i, buf, 0);
    for (let j = 0; j < per; j++) {
      const v = buf[j]!;
      if (v - v === 0) continue; // finite
      const channel = j % ds.channels;
      const px = (j - channel) / ds.channels;
      return { sample: i, row: Math.floor(px / ds.width), col: px % ds.width, channel, value: v };
    }
  }
  return null;
}

/** The DataError message for a NaN or infinite pixel of `where` ("train_images in x.npz"). */
export function nonFiniteMessage(where: string, p: NonFinitePixel): string {
  return `${where}: sample ${p.sample} has a pixel of ${p.value} (row ${p.row}, column ${p.col}, channel ${p.channel}). Pixels must be finite numbers; replace NaN and infinite values (e.g. numpy.nan_to_num) and save the file again.`;
}

/** Multi-label labels: `rows`×`count` values, each 0 or 1, row-major (sample i's labels at i·count…). */
export interface MultiLabels {
  readonly count: number;
  readonly rows: number;
  readonly data: Uint8Array;
}

export class ArrayDataset implements Dataset {
  readonly numClasses: number;
  readonly task: Task;
  private readonly sampleValues: number;
  private readonly sampleBytes: number;
  private readonly scratch: Uint8Array;
  private readonly f32: Float32Array | null;
  private readonly f64: Float64Array | null;

  constructor(
    private readonly source: ByteSource,
    /** Where sample 0 starts in `source`. */
    private readonly dataOffset: number,
    readonly size: number,
    readonly height: number,
    readonly width: number,
    readonly channels: number,
    readonly pixelType: PixelType,
    private readonly labels: Int32Array | MultiLabels,
    readonly classNames: readonly string[],
  ) {
    this.numClasses = classNames.length;
    this.task = labels instanceof Int32Array ? 'single' : 'multilabel';
    if (!(labels instanceof Int32Array) && labels.count !== classNames.length) {
      throw new RangeError(`${labels.count} labels per sample but ${classNames.length} label names`);
    }
    this.sampleValues = height * width * channels;
    this.sampleBytes = this.sampleValues * PIXEL_BYTES[pixelType];
    this.scratch = new Uint8Array(this.sampleBytes);
    this.f32 = pixelType === 'f4' ? new Float32Array(this.scratch.buffer) : null;
    this.f64 = pixelType === 'f8' ? new Float64Array(this.scratch.buffer) : null;
  }

  read(i: number, out: Float32Array, offset: number): void {
    checkIndex(i, this.size);
    const n = this.sampleValues;
    const at = this.dataOffset + i * this.sampleBytes;
    if (this.pixelType === 'u1') {
      // In memory this is a view (no copy); from disk it fills the scratch buffer.
      const bytes = this.source.streamed ? this.source.read(at, n, this.scratch) : this.source.read(at, n);
      bytesToUnit(bytes, 0, n, out, offset);
      return;
    }
    this.source.read(at, this.sampleBytes, this.scratch);
    const src = (this.f32 ?? this.f64)!;
    for (let j = 0; j < n; j++) out[offset + j] = src[j];
  }

  label(i: number): number {
    checkIndex(i, this.size);
    if (!(this.labels instanceof Int32Array)) throw multiLabelOnly();
    return this.labels[i];
  }

  labelRow(i: number, out: Float32Array, offset: number): void {
    checkIndex(i, this.size);
    const m = this.labels;
    if (m instanceof Int32Array) throw singleLabelOnly();
    const from = i * m.count;
    for (let k = 0; k < m.count; k++) out[offset + k] = m.data[from + k];
  }

  close(): void {
    this.source.close();
  }
}

/** The first label outside 0…numClasses-1, or null. */
export function firstBadLabel(labels: Int32Array, numClasses: number): { index: number; value: number } | null {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v < 0 || v >= numClasses) return { index: i, value: v };
  }
  return null;
}

/** The largest label plus one (0 for no labels). */
export function labelCount(labels: Int32Array): number {
  let m = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i] > m) m = labels[i];
  return m + 1;
}

/** Labels of one split, with where they come from ("train_labels in x.npz"). */
export interface LabelSet {
  where: string;
  labels: Int32Array;
}

/**
 * Labels at or above `numClasses` that look like mistakes rather than more classes: the data does not use every
 * label from 0 to its largest. Says which sample of which split, which label, how many, and what the network
 * expects; null when every label fits, or when the data plainly has more classes (then "set units=" is right).
 */
export function strayLabelMessage(sets: readonly LabelSet[], numClasses: number): string | null {
  let first: { where: string; index: number; value: number } | null = null;
  let count = 0;
  let max = -1;
  const used = new Set<number>();
  for (const s of sets) {
    for (let i = 0; i < s.labels.length; i++) {
      const v = s.labels[i];
      used.add(v);
      if (v > max) max = v;
      if (v >= numClasses) {
        count++;
        first ??= { where: s.where, index: i, value: v };
      }
    }
  }
  if (!first || used.size === max + 1) return null;
  const n = (x: number): string => x.toLocaleString('en-US');
  return (
    `sample ${n(first.index)} of ${first.where} has label ${n(first.value)}, but the last dense layer has ${n(numClasses)} units, so the network expects labels 0…${n(numClasses - 1)}` +
    ` (${count === 1 ? 'it is the only sample' : `${n(count)} samples in all are`} outside that range; the data uses ${n(used.size)} different labels, so ${count === 1 ? 'it looks like a mistake' : 'they look like mistakes'} rather than more classes). Fix ${count === 1 ? 'that label' : 'those labels'}.`
  );
}
