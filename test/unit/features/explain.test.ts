// The hover's worked arithmetic and the inlay hints (issue 12): an unknown or broken figure reads as `?` or as
// the fraction, never as a wrong number such as 0 or a rounded-down size.

import { describe, expect, it } from 'vitest';
import { explainLayer, shapeHint } from '../../../src/features/explain';
import { check } from '../../../src/language';

describe('hover arithmetic', () => {
  it('E021: the parameters of a filter that does not fit are its real count, and MACs are ?', () => {
    // 17×17 filters on a 15×15×6 map: (15 − 17 + 0)/1 + 1 = −1.
    const r = check('input 15x15x6\nconv filters=16 size=17\ndense units=3\n');
    const lines = explainLayer(r.layers[0]!);
    expect(lines).toContain('Parameters: K·(F·F·C + 1) = 16·(17·17·6 + 1) = 27,760');
    expect(lines).toContain('MACs: ? (the output has no size)');
    expect(lines.join('\n')).not.toMatch(/= 0\b/);
    expect(lines[0]).toBe('`15×15×6` → `?`');
    // A negative result keeps the lecture's minus sign, like the formula before it.
    expect(lines).toContain('Output height: (N − F + 2P) / S + 1 = (15 − 17 + 2·0) / 1 + 1 = −1 — less than 1');
    expect(r.diagnostics.find((d) => d.code === 'E021')!.message).toContain('(15 − 17 + 2·0) / 1 + 1 = −1, less than 1');
  });

  it('E020: the output is the fraction, and the layer below has unknown parameters, not a number', () => {
    const r = check('input 32x32x3\nconv filters=6 size=5 stride=2\ndense units=3\n');
    expect(explainLayer(r.layers[0]!)[0]).toBe('`32×32×3` → `14.5×14.5×6`');
    expect(explainLayer(r.layers[1]!)).toEqual(['`?` → `3`', 'Parameters: ? (the input shape is unknown until the error above is fixed)']);
  });

  it('a dense layer after a volume says that it flattens it (the I201 note is a hint on the keyword)', () => {
    const r = check('input 4x4x3\ndense units=10\n');
    expect(explainLayer(r.layers[0]!)).toContain('Parameters: units·(inputs + 1) = 10·(48 (4·4·3 flattened) + 1) = 490');
    expect(r.diagnostics).toMatchObject([{ code: 'I201', severity: 'hint' }]);
  });
});

describe('inlay hints', () => {
  it('show the fraction on an E020 line and ? below it, never the rounded-down 14×14×6', () => {
    const r = check('input 32x32x3\nconv filters=6 size=5 stride=2\nrelu\ndense units=3\n');
    expect(r.layers.map((l) => shapeHint(l, false).label)).toEqual(['→ 14.5×14.5×6', '→ ?', '→ 3']);
    expect(shapeHint(r.layers[0]!, false).tooltip).toContain('not whole numbers');
  });

  it('show shapes and, by the setting, parameters of a valid network', () => {
    const r = check('input 32x32x3\nconv filters=6 size=5\ndense units=3\n');
    expect(r.layers.map((l) => shapeHint(l, true).label)).toEqual(['→ 28×28×6 · 456 params', '→ 3 · 14.1K params']);
    expect(shapeHint(r.layers[1]!, false).tooltip).toContain('flattens the 28×28×6 volume into 4,704 inputs');
  });
});
