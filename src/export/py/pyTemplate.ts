// The exported package's Python files are real .py files (src/export/py/templates/), read when an export is
// written instead of bundled as text: the build copies them to dist/templates/ beside the bundles (and the .vsix
// ships them), so they cost extension.js nothing. From the sources (tests) they are read where they are.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const texts = new Map<string, string>();

/** The text of templates/`name` (e.g. `model.py`), read once. */
export function pyTemplate(name: string): string {
  let text = texts.get(name);
  if (text === undefined) {
    const file = join(__dirname, 'templates', name);
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`the exported package's template ${name} is missing (${file}: ${(err as NodeJS.ErrnoException).code ?? err}); reinstall CNN Studio or run "npm run build"`);
    }
    texts.set(name, text);
  }
  return text;
}
