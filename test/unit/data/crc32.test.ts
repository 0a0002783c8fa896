// The .npz reader's CRC-32 against zlib's.

import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../src/data/crc32';

describe('crc32', () => {
  it('matches zlib.crc32 on every length up to 70 bytes and on a large buffer', () => {
    const bytes = new Uint8Array(1 << 20).map((_, i) => (i * 2654435761) >>> 24);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    for (let n = 0; n <= 70; n++) expect(crc32(bytes.subarray(3, 3 + n)), `${n} bytes`).toBe(zlib.crc32(bytes.subarray(3, 3 + n)));
    expect(crc32(bytes)).toBe(zlib.crc32(bytes));
  });
});
