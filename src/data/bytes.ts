// Byte sources: the readers see a file (or a part of one) as `ByteSource`, either held in memory or read
// from disk at offsets with fs.readSync, so data larger than memory streams instead of loading whole.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { constants as bufferConstants } from 'node:buffer';
import { DataError, fmtBytes } from './dataset';

/** Uncompressed data above this size is read from disk sample by sample instead of being loaded. */
export const STREAM_THRESHOLD_BYTES = 256 * 1024 * 1024;
/** Compressed (gz, deflated) data must be inflated into memory; above this uncompressed size it is refused. */
export const MAX_INFLATED_BYTES = Math.min(4 * 1024 * 1024 * 1024, bufferConstants.MAX_LENGTH);

export interface ByteSource {
  readonly length: number;
  /** True when the bytes are read from disk on demand. */
  readonly streamed: boolean;
  /** Copies `length` bytes at `offset` into `into` (a fresh buffer when omitted) and returns it. */
  read(offset: number, length: number, into?: Uint8Array): Uint8Array;
  close(): void;
}

export class MemorySource implements ByteSource {
  readonly streamed = false;
  constructor(readonly bytes: Uint8Array) {}
  get length(): number {
    return this.bytes.length;
  }
  read(offset: number, length: number, into?: Uint8Array): Uint8Array {
    if (offset < 0 || offset + length > this.bytes.length) throw new RangeError(`read ${offset}+${length} outside ${this.bytes.length} bytes`);
    if (!into) return this.bytes.subarray(offset, offset + length);
    into.set(this.bytes.subarray(offset, offset + length));
    return into;
  }
  close(): void {}
}

/** A window [start, start+length) of an open file, read with fs.readSync. Shares one descriptor. */
export class FileSource implements ByteSource {
  readonly streamed = true;
  constructor(
    private readonly file: OpenFile,
    private readonly start: number,
    readonly length: number,
  ) {}
  read(offset: number, length: number, into?: Uint8Array): Uint8Array {
    if (offset < 0 || offset + length > this.length) throw new RangeError(`read ${offset}+${length} outside ${this.length} bytes`);
    const buf = into ?? new Uint8Array(length);
    this.file.readInto(buf, 0, length, this.start + offset);
    return buf;
  }
  close(): void {
    this.file.close();
  }
}

/** A file descriptor with a name for messages; closing is idempotent and counted by users. */
export class OpenFile {
  private fd: number | null;
  private users = 0;
  readonly size: number;

  constructor(readonly filePath: string) {
    try {
      this.fd = fs.openSync(filePath, 'r');
      this.size = fs.fstatSync(this.fd).size;
    } catch (e) {
      throw new DataError(`Cannot open '${filePath}': ${(e as Error).message}`);
    }
  }

  get name(): string {
    return path.basename(this.filePath);
  }

  /** Registers one more owner; the descriptor closes when every owner has called close(). */
  retain(): this {
    this.users++;
    return this;
  }

  readInto(buf: Uint8Array, bufOffset: number, length: number, position: number): void {
    if (this.fd === null) throw new DataError(`'${this.name}' was already closed`);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, buf, bufOffset + done, length - done, position + done);
      if (n === 0) throw new DataError(`'${this.name}' ended early: wanted ${length} bytes at ${position}, got ${done}`);
      done += n;
    }
  }

  /** Reads up to `length` bytes at `position` (fewer at the end of the file). */
  readAt(position: number, length: number): Buffer {
    const n = Math.max(0, Math.min(length, this.size - position));
    const buf = Buffer.alloc(n);
    if (n > 0) this.readInto(buf, 0, n, position);
    return buf;
  }

  close(): void {
    this.users--;
    if (this.users <= 0 && this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
  }
}

/** Reads a whole file, refusing sizes a Buffer cannot hold. */
export function readWholeFile(filePath: string): Buffer {
  let size: number;
  try {
    size = fs.statSync(filePath).size;
  } catch (e) {
    throw new DataError(`Cannot read '${filePath}': ${(e as Error).message}`);
  }
  if (size > MAX_INFLATED_BYTES) {
    throw new DataError(`'${path.basename(filePath)}' is ${fmtBytes(size)}, more than the ${fmtBytes(MAX_INFLATED_BYTES)} that can be loaded at once.`);
  }
  return fs.readFileSync(filePath);
}

/**
 * Gunzips `data`. A cut-off stream does not throw: the bytes that could be recovered are returned,
 * so callers can report "truncated: found N bytes" with the real count.
 */
export function gunzipTolerant(data: Uint8Array, name: string, maxBytes = MAX_INFLATED_BYTES): Buffer {
  try {
    return zlib.gunzipSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: maxBytes });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE' || /too large|buffer length/i.test(err.message)) {
      throw new DataError(`${name} inflates to more than ${fmtBytes(maxBytes)}; unpack it (gunzip) so it can be read from disk instead.`);
    }
    throw new DataError(`${name} is not a readable gzip file: ${err.message}`);
  }
}

/**
 * Inflates only the first `wanted` bytes (or a few more) of a gzip or raw-deflate stream, reading as little of
 * the compressed input as it can: `readCompressed(k)` returns the first k compressed bytes. Used to read headers
 * cheaply. Deflate expands at most ~1032:1, so the output bound below never trips.
 */
export function inflatePrefix(
  format: 'gzip' | 'raw',
  readCompressed: (k: number) => Uint8Array,
  compressedLength: number,
  wanted: number,
  name: string,
): Buffer {
  let k = Math.min(compressedLength, 4096);
  for (;;) {
    const input = readCompressed(k);
    const opts = { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: input.length * 1032 + 1024 };
    let out: Buffer;
    try {
      out = format === 'gzip' ? zlib.gunzipSync(input, opts) : zlib.inflateRawSync(input, opts);
    } catch (e) {
      throw new DataError(`${name} cannot be inflated (${format === 'gzip' ? 'not a readable gzip file' : 'bad deflate data'}): ${(e as Error).message}`);
    }
    if (out.length >= wanted || k >= compressedLength) return out;
    k = Math.min(compressedLength, k * 4);
  }
}
