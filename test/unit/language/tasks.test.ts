// The medical tasks of the language (spec: Version 2 → Tasks): the `augment` statement, `train class_weights=`
// and the multi-label ending (dense units=L + sigmoid), each error with its quick fix, and what the model spec,
// the summary and its JSON say.

import { describe, expect, it } from 'vitest';
import { applyEdits, check, type CheckResult, type Code, describeAugment, LineIndex, summaryJson, summaryTable, taskPhrase, toModelSpec } from '../../../src/language';

/** The diagnostics with their 1-based line and the text they point at. */
function found(r: CheckResult, code?: Code) {
  const lines = new LineIndex(r.text);
  return r.diagnostics
    .filter((d) => (code ? d.code === code : d.severity !== 'hint'))
    .map((d) => ({ ...d, line: lines.positionAt(d.offset).line + 1, text: r.text.slice(d.offset, d.offset + d.length) }));
}

/** The one diagnostic of the file that is not a hint (I201). */
function only(text: string) {
  const r = check(text);
  const all = found(r);
  expect(all.map((d) => `${d.code} ${d.text}: ${d.message}`)).toHaveLength(1);
  return { r, d: all[0]! };
}

/** The text after applying the fix with this title. */
function fixed(r: CheckResult, d: { fixes: { title: string; edits: { offset: number; length: number; newText: string }[] }[] }, title: string): string {
  const fix = d.fixes.find((f) => f.title === title);
  expect(fix, `fixes: ${d.fixes.map((f) => f.title).join(' | ')}`).toBeDefined();
  return applyEdits(r.text, fix!.edits);
}

// ChestMNIST in small: 14 findings per image.
const CHEST = `network Chest
input 28x28x1
conv filters=8 size=3 pad=1
relu
pool size=2
dense units=14
sigmoid
data shapes samples=30
`;
const LECTURE = `network Lecture
input 32x32x3
classes door stair sign
conv filters=6 size=5
relu
pool size=2
dense units=3
softmax
data shapes samples=30
`;

describe('augment', () => {
  it('reads the spec\'s example settings into the model spec', () => {
    const r = check(`${CHEST}augment flip=horizontal rotate=10 shift=2 zoom=0.9-1.1 brightness=0.1 contrast=0.1\n`);
    expect(found(r)).toEqual([]);
    expect(toModelSpec(r)!.augment).toEqual({ flip: 'horizontal', rotate: 10, shift: 2, zoom: [0.9, 1.1], brightness: 0.1, contrast: 0.1, line: 8 });
  });

  it('fills the settings not given with their off values; no augment line is null', () => {
    expect(toModelSpec(check(`${CHEST}augment flip=both\n`))!.augment).toEqual({ flip: 'both', rotate: 0, shift: 0, zoom: null, brightness: 0, contrast: 0, line: 8 });
    expect(toModelSpec(check(`${CHEST}augment flip=vertical zoom=1.2-1.2 rotate=180 shift=14\n`))!.augment).toMatchObject({ flip: 'vertical', zoom: [1.2, 1.2], rotate: 180, shift: 14 });
    expect(toModelSpec(check(CHEST))!.augment).toBeNull();
    // An en dash reads as the hyphen does.
    expect(toModelSpec(check(`${CHEST}augment zoom=0.8–1.25\n`))!.augment!.zoom).toEqual([0.8, 1.25]);
  });

  it('rotate=720: E003 on the value with the range 0–180 and why, and a fix to 180', () => {
    const { r, d } = only(`${CHEST}augment rotate=720\n`);
    expect([d.code, d.line, d.text]).toEqual(['E003', 9, '720']);
    expect(d.message).toContain('from 0 to 180 degrees, not 720');
    expect(d.message).toContain('±180° already reaches every angle');
    expect(fixed(r, d, 'Change to rotate=180')).toContain('augment rotate=180\n');
  });

  it('a negative rotation is the same range: the fix keeps its size', () => {
    const { r, d } = only(`${CHEST}augment rotate=-15\n`);
    expect(d.text).toBe('-15');
    expect(fixed(r, d, 'Change to rotate=15 (±15°)')).toContain('augment rotate=15\n');
  });

  it('zoom with the low end above the high end: E003, fixed by swapping them', () => {
    const { r, d } = only(`${CHEST}augment zoom=1.1-0.9\n`);
    expect([d.code, d.text]).toEqual(['E003', '1.1-0.9']);
    expect(d.message).toContain('1.1 is larger than 0.9');
    expect(fixed(r, d, 'Change to zoom=0.9-1.1')).toContain('augment zoom=0.9-1.1\n');
  });

  it('zoom factors of 0 or less, or one number: E003; one number below 1 is offered as ±', () => {
    expect(only(`${CHEST}augment zoom=0-1.1\n`).d.message).toContain('greater than 0, not 0-1.1');
    expect(only(`${CHEST}augment zoom=-0.5-1\n`).d.message).toContain('greater than 0');
    expect(only(`${CHEST}augment zoom=0.5-20\n`).d.message).toContain('at most 10');
    const { r, d } = only(`${CHEST}augment zoom=0.2\n`);
    expect(d.message).toContain('takes a range LOW-HIGH');
    expect(fixed(r, d, 'Change to zoom=0.8-1.2')).toContain('augment zoom=0.8-1.2\n');
    expect(only(`${CHEST}augment zoom=big\n`).d.fixes).toEqual([]);
  });

  it('shift larger than half the input: E003 naming the input and the largest shift, fixed to it', () => {
    const { r, d } = only(`${CHEST}augment shift=15\n`);
    expect([d.code, d.text]).toEqual(['E003', '15']);
    expect(d.message).toContain('more than half of the 28×28 input (14)');
    expect(fixed(r, d, 'Change to shift=14')).toContain('augment shift=14\n');
    // Half of the smaller side of a rectangle; the input may come after the augment line.
    expect(only(`augment shift=6\n${CHEST.replace('28x28x1', '40x10x1')}`).d.message).toContain('40×10 input (5)');
    expect(found(check(`${CHEST}augment shift=14\n`))).toEqual([]);
    expect(only(`${CHEST}augment shift=1.5\n`).d.message).toContain('whole number');
  });

  it('brightness and contrast outside [0, 1): E003 saying why', () => {
    const b = only(`${CHEST}augment brightness=1\n`).d;
    expect([b.code, b.text]).toEqual(['E003', '1']);
    expect(b.message).toContain('at least 0 and less than 1, not 1: the factor is uniform in [1 − b, 1 + b]');
    expect(only(`${CHEST}augment contrast=-0.1\n`).d.message).toContain('contrast must be at least 0 and less than 1, not -0.1');
  });

  it('a flip that is not horizontal, vertical or both: E003 with the nearest as a fix', () => {
    const { r, d } = only(`${CHEST}augment flip=horizontl\n`);
    expect(d.message).toContain("one of horizontal, vertical, both, not 'horizontl'");
    expect(d.message).toContain("Did you mean 'horizontal'?");
    expect(fixed(r, d, "Change to 'horizontal'")).toContain('augment flip=horizontal\n');
  });

  it('an unknown setting: E002 with the nearest as a fix', () => {
    const { r, d } = only(`${CHEST}augment rotation=10\n`);
    expect([d.code, d.text]).toEqual(['E002', 'rotation']);
    expect(d.message).toContain('It takes: flip, rotate, shift, zoom, brightness, contrast.');
    expect(fixed(r, d, "Change to 'rotate'")).toContain('augment rotate=10\n');
  });

  it('a setting given twice: E005 on the second, fixed by removing it', () => {
    const { r, d } = only(`${CHEST}augment rotate=10 rotate=20\n`);
    expect([d.code, d.text]).toEqual(['E005', 'rotate=20']);
    expect(fixed(r, d, "Remove the second 'rotate'")).toContain('augment rotate=10\n');
  });

  it('augment twice: E005 on the second line, with a fix that moves its settings onto the first', () => {
    const { r, d } = only(`${CHEST}augment flip=horizontal rotate=5\naugment rotate=10 zoom=0.9-1.1\n`);
    expect([d.code, d.line, d.text]).toEqual(['E005', 10, 'augment']);
    expect(d.message).toContain('first on line 9');
    expect(d.fixes[0]!.preferred).toBe(true);
    expect(fixed(r, d, 'Move zoom=0.9-1.1 to line 9')).toBe(`${CHEST}augment flip=horizontal rotate=5 zoom=0.9-1.1\n`);
    expect(fixed(r, d, 'Remove this line')).toBe(`${CHEST}augment flip=horizontal rotate=5\n`);
  });

  it('augment with no settings, or a bare value: an error that says what it takes', () => {
    expect(only(`${CHEST}augment\n`).d.code).toBe('E004');
    expect(only(`${CHEST}augment horizontal\n`).d.message).toContain("Unexpected value 'horizontal' for augment");
    // A label is for layers only.
    expect(only(`${CHEST}aug: augment flip=both\n`).d.code).toBe('E003');
  });

  it('describes what it does to each training image, for the hover', () => {
    const a = toModelSpec(check(`${CHEST}augment flip=horizontal rotate=10 shift=2 zoom=0.9-1.1 brightness=0.1\n`))!.augment!;
    expect(describeAugment(a)).toBe(
      'Each training image is mirrored left-right with probability ½, turned by a random angle in ±10°, moved by up to ±2 pixels along each side, scaled by a random factor in 0.9–1.1× and brightness multiplied by a factor in 0.9–1.1, drawn anew for every batch. Validation, test and prediction see the images as they are; train seed= fixes the random draws, so a run repeats exactly.',
    );
    expect(describeAugment({ ...a, flip: 'none', rotate: 0, shift: 0, zoom: null, brightness: 0 })).toContain('stay as they are');
  });
});

describe('train class_weights', () => {
  it('balanced, or one weight per class, into the train spec; none is null', () => {
    expect(toModelSpec(check(`${LECTURE}train class_weights=balanced\n`))!.train.classWeights).toBe('balanced');
    expect(toModelSpec(check(`${LECTURE}train class_weights=1,3,2.5\n`))!.train.classWeights).toEqual([1, 3, 2.5]);
    expect(toModelSpec(check(`${LECTURE}train epochs=2\n`))!.train.classWeights).toBeNull();
    // Multi-label: one positive weight per label.
    const weights = Array.from({ length: 14 }, (_, i) => i + 1).join(',');
    expect(toModelSpec(check(`${CHEST}train class_weights=${weights}\n`))!.train.classWeights).toHaveLength(14);
  });

  it('a list with the wrong count: E003 on the list naming both counts, fixed by balanced or by padding', () => {
    const { r, d } = only(`${LECTURE}train class_weights=1,2\n`);
    expect([d.code, d.line, d.text]).toEqual(['E003', 10, '1,2']);
    expect(d.message).toContain('class_weights gives 2 weights, but the network has 3 classes: the last dense layer (line 7) has units=3');
    expect(d.message).toContain('in order (door, stair, sign)');
    expect(fixed(r, d, "Change to class_weights=balanced (from the training split's counts)")).toContain('train class_weights=balanced\n');
    expect(fixed(r, d, 'Change to class_weights=1,2,1 (weight 1 for the missing class)')).toContain('train class_weights=1,2,1\n');
  });

  it('too many weights for a multi-label network: it counts labels, and the fix keeps the first ones', () => {
    const { r, d } = only(`${CHEST.replace('units=14', 'units=2')}train class_weights=1,2,3\n`);
    expect(d.message).toContain('class_weights gives 3 weights, but the network has 2 labels');
    expect(fixed(r, d, 'Keep the first 2 weights (1,2)')).toContain('train class_weights=1,2\n');
  });

  it('a weight of 0, a negative or a non-number: E003 on that weight', () => {
    const zero = only(`${LECTURE}train class_weights=1,0,2\n`).d;
    expect([zero.code, zero.text]).toEqual(['E003', '0']);
    expect(zero.message).toContain('greater than 0, not 0: a weight of 0 would make the network ignore that class');
    expect(only(`${LECTURE}train class_weights=1,-2,2\n`).d.text).toBe('-2');
    expect(only(`${LECTURE}train class_weights=1,x,2\n`).d.message).toContain("'x' is not a number");
    expect(only(`${LECTURE}train class_weights=1,2,1e999\n`).d.text).toBe('1e999');
    expect(only(`${LECTURE}train class_weights=1,,2\n`).d.message).toContain('empty weight');
  });

  it('a misspelt balanced: E003 with the fix', () => {
    const { r, d } = only(`${LECTURE}train class_weights=balance\n`);
    expect(fixed(r, d, "Change to 'balanced'")).toContain('class_weights=balanced\n');
  });

  it('a list written with spaces: one error for the list, fixed by joining it', () => {
    const { r, d } = only(`${LECTURE}train class_weights=1, 3, 2 epochs=2\n`);
    expect(d.text).toBe('1, 3, 2');
    expect(d.message).toContain('without spaces: class_weights=1,3,2');
    const text = fixed(r, d, 'Change to class_weights=1,3,2');
    expect(text).toContain('train class_weights=1,3,2 epochs=2\n');
    expect(found(check(text))).toEqual([]);
  });
});

describe('the task', () => {
  it('dense units=L + sigmoid is multi-label with no warning; softmax is single label', () => {
    const multi = check(CHEST);
    expect(found(multi)).toEqual([]);
    expect(multi.task).toBe('multilabel');
    expect(toModelSpec(multi)!.task).toBe('multilabel');
    expect(toModelSpec(multi)!.classes).toHaveLength(14);
    expect(check(LECTURE).task).toBe('single');
  });

  it('a sigmoid ending without a dense layer right before it: W103 saying what a multi-label ending is', () => {
    const d = only('input 8x8x1\nconv filters=2 size=3\nsigmoid\n').d;
    expect([d.code, d.line, d.text]).toEqual(['W103', 3, 'sigmoid']);
    expect(d.message).toContain("ends in dense units=L and sigmoid (one probability per label), but this sigmoid follows 'conv' on line 2");
    expect(only('input 8x8x1\nclasses a b\ndense units=2\ndropout\nsigmoid\n').d.message).toContain('Add dense units=2 right before it.');
    expect(only('input 8x8x1\nsigmoid\n').d.message).toContain('is the only layer');
  });

  it('classes names the labels: a count that differs is E031 in labels', () => {
    const r = check(CHEST.replace('input 28x28x1', 'input 28x28x1\nclasses a b c'));
    const e = found(r, 'E031');
    expect(e).toHaveLength(2);
    expect(e[0]!.message).toContain('There are 3 labels but the last dense layer (line 7) has 14 units');
  });

  it('the summary: the sigmoid row says multi-label, L labels; --json gains task', () => {
    const r = check(CHEST);
    expect(summaryTable(r)).toMatch(/4: sigmoid \(multi-label, 14 labels\) +7 +14/);
    expect(summaryJson(r).task).toBe('multilabel');
    expect(summaryJson(check(LECTURE)).task).toBe('single');
    expect(summaryTable(check(LECTURE))).not.toContain('label');
    expect(taskPhrase('multilabel', r.layers)).toBe('multi-label, 14 labels');
    expect(taskPhrase('single', check(LECTURE).layers)).toBe('single label, 3 classes');
  });
});

describe('dense activation=sigmoid at the end', () => {
  it('W103: it is not a multi-label ending; the fix makes sigmoid the last layer', () => {
    const { r, d } = only('input 8x8x1\nclasses a b c\ndense units=3 activation=sigmoid\n');
    expect([d.code, d.line, d.text]).toEqual(['W103', 3, 'activation=sigmoid']);
    expect(d.message).toContain('make sigmoid its own last layer (dense units=3, then sigmoid)');
    const text = fixed(r, d, 'Make sigmoid the last layer (multi-label)');
    expect(text).toBe('input 8x8x1\nclasses a b c\ndense units=3\nsigmoid\n');
    expect(found(check(text))).toEqual([]);
    expect(check(text).task).toBe('multilabel');
    // Inside the network, or before a softmax, it is only an activation.
    expect(found(check('input 8x8x1\ndense units=8 activation=sigmoid\ndense units=3\nsoftmax\n'))).toEqual([]);
  });
});
