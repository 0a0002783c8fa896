// Reading a .cnn file from disk for the CLI: bytes decoded as UTF-8 (bad bytes become U+FFFD, which the
// scanner reports; a UTF-16 file is refused with one line that says so), the checker's file-system host
// relative to the file's folder.

import { readFileSync, statSync } from 'node:fs';
import { detectUtf16, utf16Message } from '../language';
import { UsageError } from './args';
import { UserError } from './errors';

/** Larger files are refused outright: a network description is never this big. */
const MAX_BYTES = 64 * 1024 * 1024;

export function readSource(file: string): string {
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new UsageError(`${file}: no such file`);
  }
  if (st.isDirectory()) throw new UsageError(`${file}: is a folder, not a .cnn file`);
  if (st.size > MAX_BYTES) throw new UsageError(`${file}: too large (${st.size} bytes; a .cnn file is at most ${MAX_BYTES})`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    // Exists but cannot be read (permissions, a device): the user's to fix, one line, no stack.
    throw new UsageError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  // UTF-16 (a byte-order mark, or a zero in every other byte) is one clear error, not one per character.
  const utf16 = detectUtf16((i) => bytes[i]!, bytes.length);
  if (utf16) throw new UserError(`${file}: ${utf16Message(utf16)}`);
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

export { fileHost } from '../trainer/paths';
