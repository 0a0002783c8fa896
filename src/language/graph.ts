// Branches and merges: labels (E053), the names used by `from`, `add` and `concat` (E052), the shapes that meet
// in a merge (E050, E051, with the 1×1 projection quick fix) and outputs that nothing uses (W104).

import type { Checker, LabelDef, LabelRef } from './checker';
import type { Fix, TextEdit } from './diagnostics';
import { lineStart } from './fixes';
import type { LayerInfo, Shape } from './model';
import { sameAs } from './rules';
import { nearest } from './schema';
import { applyRule, formatShape } from './shape';
import { type Arg, LABEL_RE, type Span, type Statement } from './syntax';

/** A name as written after from/add/concat (commas separate names as well as spaces). */
export interface NamePart extends Span {
  text: string;
}

/** Register `stmt`'s label for `layer` (-1: the input). A label defined twice keeps its first meaning (E053). */
export function defineLabel(c: Checker, stmt: Statement, layer: number): void {
  const label = stmt.label;
  if (!label) return;
  const def: LabelDef = { name: label.text, offset: label.offset, length: label.length, line: stmt.line, layer };
  c.labels.push(def);
  const first = c.labelIndex.get(label.text);
  if (first) {
    let k = 2;
    while (c.labelIndex.has(`${label.text}${k}`)) k++;
    c.report('E053', label, `The label '${label.text}' is already defined on line ${first.line + 1}; a label names one output. Rename this one (uses below still mean line ${first.line + 1}).`, [
      { title: `Rename to '${label.text}${k}'`, edits: [{ offset: label.offset, length: label.length, newText: `${label.text}${k}` }], preferred: true },
    ]);
    return;
  }
  c.labelIndex.set(label.text, def);
}

/** A label on a statement that has no output to name (network, classes, data, train, from). */
export function labelNotAllowed(c: Checker, stmt: Statement): void {
  const label = stmt.label!;
  const end = stmt.keyword.offset;
  c.report('E003', label, `A label names a layer's output (or the input), but '${stmt.keyword.text}' is not a layer, so '${label.text}:' has nothing to name. Remove it.`, [
    { title: `Remove '${label.text}:'`, edits: [{ offset: label.offset, length: end - label.offset, newText: '' }], preferred: true },
  ]);
}

/** The names among a statement's bare values, split at commas; bad spellings are reported. */
export function readNames(c: Checker, positional: Arg[]): NamePart[] {
  const out: NamePart[] = [];
  for (const a of positional) {
    const text = a.value.text;
    let start = 0;
    for (let i = 0; i <= text.length; i++) {
      if (i < text.length && text[i] !== ',') continue;
      const part = text.slice(start, i);
      const offset = a.value.offset + start;
      start = i + 1;
      if (part.length === 0) continue;
      if (!LABEL_RE.test(part)) {
        c.report('E003', { offset, length: part.length }, `'${part}' is not a name: a label starts with a letter, then letters, digits or _.`);
        continue;
      }
      out.push({ text: part, offset, length: part.length });
    }
  }
  return out;
}

/** The layer a name stands for (-1: the input), or null when it is not defined above (E052, at the end). */
export function resolveName(c: Checker, part: NamePart, line: number): number | null {
  const def = c.labelIndex.get(part.text);
  const target = def && def.line < line ? def.layer : null;
  const ref: LabelRef = { name: part.text, offset: part.offset, length: part.length, line, target };
  c.references.push(ref);
  if (target === null) c.unresolved.push(ref);
  return target;
}

/** `from NAME`: the next layer reads NAME's output. */
export function fromStatement(c: Checker, stmt: Statement, positional: Arg[]): void {
  const names = readNames(c, positional);
  if (names.length === 0) {
    if (positional.length === 0) c.report('E004', stmt.keyword, `'from' needs the name of an output above, e.g. from stem.`);
    c.flow = null;
    c.pendingFrom = stmt;
    return;
  }
  for (const extra of names.slice(1)) {
    c.report('E003', extra, `'from' takes one name; to join several outputs use add or concat after it.`, [
      { title: `Remove '${extra.text}'`, edits: [{ offset: extra.offset, length: extra.length, newText: '' }] },
    ]);
  }
  if (c.pendingFrom === null && c.flow !== null && c.flow >= 0) c.cutBy.set(c.flow, stmt);
  if (c.pendingFrom) {
    const earlier = c.pendingFrom;
    c.report('W104', earlier.keyword, `No layer follows this 'from' (line ${earlier.line + 1}): the 'from' on line ${stmt.line + 1} starts another branch at once, so this one is never used. Remove one of them.`);
  }
  c.flow = resolveName(c, names[0]!, stmt.line);
  c.pendingFrom = stmt;
}

/** E052 for every name not defined above its use: the nearest name defined above, or where it is defined later. */
export function reportUnresolved(c: Checker): void {
  // Bounded, so a file of thousands of unknown names stays linear: suggestions look at the nearest 500 names
  // above, for the first 500 unknown names.
  let suggested = 0;
  let end = 0; // c.labels[0 … end) are above the current reference (both lists are in file order)
  for (const ref of c.unresolved) {
    // A label on a statement that could not be read (E001) is not unknown: that error is the one mistake.
    if (c.brokenLabels.has(ref.name)) continue;
    const def = c.labelIndex.get(ref.name);
    while (end < c.labels.length && c.labels[end]!.line < ref.line) end++;
    const above: string[] = [];
    if (suggested++ < 500) {
      const seen = new Set<string>();
      for (let i = end - 1; i >= 0 && above.length < 500; i--) {
        const name = c.labels[i]!.name;
        if (!seen.has(name)) above.push(name);
        seen.add(name);
      }
      above.reverse();
    }
    const guess = above.length ? nearest(ref.name, above) : undefined;
    const fixes: Fix[] = guess ? [{ title: `Change to '${guess}'`, edits: [{ offset: ref.offset, length: ref.length, newText: guess }], preferred: true }] : [];
    const known = above.length
      ? ` Names defined above: ${above.slice(0, 8).join(', ')}${above.length > 8 ? ', …' : ''}.`
      : end === 0
        ? ' No name is defined above this line; label an output with NAME: before its statement, e.g. stem: relu.'
        : '';
    const message = def
      ? `'${ref.name}' is defined later, on line ${def.line + 1}; a name must be defined above the line that uses it (the file's order is the order in which the network runs).${guess ? ` Did you mean '${guess}'?` : ''}`
      : `'${ref.name}' is not defined.${guess ? ` Did you mean '${guess}'?` : ''}${known}`;
    c.report('E052', ref, message, fixes);
  }
}

/** W104: outputs that flow nowhere (cut off by a `from`, never named), and a `from` that no layer follows. */
export function reportUnused(c: Checker): void {
  const used = new Uint8Array(c.layers.length);
  for (const l of c.layers) for (const i of l.inputs) if (i >= 0) used[i] = 1;
  const last = c.layers.length - 1;
  // A name that could not be resolved (E052) may be meant for any labelled output: one mistake, one error.
  const unsure = c.unresolved.length > 0;
  for (const l of c.layers) {
    if (used[l.index] || l.index === last || (unsure && l.label)) continue;
    const stmt = c.layerStmts[l.index]!;
    const cut = c.cutBy.get(l.index);
    const what = `${l.label ? `'${l.label}' (line ${l.line + 1}: ${stmt.keyword.text}` : `The output of line ${l.line + 1} (${stmt.keyword.text}`}${l.output ? `, ${formatShape(l.output)}` : ''})`;
    const why = cut ? `the 'from' on line ${cut.line + 1} starts a new branch` : 'the next line does not read it';
    c.report('W104', stmt.label ?? stmt.keyword, `${what} is never used: ${why}, and no later from, add or concat names ${l.label ? `'${l.label}'` : 'it'}. ${l.label ? `Use it (e.g. add ${l.label}) or remove it.` : 'Label it and use it (e.g. add NAME), or remove it.'}`);
  }
  if (c.pendingFrom) {
    c.report('W104', c.pendingFrom.keyword, `No layer follows this 'from' (line ${c.pendingFrom.line + 1}), so the branch it starts is never used; the network's output is the last layer above it. Add the branch's layers or remove the line.`);
  }
}

/** Where an input of a merge comes from, in words: `line 12 (batchnorm)`, `'stem' (line 5)`, `the input (line 2)`. */
function source(c: Checker, index: number, current: boolean): string {
  const line = index < 0 ? (c.inputStmt?.line ?? 0) : c.layers[index]!.line;
  const label = index < 0 ? c.labels.find((l) => l.layer === -1)?.name : c.layers[index]!.label;
  const what = index < 0 ? 'the input' : (c.layerStmts[index]!.keyword.text);
  return `line ${line + 1} (${label && !current ? `'${label}', ` : ''}${what}${current ? ', the current flow' : ''})`;
}

/** E050 / E051: the shapes that meet in an add or concat and do not fit, each with the line it comes from. */
export function mergeProblem(c: Checker, stmt: Statement, info: LayerInfo, shapes: Shape[], names: (NamePart | null)[]): void {
  const add = info.spec.kind === 'add';
  const first = shapes[0]!;
  const fits = (s: Shape) => (add ? sameAs(s, first) : first.kind === 'volume' ? s.kind === 'volume' && s.h === first.h && s.w === first.w : s.kind === 'vector');
  const parts = info.inputs.map((index, k) => ({ index, shape: shapes[k]!, name: names[k] ?? null }));
  let listed: string;
  if (parts.length <= 8) listed = parts.map((p, k) => `${formatShape(p.shape)} from ${source(c, p.index, k === 0)}`).join(', ');
  else {
    // A wide merge: one entry per distinct shape, with the lines it comes from.
    const groups = new Map<string, number[]>();
    for (const p of parts) {
      const key = formatShape(p.shape);
      const lines = groups.get(key) ?? [];
      lines.push(p.index < 0 ? (c.inputStmt?.line ?? 0) + 1 : c.layers[p.index]!.line + 1);
      groups.set(key, lines);
    }
    listed = [...groups].map(([shape, lines]) => `${shape} from line${lines.length === 1 ? '' : 's'} ${lines.slice(0, 12).join(', ')}${lines.length > 12 ? ` and ${lines.length - 12} more` : ''}`).join('; ');
  }
  const bad = parts.find((p, k) => k > 0 && !fits(p.shape) && p.name);
  const span: Span = bad?.name ?? stmt.keyword;
  if (add) {
    c.report('E050', span, `'add' sums its inputs element by element, so every shape must be equal, but they differ: ${listed}. Make the shapes equal, e.g. with a 1×1 conv (filters = channels, stride = the size ratio) on the shortcut.`, projectionFixes(c, stmt, parts));
    return;
  }
  const mixed = parts.some((p) => p.shape.kind !== first.kind);
  c.report(
    'E051',
    span,
    mixed
      ? `'concat' joins volumes along the channels or vectors end to end, not a volume and a vector: ${listed}. Flatten the volume first, or concat before the dense layer.`
      : `'concat' joins along the channels, so heights and widths must be equal, but they differ: ${listed}. Resize one branch first (pool, a strided conv, upsample).`,
  );
}

/** The stride S with which a 1×1 conv turns `from` into `to`'s height and width, if there is one. */
function projectionStride(from: Shape, to: Shape): number | null {
  if (from.kind !== 'volume' || to.kind !== 'volume' || from.h < to.h || from.w < to.w) return null;
  const guess = Math.max(1, Math.round(from.h / to.h));
  for (const s of [guess, guess + 1, guess - 1]) {
    if (s < 1) continue;
    const h = applyRule({ n: from.h, f: 1, s, p: 0 });
    const w = applyRule({ n: from.w, f: 1, s, p: 0 });
    if (h.ok && w.ok && h.out === to.h && w.out === to.w) return s;
  }
  return null;
}

/**
 * The projection shortcut for an add whose shapes differ in channels or size. When one named output is the
 * odd one out, it is projected: `from NAME` + `conv filters=K size=1 stride=S` go before the add, the current
 * flow's layer gets a label and the add names that label instead. When the current flow is the odd one out (a
 * shortcut taken with `from`), the 1×1 conv goes right before the add.
 */
function projectionFixes(c: Checker, stmt: Statement, parts: { index: number; shape: Shape; name: NamePart | null }[]): Fix[] {
  const eol = c.text.includes('\r\n') ? '\r\n' : '\n';
  const at = lineStart(c.text, stmt.offset);
  const indent = c.text.slice(at, stmt.offset);
  const conv = (to: Shape, s: number) => `conv filters=${(to as { c: number }).c} size=1${s !== 1 ? ` stride=${s}` : ''}`;
  const [current, ...named] = parts;
  const odd = named.filter((p) => !sameAs(p.shape, current!.shape));
  if (odd.length === 1 && odd[0]!.name && current!.index >= 0) {
    const p = odd[0]!;
    const s = projectionStride(p.shape, current!.shape);
    if (s !== null) {
      const main = c.layers[current!.index]!;
      const mainStmt = c.layerStmts[current!.index]!;
      const edits: TextEdit[] = [];
      let label = main.label;
      if (!label) {
        label = freshLabel(c, 'main');
        edits.push({ offset: mainStmt.keyword.offset, length: 0, newText: `${label}: ` });
      }
      edits.push({ offset: at, length: 0, newText: `${indent}from ${p.name!.text}${eol}${indent}${conv(current!.shape, s)}${eol}` });
      edits.push({ offset: p.name!.offset, length: p.name!.length, newText: label });
      return [{ title: `Add a 1×1 projection shortcut: from ${p.name!.text}, ${conv(current!.shape, s)}`, edits, preferred: true }];
    }
  }
  const target = named[0]?.shape;
  if (target && named.every((p) => sameAs(p.shape, target)) && !sameAs(current!.shape, target)) {
    const s = projectionStride(current!.shape, target);
    if (s !== null) {
      return [{ title: `Add a 1×1 projection before the add: ${conv(target, s)}`, edits: [{ offset: at, length: 0, newText: `${indent}${conv(target, s)}${eol}` }], preferred: true }];
    }
  }
  return [];
}

function freshLabel(c: Checker, base: string): string {
  if (!c.allLabels.has(base)) return base;
  let k = 2;
  while (c.allLabels.has(`${base}${k}`)) k++;
  return `${base}${k}`;
}
