// W105: a classes line over a `data folder` whose names are not the class folders' (language/classFolders.ts).

import { describe, expect, it } from 'vitest';
import { applyEdits, check, type CheckHost } from '../../../src/language';
import { folderNamesMismatch } from '../../../src/language/classNames';

const file = (classes: string, data = 'data folder scans') => `input 8x8x1\nclasses ${classes}\ndense units=2\nsoftmax\n${data}\n`;
/** A host whose data folder holds the class folders `folders` (already in label order). */
const host = (folders: string[] | null | undefined): CheckHost => ({ stat: () => 'dir', dataClasses: (d) => (d.kind === 'folder' ? folders : null) });
const w105 = (text: string, folders: string[] | null | undefined) => check(text, host(folders)).diagnostics.filter((d) => d.code === 'W105');

describe('W105: class names that are not the class folders', () => {
  it('says which folder trains as which class, on the names, with the folder names as the preferred fix', () => {
    const text = file('pneumonia normal');
    const [d, ...more] = w105(text, ['NORMAL', 'PNEUMONIA']);
    expect(more).toEqual([]);
    expect(d!.severity).toBe('warning');
    expect(text.slice(d!.offset, d!.offset + d!.length)).toBe('pneumonia normal');
    expect(d!.message).toContain("The images in NORMAL/ would train as 'pneumonia', those in PNEUMONIA/ as 'normal': ");
    expect(d!.message).toContain('apart from capitals, but not in their order');
    expect(d!.fixes).toHaveLength(1);
    expect(d!.fixes[0]!.preferred).toBe(true);
    const fixed = applyEdits(text, d!.fixes[0]!.edits);
    expect(fixed).toContain('classes NORMAL PNEUMONIA\n');
    expect(w105(fixed, ['NORMAL', 'PNEUMONIA'])).toEqual([]);
  });

  it('stays quiet for the folder names in any order, capitals in the same order, another count, no folder answer, other data', () => {
    expect(w105(file('PNEUMONIA NORMAL'), ['NORMAL', 'PNEUMONIA'])).toEqual([]);
    expect(w105(file('normal pneumonia'), ['NORMAL', 'PNEUMONIA'])).toEqual([]);
    expect(w105(file('a b'), ['x', 'y', 'z'])).toEqual([]);
    expect(w105(file('a b'), null)).toEqual([]);
    expect(w105(file('a b'), undefined)).toEqual([]);
    expect(w105(file('a b', 'data shapes'), ['x', 'y'])).toEqual([]);
    // No classes line: the folders name the classes themselves.
    expect(check('input 8x8x1\ndense units=2\nsoftmax\ndata folder scans\n', host(['x', 'y'])).diagnostics.filter((d) => d.code === 'W105')).toEqual([]);
  });

  it('quotes folder names that are not one plain word, and offers no fix for names a classes line cannot hold', () => {
    const text = file('a b');
    const [d] = w105(text, ['left lung', 'say "hi"']);
    const fixed = applyEdits(text, d!.fixes[0]!.edits);
    expect(fixed).toContain('classes "left lung" "say \\"hi\\""\n');
    // Read back, the line names exactly the folders: no warning any more.
    expect(w105(fixed, ['left lung', 'say "hi"'])).toEqual([]);
    const [odd] = w105(text, ['ok', 'bell\u0007']);
    expect(odd!.fixes).toEqual([]);
  });

  it('lists five pairs, then counts the rest', () => {
    const folders = Array.from({ length: 8 }, (_, k) => `f${k}`);
    const classes = Array.from({ length: 8 }, (_, k) => `c${k}`);
    const m = folderNamesMismatch(classes, folders)!;
    expect(m).toContain("those in f4/ as 'c4', … (3 more)");
    expect(m).not.toContain('f5/');
    expect(m).toContain('Name the classes after the folders');
  });
});
