// Quick fixes that serve what the student meant (issue 12): E031 at both ends, E032 moves the softmax, I202 adds
// the missing data line, and I201 is a hint rather than a problem.

import { describe, expect, it } from 'vitest';
import { applyEdits, check, type CheckResult, type Code, CODES, LineIndex } from '../../../src/language';

function diagnosticsOf(r: CheckResult, code: Code) {
  const lines = new LineIndex(r.text);
  return r.diagnostics
    .filter((d) => d.code === code)
    .map((d) => ({ ...d, line: lines.positionAt(d.offset).line + 1, text: r.text.slice(d.offset, d.offset + d.length) }));
}

const LECTURE = `network Lecture
input 32x32x3
classes door stair sign
conv filters=6 size=5
relu
pool size=2
dense units=10
softmax
data shapes
train epochs=1
`;

describe('E031: classes and units, reported and fixed at both ends', () => {
  const r = check(LECTURE);
  const both = diagnosticsOf(r, 'E031');

  it('is reported on the classes line and on units=10, where the mistake was typed', () => {
    expect(both.map((d) => [d.line, d.text])).toEqual([
      [3, 'classes door stair sign'],
      [7, 'units=10'],
    ]);
    expect(both[1]!.message).toContain('3 classes on line 3, not 10');
  });

  it('offers units=3 (preferred) and a classes line with 10 names at both ends', () => {
    for (const d of both) {
      expect(d.fixes.map((f) => [f.title, f.preferred ?? false])).toEqual([
        ['Change to units=3', true],
        ['List 10 classes (add class4 … class10)', false],
      ]);
      for (const f of d.fixes) expect(check(applyEdits(LECTURE, f.edits)).diagnostics.map((x) => x.code)).not.toContain('E031');
    }
    expect(applyEdits(LECTURE, both[0]!.fixes[1]!.edits)).toContain('classes door stair sign class4 class5 class6 class7 class8 class9 class10\n');
  });

  it('with more classes than units, keeps the first ones', () => {
    const text = LECTURE.replace('units=10', 'units=2');
    const [d] = diagnosticsOf(check(text), 'E031');
    expect(d!.fixes.map((f) => f.title)).toEqual(['Change to units=3', 'Keep the first 2 classes (remove sign)']);
    expect(applyEdits(text, d!.fixes[1]!.edits)).toContain('classes door stair\n');
  });
});

describe('E032: a softmax before other layers moves to the end', () => {
  it('offers "move it to the end" first, then removing it', () => {
    const text = LECTURE.replace('units=10', 'units=3').replace('relu\npool size=2\ndense units=3\nsoftmax\n', 'relu\nsoftmax\npool size=2\ndense units=3\n');
    const [d] = diagnosticsOf(check(text), 'E032');
    expect(d!.fixes.map((f) => [f.title, f.preferred ?? false])).toEqual([
      ['Move softmax to the end (after line 8)', true],
      ['Remove this softmax', false],
    ]);
    const moved = applyEdits(text, d!.fixes[0]!.edits);
    expect(moved).toBe(LECTURE.replace('units=10', 'units=3'));
    expect(check(moved).hasErrors).toBe(false);
  });

  it('moves it after a last line without a line break', () => {
    const text = 'input 8x8x1\nsoftmax\ndense units=3';
    const [d] = diagnosticsOf(check(text), 'E032');
    expect(applyEdits(text, d!.fixes[0]!.edits)).toBe('input 8x8x1\ndense units=3\nsoftmax');
  });

  it('when the network already ends in a softmax, removing this one is the fix', () => {
    const [d] = diagnosticsOf(check('input 8x8x1\nsoftmax\ndense units=3\nsoftmax\n'), 'E032');
    expect(d!.fixes.map((f) => f.title)).toEqual(['Remove this softmax (the network already ends in one)']);
    expect(d!.message).toContain('the softmax on line 4 already ends the network');
    expect(d!.message).not.toContain('Move it to the end');
  });

  it('names the layer right after the softmax, not the last line of the network', () => {
    // Typed in the first hour: softmax after the first relu, with the rest of the network below it.
    const text = 'input 32x32x3\nconv filters=6 size=3\nrelu\nsoftmax\npool size=2\nconv filters=8 size=3\ndense units=3\n';
    const [d] = diagnosticsOf(check(text), 'E032');
    expect(d!.message).toContain("but 'pool' on line 5 comes after it. Move it to the end.");
  });
});

describe('I202: no data line in a file meant to be trained', () => {
  it('a commented-out data line: information on train, add data shapes before it or uncomment', () => {
    const text = LECTURE.replace('data shapes\n', '# data shapes samples=300\n');
    const [d] = diagnosticsOf(check(text), 'I202');
    expect(d).toMatchObject({ severity: 'information', line: 10, text: 'train' });
    expect(CODES.I202.severity).toBe('information');
    expect(d!.message).toContain('line 9 is commented out');
    expect(d!.fixes.map((f) => [f.title, f.preferred ?? false])).toEqual([
      ["Add 'data shapes' (built-in pictures, no files needed) before train", true],
      ['Uncomment line 9 (data shapes samples=300)', false],
    ]);
    expect(applyEdits(text, d!.fixes[0]!.edits)).toContain('# data shapes samples=300\ndata shapes\ntrain epochs=1\n');
    expect(applyEdits(text, d!.fixes[1]!.edits)).toContain('\ndata shapes samples=300\ntrain epochs=1\n');
    for (const f of d!.fixes) expect(check(applyEdits(text, f.edits)).diagnostics.map((x) => x.code)).not.toContain('I202');
  });

  it('no train line but a commented data line: on the comment, data shapes added at the end', () => {
    const text = 'input 8x8x1\ndense units=3\n  # data idx mnist';
    const [d] = diagnosticsOf(check(text), 'I202');
    expect(d).toMatchObject({ line: 3, text: '# data idx mnist' });
    expect(applyEdits(text, d!.fixes[0]!.edits)).toBe(`${text}\ndata shapes\n`);
    expect(applyEdits(text, d!.fixes[1]!.edits)).toBe('input 8x8x1\ndense units=3\n  data idx mnist');
  });

  it('a file that only works out shapes (no train, no data line) stays quiet', () => {
    expect(diagnosticsOf(check('input 8x8x1\ndense units=3\n'), 'I202')).toEqual([]);
    expect(diagnosticsOf(check('input 8x8x1\ndense units=3\n# a comment about data\ntrain\n'), 'I202')).toHaveLength(1);
    expect(diagnosticsOf(check(LECTURE), 'I202')).toEqual([]);
  });
});

describe('I201 is a hint, so a clean file leaves the Problems panel empty', () => {
  it('the lecture network has no error, warning or information', () => {
    const r = check(LECTURE.replace('units=10', 'units=3'));
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([['I201', 'hint']]);
  });
});
