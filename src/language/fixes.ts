// Quick fixes as plain edits: the small edit helpers, and one function per fix that needs more than setting a
// value (the filter sizes of E021, moving a softmax for E032, both ends of E031, adding a data line for I202).

import type { Fix, TextEdit } from './diagnostics';
import type { Shape } from './model';
import { type Axis, applyRule } from './shape';
import type { Arg, Comment, Span, Statement } from './syntax';

export function lineStart(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

/** The offset just past a line's break (or the end of the text). */
function nextLineStart(text: string, offset: number): number {
  let end = offset;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  if (text[end] === '\r') end++;
  if (text[end] === '\n') end++;
  return end;
}

/** Remove an argument and the spaces before it. */
export function removalEdit(text: string, span: Span): TextEdit {
  let start = span.offset;
  while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  return { offset: start, length: span.offset + span.length - start, newText: '' };
}

/** Remove a whole line, with its line break. */
export function lineRemovalEdit(text: string, stmt: Span): TextEdit {
  const start = lineStart(text, stmt.offset);
  return { offset: start, length: nextLineStart(text, stmt.offset) - start, newText: '' };
}

/** Set a parameter's value: replace the value of the argument if it is there, else add `name=value`. */
export function setArgEdit(_text: string, stmt: Statement, arg: Arg | undefined, name: string, value: string): TextEdit {
  if (arg) return { offset: arg.value.offset, length: arg.value.length, newText: value };
  return { offset: stmt.end, length: 0, newText: ` ${name}=${value}` };
}

/** Insert a whole line after the line holding `after` (a break is added when that line is the last one). */
function insertLineAfter(text: string, after: Span, line: string): TextEdit {
  const at = nextLineStart(text, after.offset + after.length);
  const brokeBefore = at > 0 && (text[at - 1] === '\n' || text[at - 1] === '\r');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return { offset: at, length: 0, newText: brokeBefore ? `${line}${eol}` : `${eol}${line}` };
}

const pair = (a: number, b: number) => (a === b ? `${a}` : `${a}x${b}`);

/**
 * E021 on a conv: the fixes a student means, before the ones that merely make the rule whole (a 7×7 filter
 * on a 5×5 map is fixed better by pad=3, which keeps 5×5, than by size=5, which leaves 1×1).
 * 1. The padding that keeps the map size with this filter (stride 1 and an odd filter: P = (F − 1)/2).
 * 2. The largest ordinary (odd, at least 3) filter size that fits with this padding and stride and still
 *    leaves a map of at least 2×2.
 */
export function filterFixes(
  text: string,
  stmt: Statement,
  spec: { fh: number; fw: number; sh: number; sw: number; ph: number; pw: number },
  input: Extract<Shape, { kind: 'volume' }>,
  args: { size?: Arg; pad?: Arg },
): Fix[] {
  const fixes: Fix[] = [];
  if (spec.sh === 1 && spec.sw === 1 && spec.fh % 2 === 1 && spec.fw % 2 === 1) {
    const ph = (spec.fh - 1) / 2;
    const pw = (spec.fw - 1) / 2;
    if (ph !== spec.ph || pw !== spec.pw) {
      const p = pair(ph, pw);
      fixes.push({ title: `Change to pad=${p} (keeps ${input.h}×${input.w})`, edits: [setArgEdit(text, stmt, args.pad, 'pad', p)] });
    }
  }
  const h: Axis = { n: input.h, f: spec.fh, s: spec.sh, p: spec.ph };
  const w: Axis = { n: input.w, f: spec.fw, s: spec.sw, p: spec.pw };
  let f = Math.min(spec.fh, spec.fw, input.h + 2 * spec.ph, input.w + 2 * spec.pw);
  if (f % 2 === 0) f--;
  if (f === spec.fh && f === spec.fw) f -= 2;
  for (; f >= 3; f -= 2) {
    const rh = applyRule({ ...h, f });
    const rw = applyRule({ ...w, f });
    if (rh.ok && rw.ok && !rh.floored && !rw.floored && rh.out >= 2 && rw.out >= 2) {
      fixes.push({ title: `Change to size=${f} (gives ${rh.out}×${rw.out})`, edits: [setArgEdit(text, stmt, args.size, 'size', String(f))] });
      break;
    }
  }
  return fixes;
}

/**
 * E032: move the softmax to the end of the network (after the last layer) — what was meant — or, when the
 * network already ends in a softmax, remove this one.
 */
export function softmaxFixes(text: string, softmax: Statement, lastLayer: Statement, endsInSoftmax: boolean): Fix[] {
  const remove: Fix = { title: 'Remove this softmax', edits: [lineRemovalEdit(text, softmax)] };
  if (endsInSoftmax) return [{ ...remove, title: 'Remove this softmax (the network already ends in one)', preferred: true }];
  const indent = text.slice(lineStart(text, softmax.offset), softmax.offset);
  return [
    { title: `Move softmax to the end (after line ${lastLayer.line + 1})`, edits: [lineRemovalEdit(text, softmax), insertLineAfter(text, lastLayer, `${indent}softmax`)], preferred: true },
    remove,
  ];
}

/**
 * W103 on `dense units=L activation=sigmoid` at the end: make the sigmoid the network's own last layer (the
 * multi-label ending, whose loss works on the dense layer's logits).
 */
export function sigmoidLayerFix(text: string, dense: Statement, activation: Arg): Fix {
  const indent = text.slice(lineStart(text, dense.offset), dense.offset);
  return { title: 'Make sigmoid the last layer (multi-label)', edits: [removalEdit(text, activation), insertLineAfter(text, dense, `${indent}sigmoid`)], preferred: true };
}

/** Most classes a fix lists by made-up names (class4 … class10); beyond that naming them is the student's job. */
const MAX_NAMED_CLASSES = 100;

/**
 * E031, offered at both ends: set the last dense layer's units to the number of classes (preferred: the class
 * names are written out on purpose), or make the classes line list as many names as there are units.
 */
export function classesFixes(_text: string, classes: Statement, names: readonly string[], unitsArg: Arg | undefined, units: number): Fix[] {
  const fixes: Fix[] = [];
  const n = names.length;
  if (unitsArg) fixes.push({ title: `Change to units=${n}`, edits: [{ offset: unitsArg.value.offset, length: unitsArg.value.length, newText: String(n) }], preferred: true });
  const listed = classes.args.filter((a) => !a.name);
  if (units < n && units >= 1 && listed.length === n) {
    const dropped = listed.slice(units);
    const from = listed[units - 1]!;
    const last = dropped[dropped.length - 1]!;
    fixes.push({
      title: `Keep the first ${units} class${units === 1 ? '' : 'es'} (remove ${dropped.map((a) => a.value.text).join(', ')})`,
      edits: [{ offset: from.offset + from.length, length: last.offset + last.length - (from.offset + from.length), newText: '' }],
    });
  } else if (units > n && units <= MAX_NAMED_CLASSES) {
    const taken = new Set(names);
    const extra: string[] = [];
    for (let k = n + 1; extra.length < units - n; k++) if (!taken.has(`class${k}`)) extra.push(`class${k}`);
    fixes.push({
      title: `List ${units} classes (add ${extra.length === 1 ? extra[0] : `${extra[0]} … ${extra[extra.length - 1]}`})`,
      edits: [{ offset: classes.end, length: 0, newText: ` ${extra.join(' ')}` }],
    });
  }
  return fixes;
}

/** The `# ` of a comment that is a whole `data` statement commented out (`# data shapes samples=300`), or null. */
export function commentedDataLine(text: string, c: Comment): string | null {
  if (!/^[ \t]*$/.test(text.slice(lineStart(text, c.offset), c.offset))) return null;
  const m = /^#+[ \t]*(?=data[ \t]+(?:shapes|folder|idx|npz)\b)/.exec(text.slice(c.offset, c.offset + c.length));
  return m ? m[0] : null;
}

/**
 * I202: add `data shapes` (the built-in data that needs no files) before the `train` line, or at the end; and
 * when a `data` line was commented out, offer to bring it back.
 */
export function dataFixes(text: string, train: Statement | null, commented: Comment | undefined): Fix[] {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let add: TextEdit;
  if (train) {
    add = { offset: lineStart(text, train.offset), length: 0, newText: `data shapes${eol}` };
  } else {
    const broken = text.length === 0 || text.endsWith('\n') || text.endsWith('\r');
    add = { offset: text.length, length: 0, newText: `${broken ? '' : eol}data shapes${eol}` };
  }
  const fixes: Fix[] = [{ title: `Add 'data shapes' (built-in pictures, no files needed)${train ? ' before train' : ''}`, edits: [add], preferred: true }];
  const hash = commented ? commentedDataLine(text, commented) : null;
  if (commented && hash) {
    const line = text.slice(commented.offset + hash.length, commented.offset + commented.length).trim();
    fixes.push({ title: `Uncomment line ${commented.line + 1} (${line})`, edits: [{ offset: commented.offset, length: hash.length, newText: '' }] });
  }
  return fixes;
}
