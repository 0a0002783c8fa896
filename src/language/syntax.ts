// Scanner and parser. One statement per line; the parser never throws and never stops early:
// it returns every statement it could read and a list of diagnostics, and recovers at the next line.

import { type Diagnostic, makeDiagnostic } from './diagnostics';

/** A value as written, classified by its spelling. */
export type Value =
  | { kind: 'int'; text: string; value: number }
  | { kind: 'number'; text: string; value: number }
  | { kind: 'dims'; text: string; dims: number[] }
  | { kind: 'name'; text: string }
  | { kind: 'string'; text: string; value: string }
  | { kind: 'word'; text: string };

export interface Span {
  offset: number;
  length: number;
}

/** `name=value` or a bare value. */
export interface Arg extends Span {
  /** The parameter name as written, with its span; absent for a bare value. */
  name?: { text: string } & Span;
  value: Value & Span;
}

export interface Statement extends Span {
  /** 0-based line. */
  line: number;
  /**
   * The label that names the statement's output (`stem: relu`, `stem:relu`): the name's span, without the colon.
   * The statement's own span starts at the label; `keyword` is the word after it.
   */
  label?: { text: string } & Span;
  keyword: { text: string } & Span;
  args: Arg[];
  /** Offset of the end of the statement's last token (before any comment and trailing space). */
  end: number;
}

export interface Comment extends Span {
  line: number;
}

export interface SyntaxTree {
  statements: Statement[];
  comments: Comment[];
  diagnostics: Diagnostic[];
}

const INT_RE = /^[+-]?\d+$/;
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DIMS_RE = /^\d+(?:[x×]\d+)+$/;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_\-]*$/;
/** A label: a letter, then letters, digits or `_`. */
export const LABEL_RE = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Classify a value's spelling. Strings are handled by the scanner. */
export function classify(text: string): Value {
  const { offset: _o, length: _l, ...value } = classifyAt(text, 0, text.length);
  return value as Value;
}

/**
 * Classify a value's spelling and attach its span. Builds each object literally (no spread) and tries the
 * regular expressions only when the first character allows them: this runs once per token, on every keystroke.
 */
function classifyAt(text: string, offset: number, length: number): Value & Span {
  const c = text.charCodeAt(0);
  const digit = c >= 48 && c <= 57;
  if (digit || c === 43 || c === 45 || c === 46) {
    if (INT_RE.test(text)) return { kind: 'int', text, value: Number(text), offset, length };
    if (NUMBER_RE.test(text)) return { kind: 'number', text, value: Number(text), offset, length };
    if (digit && DIMS_RE.test(text)) return { kind: 'dims', text, dims: text.split(/[x×]/).map(Number), offset, length };
    return { kind: 'word', text, offset, length };
  }
  if (NAME_RE.test(text)) return { kind: 'name', text, offset, length };
  return { kind: 'word', text, offset, length };
}

function isSpace(ch: number): boolean {
  return ch === 32 || ch === 9;
}

function isBreak(ch: number): boolean {
  return ch === 10 || ch === 13;
}

/** Characters the scanner reports and treats as spaces: C0 controls other than tab and line breaks, DEL. */
function isControl(ch: number): boolean {
  return (ch < 32 && ch !== 9 && ch !== 10 && ch !== 13) || ch === 127;
}

interface RawToken extends Span {
  /** Offset of the first `=` outside a string, or -1. */
  eq: number;
  /** A decoded string when the value part is a quoted string. */
  str?: { value: string; ok: boolean };
}

/** Parse a whole file. Runs in time linear in the text's length. */
export function parse(text: string): SyntaxTree {
  const statements: Statement[] = [];
  const comments: Comment[] = [];
  const diagnostics: Diagnostic[] = [];
  const n = text.length;
  let pos = 0;
  let line = 0;
  // A byte-order mark at the very start is not part of the text.
  if (text.charCodeAt(0) === 0xfeff) pos = 1;
  const tokens: RawToken[] = [];
  while (pos <= n) {
    tokens.length = 0;
    let lineDone = false;
    while (!lineDone) {
      if (pos >= n) {
        lineDone = true;
        break;
      }
      const ch = text.charCodeAt(pos);
      if (isBreak(ch)) {
        pos += ch === 13 && text.charCodeAt(pos + 1) === 10 ? 2 : 1;
        lineDone = true;
        break;
      }
      if (isSpace(ch)) {
        pos++;
        continue;
      }
      if (isControl(ch)) {
        // One diagnostic for a run of control characters, not one each: a binary file is full of them.
        const start = pos;
        while (pos < n && isControl(text.charCodeAt(pos))) pos++;
        const code = `U+${ch.toString(16).toUpperCase().padStart(4, '0')}`;
        diagnostics.push(
          makeDiagnostic(
            'E003',
            start,
            pos - start,
            pos - start === 1 ? `Unexpected control character ${code}; it is ignored.` : `Unexpected control characters (${pos - start}, the first ${code}); they are ignored.`,
          ),
        );
        continue;
      }
      if (ch === 35 /* # */) {
        const start = pos;
        while (pos < n && !isBreak(text.charCodeAt(pos))) pos++;
        comments.push({ offset: start, length: pos - start, line });
        continue;
      }
      pos = scanToken(text, pos, tokens, diagnostics);
    }
    if (tokens.length > 0) statements.push(buildStatement(text, tokens, line, diagnostics));
    line++;
    if (pos >= n) {
      // A final line break leaves one empty line after it; nothing more to read.
      break;
    }
  }
  return { statements, comments, diagnostics };
}

/** Read one token starting at `pos` (not a space, break, control or `#`); returns the offset after it. */
function scanToken(text: string, pos: number, out: RawToken[], diagnostics: Diagnostic[]): number {
  const n = text.length;
  const start = pos;
  let eq = -1;
  let str: RawToken['str'];
  while (pos < n) {
    const ch = text.charCodeAt(pos);
    if (isSpace(ch) || isBreak(ch) || ch === 35 || isControl(ch)) break;
    if (ch === 61 /* = */ && eq < 0) {
      eq = pos;
      pos++;
      continue;
    }
    if (ch === 34 /* " */) {
      const q = scanString(text, pos, diagnostics);
      // A string is a value of its own; only a string that is the whole value part is decoded.
      if (pos === start || pos === eq + 1) str = q.str;
      pos = q.end;
      continue;
    }
    if (ch === 0xfffd) {
      diagnostics.push(makeDiagnostic('E003', pos, 1, 'This text is not valid UTF-8 (a byte sequence was replaced by U+FFFD).'));
    }
    pos++;
  }
  const tok: RawToken = { offset: start, length: pos - start, eq };
  if (str) tok.str = str;
  out.push(tok);
  return pos;
}

function scanString(text: string, pos: number, diagnostics: Diagnostic[]): { end: number; str: { value: string; ok: boolean } } {
  const n = text.length;
  const start = pos;
  pos++;
  let value = '';
  let ok = true;
  while (pos < n) {
    const ch = text.charCodeAt(pos);
    if (isBreak(ch)) break;
    if (ch === 34) {
      return { end: pos + 1, str: { value, ok } };
    }
    if (ch === 92 /* \ */) {
      const next = text.charCodeAt(pos + 1);
      if (next === 34 || next === 92) {
        value += String.fromCharCode(next);
        pos += 2;
        continue;
      }
      ok = false;
      diagnostics.push(makeDiagnostic('E003', pos, Math.min(2, n - pos), 'Unknown escape in a string: only \\" and \\\\ are allowed.'));
      pos++;
      continue;
    }
    if (isControl(ch)) {
      ok = false;
      diagnostics.push(makeDiagnostic('E003', pos, 1, 'Control character inside a string.'));
    }
    value += text[pos];
    pos++;
  }
  diagnostics.push(makeDiagnostic('E003', start, pos - start, 'This string has no closing double quote.'));
  return { end: pos, str: { value, ok: false } };
}

function valueOf(text: string, tok: RawToken, offset: number, length: number): Value & Span {
  const raw = text.slice(offset, offset + length);
  if (raw.startsWith('"')) {
    if (tok.str) return { kind: 'string', text: raw, value: tok.str.value, offset, length };
    return { kind: 'word', text: raw, offset, length };
  }
  return classifyAt(raw, offset, length);
}

function buildStatement(text: string, tokens: RawToken[], line: number, diagnostics: Diagnostic[]): Statement {
  const first = tokens[0]!;
  const last = tokens[tokens.length - 1]!;
  const stmt: Statement = {
    line,
    offset: first.offset,
    length: last.offset + last.length - first.offset,
    end: last.offset + last.length,
    keyword: { text: '', offset: first.offset, length: 0 },
    args: [],
  };
  // `NAME:` before the keyword (`stem: relu` or `stem:relu`) labels the statement's output.
  let head = first;
  let startIndex = 1;
  let colon = -1;
  if (first.eq < 0 && !first.str) for (let i = first.offset; i < first.offset + first.length && colon < 0; i++) if (text.charCodeAt(i) === 58 /* : */) colon = i;
  if (colon > first.offset) {
    const name = text.slice(first.offset, colon);
    if (LABEL_RE.test(name)) stmt.label = { text: name, offset: first.offset, length: name.length };
    else diagnostics.push(makeDiagnostic('E003', first.offset, name.length, `'${name}' is not a label: a label starts with a letter, then letters, digits or _ (such as stem or block2_out).`));
    const rest = first.offset + first.length - (colon + 1);
    if (rest > 0) head = { offset: colon + 1, length: rest, eq: -1 };
    else if (tokens.length > 1) {
      head = tokens[1]!;
      startIndex = 2;
    } else {
      diagnostics.push(makeDiagnostic('E001', first.offset, first.length, `A label needs a statement after it, such as ${stmt.label ? stmt.label.text : 'stem'}: relu.`));
      return stmt;
    }
  }
  const keywordLength = head.eq >= 0 ? head.eq - head.offset : head.length;
  stmt.keyword = { text: text.slice(head.offset, head.offset + keywordLength), offset: head.offset, length: keywordLength };
  if (head.eq >= 0) {
    // `filters=3` at the start of a line: there is no keyword; report and read the rest as arguments.
    diagnostics.push(makeDiagnostic('E001', head.offset, head.length, 'A statement starts with a keyword such as conv, pool or dense, not with name=value.'));
    stmt.keyword = { text: '', offset: head.offset, length: 0 };
    startIndex--;
  }
  for (let i = startIndex; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok.eq >= 0) {
      const nameLen = tok.eq - tok.offset;
      const vOff = tok.eq + 1;
      const vLen = tok.offset + tok.length - vOff;
      const arg: Arg = {
        offset: tok.offset,
        length: tok.length,
        name: { text: text.slice(tok.offset, tok.eq), offset: tok.offset, length: nameLen },
        value: valueOf(text, tok, vOff, vLen),
      };
      if (nameLen === 0) diagnostics.push(makeDiagnostic('E003', tok.offset, tok.length, 'A value needs a parameter name before the "=".'));
      if (vLen === 0) diagnostics.push(makeDiagnostic('E003', tok.offset, tok.length, `"${arg.name!.text}=" has no value after the "=".`));
      stmt.args.push(arg);
    } else {
      stmt.args.push({ offset: tok.offset, length: tok.length, value: valueOf(text, tok, tok.offset, tok.length) });
    }
  }
  return stmt;
}
