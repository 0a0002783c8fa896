// CRC-32 (the zip and gzip checksum: reflected polynomial 0xEDB88320), the check of an .npz entry's bytes.

let table: Uint32Array | null = null;

function crcTable(): Uint32Array {
  const t = new Uint32Array(256 * 4);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  // Slicing by four: t[256·j + n] is the CRC of byte n followed by j zero bytes.
  for (let n = 0; n < 256; n++) for (let j = 1; j < 4; j++) t[256 * j + n] = (t[256 * (j - 1) + n]! >>> 8) ^ t[t[256 * (j - 1) + n]! & 0xff]!;
  return t;
}

/** The CRC-32 of `bytes`, as an unsigned number. */
export function crc32(bytes: Uint8Array): number {
  const t = (table ??= crcTable());
  let c = 0xffffffff;
  let i = 0;
  const end4 = bytes.length - (bytes.length % 4);
  for (; i < end4; i += 4) {
    c ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    c = t[768 + (c & 0xff)]! ^ t[512 + ((c >>> 8) & 0xff)]! ^ t[256 + ((c >>> 16) & 0xff)]! ^ t[(c >>> 24) & 0xff]!;
  }
  for (; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
