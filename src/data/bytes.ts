// Byte sources: the readers see a file (or a part of one) as `ByteSource`, either held in memory or read
// from disk at offsets through the host's files, so data larger than memory streams instead of loading whole.

import { host, type ReadHandle } from '../platform/host';
import { DataError, fmtBytes } from './dataset';

/** Uncompressed data above this size is read from disk sample by sample instead of being loaded. */
export const STREAM_THRESHOLD_BYTES = 256 * 1024 * 1024;
/** Compressed (gz, deflated) data must be inflated into memory; above this uncompressed size it is refused. */
export const MAX_INFLATED_BYTES = 4 * 1024 * 1024 * 1024;

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

/** A window [start, start+length) of an open file, read at offsets. Shares one open file. */
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

/** An open file with a name for messages; closing is idempotent and counted by users. */
export class OpenFile {
  private fd: ReadHandle | null;
  private users = 0;
  readonly size: number;

  constructor(readonly filePath: string) {
    try {
      this.fd = host().files.openRead(filePath);
      this.size = this.fd.size;
    } catch (e) {
      throw new DataError(`Cannot open '${filePath}': ${(e as Error).message}`);
    }
  }

  get name(): string {
    return host().path.basename(this.filePath);
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
      const n = this.fd.read(buf, bufOffset + done, length - done, position + done);
      if (n === 0) throw new DataError(`'${this.name}' ended early: wanted ${length} bytes at ${position}, got ${done}`);
      done += n;
    }
  }

  /** Reads up to `length` bytes at `position` (fewer at the end of the file). */
  readAt(position: number, length: number): Uint8Array {
    const n = Math.max(0, Math.min(length, this.size - position));
    const buf = new Uint8Array(n);
    if (n > 0) this.readInto(buf, 0, n, position);
    return buf;
  }

  close(): void {
    this.users--;
    if (this.users <= 0 && this.fd !== null) {
      this.fd.close();
      this.fd = null;
    }
  }
}

/** Reads a whole file, refusing sizes that cannot be held at once. */
export function readWholeFile(filePath: string): Uint8Array {
  const { files, path } = host();
  const size = files.stat(filePath)?.size ?? 0;
  if (size > MAX_INFLATED_BYTES) {
    throw new DataError(`'${path.basename(filePath)}' is ${fmtBytes(size)}, more than the ${fmtBytes(MAX_INFLATED_BYTES)} that can be loaded at once.`);
  }
  try {
    return files.readFile(filePath);
  } catch (e) {
    throw new DataError(`Cannot read '${filePath}': ${(e as Error).message}`);
  }
}

/**
 * Gunzips `data`. A cut-off stream does not throw: the bytes that could be recovered are returned,
 * so callers can report "truncated: found N bytes" with the real count.
 */
export function gunzipTolerant(data: Uint8Array, name: string, maxBytes = MAX_INFLATED_BYTES): Uint8Array {
  try {
    return host().gunzip(data, { partial: true, maxOutputLength: maxBytes });
  } catch (e) {
    const err = e as Error & { code?: string };
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
): Uint8Array {
  let k = Math.min(compressedLength, 4096);
  for (;;) {
    const input = readCompressed(k);
    const opts = { partial: true, maxOutputLength: input.length * 1032 + 1024 };
    let out: Uint8Array;
    try {
      out = format === 'gzip' ? host().gunzip(input, opts) : host().inflateRaw(input, opts);
    } catch (e) {
      throw new DataError(`${name} cannot be inflated (${format === 'gzip' ? 'not a readable gzip file' : 'bad deflate data'}): ${(e as Error).message}`);
    }
    if (out.length >= wanted || k >= compressedLength) return out;
    k = Math.min(compressedLength, k * 4);
  }
}

/** Little-endian readers over bytes at `at` (RangeError past the end, as Buffer's readers). */
function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
export const u16le = (b: Uint8Array, at: number): number => view(b).getUint16(at, true);
export const u32le = (b: Uint8Array, at: number): number => view(b).getUint32(at, true);
export const u64le = (b: Uint8Array, at: number): bigint => view(b).getBigUint64(at, true);

/** Bytes as ISO-8859-1 text (each byte one code point, as Buffer's 'latin1'; TextDecoder's 'latin1' is windows-1252). */
export function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}
