// Reading a statement's arguments against its schema: unknown and repeated parameters (E002, E005), values of
// the wrong kind or out of range (E003), bare values a statement does not take.

import { assertNever } from './assertNever';
import type { Code, Fix } from './diagnostics';
import { removalEdit } from './fixes';
import { type ParamSchema, type StatementSchema, findParam, nearest, statementSchema } from './schema';
import { formatCount } from './shape';
import type { Arg, Span, Statement, Value } from './syntax';

/** What the readers need of the checker: the text (for edits) and a way to report. */
export interface Reporter {
  readonly text: string;
  report(code: Code, span: Span, message: string, fixes?: Fix[]): void;
}

/** 2^31 − 1: the largest whole number a size or count may have. */
export const MAX_INT = 2147483647;

/** A value as read: a number, a word, a pair (HxW, a LOW-HIGH range), or a list of weights. */
export type Parsed = number | string | [number, number] | number[];

export interface ReadArgs {
  values: Map<string, { param: ParamSchema; arg: Arg; value: Parsed | undefined }>;
  positional: Arg[];
}

export function readArgs(c: Reporter, stmt: Statement, schema: StatementSchema): ReadArgs {
  const values: ReadArgs['values'] = new Map();
  const positional: Arg[] = [];
  for (const arg of stmt.args) {
    if (!arg.name) {
      positional.push(arg);
      continue;
    }
    if (arg.name.length === 0 || arg.value.length === 0) continue; // reported by the parser
    const param = findParam(schema, arg.name.text);
    if (!param) {
      const names = schema.params.flatMap((p) => [p.name, ...p.aliases]);
      const guess = names.length ? nearest(arg.name.text, names) : undefined;
      const fixes: Fix[] = guess ? [{ title: `Change to '${guess}'`, edits: [{ offset: arg.name.offset, length: arg.name.length, newText: guess }], preferred: true }] : [];
      const allowed = schema.params.length ? ` It takes: ${schema.params.map((p) => (p.aliases.length ? `${p.name} (${p.aliases.join(', ')})` : p.name)).join(', ')}.` : ` It takes no parameters.`;
      c.report('E002', arg.name, `'${schema.keyword}' has no parameter '${arg.name.text}'.${guess ? ` Did you mean '${guess}'?` : ''}${allowed}`, fixes);
      continue;
    }
    const prev = values.get(param.name);
    if (prev) {
      const same = prev.arg.name!.text === arg.name.text;
      c.report(
        'E005',
        arg,
        same
          ? `'${param.name}' is given twice; the first value (${prev.arg.value.text}) is used.`
          : `'${arg.name.text}' and '${prev.arg.name!.text}' are the same parameter (${param.name}); it is given twice. The first value (${prev.arg.value.text}) is used.`,
        [{ title: `Remove the second '${arg.name.text}'`, edits: [removalEdit(c.text, arg)], preferred: true }],
      );
      continue;
    }
    values.set(param.name, { param, arg, value: readValue(c, param, arg.value, schema.keyword) });
  }
  return { values, positional };
}

/** A whole number in [min, MAX_INT]; reports E003 and returns undefined otherwise. */
export function readInt(c: Reporter, v: Value & Span, what: string, min: number): number | undefined {
  if (v.kind === 'number') {
    if (!Number.isFinite(v.value)) c.report('E003', v, `${what} must be a whole number; ${v.text} is out of range.`);
    else c.report('E003', v, `${what} must be a whole number, not ${v.text}.${Number.isFinite(v.value) && v.value >= min ? ` Try ${Math.round(v.value) || min}.` : ''}`);
    return undefined;
  }
  if (v.kind !== 'int') {
    c.report('E003', v, `${what} must be a whole number, not '${v.text}'.`);
    return undefined;
  }
  if (!Number.isSafeInteger(v.value) || Math.abs(v.value) > MAX_INT) {
    c.report('E003', v, `${what} is too large: ${v.text} (at most ${formatCount(MAX_INT)}).`);
    return undefined;
  }
  const value = v.value === 0 ? 0 : v.value; // -0 is 0
  if (value < min) {
    c.report('E003', v, `${what} must be at least ${min}, not ${v.text}.`);
    return undefined;
  }
  return value;
}

/** A pair of whole numbers from `N` or `HxW`. */
export function readPair(c: Reporter, v: Value & Span, what: string, min: number): [number, number] | undefined {
  if (v.kind === 'dims') {
    if (v.dims.length !== 2) {
      c.report('E003', v, `${what} takes one number or HxW (such as 3x5), not ${v.dims.length} numbers.`);
      return undefined;
    }
    const bad = v.dims.find((d) => !Number.isSafeInteger(d) || d > MAX_INT || d < min);
    if (bad !== undefined) {
      c.report('E003', v, `${what} must be whole numbers from ${min} to ${formatCount(MAX_INT)}, not ${v.text}.`);
      return undefined;
    }
    return [v.dims[0]!, v.dims[1]!];
  }
  const n = readInt(c, v, what, min);
  return n === undefined ? undefined : [n, n];
}

function readReal(c: Reporter, v: Value & Span, what: string, check: (x: number) => boolean, range: string, why?: string, fixes?: (x: number) => Fix[]): number | undefined {
  if (v.kind !== 'int' && v.kind !== 'number') {
    c.report('E003', v, `${what} must be a number (${range}), not '${v.text}'.`);
    return undefined;
  }
  if (!Number.isFinite(v.value)) {
    c.report('E003', v, `${what} is out of range: ${v.text} is not a finite number (${range}).`);
    return undefined;
  }
  if (!check(v.value)) {
    c.report('E003', v, `${what} must be ${range}, not ${v.text}${why ? `: ${why}` : ''}.`, fixes?.(v.value) ?? []);
    return undefined;
  }
  return v.value === 0 ? 0 : v.value;
}

/** A fix that replaces a value's text. */
function valueFix(v: Span, newText: string, title: string): Fix[] {
  return [{ title, edits: [{ offset: v.offset, length: v.length, newText }], preferred: true }];
}

const NUMBER_TEXT = '[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?';
const WEIGHT_RE = new RegExp(`^${NUMBER_TEXT}$`);
/** `0.9-1.1` (or with an en dash, `0.9–1.1`). */
const RANGE_RE = new RegExp(`^(${NUMBER_TEXT})[-–](${NUMBER_TEXT})$`);
/** The largest zoom factor: at 10 the network would see a tenth of each side. */
export const MAX_ZOOM = 10;

/** A LOW-HIGH range of factors, both greater than 0 and at most MAX_ZOOM, LOW ≤ HIGH (`zoom=0.9-1.1`). */
function readRange(c: Reporter, v: Value & Span, what: string): [number, number] | undefined {
  const m = RANGE_RE.exec(v.text);
  if (!m) {
    // One number x below 1 reads as ±x (Keras' zoom_range=0.1): offer the range it means.
    const x = v.kind === 'int' || v.kind === 'number' ? v.value : NaN;
    const fix = x > 0 && x < 1 ? `${formatPlain(1 - x)}-${formatPlain(1 + x)}` : null;
    c.report(
      'E003',
      v,
      `${what} takes a range LOW-HIGH of scale factors, such as 0.9-1.1 (±10 %), not '${v.text}'.${fix ? ` For ±${formatPlain(x * 100)} % write ${fix}.` : ''}`,
      fix ? valueFix(v, fix, `Change to ${what}=${fix}`) : [],
    );
    return undefined;
  }
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo <= 0 || hi <= 0) {
    c.report('E003', v, `${what} factors must be greater than 0, not ${v.text}: a factor of ${lo <= 0 ? m[1] : m[2]} would shrink the picture to nothing. Use a range around 1, such as 0.9-1.1.`);
    return undefined;
  }
  if (lo > MAX_ZOOM || hi > MAX_ZOOM) {
    c.report('E003', v, `${what} factors must be at most ${MAX_ZOOM}, not ${v.text}: at ${formatPlain(Math.max(lo, hi))}× the network would see a ${formatPlain(Math.max(lo, hi))}th of each side. Use a range around 1, such as 0.9-1.1.`);
    return undefined;
  }
  if (lo > hi) {
    const swapped = `${m[2]}-${m[1]}`;
    c.report('E003', v, `${what} is LOW-HIGH, but ${m[1]} is larger than ${m[2]}. Write ${swapped}.`, valueFix(v, swapped, `Change to ${what}=${swapped}`));
    return undefined;
  }
  return [lo, hi];
}

/** `balanced`, or one weight per class: numbers greater than 0 separated by commas (`1,3,2`). */
function readWeights(c: Reporter, v: Value & Span, what: string): 'balanced' | number[] | undefined {
  if (v.kind === 'name') {
    if (v.text === 'balanced') return 'balanced';
    c.report('E003', v, `${what} is balanced or one weight per class such as 1,3,2, not '${v.text}'.${suggest(v.text, ['balanced'])}`, enumFix(v, ['balanced']));
    return undefined;
  }
  if (v.kind === 'string' || v.kind === 'dims') {
    c.report('E003', v, `${what} is balanced or one weight per class, numbers separated by commas without spaces (such as 1,3,2), not ${v.text}.`);
    return undefined;
  }
  const weights: number[] = [];
  let at = v.offset;
  // The smallest span at fault: the one weight, or the comma with nothing after it.
  const span = (part: string) => ({ offset: at, length: Math.max(part.length, 1) });
  for (const part of v.text.split(',')) {
    if (part === '' || !WEIGHT_RE.test(part)) {
      c.report('E003', part === '' ? { offset: Math.max(v.offset, at - 1), length: 1 } : span(part), part === '' ? `${what} has an empty weight in '${v.text}': write one number greater than 0 per class, separated by commas without spaces (such as 1,3,2).` : `${what} must be numbers separated by commas (such as 1,3,2), but '${part}' is not a number.`);
      return undefined;
    }
    const x = Number(part);
    if (!Number.isFinite(x) || x <= 0) {
      c.report('E003', span(part), `Each class weight must be a finite number greater than 0, not ${part}: ${x === 0 ? 'a weight of 0 would make the network ignore that class' : 'a weight scales the class\'s share of the loss'}.`);
      return undefined;
    }
    weights.push(x);
    at += part.length + 1;
  }
  return weights;
}

/** A number as a student writes it: no float noise (1 − 0.9 is 0.1, not 0.09999999999999998). */
function formatPlain(x: number): string {
  return String(Number(x.toPrecision(12)));
}

function readValue(c: Reporter, param: ParamSchema, v: Value & Span, keyword: string): Parsed | undefined {
  const what = `${param.name}`;
  switch (param.kind) {
    case 'posint':
      return readInt(c, v, what, 1);
    case 'nonnegint':
      return readInt(c, v, what, 0);
    case 'size':
    case 'stride':
      return readPair(c, v, what, 1);
    case 'pair0':
      return readPair(c, v, what, 0);
    case 'pad':
      if (v.kind === 'name' && (v.text === 'same' || v.text === 'valid')) return v.text;
      if (v.kind === 'name') {
        c.report('E003', v, `pad takes a whole number, HxW, same or valid, not '${v.text}'.`, enumFix(v, ['same', 'valid']));
        return undefined;
      }
      return readPair(c, v, what, 0);
    case 'fraction':
      return readReal(c, v, what, (x) => x >= 0 && x < 1, 'at least 0 and less than 1', param.why);
    case 'angle':
      return readReal(c, v, what, (x) => x >= 0 && x <= 180, 'from 0 to 180 degrees', param.why, (x) =>
        x < 0 ? valueFix(v, formatPlain(-x), `Change to ${what}=${formatPlain(-x)} (±${formatPlain(-x)}°)`) : x > 180 ? valueFix(v, '180', `Change to ${what}=180`) : [],
      );
    case 'range':
      return readRange(c, v, what);
    case 'weights':
      return readWeights(c, v, what);
    case 'positive':
      return readReal(c, v, what, (x) => x > 0, 'greater than 0');
    case 'nonneg':
      return readReal(c, v, what, (x) => x >= 0, 'at least 0');
    case 'finite':
      return readReal(c, v, what, () => true, 'a finite number');
    case 'enum': {
      const values = param.values ?? [];
      if ((v.kind === 'name' || v.kind === 'string') && values.includes(v.kind === 'string' ? v.value : v.text)) {
        return v.kind === 'string' ? v.value : v.text;
      }
      c.report('E003', v, `${keyword} ${param.name} must be one of ${values.join(', ')}, not '${v.text}'.${suggest(v.text, values)}`, enumFix(v, values));
      return undefined;
    }
    default:
      return assertNever(param.kind, 'parameter kind');
  }
}

/** Bare values that the statement does not take. */
export function extraPositional(c: Reporter, args: Arg[], schemaKeyword: string): void {
  for (const a of args) {
    const schema = statementSchema(schemaKeyword)!;
    const hint = schema.params.length ? ` Parameters are written name=value, e.g. ${schema.example}.` : '';
    c.report('E003', a, `Unexpected value '${a.value.text}' for ${schemaKeyword}.${hint}`, [{ title: `Remove '${a.value.text}'`, edits: [removalEdit(c.text, a)] }]);
  }
}

export function suggest(word: string, values: readonly string[]): string {
  const g = nearest(word, values);
  return g ? ` Did you mean '${g}'?` : '';
}

export function enumFix(v: Span & { text: string }, values: readonly string[]): Fix[] {
  const g = nearest(v.text, values);
  return g ? [{ title: `Change to '${g}'`, edits: [{ offset: v.offset, length: v.length, newText: g }], preferred: true }] : [];
}
