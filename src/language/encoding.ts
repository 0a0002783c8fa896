// Text that is not UTF-8: a .cnn file saved as UTF-16 (Windows Notepad's "Unicode") reads, as UTF-8, as a zero
// between every two characters, and gave one error per character. The one rule that recognises it, for the
// CLI (on the file's bytes) and the checker (on the editor's text, where a file without a byte-order mark
// arrives decoded as UTF-8).

export interface Utf16 {
  endian: 'little-endian' | 'big-endian';
  /** Starts with a byte-order mark (FF FE or FE FF). */
  bom: boolean;
}

/** Units looked at: enough to tell, cheap on a 64 MB file. */
const SAMPLE = 4096;

/**
 * Whether `length` units read by `unitAt` (a file's bytes, or the char codes of text decoded from them) are
 * UTF-16: a byte-order mark, or ASCII text with a zero in (nearly) every other unit and almost none between.
 */
export function detectUtf16(unitAt: (i: number) => number, length: number): Utf16 | null {
  if (length >= 2) {
    const a = unitAt(0);
    const b = unitAt(1);
    if (a === 0xff && b === 0xfe) return { endian: 'little-endian', bom: true };
    if (a === 0xfe && b === 0xff) return { endian: 'big-endian', bom: true };
  }
  const n = Math.min(length, SAMPLE) & ~1;
  if (n < 4) return null;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i++) {
    if (unitAt(i) !== 0) continue;
    if (i % 2) odd++;
    else even++;
  }
  const pairs = n / 2;
  if (odd >= 0.6 * pairs && even <= 0.1 * pairs) return { endian: 'little-endian', bom: false };
  if (even >= 0.6 * pairs && odd <= 0.1 * pairs) return { endian: 'big-endian', bom: false };
  return null;
}

/** The one wording, for the CLI and the checker. */
export function utf16Message(u: Utf16): string {
  return `This file is UTF-16 (${u.endian}${u.bom ? ', with a byte-order mark' : ''}); save it as UTF-8 (in VS Code: click the encoding in the status bar, "Save with Encoding", "UTF-8").`;
}
