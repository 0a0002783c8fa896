// The language's other pieces: summary totals, the formatter, quick fixes applied as edits, and odd input.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyEdits,
  check,
  type CheckResult,
  type Code,
  format,
  formatEdits,
  LineIndex,
  parse,
  summarize,
  summaryJson,
  summaryTable,
  toModelSpec,
} from '../../../src/language';

const lecture = readFileSync(resolve(__dirname, '../../../examples/lecture.cnn'), 'utf8');

const codes = (r: CheckResult) => r.diagnostics.map((d) => d.code);
const at = (r: CheckResult, code: Code) => r.diagnostics.find((d) => d.code === code)!;
const spanText = (r: CheckResult, code: Code) => {
  const d = at(r, code);
  return r.text.slice(d.offset, d.offset + d.length);
};

describe('summary', () => {
  const r = check(lecture);
  const s = summarize(r);

  it('totals the parameters and multiply-adds of the lecture network', () => {
    // conv 448 + conv 4,640 + dense 6,147; MACs 442,368 + 1,179,648 + 6,144.
    expect(s.params).toBe(448 + 4640 + 6147);
    expect(s.macs).toBe(442_368 + 1_179_648 + 6_144);
    expect(s.incomplete).toBe(false);
    expect(s.name).toBe('DoorStairSign');
    expect(s.input).toEqual({ kind: 'volume', h: 32, w: 32, c: 3 });
  });

  it('counts float32 activation memory: the input plus every layer\'s output', () => {
    const values = 32 * 32 * 3 + 2 * (32 * 32 * 16) + 16 * 16 * 16 + 2 * (16 * 16 * 32) + 8 * 8 * 32 + 3 + 3;
    expect(s.activationBytes).toBe(values * 4);
  });

  it('summaryJson has one entry per layer with line, kind, inputs, output, params, macs and receptive field', () => {
    const j = summaryJson(r);
    expect(j.params).toBe(11_235);
    expect(j.macs).toBe(1_628_160);
    expect(j.layers.map((l) => l.kind)).toEqual(['conv', 'relu', 'pool', 'conv', 'relu', 'pool', 'dense', 'softmax']);
    expect(j.layers[0]).toEqual({ line: 7, kind: 'conv', inputs: [4], output: [32, 32, 16], params: 448, macs: 442_368, receptiveField: 3 });
    expect(j.layers[5]).toEqual({ line: 12, kind: 'pool', inputs: [11], output: [8, 8, 32], params: 0, macs: 0, receptiveField: 10 });
  });

  it('a rectangular receptive field is [height, width]; maxpool, avgpool and fc are named pool and dense', () => {
    const j = summaryJson(check('input 9x9x1\nconv filters=1 size=3x1\nmaxpool size=1x3 stride=1\nfc units=2\n'));
    expect(j.layers.map((l) => [l.kind, l.receptiveField])).toEqual([
      ['conv', [3, 1]], // 3 high, 1 wide
      ['pool', 3], // [3 + 0, 1 + 2·1] = [3, 3] is square again
      ['dense', 9],
    ]);
  });

  it('the table shows every layer with its figures and the totals', () => {
    const t = summaryTable(r);
    expect(t).toContain('Network: DoorStairSign');
    // The lecture's words, not `16@3`: conv 16 filters 3×3, pad 1.
    expect(t).toMatch(/0: conv 16 filters 3×3, pad 1 +7 +32×32×16 +448 +442,368 +3/);
    expect(t).toMatch(/2: max pool 2×2 +9 +16×16×16/);
    expect(t).toMatch(/6: dense 3 units \(flattens\) +13 +3 +6,147/);
    expect(t).toContain('Total params: 11,235');
    expect(t).toContain('Total MACs: 1,628,160');
    expect(t).not.toContain('at least');
  });

  it('with errors: unknown figures are ?, totals are lower bounds, the broken layer is marked', () => {
    const bad = check('input 5x5x1\nconv filters=2 size=7\nrelu\ndense units=3\n');
    const sum = summarize(bad);
    expect(sum.incomplete).toBe(true);
    // The filter does not fit (E021), but its weights are known: 2·(7·7·1 + 1) = 100 (never 0, never ?).
    expect(sum.params).toBe(100);
    const t = summaryTable(bad);
    expect(t).toMatch(/0: conv 2 filters 7×7 \(!\) +2 +\? +100 +\? +\?/);
    expect(t).toContain('(at least: some layers are unknown)');
    // The JSON lists only the layers whose output is known: here the dense layer (3 units).
    expect(summaryJson(bad).layers).toEqual([{ line: 4, kind: 'dense', inputs: [3], output: [3], params: null, macs: null, receptiveField: null }]);
  });

  it('toModelSpec builds the model only from a file without errors', () => {
    const m = toModelSpec(r)!;
    expect(m.classes).toEqual(['door', 'stair', 'sign']);
    expect(m.layers).toHaveLength(8);
    expect(m.train).toMatchObject({ epochs: 3, batch: 32, optimizer: 'adam', lr: 0.001, seed: 7 });
    expect(m.data).toMatchObject({ kind: 'shapes', samples: 3000 });
    expect(toModelSpec(check('input 7x7x1\nconv filters=1 size=3 stride=3\ndense units=3\n'))).toBeNull();
    // Without classes, the classes are 0…n−1.
    expect(toModelSpec(check('input 4x4x1\ndense units=3\n'))!.classes).toEqual(['0', '1', '2']);
  });
});

describe('formatter', () => {
  it('one space between tokens, none at the ends, one final line break', () => {
    expect(format('  input\t 8x8x1   \nconv   filters=2\tsize=3')).toBe('input 8x8x1\nconv filters=2 size=3\n');
  });

  it('aligns the comments of a run of consecutive commented lines, and only within the run', () => {
    const text = 'input 8x8x1 # in\nconv filters=2 size=3 # c\nrelu\ndense units=3   # d\n';
    expect(format(text)).toBe('input 8x8x1            # in\nconv filters=2 size=3  # c\nrelu\ndense units=3  # d\n');
  });

  it('keeps at most one blank line in a row, none at the start or the end', () => {
    expect(format('\n\ninput 8x8x1\n\n\n\n# note\n\n\ndense units=3\n\n\n')).toBe('input 8x8x1\n\n# note\n\ndense units=3\n');
  });

  it('keeps CRLF line breaks', () => {
    expect(format('input  8x8x1\r\ndense units=3')).toBe('input 8x8x1\r\ndense units=3\r\n');
  });

  it('leaves a line the scanner complained about exactly as it is', () => {
    const text = 'input   8x8x1\ndata  folder   "open\ndense   units=3\n';
    expect(format(text)).toBe('input 8x8x1\ndata  folder   "open\ndense units=3\n');
  });

  it('is a no-op on formatted text (no edits at all), and on the empty file', () => {
    expect(formatEdits('input 8x8x1\ndense units=3\n')).toEqual([]);
    expect(format('')).toBe('');
    expect(format('\n\n\n')).toBe('');
  });

  it('keeps tokens exactly as written, quoted strings with spaces included', () => {
    expect(format('data   folder  "my  data"  val=0.2')).toBe('data folder "my  data" val=0.2\n');
  });
});

describe('quick fixes, applied with applyEdits, make the error go away', () => {
  /** Apply every fix of the first diagnostic with `code`; each must remove that code from the file. */
  function fixesOf(text: string, code: Code): { title: string; text: string; after: CheckResult; preferred?: boolean }[] {
    const r = check(text);
    const d = at(r, code);
    expect(d, `${code} in ${JSON.stringify(text)}`).toBeDefined();
    expect(d.fixes.length).toBeGreaterThan(0);
    return d.fixes.map((f) => {
      const fixed = applyEdits(text, f.edits);
      const after = check(fixed);
      expect(codes(after), `${code} → ${f.title}`).not.toContain(code);
      return { title: f.title, text: fixed, after, ...(f.preferred ? { preferred: true } : {}) };
    });
  }

  it('E020 on a pool: pad=1 keeps it halving (nearest to the 3.5 it was written for), stride=1 fits too', () => {
    const fixes = fixesOf('input 7x7x1\npool size=2\ndense units=3\n', 'E020');
    expect(fixes.map((f) => f.title)).toEqual(['Change to pad=1 (gives 4×4)', 'Change to stride=1 (gives 6×6)']);
    expect(fixes.map((f) => f.preferred ?? false)).toEqual([true, false]);
    expect(fixes[0]!.text).toBe('input 7x7x1\npool size=2 pad=1\ndense units=3\n');
    expect(fixes[1]!.text).toBe('input 7x7x1\npool size=2 stride=1\ndense units=3\n');
    for (const f of fixes) expect(f.after.hasErrors).toBe(false);
    expect(fixes.map((f) => f.after.layers[0]!.output)).toEqual([
      { kind: 'volume', h: 4, w: 4, c: 1 },
      { kind: 'volume', h: 6, w: 6, c: 1 },
    ]);
  });

  it('E020 on a stride-2 conv: the padding that keeps the stride first, whose size PyTorch rounds down (only padding left over)', () => {
    // (32 − 3 + 2·0)/2 + 1 = 15.5; pad=1: (32 − 3 + 2)/2 + 1 = 16.5 → 16, its last window ends on the last pixel.
    const fixes = fixesOf('input 32x32x3\nconv filters=8 size=3 stride=2\ndense units=3\n', 'E020');
    expect(fixes.map((f) => f.title)).toEqual(['Change to pad=1 (gives 16×16)', 'Change to pad=2 (gives 17×17)', 'Change to stride=1 (gives 30×30)']);
    expect(fixes[0]!.preferred).toBe(true);
    for (const f of fixes) expect(f.after.hasErrors).toBe(false);
    expect(fixes[0]!.after.layers[0]!.output).toEqual({ kind: 'volume', h: 16, w: 16, c: 8 });
    // Stride 4 over a 3×3 filter with pad 1 (8.75): pad=2 is nearest (9×9) but keeps a stride larger than the
    // filter (W102, whose own fix the menu leaves to this list), so the strides that see every pixel come first.
    const text = 'input 32x32x3\nconv filters=8 size=3 stride=4 pad=1\ndense units=3\n';
    expect(fixesOf(text, 'E020').map((f) => f.title)).toEqual(['Change to stride=3 (gives 11×11)', 'Change to stride=2 (gives 16×16)', 'Change to pad=2 (gives 9×9)']);
    const w102 = check(text).diagnostics.find((d) => d.code === 'W102');
    expect(w102?.fixes).toEqual([]);
    // Without an E020 the W102 keeps its own fix.
    expect(fixesOf('input 32x32x3\nconv filters=8 size=3 stride=4 pad=2\ndense units=3\n', 'W102').map((f) => f.title)).toEqual(['Change to stride=3']);
  });

  it('E021: a padding or a smaller filter', () => {
    const fixes = fixesOf('input 5x5x1\nconv filters=1 size=7\ndense units=3\n', 'E021');
    // What a student means first: the padding that keeps the 5×5 map with this 7×7 filter, then the largest
    // ordinary (odd) size that leaves a real map; a 1×1 map only last.
    expect(fixes.map((f) => f.title)).toEqual(['Change to pad=3 (keeps 5×5)', 'Change to size=3 (gives 3×3)', 'Change to pad=1 (gives 1×1)']);
    expect(fixes.map((f) => f.preferred ?? false)).toEqual([true, false, false]);
    expect(fixes.map((f) => f.after.layers[0]!.output)).toEqual([
      { kind: 'volume', h: 5, w: 5, c: 1 },
      { kind: 'volume', h: 3, w: 3, c: 1 },
      { kind: 'volume', h: 1, w: 1, c: 1 },
    ]);
    for (const f of fixes) expect(f.after.hasErrors).toBe(false);
  });

  it('E021 typed in the first hour: every fix says the map it leaves, and none is offered twice', () => {
    // A 20×20 filter after pooling to 15×15: no padding keeps 15×15 with an even filter.
    const fixes = fixesOf('input 15x15x16\nconv filters=32 size=20\ndense units=3\n', 'E021');
    expect(fixes.map((f) => f.title)).toEqual(['Change to size=13 (gives 3×3)', 'Change to pad=3 (gives 2×2)', 'Change to pad=4 (gives 4×4)']);
    expect(fixes.map((f) => f.after.layers[0]!.output)).toEqual([
      { kind: 'volume', h: 3, w: 3, c: 32 },
      { kind: 'volume', h: 2, w: 2, c: 32 },
      { kind: 'volume', h: 4, w: 4, c: 32 },
    ]);
    // The odd 7×7 filter on 5×5: pad=3 keeps the size and is not offered again as another padding.
    const odd = fixesOf('input 5x5x1\nconv filters=1 size=7\ndense units=3\n', 'E021').map((f) => f.title.split(' (')[0]);
    expect(new Set(odd).size).toBe(odd.length);
  });

  it('E022 with stride 2: stride=1 keeps the size, or a number for pad keeps the stride', () => {
    const fixes = fixesOf('input 8x8x1\nconv filters=1 size=3 stride=2 pad=same\ndense units=3\n', 'E022');
    // Or keep the stride with a number for pad: pad=1 halves the map, as TensorFlow's 'same' does with stride 2.
    expect(fixes.map((f) => f.title)).toEqual(['Change to stride=1 (keeps the size with pad=same)', 'Change to pad=1', 'Change to pad=2']);
    for (const f of fixes) expect(f.after.hasErrors).toBe(false);
    expect(fixes.map((f) => f.after.layers[0]!.output)).toEqual([
      { kind: 'volume', h: 8, w: 8, c: 1 },
      { kind: 'volume', h: 4, w: 4, c: 1 },
      { kind: 'volume', h: 5, w: 5, c: 1 },
    ]);
  });

  it('E022 with an even filter: a number for pad, or an odd size', () => {
    const fixes = fixesOf('input 8x8x1\nconv filters=1 size=4 pad=same\ndense units=3\n', 'E022');
    expect(fixes.map((f) => f.title)).toEqual(['Change to pad=0', 'Change to pad=1', 'Change to pad=2', 'Change to size=5']);
    expect(fixes[3]!.text).toContain('conv filters=1 size=5 pad=same');
    for (const f of fixes) expect(f.after.hasErrors).toBe(false);
  });

  it('E001: the suggested keyword (a typo, and the wrong case)', () => {
    const [typo] = fixesOf('input 8x8x1\nconvv filters=1 size=3\ndense units=3\n', 'E001');
    expect(typo!.text).toBe('input 8x8x1\nconv filters=1 size=3\ndense units=3\n');
    expect(typo!.after.hasErrors).toBe(false);
    const [upper] = fixesOf('input 8x8x1\nDense units=3\n', 'E001');
    expect(upper!.text).toBe('input 8x8x1\ndense units=3\n');
    expect(check('input 8x8x1\nfoo\n').diagnostics.find((d) => d.code === 'E001')!.fixes).toEqual([]);
  });

  it('E002: the suggested parameter name', () => {
    const [f] = fixesOf('input 8x8x1\nconv filters=1 size=3 strde=1\ndense units=3\n', 'E002');
    expect(f!.text).toBe('input 8x8x1\nconv filters=1 size=3 stride=1\ndense units=3\n');
    expect(f!.after.hasErrors).toBe(false);
    const [g] = fixesOf('input 8x8x1\ndense unit=3\n', 'E002');
    expect(g!.text).toBe('input 8x8x1\ndense units=3\n');
  });

  it('E004 adds the missing parameter, E005 removes the second one, E031 sets the units', () => {
    expect(fixesOf('input 8x8x1\nconv size=3\ndense units=3\n', 'E004')[0]!.text).toBe('input 8x8x1\nconv size=3 filters=16\ndense units=3\n');
    expect(fixesOf('input 8x8x1\nconv filters=2 K=4 size=3\ndense units=3\n', 'E005')[0]!.text).toBe('input 8x8x1\nconv filters=2 size=3\ndense units=3\n');
    expect(fixesOf('input 8x8x1\nclasses a b\ndense units=3\n', 'E031')[0]!.text).toBe('input 8x8x1\nclasses a b\ndense units=2\n');
  });

  it('fix edits are plain data: offset, length and newText only', () => {
    const r = check('input 8x8x1\nconvv filters=1 size=3\nclasses a b\ndense unit=3 units=3\n');
    for (const d of r.diagnostics) for (const f of d.fixes) for (const e of f.edits) expect(Object.keys(e).sort()).toEqual(['length', 'newText', 'offset']);
  });
});

describe('bad input never throws', () => {
  it('the empty file: only E010, at 1:1 with an empty range', () => {
    const r = check('');
    expect(r.diagnostics.map((d) => [d.code, d.offset, d.length])).toEqual([['E010', 0, 0]]);
    expect(r.layers).toEqual([]);
    expect(summaryTable(r)).toContain('Total params: 0');
  });

  it('a 10 MB file: the check finishes with every layer read', () => {
    const copies = Math.ceil((10 * 1024 * 1024) / lecture.length);
    const text = lecture.repeat(copies);
    expect(text.length).toBeGreaterThanOrEqual(10 * 1024 * 1024);
    const r = check(text);
    expect(r.layers).toHaveLength(8 * copies);
    // Each copy after the first repeats network, input, classes, data and train.
    expect(r.diagnostics.filter((d) => d.code === 'E011')).toHaveLength(copies - 1);
    expect(r.diagnostics.filter((d) => d.code === 'E010')).toHaveLength(copies - 1);
    expect(r.hasErrors).toBe(true);
    expect(summarize(r).rows).toHaveLength(8 * copies);
  });

  it('a 100,000-character line: one long word, and thousands of arguments', () => {
    const word = `input 8x8x1\n${'a'.repeat(100_000)}\ndense units=3\n`;
    const r = check(word);
    expect(codes(r)).toEqual(['E001', 'I201']);
    expect(at(r, 'E001').length).toBe(100_000);

    const args = `input 8x8x1\nconv filters=1 size=3${' size=3'.repeat(16_663)}\ndense units=3\n`;
    expect(args.split('\n')[1]!.length).toBeGreaterThanOrEqual(100_000);
    const r2 = check(args);
    expect(r2.diagnostics.filter((d) => d.code === 'E005')).toHaveLength(16_663);
    expect(r2.layers[0]!.output).toEqual({ kind: 'volume', h: 6, w: 6, c: 1 });
    expect(format(args).split('\n')[1]).toBe(args.split('\n')[1]);
  });

  it('control characters are one E003 per run, on the run, and are otherwise ignored', () => {
    const text = 'input 8x8x1\u0001\nconv filters=2\u0000\u0007\u001b size=3\ndense units=3 # \u0002 in a comment is ignored\n';
    const r = check(text);
    const e003 = r.diagnostics.filter((d) => d.code === 'E003');
    expect(e003.map((d) => text.slice(d.offset, d.offset + d.length))).toEqual(['\u0001', '\u0000\u0007\u001b']);
    expect(e003[0]!.message).toContain('U+0001');
    expect(e003[1]!.message).toContain('U+0000');
    // The statements around them still read: the conv has both its arguments.
    expect(r.layers[0]!.output).toEqual({ kind: 'volume', h: 6, w: 6, c: 2 });
    expect(codes(r).filter((c) => c !== 'E003')).toEqual(['I201']);
  });

  it('U+FFFD (what undecodable bytes become) is E003; a BOM at the start is not part of the text', () => {
    const r = check('input 8x8x1\ndense units=3\ufffd\n');
    expect(r.diagnostics.some((d) => d.code === 'E003' && d.message.includes('not valid UTF-8'))).toBe(true);
    expect(check('\ufeffinput 8x8x1\ndense units=3\n').hasErrors).toBe(false);
  });

  it('1e400, 99999999999999999999 and 3.5 where a whole number belongs are E003 on the value', () => {
    const cases: [string, RegExp][] = [
      ['conv filters=1e400 size=3', /out of range/],
      ['conv filters=99999999999999999999 size=3', /too large/],
      ['conv filters=3.5 size=3', /whole number, not 3\.5\. Try 4/],
      ['conv filters=2 size=3.5', /whole number/],
      ['dense units=1e400', /out of range/],
      ['dropout rate=1e400', /not a finite number/],
    ];
    for (const [line, message] of cases) {
      const text = `input 8x8x1\n${line}\n`;
      const r = check(text);
      const e = r.diagnostics.filter((d) => d.code === 'E003');
      expect(e, line).toHaveLength(1);
      expect(e[0]!.message, line).toMatch(message);
      const value = line.match(/=(\S*(?:e400|9{20}|3\.5))/)![1]!;
      expect(text.slice(e[0]!.offset, e[0]!.offset + e[0]!.length), line).toBe(value);
    }
  });

  it('-0 is zero: an error where zero is too small, accepted where zero is allowed', () => {
    expect(check('input 8x8x1\nconv filters=-0 size=3\n').diagnostics.find((d) => d.code === 'E003')!.message).toContain('at least 1');
    const ok = check('input 8x8x1\nconv filters=1 size=3 pad=-0\ndense units=3\ndata shapes\ntrain seed=-0 weight_decay=-0\n');
    expect(codes(ok)).toEqual(['I201']);
    expect(ok.layers[0]!.spec).toMatchObject({ ph: 0, pw: 0 });
    expect(Object.is(ok.train.seed, 0)).toBe(true);
    expect(Object.is(ok.train.weightDecay, 0)).toBe(true);
  });

  it('the same numbers in a comment are ignored', () => {
    expect(codes(check('input 8x8x1 # 1e400 -0 99999999999999999999 3.5\ndense units=3\n'))).toEqual(['I201']);
  });

  it('huge sizes and strides end quickly, with suggestions that still fit', () => {
    // Searches for fitting strides and paddings are bounded: a size of 2^31 − 1 must not loop that far.
    const big = check('input 8x8x1\nconv filters=1 size=2147483647\npool size=2 stride=2147483646 pad=2147483647\ndense units=3\n');
    expect(codes(big)).toContain('E021');
    const far = check('input 1000000x1000000x1\nconv filters=1 size=3 stride=2147483647\ndense units=3\n');
    const e020 = at(far, 'E020');
    expect(e020.message).toContain('= 1.0004657 is not a whole number'); // not "1.0", which looks whole
    for (const f of e020.fixes) expect(codes(check(applyEdits(far.text, f.edits)))).not.toContain('E020');
  });

  it('line ends: LF, CRLF and lone CR all separate statements; positions agree with LineIndex', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = ['input 7x7x1', 'conv filters=1 size=3 stride=3', 'dense units=3'].join(eol);
      const r = check(text);
      const e = at(r, 'E020');
      expect(new LineIndex(text).positionAt(e.offset), JSON.stringify(eol)).toEqual({ line: 1, character: 22 });
      expect(spanText(r, 'E020')).toBe('stride=3');
      expect(parse(text).statements.map((s) => s.line)).toEqual([0, 1, 2]);
    }
  });
});
