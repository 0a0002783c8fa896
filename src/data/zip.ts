// A small ZIP reader for .npz files: finds the end-of-central-directory record (and its zip64 form), lists the
// central directory, and reads entries that are stored (method 0) or deflated (method 8, the host's inflateRaw).
// Stored entries can be read from disk at offsets, so a large uncompressed .npz streams; deflated ones are
// inflated into memory (refused above MAX_INFLATED_BYTES).

import { host } from '../platform/host';
import { FileSource, MAX_INFLATED_BYTES, MemorySource, OpenFile, inflatePrefix, latin1, u16le, u32le, u64le, type ByteSource } from './bytes';
import { crc32 } from './crc32';
import { DataError, fmt, fmtBytes, printable } from './dataset';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

/** Reads a uint64 that must fit a JS number exactly. */
function u64(b: Uint8Array, at: number): number {
  const v = u64le(b, at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new DataError('a zip64 size is too large to handle');
  return Number(v);
}

export class ZipReader {
  readonly entries: ZipEntry[];
  private readonly file: OpenFile;
  readonly name: string;

  private constructor(file: OpenFile, entries: ZipEntry[]) {
    this.file = file;
    this.entries = entries;
    this.name = file.name;
  }

  /** Opens a zip file and reads its central directory (not its entries). */
  static open(filePath: string): ZipReader {
    const file = new OpenFile(filePath).retain();
    try {
      return new ZipReader(file, readDirectory(file));
    } catch (e) {
      file.close();
      throw e;
    }
  }

  entry(name: string): ZipEntry | undefined {
    return this.entries.find((e) => e.name === name);
  }

  /** Where the entry's (possibly compressed) bytes start in the file. */
  private dataStart(e: ZipEntry): number {
    const h = this.file.readAt(e.localHeaderOffset, 30);
    if (h.length < 30 || u32le(h, 0) !== SIG_LOCAL) throw new DataError(`${this.name} is damaged: the local header of '${printable(e.name)}' is missing.`);
    const start = e.localHeaderOffset + 30 + u16le(h, 26) + u16le(h, 28);
    if (start + e.compressedSize > this.file.size) {
      throw new DataError(`${this.name} is truncated: '${printable(e.name)}' needs ${fmt(e.compressedSize)} bytes at ${fmt(start)}, but the file has ${fmt(this.file.size)} bytes.`);
    }
    return start;
  }

  private checkMethod(e: ZipEntry): void {
    if (e.flags & 1) throw new DataError(`${this.name}: '${printable(e.name)}' is encrypted; save the arrays without a password.`);
    if (e.method !== 0 && e.method !== 8) throw new DataError(`${this.name}: '${printable(e.name)}' uses compression method ${e.method}; only stored (0) and deflated (8) entries are supported (np.savez / np.savez_compressed write those).`);
  }

  /** The first `n` uncompressed bytes of an entry (fewer if it is shorter), reading as little as possible. */
  readPrefix(e: ZipEntry, n: number): Uint8Array {
    this.checkMethod(e);
    const start = this.dataStart(e);
    if (e.method === 0) return this.file.readAt(start, Math.min(n, e.uncompressedSize));
    const out = inflatePrefix('raw', (k) => this.file.readAt(start, k), e.compressedSize, n, `${this.name}: '${printable(e.name)}'`);
    return out.subarray(0, n);
  }

  /**
   * The entry's uncompressed bytes as a ByteSource. Stored entries larger than `streamThreshold` are read
   * from disk on demand; everything else is loaded (and inflated) into memory and its CRC checked.
   */
  source(e: ZipEntry, streamThreshold: number): ByteSource {
    this.checkMethod(e);
    const start = this.dataStart(e);
    if (e.method === 0 && e.uncompressedSize > streamThreshold) {
      return new FileSource(this.file.retain(), start, e.uncompressedSize);
    }
    return new MemorySource(this.readAll(e, start));
  }

  /** The entry's uncompressed bytes, in memory. */
  read(e: ZipEntry): Uint8Array {
    this.checkMethod(e);
    return this.readAll(e, this.dataStart(e));
  }

  private readAll(e: ZipEntry, start: number): Uint8Array {
    if (e.uncompressedSize > MAX_INFLATED_BYTES) {
      throw new DataError(
        `${this.name}: '${printable(e.name)}' is ${fmtBytes(e.uncompressedSize)} uncompressed, more than the ${fmtBytes(MAX_INFLATED_BYTES)} that can be held in memory; save it with np.savez (not savez_compressed) so it streams from disk.`,
      );
    }
    const raw = this.file.readAt(start, e.compressedSize);
    let out: Uint8Array;
    if (e.method === 0) out = raw;
    else {
      try {
        out = host().inflateRaw(raw, { partial: true, maxOutputLength: Math.max(1, e.uncompressedSize) });
      } catch (err) {
        throw new DataError(`${this.name}: '${printable(e.name)}' cannot be inflated: ${(err as Error).message}`);
      }
      if (out.length !== e.uncompressedSize) {
        throw new DataError(`${this.name} is damaged: '${printable(e.name)}' inflates to ${fmt(out.length)} bytes, but the directory says ${fmt(e.uncompressedSize)}.`);
      }
    }
    if (crc32(out) !== e.crc32 >>> 0) {
      throw new DataError(`${this.name} is damaged: the checksum of '${printable(e.name)}' does not match.`);
    }
    return out;
  }

  close(): void {
    this.file.close();
  }
}

function readDirectory(file: OpenFile): ZipEntry[] {
  const name = file.name;
  if (file.size < 22) throw new DataError(`${name} is not a zip (.npz) file or is truncated: it has only ${fmt(file.size)} bytes.`);
  const tailLen = Math.min(file.size, 22 + 65535 + 20);
  const tailStart = file.size - tailLen;
  const tail = file.readAt(tailStart, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (u32le(tail, i) === SIG_EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    const head = file.readAt(0, 4);
    const isZip = head.length === 4 && u32le(head, 0) === SIG_LOCAL;
    throw new DataError(
      isZip
        ? `${name} is truncated: it starts like a zip (.npz) file but its end (the central directory) is missing.`
        : `${name} is not a zip (.npz) file${head[0] === 0x93 ? ' (it looks like a single .npy array; data npz needs an .npz archive with train_images, train_labels…)' : ''}.`,
    );
  }
  let count = u16le(tail, eocd + 10);
  let cdSize = u32le(tail, eocd + 12);
  let cdOffset = u32le(tail, eocd + 16);
  // zip64: a locator sits just before the classic record and points at the zip64 record.
  if (eocd >= 20 && u32le(tail, eocd - 20) === SIG_ZIP64_LOCATOR) {
    const at = u64(tail, eocd - 20 + 8);
    const rec = file.readAt(at, 56);
    if (rec.length < 56 || u32le(rec, 0) !== SIG_ZIP64_EOCD) throw new DataError(`${name} is damaged: its zip64 end record is missing.`);
    count = u64(rec, 32);
    cdSize = u64(rec, 40);
    cdOffset = u64(rec, 48);
  }
  if (cdOffset + cdSize > file.size) {
    throw new DataError(`${name} is truncated or damaged: its central directory (${fmt(cdSize)} bytes at ${fmt(cdOffset)}) lies past the end of the file (${fmt(file.size)} bytes).`);
  }
  const cd = file.readAt(cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cd.length || u32le(cd, p) !== SIG_CENTRAL) throw new DataError(`${name} is damaged: central directory entry ${k + 1} of ${count} is unreadable.`);
    const flags = u16le(cd, p + 8);
    const method = u16le(cd, p + 10);
    const crc32 = u32le(cd, p + 16);
    let compressedSize = u32le(cd, p + 20);
    let uncompressedSize = u32le(cd, p + 24);
    const nameLen = u16le(cd, p + 28);
    const extraLen = u16le(cd, p + 30);
    const commentLen = u16le(cd, p + 32);
    let localHeaderOffset = u32le(cd, p + 42);
    const entryName = flags & 0x800 ? new TextDecoder('utf-8', { ignoreBOM: true }).decode(cd.subarray(p + 46, p + 46 + nameLen)) : latin1(cd.subarray(p + 46, p + 46 + nameLen));
    // zip64 extra field (id 1): the 64-bit values of the fields that read 0xFFFFFFFF, in this order.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = u16le(cd, x);
      const size = u16le(cd, x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        if (uncompressedSize === 0xffffffff && q + 8 <= x + 4 + size) (uncompressedSize = u64(cd, q)), (q += 8);
        if (compressedSize === 0xffffffff && q + 8 <= x + 4 + size) (compressedSize = u64(cd, q)), (q += 8);
        if (localHeaderOffset === 0xffffffff && q + 8 <= x + 4 + size) localHeaderOffset = u64(cd, q);
      }
      x += 4 + size;
    }
    entries.push({ name: entryName, method, flags, crc32, compressedSize, uncompressedSize, localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}
