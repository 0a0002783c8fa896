// Hover and inlay hints on version 2 files: what flows into an add or a concat and from which line, what a
// label names, the branch's shape after `from`, and the worked arithmetic of the new layers.

import { describe, expect, it } from 'vitest';
import { explainInputs, explainLabel, explainLayer, markdownBlock, shapeHints } from '../../../src/features/explain';
import { labelAt } from '../../../src/features/labels';
import { check } from '../../../src/language';
import { INCEPTION, RESBLOCK } from './graphTexts';

const layerOn = (r: ReturnType<typeof check>, line: number) => r.layers.find((l) => l.line === line)!;

describe('hover on add and concat', () => {
  it('add: each incoming shape and the line it comes from, the current flow first', () => {
    const r = check(RESBLOCK);
    expect(explainInputs(r, layerOn(r, 13))).toEqual([
      'The sum, element by element, of (all shapes must be equal):',
      '- `16×16×32` from line 13 (batch norm): the current flow',
      '- `16×16×32` from `main`, line 10 (batch norm)',
    ]);
  });

  it('add whose shapes differ (E050): every shape and its line, so the mismatch shows', () => {
    const text = RESBLOCK.replace('from stem\nconv filters=32 size=1 stride=2\nbatchnorm\n', 'from stem\n');
    const r = check(text);
    expect(r.diagnostics.map((d) => d.code)).toContain('E050');
    const add = layerOn(r, 11);
    expect(add.spec.kind).toBe('add');
    expect(explainInputs(r, add).slice(1)).toEqual(['- `32×32×16` from `stem`, line 5 (relu): the current flow', '- `16×16×32` from `main`, line 10 (batch norm)']);
  });

  it('concat: the shapes in order and the channels they add up to', () => {
    const r = check(INCEPTION);
    expect(explainInputs(r, layerOn(r, 8))).toEqual([
      'Joins along the channels, in this order (heights and widths must be equal):',
      '- `16×16×8` from line 8 (max pool 3×3, stride 1, pad 1): the current flow',
      '- `16×16×4` from `a`, line 3 (conv 4 filters 1×1)',
      '- `16×16×6` from `b`, line 6 (conv 6 filters 3×3, pad 1)',
      'Channels: 8 + 4 + 6 = 18',
    ]);
  });

  it('as hover Markdown, the channels are a paragraph after the list, not part of its last item', () => {
    const r = check(INCEPTION);
    expect(markdownBlock(explainInputs(r, layerOn(r, 8)))).toBe(
      'Joins along the channels, in this order (heights and widths must be equal):\n' +
        '- `16×16×8` from line 8 (max pool 3×3, stride 1, pad 1): the current flow\n' +
        '- `16×16×4` from `a`, line 3 (conv 4 filters 1×1)\n' +
        '- `16×16×6` from `b`, line 6 (conv 6 filters 3×3, pad 1)\n\n' +
        'Channels: 8 + 4 + 6 = 18',
    );
  });

  it('vectors join end to end; an unknown name says so', () => {
    const r = check('input 4x4x1\nflatten\nv: dense units=5\ndense units=3\nconcat v nope\ndense units=2\nsoftmax\n');
    const lines = explainInputs(r, layerOn(r, 4));
    expect(lines).toContain('- `5` from `v`, line 3 (dense 5 units)');
    expect(lines).toContain('- `nope`: not defined above this line');
    const ok = check('input 4x4x1\nflatten\nv: dense units=5\ndense units=3\nconcat v\ndense units=2\nsoftmax\n');
    expect(explainInputs(ok, layerOn(ok, 4)).at(-1)).toBe('Length: 3 + 5 = 8');
  });

  it('says nothing extra for a layer with one input', () => {
    const r = check(RESBLOCK);
    expect(explainInputs(r, layerOn(r, 11))).toEqual([]);
  });
});

describe('hover on a label', () => {
  it('names the output (layer, line, shape) and the lines that use it', () => {
    const r = check(RESBLOCK);
    const at = (name: string, nth: number) => labelAt(r, r.text.split(new RegExp(`\\b${name}\\b`)).slice(0, nth + 1).join(name).length + 1)!;
    const def = explainLabel(r, at('main', 0));
    expect(def).toEqual(['**main**: the output of layer 7 (batch norm) on line 10: `16×16×32`', 'Used on line 14.']);
    expect(explainLabel(r, at('main', 1))).toEqual(def);
    expect(explainLabel(r, at('stem', 1))[0]).toBe('**stem**: the output of layer 2 (relu) on line 5: `32×32×16`');
  });

  it('on the input, and on a label nothing uses yet', () => {
    const text = 'img: input 8x8x2\nspare: conv filters=2 size=1\nadd img\ndense units=2\nsoftmax\n';
    const r = check(text);
    expect(explainLabel(r, labelAt(r, 1)!)).toEqual(['**img**: the output of the input on line 1: `8×8×2`', 'Used on line 3.']);
    expect(explainLabel(r, labelAt(r, text.indexOf('spare') + 1)!)[1]).toBe('Not used yet: name it in a later `from`, `add` or `concat`.');
  });
});

describe('inlay hints on a graph', () => {
  it('every layer shows its output (add, concat and the new layers too), and `from` the shape its branch starts from', () => {
    const r = check(RESBLOCK);
    const hints = shapeHints(r, 0, 100, false);
    const onLine = (line: number) => hints.filter((h) => r.text.slice(0, h.offset).split('\n').length - 1 === line).map((h) => h.label);
    expect(hints).toHaveLength(r.layers.length + 1);
    expect(onLine(10)).toEqual(['→ 32×32×16']); // from stem
    expect(hints.find((h) => h.label === '→ 32×32×16' && h.tooltip.startsWith('The branch'))!.tooltip).toBe('The branch starts from stem, the output of line 5 (relu): 32×32×16');
    expect(onLine(13)).toEqual(['→ 16×16×32']); // add main
    expect(onLine(15)).toEqual(['→ 1×1×32']); // pool avg global
    // In line order, and only in the range asked for.
    expect(hints.map((h) => h.offset)).toEqual([...hints.map((h) => h.offset)].sort((a, b) => a - b));
    expect(shapeHints(r, 10, 10, false).map((h) => h.label)).toEqual(['→ 32×32×16']);
    const ups = check('input 4x4x2\ndeconv filters=3 size=2 stride=2\nupsample scale=2\nbatchnorm\n');
    expect(shapeHints(ups, 0, 10, true).map((h) => h.label)).toEqual(['→ 8×8×3 · 27 params', '→ 16×16×3', '→ 16×16×3 · 6 params']);
  });

  it('gives no hint after `from` with an unknown name (its E052 says why)', () => {
    const r = check('input 4x4x1\nfrom nope\nrelu\n');
    expect(shapeHints(r, 0, 10, false).map((h) => h.label)).toEqual(['→ ?']); // relu's: its input is unknown
  });
});

describe('hover arithmetic of the new layers', () => {
  const r = check('input 16x16x8\nconv filters=16 size=3 groups=4 dilation=2\nbatchnorm\ndeconv filters=4 size=2 stride=2 outpad=1\nupsample scale=3\n');

  it('grouped and dilated conv: the effective size and K·(F·F·C/G + 1)', () => {
    expect(explainLayer(r.layers[0]!)).toEqual([
      '`16×16×8` → `12×12×16`',
      'Dilation 2: each 3×3 filter spans D·(F − 1) + 1 = 2·(3 − 1) + 1 = 5 pixels a side, the F below',
      'Output height: (N − F + 2P) / S + 1 = (16 − 5 + 2·0) / 1 + 1 = 12',
      'Output width: (N − F + 2P) / S + 1 = (16 − 5 + 2·0) / 1 + 1 = 12',
      'Parameters: K·(F·F·C/G + 1) = 16·(3·3·8/4 + 1) = 304',
      'MACs: H·W·K·F·F·C/G = 12·12·16·3·3·8/4 = 41,472',
      'Receptive field: 5×5 input pixels',
    ]);
    const rect = check('input 16x16x1\nconv filters=2 size=3x1 dilation=2x1\n');
    expect(explainLayer(rect.layers[0]!)[1]).toBe('Dilation 2×1: each 3×1 filter spans D·(F − 1) + 1 = 2·(3 − 1) + 1 = 5 by 1·(1 − 1) + 1 = 1 pixels, the F below');
  });

  it('batchnorm: 2·C parameters, the running statistics are buffers', () => {
    expect(explainLayer(r.layers[1]!)[1]).toBe('Parameters: 2·C (a scale and a shift per channel) = 2·16 = 32; the running mean and variance are buffers, not parameters');
  });

  it('deconv and upsample: their own size rules, worked', () => {
    const deconv = explainLayer(r.layers[2]!);
    expect(deconv.slice(0, 4)).toEqual([
      '`12×12×16` → `25×25×4`',
      'Output height: (N − 1)·S − 2P + F + outpad = (12 − 1)·2 − 2·0 + 2 + 1 = 25',
      'Output width: (N − 1)·S − 2P + F + outpad = (12 − 1)·2 − 2·0 + 2 + 1 = 25',
      'Parameters: K·F·F·C + K = 4·2·2·16 + 4 = 260',
    ]);
    expect(explainLayer(r.layers[3]!).slice(0, 3)).toEqual(['`25×25×4` → `75×75×4`', 'Output height: N·scale = 25·3 = 75', 'Output width: N·scale = 25·3 = 75']);
  });
});
