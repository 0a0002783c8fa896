// The formatter: one space between tokens, no space at either end of a line, inline comments aligned
// within a run of consecutive commented lines, at most one blank line in a row, one final line break.
// Tokens are kept exactly as written; a line the scanner had to complain about is left alone.

import type { TextEdit } from './diagnostics';
import { LineIndex } from './lines';
import { parse } from './syntax';

export function formatEdits(text: string): TextEdit[] {
  const tree = parse(text);
  const lines = new LineIndex(text);
  const code = new Map<number, string>();
  const comment = new Map<number, string>();
  const untouchable = new Set<number>();
  for (const d of tree.diagnostics) untouchable.add(lines.positionAt(d.offset).line);
  for (const s of tree.statements) {
    // A label is written `stem: relu`, with one space after the colon.
    const label = s.label ? `${s.label.text}:` : '';
    const parts = [label, text.slice(s.keyword.offset, s.keyword.offset + s.keyword.length) || '', ...s.args.map((a) => text.slice(a.offset, a.offset + a.length))];
    code.set(s.line, parts.filter((p) => p.length > 0).join(' '));
  }
  for (const c of tree.comments) comment.set(c.line, text.slice(c.offset, c.offset + c.length).trimEnd());

  const out: string[] = [];
  for (let line = 0; line < lines.lineCount; line++) {
    const original = text.slice(lines.starts[line]!, lines.lineEnd(line));
    if (untouchable.has(line)) {
      out.push(original);
      continue;
    }
    const c = code.get(line);
    const k = comment.get(line);
    if (c === undefined) out.push(k ?? '');
    else out.push(c);
  }
  // Align inline comments in runs of consecutive lines that have both code and a comment.
  let line = 0;
  while (line < lines.lineCount) {
    if (!(code.has(line) && comment.has(line)) || untouchable.has(line)) {
      line++;
      continue;
    }
    let end = line;
    while (end + 1 < lines.lineCount && code.has(end + 1) && comment.has(end + 1) && !untouchable.has(end + 1)) end++;
    let width = 0; // a loop, not Math.max(...): a run may be a million lines long
    for (let i = line; i <= end; i++) width = Math.max(width, out[i]!.length);
    for (let i = line; i <= end; i++) out[i] = `${out[i]!.padEnd(width)}  ${comment.get(i)!}`;
    line = end + 1;
  }

  // Collapse blank runs and trailing blank lines, then diff line by line.
  const edits: TextEdit[] = [];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let lastNonBlank = -1;
  let firstNonBlank = -1;
  for (let i = 0; i < out.length; i++) {
    if (out[i] === '') continue;
    lastNonBlank = i;
    if (firstNonBlank < 0) firstNonBlank = i;
  }
  // U+FEFF at the very start of a file is a byte-order mark, anywhere else it is part of a token. A first line
  // that starts with one (` \uFEFF`, or a blank line before it) must not move to the start, where it would
  // turn into a mark and change the file's meaning: it keeps one line break before it. A mark that already is
  // at the start on a line kept as it was stays where it is.
  const first = firstNonBlank >= 0 ? out[firstNonBlank]! : '';
  const markStays = firstNonBlank === 0 && text.charCodeAt(0) === 0xfeff && first === text.slice(0, lines.lineEnd(0));
  const guardMark = first.charCodeAt(0) === 0xfeff && !markStays;
  if (guardMark && firstNonBlank === 0) out[0] = `${eol}${first}`;
  let previousBlank = !guardMark; // no blank lines at the very start, but for that one
  for (let i = 0; i < lines.lineCount; i++) {
    const start = lines.starts[i]!;
    const end = lines.lineEnd(i);
    const blank = out[i] === '';
    const drop = blank && (previousBlank || i > lastNonBlank);
    if (drop) {
      const next = i + 1 < lines.lineCount ? lines.starts[i + 1]! : text.length;
      if (next > start || i > lastNonBlank) {
        // Remove the line with its break; for trailing lines remove the break before them instead.
        if (i > lastNonBlank && i === lines.lineCount - 1 && start === text.length) continue;
        // A run of dropped lines is one edit, so a file of a million blank lines stays cheap.
        const prev = edits[edits.length - 1];
        if (prev && prev.newText === '' && prev.offset + prev.length === start) prev.length = next - prev.offset;
        else edits.push({ offset: start, length: next - start, newText: '' });
      }
      continue;
    }
    previousBlank = blank;
    if (text.slice(start, end) !== out[i]) edits.push({ offset: start, length: end - start, newText: out[i]! });
  }
  // One final line break.
  if (lastNonBlank >= 0) {
    const endOfLast = lines.lineEnd(lastNonBlank);
    if (endOfLast === text.length) edits.push({ offset: text.length, length: 0, newText: eol });
  }
  return mergeAdjacent(edits);
}

function mergeAdjacent(edits: TextEdit[]): TextEdit[] {
  // Edits are made in order; sort only if that ever stops being true.
  if (edits.some((e, i) => i > 0 && e.offset < edits[i - 1]!.offset)) edits.sort((a, b) => a.offset - b.offset);
  const out: TextEdit[] = [];
  for (const e of edits) {
    const prev = out[out.length - 1];
    if (prev && prev.offset + prev.length > e.offset) continue; // overlapping: keep the first
    out.push(e);
  }
  return out;
}

/**
 * Apply edits (non-overlapping) to a text, in time linear in the text and the edits. Edits at the same offset
 * are applied in the order given; a part of an edit that overlaps an earlier one is ignored.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.offset - b.offset);
  const parts: string[] = [];
  let pos = 0;
  for (const e of sorted) {
    const start = Math.min(Math.max(e.offset, pos), text.length);
    const end = Math.min(Math.max(e.offset + e.length, start), text.length);
    parts.push(text.slice(pos, start), e.newText);
    pos = end;
  }
  parts.push(text.slice(pos));
  return parts.join('');
}

export function format(text: string): string {
  return applyEdits(text, formatEdits(text));
}
