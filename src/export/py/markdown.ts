// Names and paths in the exported README.md, whatever characters they hold. Markdown has no string literal, so:
// text is backslash-escaped (CommonMark lets every ASCII punctuation character be escaped, which disarms
// headings, emphasis, links, HTML and entities), code spans are fenced with more backticks than the content
// holds, and characters that would break a line or are not text (controls, line separators, lone surrogates)
// are shown as \uXXXX in both.

/** Characters shown as \uXXXX: C0 and C1 controls, DEL, the Unicode line and paragraph separators, BOM. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

function hex(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** The string's characters, with each lone surrogate as a character of its own. */
function* units(s: string): Generator<{ ch: string; lone: boolean }> {
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < s.length) {
      const v = s.charCodeAt(i + 1);
      if (v >= 0xdc00 && v <= 0xdfff) {
        yield { ch: s.slice(i, i + 2), lone: false };
        i++;
        continue;
      }
    }
    yield { ch: s[i]!, lone: u >= 0xd800 && u <= 0xdfff };
  }
}

/** Visible text for one line: invisible characters and lone surrogates as \uXXXX (marked by `escape`). */
function visible(s: string, escape: (c: string) => string, shown: (hex: string) => string): string {
  let out = '';
  for (const { ch, lone } of units(s)) out += lone || INVISIBLE.test(ch) ? shown(hex(ch)) : escape(ch);
  return out;
}

/** Markdown text that renders as the string (on one line; invisible characters as \uXXXX). */
export function mdText(s: string): string {
  const text = visible(
    s,
    (c) => (/[!-/:-@[-`{-~]/.test(c) ? `\\${c}` : c),
    (h) => `\\${h}`, // the backslash of \uXXXX escaped, so it shows
  );
  // Spaces at either end would be trimmed (a heading's, a paragraph's): as character references they stay.
  return text.replace(/^\s+|\s+$/g, (r) => [...r].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join(''));
}

/** A Markdown code span that renders as the string (on one line; invisible characters as \uXXXX). */
export function mdCode(s: string): string {
  const content = visible(s, (c) => c, (h) => h);
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  // CommonMark strips one space from each side when both are spaces: pad when the content starts or ends in a
  // backtick (it would join the fence) or in spaces on both sides (they would be stripped).
  const pad = content === '' || /^`|`$/.test(content) || (/^ [\s\S]* $/.test(content) && /[^ ]/.test(content)) ? ' ' : '';
  return `${fence}${pad}${content}${pad}${fence}`;
}

/** A word for a POSIX shell command line: as it is when plain, else single-quoted. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
