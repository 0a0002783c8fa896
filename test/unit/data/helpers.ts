// Test helpers: temporary folders and writers for the real file formats (IDX, ZIP/NPZ, PNG, JPEG).

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll } from 'vitest';

const made: string[] = [];
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary folder, removed after the test file. */
export function tmpDir(prefix = 'cnn-data-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

/** An IDX file: big-endian magic 0x0000 08 ndims, dims, then uint8 data. */
export function idxBytes(magicDims: number, dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(0x0800 | magicDims, 0);
  dims.forEach((d, k) => head.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([head, Buffer.from(data)]);
}

/** n images h×w whose pixel values encode (sample, position) so reads can be checked; labels i % classes. */
export function idxPair(n: number, h: number, w: number, classes: number): { images: Buffer; labels: Buffer; pixels: Uint8Array; labelValues: Uint8Array } {
  const pixels = new Uint8Array(n * h * w);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + Math.floor(i / (h * w)) * 13) & 255;
  const labelValues = Uint8Array.from({ length: n }, (_, i) => i % classes);
  return { images: idxBytes(3, [n, h, w], pixels), labels: idxBytes(1, [n], labelValues), pixels, labelValues };
}

export interface ZipInput {
  name: string;
  data: Uint8Array;
  /** 'store' (method 0) or 'deflate' (method 8). */
  method: 'store' | 'deflate';
}

/**
 * A minimal ZIP writer (local headers, central directory, end record). With `zip64`, every entry carries
 * zip64 extra fields with its sizes and offset (0xFFFFFFFF in the classic fields) and the archive ends with
 * a zip64 end record and locator, as Python's zipfile writes with force_zip64.
 */
export function zipBytes(entries: ZipInput[], opts: { zip64?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const body = e.method === 'deflate' ? zlib.deflateRawSync(e.data) : Buffer.from(e.data);
    const crc = zlib.crc32(e.data) >>> 0;
    const name = Buffer.from(e.name, 'utf8');
    const method = e.method === 'deflate' ? 8 : 0;
    const z = opts.zip64 === true;
    const localExtra = z ? Buffer.alloc(20) : Buffer.alloc(0);
    if (z) {
      localExtra.writeUInt16LE(1, 0);
      localExtra.writeUInt16LE(16, 2);
      localExtra.writeBigUInt64LE(BigInt(e.data.length), 4);
      localExtra.writeBigUInt64LE(BigInt(body.length), 12);
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(z ? 45 : 20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(z ? 0xffffffff : body.length, 18);
    local.writeUInt32LE(z ? 0xffffffff : e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(localExtra.length, 28);
    parts.push(local, name, localExtra, body);
    const cExtra = z ? Buffer.alloc(28) : Buffer.alloc(0);
    if (z) {
      cExtra.writeUInt16LE(1, 0);
      cExtra.writeUInt16LE(24, 2);
      cExtra.writeBigUInt64LE(BigInt(e.data.length), 4);
      cExtra.writeBigUInt64LE(BigInt(body.length), 12);
      cExtra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(z ? 45 : 20, 4);
    c.writeUInt16LE(z ? 45 : 20, 6);
    c.writeUInt16LE(0x800, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(z ? 0xffffffff : body.length, 20);
    c.writeUInt32LE(z ? 0xffffffff : e.data.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(cExtra.length, 30);
    c.writeUInt32LE(z ? 0xffffffff : offset, 42);
    central.push(c, name, cExtra);
    offset += local.length + name.length + localExtra.length + body.length;
  }
  const cd = Buffer.concat(central);
  const tail: Buffer[] = [];
  if (opts.zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(entries.length), 24);
    rec.writeBigUInt64LE(BigInt(entries.length), 32);
    rec.writeBigUInt64LE(BigInt(cd.length), 40);
    rec.writeBigUInt64LE(BigInt(offset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(rec, loc);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(opts.zip64 ? 0xffff : entries.length, 8);
  end.writeUInt16LE(opts.zip64 ? 0xffff : entries.length, 10);
  end.writeUInt32LE(opts.zip64 ? 0xffffffff : cd.length, 12);
  end.writeUInt32LE(opts.zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...parts, cd, ...tail, end]);
}

/** Does /usr/bin/python3 have numpy? */
export function hasNumpy(): boolean {
  try {
    return spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
  } catch {
    return false;
  }
}

/** A deterministic generator of bytes 0…255 (xorshift32), for fixtures and fuzzing. */
export function byteRng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s & 255;
  };
}

/**
 * A real PNG or JPEG with its header kept and its body replaced by seeded garbage: for a PNG everything after
 * the IHDR chunk (33 bytes), for a JPEG everything after the start-of-scan header, up to the end marker.
 */
export function corruptBody(image: Uint8Array, seed: number): Buffer {
  const out = Buffer.from(image);
  const next = byteRng(seed);
  let from: number;
  let to = out.length;
  if (out[0] === 0x89) from = 33;
  else {
    const sos = out.indexOf(Buffer.from([0xff, 0xda]));
    if (sos < 0) throw new Error('not a baseline JPEG: no start-of-scan marker');
    from = sos + 2 + out.readUInt16BE(sos + 2);
    to = out.length - 2; // keep the end-of-image marker: the header and the trailer are valid
  }
  for (let i = from; i < to; i++) out[i] = next();
  return out;
}

/** An image of seeded noise, RGBA, so no sample reads as blank. */
export function noisePixels(w: number, h: number, seed: number): Buffer {
  const data = Buffer.alloc(w * h * 4);
  let s = seed * 2654435761 + 1;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = i % 4 === 3 ? 255 : 40 + ((s >>> 16) % 200);
  }
  return data;
}

/** A PNG of seeded noise. */
export function noisePng(w: number, h: number, seed: number): Buffer {
  const p = new PNG({ width: w, height: h });
  noisePixels(w, h, seed).copy(p.data);
  return PNG.sync.write(p);
}

/** A JPEG of seeded noise. */
export function noiseJpg(w: number, h: number, seed: number): Buffer {
  return Buffer.from(jpeg.encode({ width: w, height: h, data: noisePixels(w, h, seed) }, 90).data);
}
