// The medical tasks (language spec, Version 2 → Tasks): the `augment` statement, and the rules that need the
// whole file: augment's shift against the input, `train class_weights=` against the network's classes (or
// labels, for a multi-label network), and the network's task against the data's labels (E055, from the host).

import { type ReadArgs, extraPositional } from './args';
import type { Checker } from './checker';
import type { Fix } from './diagnostics';
import { lineRemovalEdit } from './fixes';
import { type AugmentSpec, type LayerInfo, taskOf } from './model';
import { findParam, statementSchema } from './schema';
import type { Arg, Statement } from './syntax';

export function augmentStatement(c: Checker, stmt: Statement, args: ReadArgs): void {
  if (c.augmentStmt) {
    const first = c.augmentStmt;
    c.report('E005', stmt.keyword, `'augment' is given twice (first on line ${first.line + 1}); the first is used. Write every setting on one augment line.`, mergeFixes(c, first, stmt));
    return;
  }
  c.augmentStmt = stmt;
  extraPositional(c, args.positional, 'augment');
  if (stmt.args.length === 0) {
    c.report('E004', stmt.keyword, `'augment' needs at least one setting, e.g. augment flip=horizontal rotate=10 (flip, rotate, shift, zoom, brightness, contrast).`);
  }
  const get = (name: string) => args.values.get(name)?.value;
  c.augment = {
    flip: (get('flip') as AugmentSpec['flip'] | undefined) ?? 'none',
    rotate: (get('rotate') as number | undefined) ?? 0,
    shift: (get('shift') as number | undefined) ?? 0,
    zoom: (get('zoom') as [number, number] | undefined) ?? null,
    brightness: (get('brightness') as number | undefined) ?? 0,
    contrast: (get('contrast') as number | undefined) ?? 0,
    line: stmt.line,
  };
}

/** A second augment line: move the settings the first one lacks onto it (preferred), or remove this line. */
function mergeFixes(c: Checker, first: Statement, second: Statement): Fix[] {
  const schema = statementSchema('augment')!;
  const nameOf = (a: Arg) => (a.name ? findParam(schema, a.name.text)?.name : undefined);
  const given = new Set(first.args.map(nameOf));
  const moved = second.args.filter((a) => nameOf(a) !== undefined && !given.has(nameOf(a)));
  const remove: Fix = { title: 'Remove this line', edits: [lineRemovalEdit(c.text, second)] };
  if (moved.length === 0) return [{ ...remove, preferred: true }];
  const text = moved.map((a) => c.text.slice(a.offset, a.offset + a.length)).join(' ');
  return [{ title: `Move ${text} to line ${first.line + 1}`, edits: [{ offset: first.end, length: 0, newText: ` ${text}` }, lineRemovalEdit(c.text, second)], preferred: true }, remove];
}

/**
 * `train class_weights=1, 3, 2`: the spaces split the list into an argument and bare values. One error for the
 * whole list (instead of an empty weight and two stray values) with the fix that joins it; returns the bare
 * values it took in.
 */
export function spacedWeights(c: Checker, stmt: Statement): Arg[] {
  const i = stmt.args.findIndex((a) => a.name && a.name.text === 'class_weights');
  const first = stmt.args[i];
  if (!first || !first.value.text.endsWith(',')) return [];
  const taken: Arg[] = [];
  let last = first;
  for (let j = i + 1; j < stmt.args.length && last.value.text.endsWith(','); j++) {
    const a = stmt.args[j]!;
    if (a.name || !/^[\d.,+\-eE]+$/.test(a.value.text)) break;
    taken.push(a);
    last = a;
  }
  if (taken.length === 0) return [];
  // The value's own E003 (an empty weight after its last comma) is replaced by this one.
  const own = c.diagnostics.findIndex((d) => d.code === 'E003' && d.offset >= first.value.offset && d.offset < first.value.offset + first.value.length);
  if (own >= 0) c.diagnostics.splice(own, 1);
  const text = [first.value.text, ...taken.map((a) => a.value.text)].join('');
  const span = { offset: first.value.offset, length: last.offset + last.length - first.value.offset };
  c.report('E003', span, `The class weights are one value, written without spaces: class_weights=${text}.`, [
    { title: `Change to class_weights=${text}`, edits: [{ ...span, newText: text }], preferred: true },
  ]);
  return taken;
}

/** The argument of `stmt` that sets parameter `name` (or one of its aliases), if any. */
function argOf(stmt: Statement, name: string): Arg | undefined {
  const schema = statementSchema(stmt.keyword.text)!;
  return stmt.args.find((a) => a.name && findParam(schema, a.name.text)?.name === name);
}

/** The last dense statement, read or not (one that could not be read has an unknown number of units). */
export function lastDenseLayer(layers: readonly LayerInfo[]): LayerInfo | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i]!;
    if (l.spec.kind === 'dense' || statementSchema(l.keyword)?.keyword === 'dense') return l;
  }
  return undefined;
}

export function taskRules(c: Checker): void {
  shiftRule(c);
  classWeightsRule(c);
  dataTaskRule(c);
}

/**
 * E055: the network's ending against the data's labels (asked of the host, which reads the label header
 * only). Reported on the last layer, softmax or sigmoid, since its message says what the ending should be,
 * with the quick fix that swaps it; on the data line when the network ends in neither.
 */
function dataTaskRule(c: Checker): void {
  if (!c.data || !c.dataStmt || !c.host?.dataTask || c.layers.length === 0) return;
  const dense = lastDenseLayer(c.layers);
  const units = dense && dense.spec.kind === 'dense' ? dense.spec.units : (c.classes?.length ?? 0);
  const task = taskOf(c.layers);
  const message = c.host.dataTask(c.data, { task, units });
  if (!message) return;
  const last = c.layers[c.layers.length - 1]!;
  const kind = last.spec.kind;
  if (kind !== 'softmax' && kind !== 'sigmoid') {
    c.report('E055', c.dataStmt.keyword, message);
    return;
  }
  const kw = c.layerStmts[last.index]!.keyword;
  const other = kind === 'softmax' ? 'sigmoid' : 'softmax';
  c.report('E055', kw, message, [{ title: `Change ${kind} to ${other}`, edits: [{ offset: kw.offset, length: kw.length, newText: other }], preferred: true }]);
}

/** A shift of more than half the input's smaller side pushes most of the picture out. */
function shiftRule(c: Checker): void {
  if (!c.augment || !c.augmentStmt || !c.input) return;
  const arg = argOf(c.augmentStmt, 'shift');
  const max = Math.floor(Math.min(c.input.h, c.input.w) / 2);
  if (!arg || c.augment.shift <= max) return;
  const { h, w } = c.input;
  c.report(
    'E003',
    arg.value,
    `shift=${c.augment.shift} moves each image by up to ${c.augment.shift} pixels, more than half of the ${h}×${w} input (${max}), so most of the picture would be pushed out. Use at most ${max}; a few pixels (2–4 on 28×28) is usual.`,
    [{ title: `Change to shift=${max}`, edits: [{ offset: arg.value.offset, length: arg.value.length, newText: String(max) }], preferred: true }],
  );
}

/** A list of class weights needs one weight per class (per label): as many as the last dense layer's units. */
function classWeightsRule(c: Checker): void {
  const weights = c.train.classWeights;
  if (!Array.isArray(weights) || !c.trainStmt) return;
  const arg = argOf(c.trainStmt, 'class_weights');
  if (!arg) return;
  const dense = lastDenseLayer(c.layers);
  let k: number;
  let where: string;
  if (dense && dense.spec.kind === 'dense') {
    k = dense.spec.units;
    where = `the last dense layer (line ${dense.line + 1}) has units=${k}`;
  } else if (!dense && c.classes) {
    k = c.classes.length;
    where = `the classes line (line ${c.classesStmt!.line + 1}) names ${k}`;
  } else return; // unknown until the dense layer's error is fixed
  if (weights.length === k) return;
  const multi = taskOf(c.layers) === 'multilabel';
  const noun = (n: number) => (multi ? (n === 1 ? 'label' : 'labels') : n === 1 ? 'class' : 'classes');
  const names = c.classes && c.classes.length === k ? ` (${c.classes.slice(0, 6).join(', ')}${k > 6 ? ', …' : ''})` : '';
  const given = weights.length;
  c.report(
    'E003',
    arg.value,
    `class_weights gives ${given} weight${given === 1 ? '' : 's'}, but the network has ${k} ${noun(k)}: ${where}. Give one weight per ${noun(1)}, in order${names}, or write class_weights=balanced.`,
    weightFixes(arg, given, k, noun),
  );
}

function weightFixes(arg: Arg, given: number, k: number, noun: (n: number) => string): Fix[] {
  const set = (title: string, newText: string, preferred = false): Fix => ({ title, edits: [{ offset: arg.value.offset, length: arg.value.length, newText }], ...(preferred ? { preferred } : {}) });
  const fixes: Fix[] = [set('Change to class_weights=balanced (from the training split\'s counts)', 'balanced')];
  const parts = arg.value.text.split(',');
  // Padding with 1s or keeping the first k is sensible while the list stays short enough to read.
  if (given > k) fixes.push(set(`Keep the first ${k} weight${k === 1 ? '' : 's'} (${parts.slice(0, k).join(',')})`, parts.slice(0, k).join(',')));
  else if (k <= 100) {
    const padded = [...parts, ...Array<string>(k - given).fill('1')].join(',');
    fixes.push(set(`Change to class_weights=${padded} (weight 1 for the ${k - given === 1 ? `missing ${noun(1)}` : `${k - given} missing ${noun(2)}`})`, padded));
  }
  return fixes;
}
