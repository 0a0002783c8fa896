// Issue 12: the Settings editor read "Cnn Studio › Inlay Hints: Parameters". VS Code labels a setting from its
// key: the part before the last dot is the category, with the part that repeats its group's id cut off the
// front, then "cnnStudio" is spelled "Cnn Studio" (its settingKeyToDisplayFormat). An extension with one
// configuration block is shown as one group whose id is the extension's (cnn-studio.cnn-studio, which cuts
// nothing but a bare "cnnStudio"); with several blocks each is a group of its own under the extension's heading
// ("CNN Studio"), with the block's `id` as the group's id. Seen in code-server 4.100 (VS Code 1.100): one block,
// even with an id, gave "Cnn Studio › Inlay Hints: Parameters"; sections with ids give "Parameters" under
// "Inlay Hints". (Search results keep the whole key as the category in any case.)

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** The rule as VS Code applies it in the settings tree (a model of it, written for this test). */
function label(key: string, groupId: string): string {
  const dot = key.lastIndexOf('.');
  let category = dot >= 0 ? key.slice(0, dot) : '';
  const name = key.slice(dot + 1);
  const parts = groupId.split('.').map((p) => (p.replace(/-/g, '').toLowerCase() === category.toLowerCase() ? p.replace(/-/g, '') : p));
  for (const list of [parts.map((_, i) => parts.slice(0, parts.length - i)), parts.map((_, i) => parts.slice(i))]) {
    const hit = list.find((ps) => new RegExp(`^${ps.join('\\.')}(\\.|$)`, 'i').test(category));
    if (hit) {
      category = category.replace(new RegExp(`^${hit.join('\\.')}(\\.|$)`, 'i'), '');
      break;
    }
  }
  const words = (k: string) =>
    k
      .replace(/\.([a-z0-9])/g, (_, c: string) => ` › ${c.toUpperCase()}`)
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/^[a-z]/, (c) => c.toUpperCase());
  return category ? `${words(category)}: ${words(name)}` : words(name);
}

describe('the settings as the Settings editor shows them', () => {
  const blocks: { id?: string; title: string; properties: Record<string, unknown> }[] = [pkg.contributes.configuration].flat();
  const extensionId = `${pkg.publisher}.${pkg.name}`;
  // One block is flattened into the extension's own group; several are groups of their own.
  const groupId = (b: (typeof blocks)[number]) => (blocks.length === 1 ? extensionId : (b.id ?? extensionId));

  it('are under the heading "CNN Studio" (the display name), in sections', () => {
    expect(pkg.displayName).toBe('CNN Studio');
    expect(blocks.map((b) => b.title)).toEqual(['Inlay Hints', 'Diagnostics', 'Training']);
  });

  it('never read "Cnn Studio": each section has an id that its keys start with', () => {
    const labels = blocks.flatMap((b) => Object.keys(b.properties).map((k) => label(k, groupId(b))));
    expect(labels).toEqual(['Parameters', 'Enabled', 'Delay', 'Threads', 'Resume From Latest', 'Backend', 'Python Path']);
    // Without the id (the extension's id as the group) the old labels come back: the model is the real rule.
    expect(label('cnnStudio.inlayHints.parameters', extensionId)).toBe('Cnn Studio › Inlay Hints: Parameters');
  });
});
