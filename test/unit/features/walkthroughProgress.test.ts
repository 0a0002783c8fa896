// The walkthrough's completion events: a stride mistake fixed (E020 gone from a file still open) and a run trained.

import { describe, expect, it } from 'vitest';
import { INITIAL_PROGRESS, progressContext, reduceProgress, type WalkthroughEvent } from '../../../src/features/walkthroughProgress';

const run = (...events: WalkthroughEvent[]) => events.reduce(reduceProgress, INITIAL_PROGRESS);
const diag = (uri: string, codes: string[], open = true): WalkthroughEvent => ({ type: 'diagnostics', uri, codes, open });

describe('walkthrough progress', () => {
  it('starts with every key false', () => {
    expect(progressContext(INITIAL_PROGRESS)).toEqual({
      'cnnStudio.walkthrough.shapesShown': false,
      'cnnStudio.walkthrough.shapeErrorFixed': false,
      'cnnStudio.walkthrough.trained': false,
      'cnnStudio.walkthrough.explorerStride3': false,
    });
  });

  it('a .cnn editor shown is the shapes seen', () => {
    expect(progressContext(run({ type: 'cnnEditor' }))['cnnStudio.walkthrough.shapesShown']).toBe(true);
    const s = run({ type: 'cnnEditor' });
    expect(reduceProgress(s, { type: 'cnnEditor' })).toBe(s);
  });

  it('an E020 that goes away in an open file is a fixed stride mistake', () => {
    const s = run(diag('a', ['I201']), diag('a', ['E020', 'I201']), diag('a', ['I201']));
    expect(s.shapeErrorFixed).toBe(true);
    expect(s.withShapeError).toEqual([]);
  });

  it('a file without E020, or with another error fixed, is not', () => {
    expect(run(diag('a', []), diag('a', ['E021']), diag('a', [])).shapeErrorFixed).toBe(false);
  });

  it('closing a file with an E020 is not a fix, nor is a fix in another file', () => {
    expect(run(diag('a', ['E020']), diag('a', [], false)).shapeErrorFixed).toBe(false);
    expect(run(diag('a', ['E020']), diag('b', [])).shapeErrorFixed).toBe(false);
  });

  it('stays fixed once fixed, even when the mistake comes back', () => {
    const s = run(diag('a', ['E020']), diag('a', []), diag('a', ['E020']));
    expect(s.shapeErrorFixed).toBe(true);
    expect(s.withShapeError).toEqual(['a']);
  });

  it('a run that finished trains the step; one the user stopped does not', () => {
    expect(run({ type: 'trainingDone', stopped: true }).trained).toBe(false);
    expect(progressContext(run({ type: 'trainingDone', stopped: false }))['cnnStudio.walkthrough.trained']).toBe(true);
  });

  it('the explorer ticks at the lecture’s 7×7 with a 3×3 filter at stride 3, not at strides 1 or 2', () => {
    const at = (s: number, n = 7, f = 3): WalkthroughEvent => ({ type: 'explorer', n, f, s, p: 0 });
    expect(run(at(1), at(2), at(3, 9), at(3, 7, 5)).explorerStride3).toBe(false);
    expect(progressContext(run(at(1), at(3)))['cnnStudio.walkthrough.explorerStride3']).toBe(true);
    expect(run(at(3), at(1)).explorerStride3).toBe(true);
  });

  it('returns the same state when nothing changes (no context key is set again)', () => {
    const s = run(diag('a', ['E020']));
    expect(reduceProgress(s, diag('a', ['E020', 'W102']))).toBe(s);
  });
});

describe('the walkthrough’s stride mistake', () => {
  it('is one: the stride its text tells the student to type gives E020 on the lecture’s first conv, with the arithmetic it quotes', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { check } = await import('../../../src/language');
    const root = join(__dirname, '../../..');
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const step = manifest.contributes.walkthroughs[0].steps.find((s: { id: string }) => s.id === 'strideMistake');
    const m = /change \*\*(stride=\d+)\*\* to \*\*(stride=\d+)\*\*: (\([^)]*\)\/\d+ \+ 1 = [\d.]+)/.exec(step.description);
    expect(m, step.description).not.toBeNull();
    const lecture = readFileSync(join(root, 'examples/lecture.cnn'), 'utf8');
    const first = lecture.split('\n').find((l) => l.startsWith('conv '))!;
    expect(first).toContain(m![1]);
    const mistaken = check(lecture.replace(first, first.replace(m![1]!, m![2]!)));
    const e020 = mistaken.diagnostics.filter((d) => d.code === 'E020');
    const start = lecture.indexOf(first);
    expect(e020.map((d) => d.offset >= start && d.offset < start + first.length)).toEqual([true]); // on that line, once
    expect(e020[0]!.message.replace(/\s/g, '')).toContain(m![3]!.replace(/\s/g, ''));
  });
});
