import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOutline, MAX_OUTLINE_ENTRIES } from '../../../src/features/outline';
import { check } from '../../../src/language';
import { INCEPTION, RESBLOCK } from './graphTexts';

const lecture = readFileSync(new URL('../../../examples/lecture.cnn', import.meta.url), 'utf8');
const outlineOf = (text: string, max?: number) => buildOutline(check(text), (a, b) => text.slice(a, b), max);

describe('the outline', () => {
  it('lists input, every layer with its output shape, and the settings, in file order', () => {
    const o = outlineOf(lecture)!;
    expect(o.name).toBe('DoorStairSign');
    expect(o.detail).toBe('8 layers');
    expect(o.entries.map((e) => e.kind)).toEqual(['input', 'setting', 'layer', 'layer', 'layer', 'layer', 'layer', 'layer', 'layer', 'layer', 'setting', 'setting']);
    expect(o.entries[0]).toMatchObject({ name: 'input', detail: '32×32×3' });
    expect(o.entries[1]).toMatchObject({ name: 'classes', detail: 'door stair sign' });
    expect(o.entries[2]!.name).toMatch(/^0: conv/);
    expect(o.entries[2]!.detail).toBe('→ 32×32×16');
    expect(o.entries.at(-1)).toMatchObject({ name: 'train', detail: expect.stringContaining('epochs=3') });
    // Spans point at the statement and its keyword.
    for (const e of o.entries) {
      const stmt = lecture.slice(e.offset, e.offset + e.length);
      expect(stmt.startsWith(lecture.slice(e.selOffset, e.selOffset + e.selLength))).toBe(true);
    }
  });

  it("names layers in the lecture's words (conv 6 filters 5×5), and a broken shape by its fraction", () => {
    const o = outlineOf('input 32x32x3\nconv filters=6 size=5 stride=3 pad=1\nrelu\npool size=2\ndense units=3\n')!;
    const layers = o.entries.filter((e) => e.kind === 'layer');
    expect(layers.map((e) => e.name)).toEqual(['0: conv 6 filters 5×5, stride 3, pad 1', '1: relu', '2: max pool 2×2', '3: dense 3 units']);
    // (32 − 5 + 2·1)/3 + 1 = 10.67 (the last window leaves an input pixel unseen): the fraction, not 10×10×6,
    // and nothing below it is a number.
    expect(layers.map((e) => e.detail)).toEqual(['→ 10.67×10.67×6', '→ ?', '→ ?', '→ 3']);
    expect(outlineOf('input 8x8x1\nconv filters=1 size=3\n')!.entries[1]!.name).toBe('0: conv 1 filter 3×3');
  });

  it('lists augment as a setting, and names a multi-label network\'s sigmoid with its labels', () => {
    const o = outlineOf('input 28x28x1\nconv filters=4 size=3\ndense units=14\nsigmoid\naugment flip=horizontal rotate=10\n')!;
    expect(o.entries.map((e) => [e.kind, e.name])).toEqual([
      ['input', 'input'],
      ['layer', '0: conv 4 filters 3×3'],
      ['layer', '1: dense 14 units (flattens)'],
      ['layer', '2: sigmoid (multi-label, 14 labels)'],
      ['setting', 'augment'],
    ]);
    expect(o.entries.at(-1)!.detail).toBe('flip=horizontal rotate=10');
    // A sigmoid inside a network is only an activation.
    expect(outlineOf('input 8x8x1\ndense units=4\nsigmoid\ndense units=2\n')!.entries.map((e) => e.name)).toContain('1: sigmoid');
  });

  it('is empty for a file with nothing to list', () => {
    expect(outlineOf('# just a comment\n')).toBeNull();
    expect(outlineOf('')).toBeNull();
  });

  it(`lists at most ${MAX_OUTLINE_ENTRIES} statements of a huge file, then one entry spanning the rest`, () => {
    const n = MAX_OUTLINE_ENTRIES + 1234;
    const text = `network Huge\ninput 8x8x1\n${'relu\n'.repeat(n)}dense units=2\nsoftmax\n`;
    const o = outlineOf(text)!;
    expect(o.detail).toBe(`${n + 2} layers`);
    expect(o.entries).toHaveLength(MAX_OUTLINE_ENTRIES + 1);
    const more = o.entries.at(-1)!;
    // input + 4,999 relus are listed: 1,235 relus, dense and softmax are not.
    expect(more).toMatchObject({ kind: 'more', name: '… 1,237 more', detail: 'the outline lists the first 5,000 statements' });
    expect(text.slice(more.offset, more.offset + more.length)).toBe(`${'relu\n'.repeat(1235)}dense units=2\nsoftmax`);
  });

  it('honours a smaller limit', () => {
    const o = outlineOf(lecture, 3)!;
    expect(o.entries.map((e) => e.name.split(':')[0])).toEqual(['input', 'classes', '0', '… 9 more']);
  });

  it('shows a branch: `from` starts a group of the layers up to the merge, with the shape it starts from', () => {
    const o = outlineOf(RESBLOCK)!;
    const names = o.entries.map((e) => e.name);
    expect(names).toEqual([
      'input',
      '0: conv 16 filters 3×3, pad 1',
      '1: batch norm',
      '2: stem: relu',
      '3: conv 32 filters 3×3, stride 2, pad 1',
      '4: batch norm',
      '5: relu',
      '6: conv 32 filters 3×3, pad 1',
      '7: main: batch norm',
      'from stem',
      '10: add main',
      '11: relu',
      '12: global avg pool',
      '13: dense 10 units (flattens)',
      '14: softmax',
    ]);
    const branch = o.entries[9]!;
    expect(branch).toMatchObject({ kind: 'branch', detail: '32×32×16 →' });
    expect(branch.children!.map((c) => [c.name, c.detail])).toEqual([
      ['8: conv 32 filters 1×1, stride 2', '→ 16×16×32'],
      ['9: batch norm', '→ 16×16×32'],
    ]);
    // The group spans from `from` to its last layer, and selects the `from` keyword.
    expect(RESBLOCK.slice(branch.offset, branch.offset + branch.length)).toBe('from stem\nconv filters=32 size=1 stride=2\nbatchnorm');
    expect(RESBLOCK.slice(branch.selOffset, branch.selOffset + branch.selLength)).toBe('from');
    expect(o.entries[10]).toMatchObject({ kind: 'layer', detail: '→ 16×16×32' });
  });

  it('puts each `from` in a group of its own, and a merge back at the top', () => {
    const o = outlineOf(INCEPTION)!;
    expect(o.entries.map((e) => [e.name, e.children?.map((c) => c.name) ?? null])).toEqual([
      ['input', null],
      ['0: x: conv 8 filters 3×3, pad 1', null],
      ['1: a: conv 4 filters 1×1', null],
      ['from x', ['2: conv 4 filters 1×1', '3: b: conv 6 filters 3×3, pad 1']],
      ['from x', ['4: max pool 3×3, stride 1, pad 1']],
      ['5: concat a b', null],
      ['6: dense 3 units (flattens)', null],
      ['7: softmax', null],
    ]);
    expect(o.entries[5]!.detail).toBe('→ 16×16×18');
  });

  it('ends a group at a setting, shows a label on the input, and a `from` with an unknown name', () => {
    const o = outlineOf('img: input 8x8x1\nfrom nope\nrelu\ntrain epochs=1\n')!;
    expect(o.entries.map((e) => [e.name, e.detail, e.children?.length ?? null])).toEqual([
      ['img: input', '8×8×1', null],
      ['from nope', '? →', 1],
      ['train', 'epochs=1', null],
    ]);
  });

  it('counts the layers inside branches towards the limit', () => {
    const o = outlineOf(INCEPTION, 5)!;
    expect(o.entries.map((e) => [e.name, e.children?.length ?? null])).toEqual([
      ['input', null],
      ['0: x: conv 8 filters 3×3, pad 1', null],
      ['1: a: conv 4 filters 1×1', null],
      ['from x', 1],
      ['… 6 more', null],
    ]);
  });
});
