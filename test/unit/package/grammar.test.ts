// The TextMate grammar (syntaxes/cnn.tmLanguage.json) as the editor runs it: vscode-textmate with Oniguruma,
// the engine VS Code itself uses, so a pattern that only works in JavaScript's regular expressions fails here.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const require = createRequire(import.meta.url);
let grammar: textmate.IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p), createOnigString: (s: string) => new oniguruma.OnigString(s) }),
    loadGrammar: async () => textmate.parseRawGrammar(readFileSync(new URL('../../../syntaxes/cnn.tmLanguage.json', import.meta.url), 'utf8'), 'cnn.tmLanguage.json'),
  });
  grammar = (await registry.loadGrammar('source.cnn'))!;
});

/** Each token of `line` with its scopes below the file's (without the `.cnn` suffix), blanks left out. */
function tokens(line: string): [string, string][] {
  const { tokens: toks } = grammar.tokenizeLine(line, textmate.INITIAL);
  return toks
    .map((t): [string, string] => [line.slice(t.startIndex, t.endIndex), t.scopes.slice(1).map((s) => s.replace(/\.cnn$/, '')).join(' ')])
    .filter(([text]) => text.trim() !== '');
}

const scopeOf = (line: string, text: string) => tokens(line).find(([t]) => t.trim() === text)?.[1];

describe('the TextMate grammar', () => {
  it('colours a label (a definition, coloured as its uses), and the statement after it as without one', () => {
    expect(tokens('stem: relu')).toEqual([
      ['stem', 'entity.name.label variable.other.label'],
      [':', 'punctuation.separator.label'],
      ['relu', 'support.function.activation'],
    ]);
    expect(scopeOf('main:batchnorm', 'main')).toBe('entity.name.label variable.other.label');
    expect(scopeOf('main:batchnorm', 'batchnorm')).toBe('entity.name.function.layer');
    expect(scopeOf('x: input 32x32x3', 'input')).toBe('keyword.other');
    expect(scopeOf('x: input 32x32x3', '32x32x3')).toBe('constant.numeric.dimensions');
    expect(scopeOf('e1: conv filters=16 size=3', 'filters')).toBe('variable.parameter');
  });

  it('colours from, add and concat as flow keywords and the names they take as labels', () => {
    expect(tokens('from stem')).toEqual([
      ['from', 'keyword.control.flow'],
      ['stem', 'variable.other.label'],
    ]);
    expect(tokens('add main other')).toEqual([
      ['add', 'keyword.control.flow'],
      ['main', 'variable.other.label'],
      ['other', 'variable.other.label'],
    ]);
    const merged = tokens('out: concat a b2 # skip connections');
    expect(merged.map(([, s]) => s)).toEqual(['entity.name.label variable.other.label', 'punctuation.separator.label', 'keyword.control.flow', 'variable.other.label', 'variable.other.label', 'comment.line.number-sign']);
    // A name is only a label as a bare word: `from` never takes name=value, and a stray number is a number.
    expect(scopeOf('add main 3', '3')).toBe('constant.numeric');
  });

  it('colours the new layers and their bare values', () => {
    for (const kw of ['batchnorm', 'bn', 'deconv', 'convtranspose', 'upsample', 'gap']) expect(scopeOf(`${kw}`, kw), kw).toBe('entity.name.function.layer');
    expect(scopeOf('pool avg global', 'global')).toBe('constant.language');
    expect(scopeOf('upsample scale=2 bilinear', 'bilinear')).toBe('constant.language');
    expect(scopeOf('upsample nearest', 'nearest')).toBe('constant.language');
    expect(scopeOf('conv filters=32 size=3 groups=32 dilation=2', 'groups')).toBe('variable.parameter');
  });

  it('leaves version 1 lines as they were', () => {
    expect(tokens('conv filters=16 size=3 # a comment').map(([, s]) => s)).toEqual([
      'entity.name.function.layer',
      'variable.parameter',
      'keyword.operator.assignment',
      'constant.numeric',
      'variable.parameter',
      'keyword.operator.assignment',
      'constant.numeric',
      'comment.line.number-sign',
    ]);
    expect(scopeOf('network DoorStairSign', 'DoorStairSign')).toBe('entity.name.type.network');
    expect(scopeOf('train optimizer=adam', 'adam')).toBe('constant.language');
    // `relu` as a value is a value, not an activation statement.
    expect(scopeOf('dense units=10 activation=relu', 'relu')).toBe('constant.language');
  });

  it('colours augment as a setting, its words as values and a zoom range as one number', () => {
    expect(tokens('augment flip=horizontal rotate=10 zoom=0.9-1.1').map(([t, s]) => `${t} ${s}`)).toEqual([
      'augment keyword.other',
      'flip variable.parameter',
      '= keyword.operator.assignment',
      'horizontal constant.language',
      'rotate variable.parameter',
      '= keyword.operator.assignment',
      '10 constant.numeric',
      'zoom variable.parameter',
      '= keyword.operator.assignment',
      '0.9-1.1 constant.numeric.range',
    ]);
    for (const v of ['vertical', 'both']) expect(scopeOf(`augment flip=${v}`, v)).toBe('constant.language');
    expect(scopeOf('train class_weights=balanced', 'class_weights')).toBe('variable.parameter');
    expect(scopeOf('train class_weights=balanced', 'balanced')).toBe('constant.language');
    // A list of weights: each weight a number.
    expect(tokens('train class_weights=1,3.5,2').filter(([, s]) => s === 'constant.numeric').map(([t]) => t)).toEqual(['1', '3.5', '2']);
  });
});
