// The pure SHA-256 against node:crypto, on texts whose UTF-8 bytes cross the block and padding boundaries.

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/platform/sha256';

const nodeHex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('sha256Hex', () => {
  it('gives the standard digests', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('matches node:crypto for every length from 0 to 200 bytes and for non-ASCII text', () => {
    for (let n = 0; n <= 200; n++) expect(sha256Hex('x'.repeat(n)), `${n} bytes`).toBe(nodeHex('x'.repeat(n)));
    for (const t of ['Überblick', 'ネットワーク', '🧠'.repeat(40), 'lone \ud800 surrogate', 'a'.repeat(100_000)]) expect(sha256Hex(t)).toBe(nodeHex(t));
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (t) => sha256Hex(t) === nodeHex(t)), { numRuns: 500 });
  });
});
