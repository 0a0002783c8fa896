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

export type Parsed = number | string | [number, number];

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

function readReal(c: Reporter, v: Value & Span, what: string, check: (x: number) => boolean, range: string): number | undefined {
  if (v.kind !== 'int' && v.kind !== 'number') {
    c.report('E003', v, `${what} must be a number (${range}), not '${v.text}'.`);
    return undefined;
  }
  if (!Number.isFinite(v.value)) {
    c.report('E003', v, `${what} is out of range: ${v.text} is not a finite number (${range}).`);
    return undefined;
  }
  if (!check(v.value)) {
    c.report('E003', v, `${what} must be ${range}, not ${v.text}.`);
    return undefined;
  }
  return v.value === 0 ? 0 : v.value;
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
      return readReal(c, v, what, (x) => x >= 0 && x < 1, 'at least 0 and less than 1');
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
