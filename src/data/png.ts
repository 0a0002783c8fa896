// PNG without Node (the web worker trainer has no pngjs, which is built on Node's streams and zlib): decoding of
// every colour type and bit depth, Adam7 interlacing and tRNS, to 8-bit RGBA with pngjs's own conversions (low
// and 16-bit depths rescaled with rounding, a tRNS colour key made fully transparent black, palette alpha), and
// encoding of 8-bit RGBA. The zlib stream is inflated and deflated by the host (host().inflateRaw, deflateRaw:
// Node's zlib, or fflate in the browser).

import { host } from '../platform/host';
import { crc32 } from './crc32';

export interface DecodedPng {
  width: number;
  height: number;
  /** 8-bit RGBA, row by row. */
  data: Uint8Array;
  /** The colour type carries colour (RGB, RGBA or a palette), as pngjs's `color`. */
  color: boolean;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Samples per pixel by colour type. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
/** Adam7: the passes' first column and row and their steps. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

class PngError extends Error {}

export function decodePng(bytes: Uint8Array): DecodedPng {
  for (let i = 0; i < 8; i++) if (bytes[i] !== SIGNATURE[i]) throw new PngError('not a PNG file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let header: { width: number; height: number; depth: number; colorType: number; interlace: number } | null = null;
  let palette: Uint8Array | null = null;
  let trns: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (!ended) {
    if (at + 12 > bytes.length) throw new PngError('the data ends early');
    const length = dv.getUint32(at);
    const type = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);
    if (at + 12 + length > bytes.length) throw new PngError('the data ends early');
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== dv.getUint32(at + 8 + length)) throw new PngError(`${chunkName(type, at)}'s checksum is wrong`);
    at += 12 + length;
    switch (type) {
      case 'IHDR': {
        const h = { width: dv.getUint32(body.byteOffset - bytes.byteOffset), height: dv.getUint32(body.byteOffset - bytes.byteOffset + 4), depth: body[8]!, colorType: body[9]!, interlace: body[12]! };
        if (!(h.colorType in CHANNELS)) throw new PngError(`colour type ${h.colorType} is not a PNG colour type`);
        if (!DEPTHS[h.colorType]!.includes(h.depth)) throw new PngError(`bit depth ${h.depth} is not allowed for colour type ${h.colorType}`);
        if (body[10] !== 0 || body[11] !== 0 || h.interlace > 1) throw new PngError('unsupported compression, filter or interlace method');
        if (h.width === 0 || h.height === 0) throw new PngError('the image has no pixels');
        header = h;
        break;
      }
      case 'PLTE':
        palette = body;
        break;
      case 'tRNS':
        trns = body;
        break;
      case 'IDAT':
        idat.push(body);
        break;
      case 'IEND':
        ended = true;
        break;
      default:
        if (!header) throw new PngError('the IHDR chunk is missing');
    }
  }
  if (!header) throw new PngError('the IHDR chunk is missing');
  if (header.colorType === 3 && !palette) throw new PngError('the palette is missing');
  const { width, height, depth, colorType } = header;
  const zlib = concat(idat);
  if (zlib.length < 6) throw new PngError('the data ends early');
  const raw = host().inflateRaw(zlib.subarray(2, zlib.length - 4));
  const channels = CHANNELS[colorType]!;
  const bitsPerPixel = channels * depth;
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const maxIn = 2 ** depth - 1;
  // RGBA samples at the source depth (palette: the index's colour, 8-bit), before rescaling.
  const samples = depth === 16 ? new Uint16Array(width * height * 4) : new Uint8Array(width * height * 4);
  let pos = 0;
  const passes = header.interlace ? ADAM7 : ([[0, 0, 1, 1]] as const);
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((width - x0) / dx);
    const ph = Math.ceil((height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const stride = Math.ceil((pw * bitsPerPixel) / 8);
    let prev = new Uint8Array(stride);
    for (let py = 0; py < ph; py++) {
      if (pos + 1 + stride > raw.length) throw new PngError('the data ends early');
      const filter = raw[pos]!;
      const line = raw.slice(pos + 1, pos + 1 + stride);
      pos += 1 + stride;
      unfilter(filter, line, prev, bpp);
      prev = line;
      const y = y0 + py * dy;
      for (let px = 0; px < pw; px++) {
        const o = (y * width + x0 + px * dx) * 4;
        const sample = (k: number): number => {
          if (depth === 16) return (line[(px * channels + k) * 2]! << 8) | line[(px * channels + k) * 2 + 1]!;
          if (depth === 8) return line[px * channels + k]!;
          const bit = (px * channels + k) * depth;
          return (line[bit >> 3]! >> (8 - depth - (bit & 7))) & maxIn;
        };
        if (colorType === 3) {
          const i = sample(0);
          if (3 * i + 2 >= palette!.length) throw new PngError(`index ${i} not in palette`);
          samples[o] = palette![3 * i]!;
          samples[o + 1] = palette![3 * i + 1]!;
          samples[o + 2] = palette![3 * i + 2]!;
          samples[o + 3] = trns && i < trns.length ? trns[i]! : 255;
          continue;
        }
        const g = sample(0);
        const rgb = channels >= 3 ? [g, sample(1), sample(2)] : [g, g, g];
        const alpha = channels === 2 ? sample(1) : channels === 4 ? sample(3) : maxIn;
        const keyed = trns !== null && (colorType === 0 ? trns.length >= 2 && g === ((trns[0]! << 8) | trns[1]!) : colorType === 2 && trns.length >= 6 && rgb[0] === ((trns[0]! << 8) | trns[1]!) && rgb[1] === ((trns[2]! << 8) | trns[3]!) && rgb[2] === ((trns[4]! << 8) | trns[5]!));
        samples[o] = keyed ? 0 : rgb[0]!;
        samples[o + 1] = keyed ? 0 : rgb[1]!;
        samples[o + 2] = keyed ? 0 : rgb[2]!;
        samples[o + 3] = keyed ? 0 : alpha;
      }
    }
  }
  let data: Uint8Array;
  if (colorType === 3 || depth === 8) data = samples as Uint8Array;
  else {
    data = new Uint8Array(samples.length);
    for (let i = 0; i < samples.length; i++) data[i] = Math.floor((samples[i]! * 255) / maxIn + 0.5);
  }
  return { width, height, data, color: (colorType & 2) !== 0 };
}

function unfilter(filter: number, line: Uint8Array, prev: Uint8Array, bpp: number): void {
  const n = line.length;
  switch (filter) {
    case 0:
      return;
    case 1:
      for (let i = bpp; i < n; i++) line[i] = (line[i]! + line[i - bpp]!) & 255;
      return;
    case 2:
      for (let i = 0; i < n; i++) line[i] = (line[i]! + prev[i]!) & 255;
      return;
    case 3:
      for (let i = 0; i < n; i++) line[i] = (line[i]! + (((i >= bpp ? line[i - bpp]! : 0) + prev[i]!) >> 1)) & 255;
      return;
    case 4:
      for (let i = 0; i < n; i++) {
        const a = i >= bpp ? line[i - bpp]! : 0;
        const b = prev[i]!;
        const c = i >= bpp ? prev[i - bpp]! : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        line[i] = (line[i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 255;
      }
      return;
    default:
      throw new PngError(`unknown filter type ${filter}`);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A PNG of 8-bit RGBA pixels (width × height × 4 bytes, row by row). */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const stride = width * 4;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const ihdr = new Uint8Array(13);
  const h = new DataView(ihdr.buffer);
  h.setUint32(0, width);
  h.setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return concat([new Uint8Array(SIGNATURE), chunk('IHDR', ihdr), chunk('IDAT', zlibStream(raw)), chunk('IEND', new Uint8Array(0))]);
}

/** A chunk as an error message names it: by its type where that is four letters, as PNG's are, else by where it starts (a damaged file's type bytes may be anything, control characters included). */
function chunkName(type: string, at: number): string {
  return /^[A-Za-z]{4}$/.test(type) ? `the ${type} chunk` : `the chunk at byte ${at}`;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  dv.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

/** A zlib stream (RFC 1950: header, the host's raw deflate, Adler-32 of the data) holding `data`. */
function zlibStream(data: Uint8Array): Uint8Array {
  const body = host().deflateRaw(data);
  const out = new Uint8Array(2 + body.length + 4);
  out[0] = 0x78;
  out[1] = 0x9c;
  out.set(body, 2);
  let a = 1;
  let s = 0;
  for (let i = 0; i < data.length; i++) {
    a = (a + data[i]!) % 65521;
    s = (s + a) % 65521;
  }
  new DataView(out.buffer).setUint32(2 + body.length, ((s << 16) | a) >>> 0);
  return out;
}
