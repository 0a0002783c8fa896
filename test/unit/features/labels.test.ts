// Labels in the editor: where a name is defined and used (go to definition, references, highlights) and what
// F2 changes, on real checks of version 2 files.

import { describe, expect, it } from 'vitest';
import { labelAt, labelsAbove, occurrencesOf, planRename, renameTarget, type TextEdit } from '../../../src/features/labels';
import { check } from '../../../src/language';
import { INCEPTION, RESBLOCK } from './graphTexts';

/** The offset of the `nth` (0-based) whole-word occurrence of `word` in `text`, plus `into` characters. */
function offsetOf(text: string, word: string, nth = 0, into = 1): number {
  const re = new RegExp(`\\b${word}\\b`, 'g');
  let m: RegExpExecArray | null = null;
  for (let i = 0; i <= nth; i++) m = re.exec(text);
  if (!m) throw new Error(`no ${word} #${nth}`);
  return m.index + into;
}

function apply(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.offset - a.offset)) out = out.slice(0, e.offset) + e.text + out.slice(e.offset + e.length);
  return out;
}

describe('labels under the cursor', () => {
  const r = check(RESBLOCK);

  it('finds a definition and a use, and resolves the use to its definition', () => {
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const def = labelAt(r, offsetOf(RESBLOCK, 'stem'))!;
    expect(def).toMatchObject({ name: 'stem', reference: null, definition: { line: 4, layer: 2 } });
    const use = labelAt(r, offsetOf(RESBLOCK, 'stem', 1))!;
    expect(use.reference).toMatchObject({ line: 10, target: 2 });
    expect(use.definition).toBe(def.definition);
    // The cursor just after the name still means it (as after a double click or typing it).
    expect(labelAt(r, offsetOf(RESBLOCK, 'main', 1, 4))?.name).toBe('main');
    // Not a label: a keyword, a parameter, the colon's far side.
    expect(labelAt(r, offsetOf(RESBLOCK, 'relu', 0))).toBeNull(); // `stem: relu`'s keyword
    expect(labelAt(r, offsetOf(RESBLOCK, 'from'))).toBeNull();
    expect(labelAt(r, offsetOf(RESBLOCK, 'filters'))).toBeNull();
  });

  it('lists the definition and every use, from either end', () => {
    const r2 = check(INCEPTION);
    const lines = (offset: number) => occurrencesOf(r2, labelAt(r2, offset)!).map((o) => [o.line, o.isDefinition]);
    expect(lines(offsetOf(INCEPTION, 'x'))).toEqual([[1, true], [3, false], [6, false]]);
    expect(lines(offsetOf(INCEPTION, 'x', 2))).toEqual([[1, true], [3, false], [6, false]]);
    expect(lines(offsetOf(INCEPTION, 'b', 1))).toEqual([[5, true], [8, false]]);
  });

  it('groups the uses of an unknown name (E052) by spelling, with no definition', () => {
    const text = 'input 8x8x1\nconv filters=2 size=1\nadd nope\nconcat nope\ndense units=2\nsoftmax\n';
    const r2 = check(text);
    const hit = labelAt(r2, offsetOf(text, 'nope'))!;
    expect(hit.definition).toBeNull();
    expect(occurrencesOf(r2, hit).map((o) => o.line)).toEqual([2, 3]);
  });

  it('offers for completion only the labels defined above the line, each once', () => {
    expect(labelsAbove(r, 10).map((l) => l.name)).toEqual(['stem', 'main']);
    expect(labelsAbove(r, 9).map((l) => l.name)).toEqual(['stem']); // `main:` is on line 9 itself
    expect(labelsAbove(r, 0)).toEqual([]);
  });
});

describe('rename (F2)', () => {
  const r = check(RESBLOCK);

  it('renames the definition and every use, from the definition or from a use, and the file still checks', () => {
    for (const at of [offsetOf(RESBLOCK, 'stem'), offsetOf(RESBLOCK, 'stem', 1)]) {
      const plan = planRename(r, at, 'shortcut');
      expect(plan.ok).toBe(true);
      if (!plan.ok) continue;
      expect(plan.edits).toHaveLength(2);
      const renamed = apply(RESBLOCK, plan.edits);
      expect(renamed).toContain('shortcut: relu\n');
      expect(renamed).toContain('from shortcut\n');
      expect(renamed).not.toMatch(/\bstem\b/);
      const again = check(renamed);
      const said = (x: typeof r) => x.diagnostics.map((d) => `${d.code} ${d.message}`);
      expect(said(again)).toEqual(said(r));
      expect(again.layers.map((l) => l.output)).toEqual(r.layers.map((l) => l.output));
    }
  });

  it('renames every use in a concat and leaves other names alone', () => {
    const r2 = check(INCEPTION);
    const plan = planRename(r2, offsetOf(INCEPTION, 'x', 1), 'stem');
    expect(plan.ok && apply(INCEPTION, plan.edits)).toBe(INCEPTION.replace(/\bx\b/g, 'stem'));
    const b = planRename(r2, offsetOf(INCEPTION, 'b', 1), 'wide');
    expect(b.ok && apply(INCEPTION, b.edits)).toContain('concat a wide\n');
  });

  it('renames only the second of a label defined twice (E053), which clears the error; uses keep the first', () => {
    const text = 'input 8x8x1\nx: relu\nx: relu\nadd x\ndense units=2\nsoftmax\n';
    const r2 = check(text);
    expect(r2.diagnostics.map((d) => d.code)).toContain('E053');
    const plan = planRename(r2, offsetOf(text, 'x', 1), 'y');
    expect(plan.ok && apply(text, plan.edits)).toBe('input 8x8x1\nx: relu\ny: relu\nadd x\ndense units=2\nsoftmax\n');
    const first = planRename(r2, offsetOf(text, 'x', 0), 'z');
    expect(first.ok && apply(text, first.edits)).toBe('input 8x8x1\nz: relu\nx: relu\nadd z\ndense units=2\nsoftmax\n');
    expect(check(plan.ok ? apply(text, plan.edits) : '').diagnostics.map((d) => d.code)).not.toContain('E053');
  });

  it('refuses what is not a label, with a reason', () => {
    for (const word of ['relu', 'from', 'filters', 'ResBlock']) {
      const t = renameTarget(r, offsetOf(RESBLOCK, word));
      expect(t.ok, word).toBe(false);
      expect(!t.ok && t.message).toMatch(/Only a label can be renamed/);
    }
    const text = 'input 8x8x1\nrelu\nadd nope\ndense units=2\nsoftmax\n';
    const unknown = renameTarget(check(text), offsetOf(text, 'nope'));
    expect(!unknown.ok && unknown.message).toMatch(/`nope` is not defined above this line/);
  });

  it('refuses a new name that is not a label or that is already taken, and does nothing for the same name', () => {
    const at = offsetOf(RESBLOCK, 'stem');
    for (const bad of ['2x', 'my-block', 'a b', '', '_x', 'stem:']) {
      const p = planRename(r, at, bad);
      expect(p.ok, bad).toBe(false);
      expect(!p.ok && p.message, bad).toMatch(/cannot be a label: a label starts with a letter/);
    }
    const clash = planRename(r, at, 'main');
    expect(!clash.ok && clash.message).toBe('`main` already names the output on line 10: choose another name.');
    expect(planRename(r, at, 'stem')).toEqual({ ok: true, edits: [] });
    // Spaces around a typed name are not part of it.
    expect(planRename(r, at, ' block1 ')).toMatchObject({ ok: true, edits: [{ text: 'block1' }, { text: 'block1' }] });
  });
});
