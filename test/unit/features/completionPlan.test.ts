// Completion never fights typing: a finished token gets no list (so Enter ends the line), numbers are offered
// only when asked for, and a whole keyword sorts before the longer items that start with it.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CompletionPlan, planCompletion, type Trigger } from '../../../src/features/completionPlan';
import { labelsAbove } from '../../../src/features/labels';
import { allKeywords, check, STATEMENTS } from '../../../src/language';
import { INCEPTION, RESBLOCK } from './graphTexts';

const typing: Trigger = { kind: 'invoke' }; // quick suggestions as a word is typed (the API calls it Invoke)
const eq: Trigger = { kind: 'character', character: '=' };
const again: Trigger = { kind: 'incomplete' };

/** Plan with the cursor at the end of `line`. */
const at = (line: string, trigger: Trigger = typing): CompletionPlan | undefined => planCompletion(line, line.length, trigger);
const labels = (line: string, trigger: Trigger = typing): string[] => at(line, trigger)?.items.map((i) => i.label) ?? [];

/**
 * The item the editor would put under the cursor for `typed` among `plan`'s items: the best prefix match
 * (the editor ranks an exact label and a longer label that starts with it alike, then by sortText).
 */
function selected(plan: CompletionPlan | undefined, typed: string) {
  const matches = (plan?.items ?? []).filter((i) => i.label.toLowerCase().startsWith(typed.toLowerCase()));
  return matches.sort((a, b) => (a.sortText < b.sortText ? -1 : a.sortText > b.sortText ? 1 : 0))[0];
}

describe('completion while typing', () => {
  it('offers nothing after a complete number, so Enter ends the line (samples=300, epochs=1, stride=2)', () => {
    for (const line of ['data shapes samples=300', 'train epochs=1', 'conv filters=6 size=5 stride=2', 'train lr=0.001', 'input 32x32x3', 'input 32x32', 'conv K=3']) {
      for (const trigger of [typing, again]) expect(labels(line, trigger), line).toEqual([]);
    }
  });

  it('does not open the list of numbers by itself after "="', () => {
    expect(labels('data shapes samples=', eq)).toEqual([]);
    expect(labels('train epochs=', eq)).toEqual([]);
    expect(labels('conv filters=16 size=3 stride=', eq)).toEqual([]);
  });

  it('offers the numbers when asked for on an empty value (Ctrl+Space)', () => {
    expect(labels('data shapes samples=')).toEqual(['1000', '3000']);
    expect(labels('train epochs=')).toEqual(['3', '10', '20']);
    expect(labels('input ')).toEqual(['28x28x1', '32x32x3', '64x64x3']);
  });

  it('opens word values after "=" and closes them once a value is complete', () => {
    expect(labels('train optimizer=', eq)).toEqual(['sgd', 'adam']);
    expect(labels('conv filters=16 size=3 pad=', eq)).toEqual(['same', 'valid']);
    expect(labels('train optimizer=ad')).toEqual(['sgd', 'adam']); // the editor filters to adam
    expect(labels('train optimizer=adam')).toEqual([]);
    expect(labels('train optimizer=adam', again)).toEqual([]);
    expect(labels('conv filters=16 size=3 pad=1')).toEqual([]);
    expect(at('train optimizer=ad')!.start).toBe('train optimizer='.length);
  });

  it('closes the list on a whole keyword (relu, pool, conv, network) and offers keywords on a part of one', () => {
    for (const kw of allKeywords()) {
      expect(labels(kw), kw).toEqual([]);
      expect(labels(kw, again), kw).toEqual([]);
    }
    const rel = at('rel')!;
    expect(rel.start).toBe(0);
    const relu = rel.items.find((i) => i.label === 'relu')!;
    expect(relu).toMatchObject({ insert: 'relu', kind: 'layer' });
    expect(relu.snippet).toBeFalsy();
  });

  it('puts a whole keyword before every longer item that starts with it (pool before pool2 and its example)', () => {
    const items = at('', typing)!.items; // asked for on an empty line: everything
    for (const kw of allKeywords()) {
      const own = items.find((i) => i.label === kw && (i.kind === 'keyword' || i.kind === 'layer'))!;
      expect(own.insert).toBe(kw);
      for (const other of items.filter((i) => i !== own && i.label.startsWith(kw))) {
        expect(own.sortText < other.sortText, `${kw} before ${other.label}`).toBe(true);
      }
    }
    expect(items.find((i) => i.label === 'pool2')).toMatchObject({ kind: 'snippet', snippet: true, insert: 'pool max size=2 stride=2' });
    expect(items.find((i) => i.label === 'conv filters=16 size=3 stride=1 pad=1')).toMatchObject({
      kind: 'example',
      insert: 'conv filters=${1:16} size=${2:3} stride=${3:1} pad=${4:1}',
    });
  });

  it('keeps the list short while a keyword is typed: the keywords first, then one example line each', () => {
    expect(labels('co')).toEqual(['conv', 'convtranspose', 'concat', 'conv filters=16 size=3 stride=1 pad=1', 'concat enc1']);
    expect(labels('cl')).toEqual(['classes', 'classes door stair sign']);
    for (const kw of allKeywords()) {
      for (let n = 1; n < kw.length; n++) {
        const typed = kw.slice(0, n);
        const items = at(typed)!.items;
        expect(items.every((i) => i.label.startsWith(typed)), typed).toBe(true);
        expect(items.some((i) => i.kind === 'snippet'), typed).toBe(false);
        const firstExample = items.findIndex((i) => i.kind === 'example');
        if (firstExample >= 0) expect(items.slice(firstExample).every((i) => i.kind === 'example'), typed).toBe(true);
        const examples = items.filter((i) => i.kind === 'example').map((i) => i.label.split(' ')[0]);
        expect(new Set(examples).size, typed).toBe(examples.length);
      }
    }
  });

  it('offers the lecture\'s snippets once the typed text goes past the keywords', () => {
    expect(labels('conv3')).toEqual(['conv3', 'conv3s2']);
    expect(labels('conv-f3')).toEqual(['conv-f3-s1-p1', 'conv-f3-s2']);
    expect(labels('pool2')).toEqual(['pool2']);
    expect(labels('cn')).toEqual(['cnn']);
    expect(at('conv3')!.items[0]).toMatchObject({ kind: 'snippet', snippet: true, insert: 'conv filters=${1:16} size=3 stride=1 pad=1' });
  });

  it('offers nothing for names, paths, comments and the middle of a token', () => {
    expect(labels('network Lecture')).toEqual([]);
    expect(labels('network lec')).toEqual([]);
    expect(labels('classes door stair s')).toEqual([]);
    expect(at('data folder ima')).toBeUndefined();
    expect(at('# the lecture')).toBeUndefined();
    expect(at('conv K=32 F=3 S=1 P=1          # the lecture')).toBeUndefined();
    expect(at('conv fil', typing)).toBeDefined();
    expect(planCompletion('conv filters=16', 'conv fil'.length, typing)).toBeUndefined();
    expect(at('classes "door fr')).toBeUndefined();
  });

  it('offers parameters while a name is typed, without those already given and without bare values after one', () => {
    expect(labels('conv filters=16 s')).toEqual(expect.arrayContaining(['size=', 'stride=', 'S=']));
    expect(labels('conv filters=16 s')).not.toContain('filters=');
    expect(labels('conv K=16 s')).not.toContain('filters=');
    expect(labels('data shapes s')).toEqual(['samples=', 'val=']);
    expect(labels('data s')).toEqual(expect.arrayContaining(['shapes', 'samples=']));
    expect(labels('data shapes')).toEqual([]);
    expect(labels('pool max')).toEqual([]);
  });

  it('opens the values again after a parameter only when they are words', () => {
    const items = at('train o')!.items;
    expect(items.find((i) => i.label === 'optimizer=')!.suggestAgain).toBe(true);
    expect(items.find((i) => i.label === 'epochs=')!.suggestAgain).toBe(false);
    expect(at('conv p')!.items.find((i) => i.label === 'pad=')!.suggestAgain).toBe(false);
  });

  it('never selects an item that changes a finished token, anywhere in the example files', () => {
    // Type every example file (and the version 2 graphs) character by character; wherever a token ends (a space,
    // a comment or the end of the line follows), the item the editor would select must be absent or insert
    // exactly what was typed. Labels above each line are offered as in the editor.
    const dir = join(__dirname, '../../../examples');
    const files = readdirSync(dir).filter((n) => n.endsWith('.cnn')).map((f) => readFileSync(join(dir, f), 'utf8'));
    let checked = 0;
    for (const text of [...files, RESBLOCK, INCEPTION]) {
      const result = check(text);
      text.split('\n').forEach((line, lineNo) => {
        const context = { labelsAbove: () => labelsAbove(result, lineNo).map((l) => ({ name: l.name })) };
        for (let col = 1; col <= line.length; col++) {
          const next = line[col];
          if (next !== undefined && next !== ' ' && next !== '\t') continue;
          const prefix = line.slice(0, col);
          if (/\s$/.test(prefix)) continue;
          for (const trigger of [typing, again]) {
            const plan = planCompletion(prefix, col, trigger, context);
            if (!plan) continue;
            const typed = prefix.slice(plan.start);
            const item = selected(plan, typed);
            if (item) expect({ line: prefix, insert: item.snippet ? `snippet ${item.insert}` : item.insert }).toEqual({ line: prefix, insert: typed });
            checked++;
          }
        }
      });
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('has one keyword item per statement keyword and synonym', () => {
    const kws = at('')!.items.filter((i) => i.kind === 'keyword' || i.kind === 'layer').map((i) => i.label);
    expect(kws.sort()).toEqual(STATEMENTS.flatMap((s) => [s.keyword, ...s.synonyms]).sort());
  });
});

describe('completion of labels and after a label', () => {
  const defined = { labelsAbove: () => [{ name: 'stem', detail: '32×32×16 · line 5 (relu)' }, { name: 'main' }] };
  const withLabels = (line: string, trigger: Trigger = typing) => planCompletion(line, line.length, trigger, defined);
  const names = (line: string, trigger: Trigger = typing) => withLabels(line, trigger)?.items.map((i) => i.label) ?? [];

  it('offers the labels defined above after from, add and concat: the latest first, with what each names', () => {
    for (const kw of ['from', 'add', 'concat']) expect(names(`${kw} `, typing), kw).toEqual(['stem', 'main']);
    const plan = withLabels('add ma')!;
    expect(plan.start).toBe(4);
    expect(plan.items[0]).toMatchObject({ label: 'stem', kind: 'label', insert: 'stem', detail: '32×32×16 · line 5 (relu)' });
    expect(plan.items[1]).toMatchObject({ label: 'main', detail: 'add main' });
    const sorted = [...plan.items].sort((a, b) => (a.sortText < b.sortText ? -1 : 1)).map((i) => i.label);
    expect(sorted).toEqual(['main', 'stem']);
    expect(names('out: concat ')).toEqual(['stem', 'main']);
  });

  it('closes the list on a whole label, so Enter ends the line, and offers no parameters or numbers', () => {
    for (const line of ['from stem', 'add main', 'concat main stem', 'add 3']) {
      for (const trigger of [typing, again]) expect(names(line, trigger), line).toEqual([]);
    }
    expect(names('add main', again)).toEqual([]);
    expect(withLabels('from stem ', again)).toBeUndefined(); // one name only
    expect(withLabels('from stem ', typing)?.items).toEqual([]); // even on Ctrl+Space
    expect(names('add x=', eq)).toEqual([]);
  });

  it('opens the list by itself on the space after from, add and concat, and on no other space', () => {
    const space: Trigger = { kind: 'character', character: ' ' };
    for (const kw of ['from', 'add', 'concat', 'out: add']) expect(names(`${kw} `, space), kw).toEqual(['stem', 'main']);
    expect(names('add main ', space)).toEqual(['stem']); // the next name of an add
    expect(withLabels('from stem ', space)).toBeUndefined(); // one name only
    for (const line of ['conv ', 'conv filters=8 ', 'stem: ', 'pool max ', 'data folder ', 'network Net ', '', '# add ']) {
      expect(withLabels(line, space), JSON.stringify(line)).toBeUndefined();
    }
  });

  it('does not offer a name already given on the line', () => {
    expect(names('add main ')).toEqual(['stem']);
    expect(names('concat stem main ')).toEqual([]);
  });

  it('offers nothing without labels above', () => {
    expect(planCompletion('from ', 5, typing)?.items).toEqual([]);
    expect(planCompletion('add s', 5, typing, { labelsAbove: () => [] })?.items).toEqual([]);
  });

  it('completes the statement after a label as on a line without one', () => {
    expect(names('stem: rel')).toEqual(labels('rel'));
    expect(withLabels('stem: rel')!.start).toBe('stem: '.length);
    expect(names('stem:rel')).toEqual(labels('rel'));
    expect(names('main: batchnorm m')).toEqual(labels('batchnorm m'));
    expect(names('e1: conv filters=16 size=3 pad=', eq)).toEqual(['same', 'valid']);
    expect(names('stem: relu')).toEqual([]); // a whole keyword
    expect(names('x: pool avg ')).toEqual(labels('pool avg '));
  });

  it('offers nothing while the label itself is typed, nor on its colon', () => {
    for (const line of ['stem:', '  stem:', 'bad-name:']) {
      for (const trigger of [typing, again]) expect(withLabels(line, trigger), line).toBeUndefined();
    }
    expect(planCompletion('stem: relu', 2, typing, defined)).toBeUndefined();
  });

  it('offers the new statements and their values', () => {
    expect(labels('ba')).toEqual(['batchnorm']);
    expect(labels('b')).toEqual(['batchnorm', 'bn']);
    expect(labels('fr')).toEqual(['from', 'from stem']);
    expect(labels('de')).toEqual(['deconv', 'dense', 'deconv filters=16 size=2 stride=2', 'dense units=10']);
    expect(labels('pool g')).toEqual(expect.arrayContaining(['global']));
    expect(labels('avgpool g')).toEqual(expect.arrayContaining(['global']));
    expect(labels('upsample ')).toEqual(expect.arrayContaining(['scale=', 'nearest', 'bilinear']));
    expect(labels('conv filters=8 size=3 g')).toEqual(expect.arrayContaining(['groups=']));
    expect(labels('deconv ')).toEqual(expect.arrayContaining(['filters=', 'size=', 'stride=', 'pad=', 'outpad=']));
    expect(labels('upsample bilinear')).toEqual([]);
  });
});

describe('the editor settings a .cnn file gets (package.json configurationDefaults)', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));
  const cnn = pkg.contributes.configurationDefaults['[cnn]'];

  it('Enter always ends the line, no words from comments, no suggestions inside comments', () => {
    expect(cnn['editor.acceptSuggestionOnEnter']).toBe('off');
    expect(cnn['editor.wordBasedSuggestions']).toBe('off');
    expect(cnn['editor.quickSuggestions']).toEqual({ other: 'on', comments: 'off', strings: 'off' });
  });

  it('the snippets come from the completion provider only (no contributed snippets that match anywhere)', () => {
    expect(pkg.contributes.snippets).toBeUndefined();
    expect(at('')!.items.filter((i) => i.kind === 'snippet').map((i) => i.label)).toEqual(expect.arrayContaining(['conv3', 'pool2', 'network', 'cnn']));
  });
});

describe('completion of augment and class_weights', () => {
  it('offers augment among the keywords, with its example line', () => {
    expect(labels('aug')).toEqual(['augment', 'augment flip=horizontal rotate=10 shift=2 zoom=0.9-1.1']);
    expect(labels('augment')).toEqual([]); // a whole keyword
  });

  it('offers every augment setting, minus those given; flip reopens the list for its words', () => {
    expect(labels('augment ')).toEqual(['flip=', 'rotate=', 'shift=', 'zoom=', 'brightness=', 'contrast=']);
    expect(labels('augment flip=both rotate=10 ')).toEqual(['shift=', 'zoom=', 'brightness=', 'contrast=']);
    const items = at('augment ')!.items;
    expect(items.find((i) => i.label === 'flip=')!.suggestAgain).toBe(true);
    expect(items.find((i) => i.label === 'rotate=')!.suggestAgain).toBe(false);
    expect(items.find((i) => i.label === 'rotate=')!.documentation).toContain('uniform in ±DEGREES (0 to 180)');
  });

  it('opens flip\'s values after "=", offers numbers and ranges only when asked', () => {
    expect(labels('augment flip=', eq)).toEqual(['horizontal', 'vertical', 'both']);
    expect(labels('augment flip=horizontal')).toEqual([]);
    expect(labels('augment zoom=', eq)).toEqual([]);
    expect(labels('augment zoom=')).toEqual(['0.9-1.1', '0.8-1.2']);
    expect(labels('augment zoom=0.9-1.1')).toEqual([]);
  });

  it('offers class_weights on train, and balanced after its "="; a list being typed gets nothing', () => {
    expect(labels('train epochs=3 ')).toContain('class_weights=');
    expect(at('train ')!.items.find((i) => i.label === 'class_weights=')!.suggestAgain).toBe(true);
    expect(labels('train class_weights=', eq)).toEqual(['balanced']);
    expect(labels('train class_weights=1,')).toEqual([]);
    expect(labels('train class_weights=balanced')).toEqual([]);
  });
});
