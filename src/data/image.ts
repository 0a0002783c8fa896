// Image decoding (PNG via png.ts, JPEG via jpeg-js), cheap header sniffing, channel conversion and resizing.

import * as jpeg from 'jpeg-js';
import { DataError } from './dataset';
import { decodePng, encodePng } from './png';

export type ImageFormat = 'png' | 'jpeg';

/** Decoded pixels as 8-bit RGBA, plus whether the source had colour. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
  color: boolean;
}

/** The format from the first bytes, or null when it is neither PNG nor JPEG. */
export function sniffFormat(head: Uint8Array): ImageFormat | null {
  if (head.length >= 8 && head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47 && head[4] === 0x0d && head[5] === 0x0a && head[6] === 0x1a && head[7] === 0x0a) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  return null;
}

/** Width, height and colour from a PNG's IHDR or a JPEG's SOF marker, without decoding; null if not found. */
export function sniffSize(head: Uint8Array): { format: ImageFormat; width: number; height: number; color: boolean } | null {
  const format = sniffFormat(head);
  if (!format) return null;
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (format === 'png') {
    if (head.length < 26) return null;
    const colorType = head[25];
    return { format, width: dv.getUint32(16, false), height: dv.getUint32(20, false), color: colorType === 2 || colorType === 3 || colorType === 6 };
  }
  let p = 2;
  while (p + 9 < head.length) {
    if (head[p] !== 0xff) return null;
    const marker = head[p + 1];
    if (marker === 0xff) {
      p++;
      continue;
    }
    const len = dv.getUint16(p + 2, false);
    // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { format, height: dv.getUint16(p + 5, false), width: dv.getUint16(p + 7, false), color: head[p + 9] >= 3 };
    }
    p += 2 + len;
  }
  return null;
}

/** The decoders' own words for why bytes are not an image (they throw Errors, and jpeg-js sometimes strings). */
function decoderReason(err: unknown): string {
  // A TypeError or RangeError is the decoder tripping over bytes it did not expect, in words about its own code.
  if (err instanceof TypeError || err instanceof RangeError) return 'the data is damaged';
  const text = (err instanceof Error ? err.message : typeof err === 'string' ? err : '').trim().split(/\r?\n/)[0];
  // pngjs's words for a file that stops before its image data does.
  if (/read requests waitng on finished stream/i.test(text)) return 'the data ends early';
  return text || 'the decoder gave no reason';
}

/**
 * Decodes a PNG or JPEG to RGBA, all of it: a damaged body (a PNG's CRC or zlib stream, a JPEG's scan) fails
 * here, not later as a blank image. Throws DataError "cannot be decoded as a PNG image (reason)" or
 * "is not a PNG or JPEG image", worded to follow a file name.
 */
export function decodeImage(bytes: Uint8Array): Rgba {
  const format = sniffFormat(bytes);
  if (!format) throw new DataError('is not a PNG or JPEG image');
  try {
    if (format === 'png') {
      // png.ts, not pngjs (built on Node's streams and zlib): the web worker trainer decodes PNGs too.
      return decodePng(bytes);
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024, maxResolutionInMP: 200 });
    if (!(img.width > 0 && img.height > 0)) throw new Error(`it has no pixels (${img.width}×${img.height})`);
    return { width: img.width, height: img.height, data: img.data, color: true };
  } catch (err) {
    throw new DataError(`cannot be decoded as a ${format === 'png' ? 'PNG' : 'JPEG'} image (${decoderReason(err)})`);
  }
}

/**
 * One axis of a separable resampler: for each output pixel, the source pixels and their weights.
 * Shrinking averages the covered area (box filter, exact overlaps); enlarging interpolates linearly
 * between pixel centres. Equal sizes copy.
 */
interface AxisWeights {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  stride: number;
}

function axisWeights(src: number, dst: number): AxisWeights {
  const scale = src / dst;
  if (scale > 1) {
    const stride = Math.ceil(scale) + 1;
    const start = new Int32Array(dst);
    const count = new Int32Array(dst);
    const weights = new Float32Array(dst * stride);
    for (let o = 0; o < dst; o++) {
      const a = o * scale;
      const b = a + scale;
      const s = Math.floor(a);
      const e = Math.min(src, Math.ceil(b));
      start[o] = s;
      count[o] = e - s;
      for (let k = s; k < e; k++) weights[o * stride + (k - s)] = (Math.min(b, k + 1) - Math.max(a, k)) / scale;
    }
    return { start, count, weights, stride };
  }
  const stride = 2;
  const start = new Int32Array(dst);
  const count = new Int32Array(dst);
  const weights = new Float32Array(dst * stride);
  for (let o = 0; o < dst; o++) {
    const x = Math.min(src - 1, Math.max(0, (o + 0.5) * scale - 0.5));
    const s = Math.min(Math.floor(x), src - 1);
    const t = x - s;
    start[o] = s;
    if (s + 1 < src && t > 0) {
      count[o] = 2;
      weights[o * stride] = 1 - t;
      weights[o * stride + 1] = t;
    } else {
      count[o] = 1;
      weights[o * stride] = 1;
    }
  }
  return { start, count, weights, stride };
}

/**
 * Converts RGBA pixels to the model's channels (1: luminance 0.299R+0.587G+0.114B; 3: RGB; 4: RGBA;
 * 2: luminance and alpha) in [0,1], resized to outH×outW, written H×W×C into `out` at `offset`.
 */
export function rgbaToTensor(img: Rgba, outH: number, outW: number, outC: number, out: Float32Array, offset: number): void {
  pixelsToTensor({ width: img.width, height: img.height, channels: 4, data: img.data, scale: 1 / 255 }, outH, outW, outC, out, offset);
}

/**
 * Pixels of any source: `channels` values per pixel (1 grey, 3 RGB, 4 RGBA), row-major, each times `scale`
 * in [0, 1]. The 8-bit decoders give bytes and scale 1/255; DICOM gives floats already in [0, 1] and scale 1.
 */
export interface Pixels {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: ArrayLike<number>;
  scale: number;
}

/**
 * The one home of the channel rules: any pixels to the model's channels (grey → 1: as it is; colour → 1:
 * luminance 0.299R+0.587G+0.114B; 2: luminance and alpha; 3: RGB, grey repeated; 4: RGBA; a missing alpha
 * is 1), resized to outH×outW, written H×W×C into `out` at `offset`.
 */
export function pixelsToTensor(img: Pixels, outH: number, outW: number, outC: number, out: Float32Array, offset: number): void {
  const { width: sw, height: sh, data, channels: sc, scale: k } = img;
  // 1. channel conversion at the source size.
  const conv = new Float32Array(sw * sh * outC);
  for (let p = 0, q = 0; p < sw * sh; p++, q += outC) {
    const i = p * sc;
    const r = data[i] * k;
    const g = sc === 1 ? r : data[i + 1] * k;
    const b = sc === 1 ? r : data[i + 2] * k;
    const a = sc === 4 ? data[i + 3] * k : 1;
    const grey = sc === 1 ? r : 0.299 * r + 0.587 * g + 0.114 * b;
    if (outC === 1) conv[q] = grey;
    else if (outC === 2) (conv[q] = grey), (conv[q + 1] = a);
    else {
      conv[q] = r;
      conv[q + 1] = g;
      conv[q + 2] = b;
      for (let c = 3; c < outC; c++) conv[q + c] = a;
    }
  }
  if (sw === outW && sh === outH) {
    out.set(conv, offset);
    return;
  }
  // 2. separable resize: rows (width) first, then columns (height).
  const wx = axisWeights(sw, outW);
  const wy = axisWeights(sh, outH);
  const tmp = new Float32Array(sh * outW * outC);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < outW; x++) {
      const s = wx.start[x];
      const n = wx.count[x];
      for (let c = 0; c < outC; c++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += wx.weights[x * wx.stride + j] * conv[((y * sw) + s + j) * outC + c];
        tmp[(y * outW + x) * outC + c] = acc;
      }
    }
  }
  for (let y = 0; y < outH; y++) {
    const s = wy.start[y];
    const n = wy.count[y];
    for (let x = 0; x < outW; x++) {
      for (let c = 0; c < outC; c++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += wy.weights[y * wy.stride + j] * tmp[((s + j) * outW + x) * outC + c];
        out[offset + (y * outW + x) * outC + c] = acc;
      }
    }
  }
}

/** Encodes H×W×C floats in [0,1] (C = 1, 3 or 4) as a PNG, each pixel enlarged `scale` times. */
export function tensorToPng(data: Float32Array, offset: number, h: number, w: number, c: number, scale = 1): Uint8Array {
  const s = Math.max(1, Math.floor(scale));
  const png = { width: w * s, height: h * s, data: new Uint8Array(w * s * h * s * 4) };
  const to8 = (v: number): number => Math.max(0, Math.min(255, Math.round(v * 255)));
  for (let y = 0; y < h * s; y++) {
    for (let x = 0; x < w * s; x++) {
      const src = offset + ((Math.floor(y / s) * w) + Math.floor(x / s)) * c;
      const dst = 4 * (y * w * s + x);
      if (c >= 3) {
        png.data[dst] = to8(data[src]);
        png.data[dst + 1] = to8(data[src + 1]);
        png.data[dst + 2] = to8(data[src + 2]);
        png.data[dst + 3] = c === 4 ? to8(data[src + 3]) : 255;
      } else {
        const v = to8(data[src]);
        png.data[dst] = png.data[dst + 1] = png.data[dst + 2] = v;
        png.data[dst + 3] = 255;
      }
    }
  }
  return encodePng(png.width, png.height, png.data);
}
