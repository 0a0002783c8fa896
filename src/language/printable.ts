// The one rule for showing text taken from a file (a token, a header, an entry name) inside a one-line message:
// control, line-separator and bidirectional-override characters become \uXXXX, so a message can neither break
// a line, ring a terminal nor reorder what the reader sees. The language's diagnostics, the data layer and the
// engine's checkpoint reader all use it.

const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with its control, line-separator and bidi-override characters escaped as \uXXXX. */
export function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
