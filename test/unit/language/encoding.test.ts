// UTF-16 text in the editor: VS Code decodes a file without a byte-order mark as UTF-8, so the checker sees a
// zero between every two characters. It says so in one diagnostic, instead of one per character.
import { describe, expect, it } from 'vitest';
import { check, detectUtf16 } from '../../../src/language';
import lecture from '../../../examples/lecture.cnn';

const asUtf8 = (b: Buffer) => new TextDecoder('utf-8').decode(b);

describe('UTF-16 text', () => {
  it('read as UTF-8 is one error that says what to do', () => {
    for (const [bytes, endian] of [[Buffer.from(lecture, 'utf16le'), 'little-endian'], [Buffer.from(lecture, 'utf16le').swap16(), 'big-endian']] as const) {
      const r = check(asUtf8(bytes));
      expect(r.diagnostics).toHaveLength(1);
      expect(r.diagnostics[0]).toMatchObject({ code: 'E003', severity: 'error', offset: 0 });
      expect(r.diagnostics[0]!.message).toContain(`This file is UTF-16 (${endian}); save it as UTF-8`);
      expect(r.layers).toEqual([]);
    }
  });

  it('is told apart from UTF-8 text, binary noise and short files', () => {
    expect(detectUtf16((i) => lecture.charCodeAt(i), lecture.length)).toBeNull();
    expect(check(lecture).hasErrors).toBe(false);
    const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24));
    expect(detectUtf16((i) => noise[i]!, noise.length)).toBeNull();
    expect(detectUtf16(() => 0, 3)).toBeNull();
    // A file of zeros is not text of either kind.
    expect(detectUtf16(() => 0, 100)).toBeNull();
  });
});

describe('text quoted from the file into a message', () => {
  it('shows control and bidi-override characters as \\uXXXX, in messages and quick-fix titles alike', () => {
    // The fuzzer's case: an unterminated string holding control characters, quoted back by "Unexpected value".
    const r = check('network Fuzz data "missing.\u0002\u0000\u202e\ninput 8x8x1\nclasses a b\ndense units=2\nsoftmax\n');
    const texts = r.diagnostics.flatMap((d) => [d.message, ...d.fixes.map((f) => f.title)]);
    expect(texts.some((t) => t.includes('missing.\\u0002\\u0000\\u202e'))).toBe(true);
    for (const t of texts) expect(t).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
  });
});
