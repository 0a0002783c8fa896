// Version 2 graphs in the language: labels in the parser and the formatter, the labels and references the
// editor reads, the projection and nearest-name quick fixes applied and re-checked, the model spec of a graph,
// and hostile inputs (cycles through from, names before their definition, wide merges, huge up-sampling) that
// must get a clear diagnostic, never a throw or a hang.

import { describe, expect, it } from 'vitest';
import { applyEdits, check, type CheckResult, type Code, findParam, format, LineIndex, parse, statementSchema, summaryJson, summaryTable, toModelSpec } from '../../../src/language';

const codes = (r: CheckResult) => r.diagnostics.map((d) => d.code);
const problems = (r: CheckResult) => r.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning');
function one(r: CheckResult, code: Code) {
  const found = r.diagnostics.filter((d) => d.code === code);
  expect(found, `${code} in ${JSON.stringify(codes(r))}`).toHaveLength(1);
  return found[0]!;
}
const lineOf = (r: CheckResult, offset: number) => new LineIndex(r.text).positionAt(offset).line + 1;

const WRONG_SHORTCUT = `network Res
input 32x32x3
conv filters=16 size=3 pad=1
batchnorm
stem: relu
conv filters=32 size=3 stride=2 pad=1
batchnorm
relu
conv filters=32 size=3 pad=1
batchnorm
add stem
relu
gap
dense units=3
softmax
`;

describe('labels in the parser', () => {
  it('reads `NAME: keyword` and `NAME:keyword`, with the label and keyword spans apart', () => {
    const text = 'stem: relu\nx:conv filters=2 size=3\n  y:   pool max\n';
    const [a, b, c] = parse(text).statements;
    expect([a!.label?.text, a!.keyword.text, a!.offset]).toEqual(['stem', 'relu', 0]);
    expect([b!.label?.text, b!.keyword.text, text.slice(b!.keyword.offset, b!.keyword.offset + b!.keyword.length)]).toEqual(['x', 'conv', 'conv']);
    expect(b!.args.map((x) => x.name?.text)).toEqual(['filters', 'size']);
    expect([c!.label?.text, c!.keyword.text, c!.args[0]!.value.text]).toEqual(['y', 'pool', 'max']);
    expect(parse(text).diagnostics).toEqual([]);
  });

  it('the formatter keeps labels, written `NAME: keyword`', () => {
    expect(format('stem:relu\n  main:    batchnorm   momentum=0.1\n')).toBe('stem: relu\nmain: batchnorm momentum=0.1\n');
  });

  it('a colon inside a value or a string is not a label', () => {
    const r = parse('data folder "C:/data"\n');
    expect(r.statements[0]!.label).toBeUndefined();
    expect(r.statements[0]!.keyword.text).toBe('data');
  });
});

describe('the schema: the new statements and parameters for completion and hover', () => {
  it('knows every new keyword and synonym, each with its documentation and an example that checks', () => {
    for (const [kw, canonical] of [['batchnorm', 'batchnorm'], ['bn', 'batchnorm'], ['gap', 'gap'], ['deconv', 'deconv'], ['convtranspose', 'deconv'], ['upsample', 'upsample'], ['add', 'add'], ['concat', 'concat'], ['from', 'from']]) {
      const s = statementSchema(kw!);
      expect(s?.keyword, kw).toBe(canonical);
      expect(s!.doc.length).toBeGreaterThan(40);
    }
    expect(statementSchema('from')!.layer).toBe(false);
    expect(statementSchema('add')!.names).toBe('many');
    expect(statementSchema('from')!.names).toBe('one');
    expect(findParam(statementSchema('conv')!, 'groups')?.doc).toContain('depthwise');
    expect(findParam(statementSchema('conv')!, 'dilation')?.kind).toBe('size');
    expect(findParam(statementSchema('deconv')!, 'outpad')?.doc).toContain('less than the stride');
    expect(statementSchema('pool')!.positionalValues).toContain('global');
    expect(statementSchema('upsample')!.positionalValues).toEqual(['nearest', 'bilinear']);
    // Each layer example checks without errors after an input and a label to name (add/concat need one).
    for (const kw of ['batchnorm', 'gap', 'deconv', 'upsample', 'add', 'concat']) {
      const ex = statementSchema(kw)!.example.replace(/\b(main|enc1)\b/, 'x');
      const r = check(`x: input 8x8x2\n${ex}\n`);
      expect(r.diagnostics.filter((d) => d.severity === 'error'), ex).toEqual([]);
    }
  });
});

describe('labels and references for the editor', () => {
  const r = check(WRONG_SHORTCUT.replace('add stem', 'add stem, stme'));

  it('lists each label with its span, line and layer', () => {
    expect(r.labels).toEqual([{ name: 'stem', offset: r.text.indexOf('stem:'), length: 4, line: 4, layer: 2 }]);
  });

  it('lists each use with its target, null when it does not resolve', () => {
    const at = r.text.indexOf('add stem') + 4;
    expect(r.references).toEqual([
      { name: 'stem', offset: at, length: 4, line: 10, target: 2 },
      { name: 'stme', offset: at + 6, length: 4, line: 10, target: null },
    ]);
    expect(r.layers[8]!.inputs).toEqual([7, 2]); // the add: the current flow (line 10), then stem
  });

  it('a label on input names the network input (-1)', () => {
    const g = check('x: input 8x8x1\nconv filters=2 size=3\nfrom x\nconv filters=2 size=3\nadd x\n');
    expect(g.labels).toEqual([{ name: 'x', offset: 0, length: 1, line: 0, layer: -1 }]);
    expect(g.references.map((x) => x.target)).toEqual([-1, -1]);
    expect(one(g, 'E050').message).toContain('8×8×1 from line 1 (\'x\', the input)');
  });
});

describe('E050: the projection shortcut, applied, gives a clean file', () => {
  const r = check(WRONG_SHORTCUT);
  const e = one(r, 'E050');

  it('lists every shape that meets and the line it comes from', () => {
    expect(e.message).toContain('16×16×32 from line 10 (batchnorm, the current flow)');
    expect(e.message).toContain("32×32×16 from line 5 ('stem', relu)");
    expect(r.text.slice(e.offset, e.offset + e.length)).toBe('stem');
    expect(codes(r).filter((c) => c.startsWith('E') || c.startsWith('W'))).toEqual(['E050']);
  });

  it('the preferred fix projects the shortcut with from stem + a 1×1 conv of stride 2, and labels the main path', () => {
    const fix = e.fixes[0]!;
    expect(fix.preferred).toBe(true);
    const fixed = applyEdits(r.text, fix.edits);
    expect(fixed).toContain('main: batchnorm\nfrom stem\nconv filters=32 size=1 stride=2\nadd main\n');
    const again = check(fixed);
    expect(problems(again)).toEqual([]);
    const add = again.layers.find((l) => l.spec.kind === 'add')!;
    expect(add.output).toEqual({ kind: 'volume', h: 16, w: 16, c: 32 });
  });

  it('a shortcut taken with from (the spec\'s order) gets the 1×1 conv right before the add', () => {
    const text = WRONG_SHORTCUT.replace('batchnorm\nadd stem', 'main: batchnorm\nfrom stem\nadd main');
    const r2 = check(text);
    const fix = one(r2, 'E050').fixes[0]!;
    const fixed = applyEdits(text, fix.edits);
    expect(fixed).toContain('from stem\nconv filters=32 size=1 stride=2\nadd main\n');
    expect(problems(check(fixed))).toEqual([]);
  });

  it('on residual blocks of every size, stride and width, the fix is offered and leaves a clean file', () => {
    let fixed = 0;
    for (const n of [7, 8, 15, 16, 32]) {
      for (const s of [1, 2, 3]) {
        for (const [c0, c1] of [[4, 8], [8, 4], [4, 4]] as const) {
          const text = `input ${n}x${n}x3\nstem: conv filters=${c0} size=3 pad=1\nconv filters=${c1} size=3 stride=${s} pad=1\nadd stem\ngap\ndense units=3\n`;
          const r = check(text);
          const e = r.diagnostics.find((d) => d.code === 'E050');
          if (!e) {
            // Only a block that keeps the shape, or one whose strided conv is already an error, has no E050.
            expect(s === 1 && c0 === c1 || codes(r).includes('E020'), text).toBe(true);
            continue;
          }
          expect(e.fixes, text).toHaveLength(1);
          expect(problems(check(applyEdits(text, e.fixes[0]!.edits))), text).toEqual([]);
          fixed++;
        }
      }
    }
    expect(fixed).toBeGreaterThan(25);
  });

  it('a label the fix would add is not one already written further down', () => {
    const text = WRONG_SHORTCUT.replace('gap\n', 'main: gap\n');
    const fix = one(check(text), 'E050').fixes[0]!;
    const fixed = applyEdits(text, fix.edits);
    expect(fixed).toContain('main2: batchnorm');
    expect(problems(check(fixed))).toEqual([]);
  });

  it('projects whichever side a 1×1 conv can bring to the other\'s shape, and offers nothing when none can', () => {
    const text = 'input 8x8x1\nsmall: conv filters=2 size=3 stride=2 pad=1\nfrom small\nupsample\nfrom small\nconv filters=3 size=1\nadd small\n';
    // current 4×4×3 vs small 4×4×2: same size, other channels → a 1×1 conv with stride 1 fixes it.
    const fixed = applyEdits(text, one(check(text), 'E050').fixes[0]!.edits);
    expect(codes(check(fixed))).not.toContain('E050');
    // current 8×8×2 (up-sampled) vs small 4×4×2: the current flow is projected with stride 2.
    const up = 'input 8x8x1\nsmall: conv filters=2 size=3 stride=2 pad=1\nupsample\nadd small\n';
    const upFix = one(check(up), 'E050').fixes[0]!;
    expect(upFix.title).toContain('conv filters=2 size=1 stride=2');
    expect(codes(check(applyEdits(up, upFix.edits)))).not.toContain('E050');
    // A vector and a volume: no 1×1 conv makes them equal.
    const vec = 'input 8x8x1\nv: conv filters=2 size=3\ndense units=4\nadd v\n';
    expect(one(check(vec), 'E050').fixes).toEqual([]);
  });
});

describe('E052: the nearest defined name, applied', () => {
  it('changes a typo to the label defined above', () => {
    const text = WRONG_SHORTCUT.replace('add stem', 'add stme');
    const r = check(text);
    const e = one(r, 'E052');
    expect(e.message).toContain("Did you mean 'stem'?");
    expect(e.fixes[0]!.title).toBe("Change to 'stem'");
    const fixed = check(applyEdits(text, e.fixes[0]!.edits));
    expect(codes(fixed)).toContain('E050'); // the name is right now; the shapes still differ
    expect(codes(fixed)).not.toContain('E052');
  });
});

describe('hostile inputs get clear diagnostics, never a throw or a hang', () => {
  it('a cycle through from: a name that is only defined below is E052, and nothing loops', () => {
    const r = check('input 8x8x1\nfrom b\na: relu\nfrom a\nb: relu\nfrom b\nc: add a\ndense units=3\n');
    const e = one(r, 'E052');
    expect(e.message).toContain("'b' is defined later, on line 5");
    expect(lineOf(r, e.offset)).toBe(2);
  });

  it('an add with an unknown name keeps the current flow\'s shape and field, so the layers below stay known', () => {
    const r = check('input 8x8x1\nconv filters=2 size=3 pad=1\nadd nope\nconv filters=2 size=3 pad=1\ndense units=3\n');
    expect(codes(r).filter((c) => c !== 'I201')).toEqual(['E052']);
    expect(r.layers.map((l) => l.receptiveField)).toEqual([[3, 3], [3, 3], [5, 5], [8, 8]]);
    expect(r.layers[2]!.output).toEqual({ kind: 'volume', h: 8, w: 8, c: 2 });
  });

  it('a layer that names itself (`a: add a`) is E052: a name is defined by the line, not for it', () => {
    const r = check('input 8x8x1\nrelu\na: add a\ndense units=3\n');
    expect(one(r, 'E052').message).toContain('defined later, on line 3');
  });

  it('a label on network, classes, data, train or from is an error with a fix that removes it', () => {
    const r = check('n: network A\ni: input 8x8x1\nc: classes a b\nf: from i\nrelu\ndense units=2\nd: data shapes\nt: train epochs=1\n');
    const bad = r.diagnostics.filter((d) => d.code === 'E003');
    expect(bad.map((d) => r.text.slice(d.offset, d.offset + d.length))).toEqual(['n', 'c', 'f', 'd', 't']);
    expect(bad[0]!.message).toContain("'network' is not a layer");
    expect(applyEdits(r.text, bad[0]!.fixes[0]!.edits).startsWith('network A\n')).toBe(true);
    expect(r.labels.map((l) => l.name)).toEqual(['i']);
  });

  it('a 1,000-way concat is checked quickly and lists shapes compactly', () => {
    // 1,000 branches from the input, each a 1×1 conv, joined with the current flow (the last branch): 1,001 inputs.
    const lines = ['x: input 4x4x1'];
    const names: string[] = [];
    for (let i = 0; i < 1000; i++) {
      if (i > 0) lines.push('from x');
      lines.push(`b${i}: conv filters=1 size=1`);
      names.push(`b${i}`);
    }
    const text = [...lines, `concat ${names.join(' ')}`, 'dense units=3', ''].join('\n');
    const r = check(text);
    expect(problems(r)).toEqual([]);
    const concat = r.layers.find((l) => l.spec.kind === 'concat')!;
    expect(concat.inputs).toHaveLength(1001);
    expect(concat.output).toEqual({ kind: 'volume', h: 4, w: 4, c: 1001 });
    // One branch of another size: one E051 whose message groups the lines by shape instead of 1,001 entries.
    const bad = check(text.replace('b500: conv filters=1 size=1', 'b500: conv filters=1 size=3'));
    const e = one(bad, 'E051');
    expect(e.message).toContain('2×2×1 from line');
    expect(e.message).toContain('and 988 more');
    expect(e.message.length).toBeLessThan(600);
  });

  it('thousands of unknown names each get their E052 (suggestions are bounded, so this stays linear)', () => {
    const lines = ['input 4x4x1'];
    for (let i = 0; i < 3000; i++) lines.push(`l${i}: relu`, `add m${i}`);
    const r = check(lines.join('\n') + '\ndense units=3\n');
    expect(r.diagnostics.filter((d) => d.code === 'E052')).toHaveLength(3000);
    expect(r.diagnostics.find((d) => d.code === 'E052')!.message).toContain('Names defined above: l0');
  });

  it('upsample scale=100000 is one E003 on the scale, with the size it would make; the layers below are unknown', () => {
    const r = check('input 32x32x3\nupsample scale=100000\nconv filters=2 size=3\ngap\ndense units=3\n');
    const e = one(r, 'E003');
    expect(r.text.slice(e.offset, e.offset + e.length)).toBe('scale=100000');
    expect(e.message).toContain('3,200,000×3,200,000×3');
    expect(codes(r).filter((c) => c.startsWith('E'))).toEqual(['E003']);
  });

  it('a deconv with a stride of 2^31 − 1 is bounded the same way', () => {
    const r = check('input 32x32x3\ndeconv filters=2 size=2 stride=2147483647\ngap\ndense units=3\n');
    expect(one(r, 'E003').message).toContain('a side may be at most 1,000,000');
  });
});

describe('a pool whose padding is as large as its window', () => {
  it('is E003 on the pad, with a fix to half the window that checks clean', () => {
    const text = 'network P\ninput 8x8x1\npool max size=2 pad=2\ndense units=2\nsoftmax\n';
    const r = check(text);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.code)).toEqual(['E003']);
    expect(text.slice(errors[0]!.offset, errors[0]!.offset + errors[0]!.length)).toBe('pad=2');
    expect(errors[0]!.message).toMatch(/smaller than its window \(2\)/);
    const fix = errors[0]!.fixes![0]!;
    const fixed = text.slice(0, fix.edits[0]!.offset) + fix.edits[0]!.newText + text.slice(fix.edits[0]!.offset + fix.edits[0]!.length);
    expect(fixed).toContain('pool max size=2 pad=1');
    expect(check(fixed).hasErrors).toBe(false);
  });
});

describe('one mistake, one error', () => {
  it('pad=same with stride 2 is E022 alone, never also E020 (both when the rounded size fits and when it does not)', () => {
    for (const n of [32, 9, 7]) {
      const r = check(`input ${n}x${n}x1\nconv filters=1 size=3 stride=${n === 9 ? 3 : 2} pad=same\ndense units=3\n`);
      expect(codes(r).filter((c) => c.startsWith('E')), String(n)).toEqual(['E022']);
    }
  });

  it('a wrong add does not also warn that the branch it ends is unused, nor error below it', () => {
    expect(codes(check(WRONG_SHORTCUT)).filter((c) => c !== 'I201')).toEqual(['E050']);
  });

  it('a label on a statement with an unknown keyword: its uses are not a second error', () => {
    const r = check('input 8x8x1\nconv filters=2 size=3 pad=1\nstem: rleu\nconv filters=2 size=3 pad=1\nadd stem\ndense units=3\n');
    expect(codes(r).filter((c) => c !== 'I201')).toEqual(['E001']);
    expect(r.references).toEqual([expect.objectContaining({ name: 'stem', target: null })]);
    // The same for a label with no statement after it.
    expect(codes(check('input 8x8x1\nrelu\nlonely:\nadd lonely\ndense units=3\n')).filter((c) => c !== 'I201')).toEqual(['E001']);
  });

  it('a from that another from overrides at once is W104 on the first', () => {
    const r = check('input 8x8x1\na: conv filters=2 size=3 pad=1\nb: relu\nfrom a\nfrom b\nadd a\ndense units=3\n');
    const w = one(r, 'W104');
    expect(lineOf(r, w.offset)).toBe(4);
    expect(w.message).toContain("the 'from' on line 5 starts another branch");
  });

  it('a typo in a name does not also warn that the output it meant is unused', () => {
    const r = check('input 8x8x1\nstem: conv filters=2 size=3 pad=1\nfrom stme\nrelu\ndense units=3\n');
    expect(codes(r).filter((c) => c !== 'I201')).toEqual(['E052']);
  });

  it('a 3×3 conv with stride 2 and pad 1 on an even map rounds down as PyTorch does (only padding is left over)', () => {
    const r = check('input 32x32x3\nconv filters=4 size=3 stride=2 pad=1\ndense units=3\n');
    expect(codes(r)).toEqual(['I201']);
    expect(r.layers[0]!.output).toEqual({ kind: 'volume', h: 16, w: 16, c: 4 });
    // … but a window that leaves real pixels unseen is still E020, as in version 1.
    expect(codes(check('input 32x32x3\nconv filters=4 size=4 stride=3\ndense units=3\n'))).toContain('E020');
  });
});

describe('the model and the summary of a graph', () => {
  const text = WRONG_SHORTCUT.replace('batchnorm\nadd stem', 'main: batchnorm\nfrom stem\nconv filters=32 size=1 stride=2\nadd main');
  const r = check(text);

  it('toModelSpec keeps the inputs and takes the classes from the last dense layer', () => {
    const m = toModelSpec(r)!;
    expect(m.classes).toEqual(['0', '1', '2']);
    const add = m.layers.find((l) => l.spec.kind === 'add')!;
    expect(add.inputs).toEqual([add.index - 1, m.layers.find((l) => l.label === 'main')!.index]);
    for (const l of m.layers) for (const i of l.inputs) expect(i).toBeLessThan(l.index);
  });

  it('summary --json gives each layer the lines that flow into it', () => {
    const j = summaryJson(r);
    const add = j.layers.find((l) => l.kind === 'add')!;
    expect(add.inputs).toEqual([12, 10]);
    expect(j.layers.find((l) => l.line === 12)!.inputs).toEqual([5]);
    expect(j.layers.find((l) => l.line === 10)).toMatchObject({ label: 'main', inputs: [9] });
  });

  it('the table shows where a branch and a merge read from', () => {
    const t = summaryTable(r);
    expect(t).toMatch(/main: batch norm +10 +16×16×32/);
    expect(t).toMatch(/conv 32 filters 1×1, stride 2 +12 +← 5 +16×16×32/);
    expect(t).toMatch(/add of 2 +13 +← 12, 10 +16×16×32/);
  });
});
