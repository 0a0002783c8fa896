// A dataset over a dense N×H×W×C image array (uint8 or float) held in a ByteSource, with int labels in memory.
// The IDX and NPZ readers both end here.

import type { ByteSource } from './bytes';
import { checkIndex, type Dataset } from './dataset';

/** Pixel types the array readers accept: uint8 (scaled to [0,1]) and float32/float64 (used as they are). */
export type PixelType = 'u1' | 'f4' | 'f8';

export const PIXEL_BYTES: Record<PixelType, number> = { u1: 1, f4: 4, f8: 8 };

export class ArrayDataset implements Dataset {
  readonly numClasses: number;
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
    private readonly labels: Int32Array,
    readonly classNames: readonly string[],
  ) {
    this.numClasses = classNames.length;
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
      const k = 1 / 255;
      for (let j = 0; j < n; j++) out[offset + j] = bytes[j] * k;
      return;
    }
    this.source.read(at, this.sampleBytes, this.scratch);
    const src = (this.f32 ?? this.f64)!;
    for (let j = 0; j < n; j++) out[offset + j] = src[j];
  }

  label(i: number): number {
    checkIndex(i, this.size);
    return this.labels[i];
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
