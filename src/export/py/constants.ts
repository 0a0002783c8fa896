// The one variable part of every generated .py file: a block of constants, written as JSON inside Python string
// literals, between the template's `# BEGIN CONSTANTS` and `# END CONSTANTS` lines. Escaping is structural:
// the JSON is made pure printable ASCII (every other character becomes a \uXXXX escape, lone surrogates
// included), and each line of it becomes a single-quoted Python literal in which only ' and \ are escaped. No
// byte of a name, class or path can end a literal, start a comment or reach the code around it.

const BEGIN = '# BEGIN CONSTANTS';
const END = '# END CONSTANTS';

/** JSON text with only printable ASCII: JSON.stringify escapes controls and lone surrogates; this the rest. */
export function asciiJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new Error('no JSON for this value');
  return text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A single-quoted Python string literal for printable-ASCII text. */
function pyAsciiLiteral(text: string): string {
  if (/[^\x20-\x7e]/.test(text)) throw new Error('pyAsciiLiteral takes printable ASCII only');
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The JSON of a value cut into lines for reading: a top-level object one entry per line, and an entry that is a
 * list of objects one element per line. Joined without separators, the lines are the value's JSON.
 */
function jsonLines(value: unknown): { indent: number; text: string }[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [{ indent: 0, text: asciiJson(value) }];
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  const lines: { indent: number; text: string }[] = [{ indent: 0, text: '{' }];
  entries.forEach(([k, v], i) => {
    const comma = i < entries.length - 1 ? ',' : '';
    const key = `${asciiJson(k)}:`;
    if (Array.isArray(v) && v.length > 0 && v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) {
      lines.push({ indent: 0, text: `${key}[` });
      v.forEach((x, j) => lines.push({ indent: 1, text: `${asciiJson(x)}${j < v.length - 1 ? ',' : ''}` }));
      lines.push({ indent: 0, text: `]${comma}` });
    } else {
      lines.push({ indent: 0, text: `${key}${asciiJson(v)}${comma}` });
    }
  });
  lines.push({ indent: 0, text: '}' });
  return lines;
}

/** Python source `NAME = json.loads(...)` for a JSON-like value (the module must `import json`). */
export function jsonConstant(name: string, value: unknown): string {
  if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`${name} is not a constant's name`);
  const body = jsonLines(value).map((l) => `${'    '.repeat(l.indent + 1)}${pyAsciiLiteral(l.text)}`);
  return [`${name} = json.loads(`, ...body, ')'].join('\n');
}

/**
 * A template with its constants block replaced: the lines strictly between the `# BEGIN CONSTANTS` line's
 * comment and the `# END CONSTANTS` line, from the line `NAME = json.loads(` on, become jsonConstant(NAME, value).
 * The template's own comments above the assignment stay. Throws when the template has not exactly one block.
 */
export function fillTemplate(template: string, name: string, value: unknown): string {
  const lines = template.split('\n');
  const begins = lines.flatMap((l, i) => (l.startsWith(BEGIN) ? [i] : []));
  const ends = lines.flatMap((l, i) => (l.startsWith(END) ? [i] : []));
  if (begins.length !== 1 || ends.length !== 1 || ends[0]! < begins[0]!) throw new Error('a template needs exactly one constants block');
  const start = lines.findIndex((l, i) => i > begins[0]! && i < ends[0]! && l.startsWith(`${name} = json.loads(`));
  if (start < 0) throw new Error(`the template's constants block does not assign ${name}`);
  return [...lines.slice(0, start), jsonConstant(name, value), ...lines.slice(ends[0]!)].join('\n');
}
