// The contributed keybindings work on every platform: on macOS a chord with Ctrl is a chord with Cmd (VS Code's
// own chords such as Cmd+K Cmd+S follow that rule), so each binding has a `mac` variant, and the README's table
// of shortcuts names both.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const bindings: { command: string; key: string; mac?: string; when?: string }[] = pkg.contributes.keybindings;

/** How the README writes a chord: `ctrl+k ctrl+shift+t` → `Ctrl+K Ctrl+Shift+T`. */
const spelled = (key: string): string =>
  key
    .split(' ')
    .map((chord) => chord.split('+').map((k) => k[0]!.toUpperCase() + k.slice(1)).join('+'))
    .join(' ');

describe('the keybindings', () => {
  it('have a macOS variant with Cmd where the others have Ctrl', () => {
    expect(bindings.length).toBeGreaterThan(0);
    for (const kb of bindings) {
      expect(kb.key, kb.command).toMatch(/^ctrl\+/);
      expect(kb.mac, kb.command).toBe(kb.key.replace(/ctrl\+/g, 'cmd+'));
      expect(kb.when, kb.command).toBe('editorLangId == cnn');
    }
  });

  it('are in the README, with both the Windows/Linux and the macOS keys', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const kb of bindings) {
      const cmd = pkg.contributes.commands.find((c: { command: string }) => c.command === kb.command);
      expect(readme, kb.command).toContain(`| ${spelled(kb.key)} | ${spelled(kb.mac ?? '-')} | ${cmd.category}: ${cmd.title} |`);
    }
  });
});
