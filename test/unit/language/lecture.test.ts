// The lecture's worked examples, checked number by number against the arithmetic done by hand.

import { describe, expect, it } from 'vitest';
import { applyEdits, check, type CheckResult, formatOutput, LineIndex, shapeArray, summarize, summaryJson } from '../../../src/language';

/** A one-layer network on an input, ending in a dense layer so that only the layer under test is noticed. */
function net(input: string, ...layers: string[]): string {
  return [`input ${input}`, ...layers, 'dense units=3', 'softmax', ''].join('\n');
}

function errors(r: CheckResult) {
  return r.diagnostics.filter((d) => d.severity === 'error');
}

function outputOf(r: CheckResult, index: number): number[] | null {
  const out = r.layers[index]!.output;
  return out ? shapeArray(out) : null;
}

describe('the lecture: a 7×7 input and a 3×3 filter', () => {
  it('stride 1 gives (7 − 3)/1 + 1 = 5', () => {
    const r = check(net('7x7x1', 'conv filters=1 size=3 stride=1'));
    expect(errors(r)).toEqual([]);
    expect(outputOf(r, 0)).toEqual([5, 5, 1]);
  });

  it('stride 2 gives (7 − 3)/2 + 1 = 3', () => {
    const r = check(net('7x7x1', 'conv filters=1 size=3 stride=2'));
    expect(errors(r)).toEqual([]);
    expect(outputOf(r, 0)).toEqual([3, 3, 1]);
  });

  describe('stride 3 does not fit', () => {
    const text = net('7x7x1', 'conv filters=1 size=3 stride=3');
    const r = check(text);
    const e020 = r.diagnostics.find((d) => d.code === 'E020')!;

    it('is E020, an error, on the stride argument, with the worked arithmetic', () => {
      expect(errors(r).map((d) => d.code)).toEqual(['E020']);
      expect(e020.severity).toBe('error');
      expect(text.slice(e020.offset, e020.offset + e020.length)).toBe('stride=3');
      const pos = new LineIndex(text).positionAt(e020.offset);
      expect(pos).toEqual({ line: 1, character: 22 });
      expect(e020.message).toContain('(7 − 3 + 2·0) / 3 + 1 = 2.33');
      expect(e020.message).toContain('not a whole number');
    });

    it('suggests the strides and paddings that fit, nearest to the 2.33 it was written for first, stride 2 preferred', () => {
      // stride=2 and pad=1 both give 3×3 (a stride first on a tie), stride=1 gives 5×5.
      expect(e020.fixes.map((f) => f.title)).toEqual(['Change to stride=2 (gives 3×3)', 'Change to pad=1 (gives 3×3)', 'Change to stride=1 (gives 5×5)']);
      expect(e020.fixes.filter((f) => f.preferred).map((f) => f.title)).toEqual(['Change to stride=2 (gives 3×3)']);
      // The message names them too, so the CLI's one line is enough to act on.
      expect(e020.message).toMatch(/Try stride=2 \(gives 3×3\) or pad=1 \(gives 3×3\) or stride=1 \(gives 5×5\)\./);
    });

    it('each suggestion, applied, fits: stride 2 → 3, pad 1 → (7 − 3 + 2)/3 + 1 = 3, stride 1 → 5', () => {
      const outputs = e020.fixes.map((fix) => {
        const fixed = check(applyEdits(text, fix.edits));
        expect(errors(fixed), fix.title).toEqual([]);
        return outputOf(fixed, 0);
      });
      expect(outputs).toEqual([
        [3, 3, 1],
        [3, 3, 1],
        [5, 5, 1],
      ]);
      expect(applyEdits(text, e020.fixes[1]!.edits)).toContain('conv filters=1 size=3 stride=3 pad=1\n');
    });

    it('shows the fraction, never a rounded size, and the shapes after it are unknown', () => {
      expect(outputOf(r, 0)).toBeNull();
      expect(formatOutput(r.layers[0]!)).toBe('2.33×2.33×1');
      expect(r.layers[0]!.params).toBe(10); // 1·(3·3·1 + 1): the weights do not depend on the size
      expect(r.layers[0]!.macs).toBeNull();
      expect(r.layers[1]!.params).toBeNull(); // the dense layer's inputs are unknown, not 2·2·1
      expect(outputOf(r, 1)).toEqual([3]);
      expect(r.layers[0]!.hasError).toBe(true);
      expect(r.layers[1]!.hasError).toBe(false);
    });
  });
});

describe('the lecture: 32×32×3 with six 5×5 filters', () => {
  const r = check(net('32x32x3', 'conv filters=6 size=5'));

  it('gives 28×28×6: (32 − 5)/1 + 1 = 28, one depth slice per filter', () => {
    expect(errors(r)).toEqual([]);
    expect(outputOf(r, 0)).toEqual([28, 28, 6]);
  });

  it('has 456 parameters: 6 filters of 5·5·3 = 75 weights, plus 6 biases', () => {
    expect(r.layers[0]!.params).toBe(6 * (5 * 5 * 3 + 1));
    expect(r.layers[0]!.params).toBe(456);
  });

  it('the lecture letters K F S P mean the same', () => {
    const k = check(net('32x32x3', 'conv K=6 F=5 S=1 P=0'));
    expect(errors(k)).toEqual([]);
    expect(outputOf(k, 0)).toEqual([28, 28, 6]);
    expect(k.layers[0]!.params).toBe(456);
  });
});

describe('the lecture: a 1000×1000×3 image into a dense layer of 100 units', () => {
  const r = check('input 1000x1000x3\ndense units=100\n');

  it('has 300,000,100 parameters: 3,000,000 inputs × 100 units + 100 biases', () => {
    expect(r.layers[0]!.params).toBe(300_000_100);
    expect(r.layers[0]!.macs).toBe(300_000_000);
    expect(summarize(r).params).toBe(300_000_100);
  });

  it('warns with W101 on the dense layer, showing the count, and notes the implicit flatten', () => {
    expect(r.diagnostics.map((d) => d.code)).toEqual(['I201', 'W101']);
    const w = r.diagnostics.find((d) => d.code === 'W101')!;
    expect(w.severity).toBe('warning');
    expect(r.text.slice(w.offset, w.offset + w.length)).toBe('dense');
    expect(w.message).toContain('300,000,100');
    expect(r.hasErrors).toBe(false);
  });

  it('a conv and pool in front shrink it below the warning', () => {
    const small = check('input 1000x1000x3\nconv filters=8 size=5 stride=5\npool size=4\ndense units=100\n');
    expect(small.diagnostics.map((d) => d.code)).toEqual(['I201']);
    expect(outputOf(small, 0)).toEqual([200, 200, 8]);
    expect(outputOf(small, 1)).toEqual([50, 50, 8]);
    expect(small.layers[2]!.params).toBe(100 * (50 * 50 * 8 + 1));
  });
});

describe('the review network: CONV → ReLU → POOL → FC', () => {
  const text = ['network Review', 'input 32x32x3', 'conv filters=6 size=5', 'relu', 'pool max size=2', 'fc units=10', 'softmax', ''].join('\n');
  const r = check(text);
  const json = summaryJson(r);

  it('checks clean (the fc layer flattens 14×14×6 implicitly)', () => {
    expect(r.diagnostics.map((d) => d.code)).toEqual(['I201']);
    expect(r.diagnostics[0]!.message).toContain('14×14×6');
    expect(r.diagnostics[0]!.message).toContain('1,176 inputs');
  });

  it('has the shapes, parameters, MACs and receptive fields worked out by hand', () => {
    expect(json.layers).toEqual([
      // 32 − 5 + 1 = 28; params 6·(5·5·3 + 1) = 456; MACs 28·28·6·5·5·3 = 352,800; RF 5.
      { line: 3, kind: 'conv', inputs: [2], output: [28, 28, 6], params: 456, macs: 352_800, receptiveField: 5 },
      { line: 4, kind: 'relu', inputs: [3], output: [28, 28, 6], params: 0, macs: 0, receptiveField: 5 },
      // (28 − 2)/2 + 1 = 14; RF 5 + (2 − 1)·1 = 6.
      { line: 5, kind: 'pool', inputs: [4], output: [14, 14, 6], params: 0, macs: 0, receptiveField: 6 },
      // 14·14·6 = 1,176 inputs; params 10·1,177 = 11,770; MACs 11,760; a dense unit sees the whole input.
      { line: 6, kind: 'dense', inputs: [5], output: [10], params: 11_770, macs: 11_760, receptiveField: 32 },
      { line: 7, kind: 'softmax', inputs: [6], output: [10], params: 0, macs: 0, receptiveField: 32 },
    ]);
    expect(json.params).toBe(456 + 11_770);
    expect(json.macs).toBe(352_800 + 11_760);
  });
});
