// What completion offers at a position in a .cnn line. Pure (no vscode): completion.ts turns a plan into items.
//
// A .cnn file is typed line by line, and almost every line ends in a finished token followed by Enter. So the
// rule is that completion never fights typing:
// - A token that is already complete (a keyword, a word value such as `adam`, any number) gets nothing while
//   typing, so the list closes and Enter ends the line. completion.ts marks every list incomplete, so the
//   editor asks again on each keystroke and learns that the list is now empty.
// - Numbers (`samples=`, `epochs=`, `input 32x32x3`) are offered only when asked for (Ctrl+Space on an empty
//   value): while typing, `300` must never become `3000` nor `1` become `10`.
// - After `=` the list opens by itself only for words (`optimizer=` → sgd, adam); not after a space.
// - Keywords insert just themselves; the example lines and the lecture's snippets are separate items that sort
//   after them, so when the typed word is a whole keyword the item under the cursor inserts nothing new.
// - While a keyword is typed the list is short: the keywords that start with it, then one example line per
//   statement; the snippets (`conv3`, `pool2`, `cnn`) once the typed text goes past every keyword, and all of
//   it on Ctrl+Space on an empty line.
// - Nothing in comments, in the middle of a token, or in a slot that holds a name or a path.
// - After `from`, `add` and `concat`: the labels defined on the lines above, opening by itself on the space
//   before a name (the provider's other trigger character); a whole one closes the list. A
//   label at the start of a line (`stem: relu`) is skipped: what follows it completes as a statement.
// And package.json's `configurationDefaults` for `[cnn]`: Enter always ends the line
// (`editor.acceptSuggestionOnEnter: off`; Tab accepts a suggestion), no word-based suggestions from comments,
// no quick suggestions inside comments. `smart` is not enough: the editor decides whether the focused item
// would change the text on a focus event that can come after the next Enter, and a whole `softmax` followed
// at typing speed by Enter lost the line break that way.

import { findParam, type ParamSchema, STATEMENTS, type StatementSchema, statementSchema } from '../language';
import snippetsJson from '../../snippets/cnn.json';

export type Trigger =
  /** Ctrl+Space, or the editor's quick suggestions as a word is typed (the API cannot tell them apart). */
  | { kind: 'invoke' }
  /** One of the provider's trigger characters (`=`, or a space) was typed. */
  | { kind: 'character'; character: string }
  /** The editor asks again because the last list was incomplete (every list of ours is). */
  | { kind: 'incomplete' };

export type ItemKind = 'keyword' | 'layer' | 'example' | 'snippet' | 'param' | 'enum' | 'value' | 'positional' | 'label';

export interface PlannedItem {
  label: string;
  kind: ItemKind;
  /** Text to insert; a snippet with `${1:…}` tab stops when `snippet` is true. */
  insert: string;
  snippet?: boolean;
  detail?: string;
  /** Markdown. */
  documentation?: string;
  sortText: string;
  /** Open the suggestions again after inserting (a parameter whose values are words). */
  suggestAgain?: boolean;
}

/** A label that a `from`/`add`/`concat` on the cursor's line may name (defined on a line above it). */
export interface LabelChoice {
  name: string;
  /** What it names, such as `16×16×32 · line 10 (batch norm)`. */
  detail?: string;
}

/** What completion knows of the file beyond the cursor's line (asked only where it is needed). */
export interface CompletionContext {
  labelsAbove(): readonly LabelChoice[];
}

export interface CompletionPlan {
  /** The typed prefix the items replace: columns [start, end) of the line (end is the cursor). */
  start: number;
  end: number;
  items: PlannedItem[];
}

/** The lecture's snippets (snippets/cnn.json): one item per prefix. */
interface SnippetEntry {
  prefix: string | string[];
  body: string | string[];
  description?: string;
}
const SNIPPETS = snippetsJson as Record<string, SnippetEntry>;

const NUMERIC = /^[+\-.\d]/;
/** A spelling that is a number or HxW: every such value is complete, and a longer one extends it. */
export const isNumeric = (text: string): boolean => NUMERIC.test(text);

const isTokenChar = (ch: string | undefined): boolean => ch !== undefined && ch !== ' ' && ch !== '\t' && ch !== '#';

/** The offset of a `#` that starts a comment before `col`, or -1 (a `#` inside a string does not count). */
function commentStart(line: string, col: number): number {
  let inString = false;
  for (let i = 0; i < col; i++) {
    const ch = line[i];
    if (ch === '"') inString = !inString;
    else if (ch === '#' && !inString) return i;
  }
  return -1;
}

/** `conv filters=16 size=3` → `conv filters=${1:16} size=${2:3}` */
export function exampleSnippet(example: string): string {
  let n = 0;
  return example
    .split(' ')
    .map((tok, i) => {
      if (i === 0) return tok;
      const eq = tok.indexOf('=');
      if (eq > 0) return `${tok.slice(0, eq + 1)}\${${++n}:${tok.slice(eq + 1)}}`;
      return `\${${++n}:${tok}}`;
    })
    .join(' ');
}

function statementDoc(s: StatementSchema): string {
  return `${s.doc}\n\n\`\`\`cnn\n${s.example}\n\`\`\``;
}

function keywordItems(): PlannedItem[] {
  const items: PlannedItem[] = [];
  for (const s of STATEMENTS) {
    for (const kw of [s.keyword, ...s.synonyms]) {
      items.push({ label: kw, kind: s.layer ? 'layer' : 'keyword', insert: kw, detail: s.example, documentation: statementDoc(s), sortText: `0${kw}` });
    }
    if (s.example.includes(' ')) {
      items.push({ label: s.example, kind: 'example', insert: exampleSnippet(s.example), snippet: true, detail: 'example', documentation: statementDoc(s), sortText: `1${s.keyword}` });
    }
  }
  for (const [name, entry] of Object.entries(SNIPPETS)) {
    const body = Array.isArray(entry.body) ? entry.body.join('\n') : entry.body;
    for (const prefix of Array.isArray(entry.prefix) ? entry.prefix : [entry.prefix]) {
      const documentation = `${entry.description ?? ''}\n\n\`\`\`cnn\n${body.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d+/g, '')}\n\`\`\``;
      items.push({ label: prefix, kind: 'snippet', insert: body, snippet: true, detail: name, documentation, sortText: `2${prefix}` });
    }
  }
  return items;
}

/**
 * The short list while a keyword is typed (the editor re-asks on every keystroke, so the plan filters by prefix
 * itself and the editor's fuzzy match cannot pull in `classes door stair sign` for `co`): the keywords that start
 * with the typed text, then the example lines (one per statement) that do. The lecture's snippets come in only
 * once the typed text goes past every keyword (`conv3`, `conv-`, `pool2`, `cn`); all of them are on Ctrl+Space.
 */
function typedKeywordItems(typed: string): PlannedItem[] {
  const t = typed.toLowerCase();
  const all = keywordItems();
  const keywords = all.filter((i) => (i.kind === 'keyword' || i.kind === 'layer') && i.label.startsWith(t));
  const examples = all.filter((i) => i.kind === 'example' && i.label.startsWith(t)); // one per statement
  if (keywords.length > 0) return [...keywords, ...examples];
  return all.filter((i) => i.kind === 'snippet' && i.label.toLowerCase().startsWith(t));
}

function paramDoc(schema: StatementSchema, p: ParamSchema): string {
  const lines = [p.doc];
  if (p.aliases.length) lines.push(`Also written: ${p.aliases.map((a) => `\`${a}\``).join(', ')}.`);
  if (p.default) lines.push(`Default: \`${p.default}\`.`);
  if (p.required) lines.push('Required.');
  lines.push('', '```cnn', schema.example, '```');
  return lines.join('\n');
}

function paramItems(schema: StatementSchema, given: ReadonlySet<string>): PlannedItem[] {
  const items: PlannedItem[] = [];
  for (const p of schema.params) {
    if (given.has(p.name)) continue;
    for (const name of [p.name, ...p.aliases]) {
      items.push({
        label: `${name}=`,
        kind: 'param',
        insert: `${name}=`,
        detail: `${schema.keyword} ${name}${p.required ? ' (required)' : p.default ? ` (default ${p.default})` : ''}`,
        documentation: paramDoc(schema, p),
        sortText: `${p.required ? '0' : '1'}${name === p.name ? '0' : '1'}${name}`,
        // Words only (`optimizer=`, `flip=`, `class_weights=balanced`): after `epochs=` an open list would turn a
        // typed `1` into `10`.
        suggestAgain: p.kind === 'enum' || p.kind === 'weights',
      });
    }
  }
  return items;
}

function valueItems(schema: StatementSchema, p: ParamSchema, values: readonly string[]): PlannedItem[] {
  return values.map((v, i) => ({
    label: v,
    kind: p.values ? 'enum' : 'value',
    insert: v,
    detail: `${schema.keyword} ${p.name}=${v}`,
    documentation: p.doc,
    sortText: String(i).padStart(3, '0'),
  }));
}

function positionalItems(schema: StatementSchema, values: readonly string[]): PlannedItem[] {
  return values.map((v, i) => ({ label: v, kind: 'positional', insert: v, detail: schema.positional ?? '', sortText: String(i).padStart(3, '0') }));
}

/**
 * The values worth offering for a slot given what is typed there: everything when asked on an empty slot;
 * only words (never numbers) otherwise, and nothing once the typed text is itself one of them.
 */
function narrow(values: readonly string[], typed: string, asked: boolean): readonly string[] {
  if (asked) return values;
  if (typed !== '' && isNumeric(typed)) return [];
  if (values.includes(typed)) return [];
  return values.filter((v) => !isNumeric(v));
}

function labelItems(keyword: string, labels: readonly LabelChoice[]): PlannedItem[] {
  return labels.map((l, i) => ({
    label: l.name,
    kind: 'label',
    insert: l.name,
    detail: l.detail ?? `${keyword} ${l.name}`,
    // The nearest (latest) label first: a branch usually names what was just defined.
    sortText: String(labels.length - 1 - i).padStart(6, '0'),
  }));
}

/**
 * The end of a label's colon at the start of a line (`stem:` of `stem: relu` or `stem:relu`), else 0: as the
 * parser reads it, a colon after the start of a first word that holds no `=` and no string.
 */
function labelPrefixEnd(line: string): number {
  const first = /^[ \t]*([^ \t#]*)/.exec(line)!;
  const word = first[1]!;
  if (word.includes('=') || word.includes('"')) return 0;
  const colon = word.indexOf(':');
  return colon > 0 ? first[0].length - word.length + colon + 1 : 0;
}

/**
 * The completion plan for the cursor at column `col` of `line`, or undefined when nothing is offered there.
 * `context` gives the labels defined above the line (for `from`, `add`, `concat`).
 */
export function planCompletion(line: string, col: number, trigger: Trigger, context?: CompletionContext): CompletionPlan | undefined {
  if (commentStart(line, col) >= 0) return undefined;
  // A label before the statement (`stem: relu`): the statement starts after its colon. The label itself is a
  // new name: nothing to offer while it is typed, nor on its colon.
  const labelEnd = labelPrefixEnd(line);
  if (labelEnd > 0) {
    if (col <= labelEnd) return undefined;
    line = ' '.repeat(labelEnd) + line.slice(labelEnd);
  }
  const before = line.slice(0, col);
  const tokenStart = Math.max(before.lastIndexOf(' '), before.lastIndexOf('\t')) + 1;
  const typed = before.slice(tokenStart);
  // Asked for: Ctrl+Space on an empty token (the editor's quick suggestions never start on an empty word).
  const asked = trigger.kind === 'invoke' && typed === '';
  // In the middle of a token, only when asked (otherwise an item would be inserted before the rest of it).
  if (isTokenChar(line[col]) && !asked) return undefined;
  if ((before.split('"').length - 1) % 2 === 1) return undefined; // in a string: a name or a path
  const plan = (items: PlannedItem[]): CompletionPlan => ({ start: tokenStart, end: col, items });
  const head = before.slice(0, tokenStart).trim();

  // The statement's keyword.
  if (head === '') {
    if (typed.includes('=') || trigger.kind === 'character') return undefined;
    if (!asked && statementSchema(typed)) return plan([]); // a whole keyword: Enter or space goes on typing
    return plan(asked ? keywordItems() : typedKeywordItems(typed));
  }

  const words = head.split(/[ \t]+/);
  const schema = statementSchema(words[0]!);
  if (!schema) return undefined;
  const slots = schema.names;
  if (slots) {
    // `from NAME`, `add NAME…`, `concat NAME…`: the labels above, but not one already named on this line. The
    // list opens by itself on the space before a name (a label is a word, like `optimizer=`'s values).
    if ((trigger.kind === 'character' && !(trigger.character === ' ' && typed === '')) || typed.includes('=')) return undefined;
    const named = words.slice(1).filter((w) => w !== '');
    if (slots === 'one' && named.length > 0) return asked ? plan([]) : undefined;
    const labels = context?.labelsAbove() ?? [];
    if (!asked && (isNumeric(typed) || labels.some((l) => l.name === typed))) return plan([]); // complete
    return plan(labelItems(schema.keyword, labels.filter((l) => !named.includes(l.name))));
  }

  // A parameter's value: `name=…`.
  const eq = typed.indexOf('=');
  if (eq >= 0) {
    const p = findParam(schema, typed.slice(0, eq));
    if (!p) return undefined;
    const value = typed.slice(eq + 1);
    const valueAsked = trigger.kind === 'invoke' && value === '';
    const values = narrow(p.values ?? p.examples ?? [], value, valueAsked);
    return { start: tokenStart + eq + 1, end: col, items: valueItems(schema, p, values) };
  }
  if (trigger.kind === 'character') return undefined; // `=` typed elsewhere (e.g. a stray one at a value)

  // A parameter name, or a bare value.
  const given = new Set<string>();
  for (const tok of line.split(/[ \t]+/)) {
    const e = tok.indexOf('=');
    if (e > 0) {
      const p = findParam(schema, tok.slice(0, e));
      if (p) given.add(p.name);
    }
  }
  const barePositionals = words.slice(1).filter((w) => w !== '' && !w.includes('='));
  // After `data folder` / `idx` / `npz` comes a path: nothing to suggest for what is typed there.
  if (barePositionals.length === 1 && schema.pathAfter?.includes(barePositionals[0]!)) return asked ? plan([]) : undefined;
  const items = paramItems(schema, given);
  if (barePositionals.length === 0) {
    const values = schema.positionalValues ?? [];
    if (!asked && values.includes(typed)) return plan([]); // `pool max`, `data shapes`: complete
    items.push(...positionalItems(schema, narrow(values, typed, asked)));
  }
  // A number typed in a slot of names or values is complete as it stands.
  if (!asked && isNumeric(typed)) return plan([]);
  return plan(items);
}
