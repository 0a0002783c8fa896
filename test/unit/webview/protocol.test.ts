// The webview protocol's run-time checks, both directions, the metrics.jsonl reader, and the host's model view.

import { describe, expect, it, vi } from 'vitest';

vi.mock('vscode', () => ({}));

import { fillTemplate } from '../../../src/features/inspectorPanel';
import { modelView } from '../../../src/features/modelView';
import { check } from '../../../src/language';
import { isHostToWebview, isModelView, isPersistedState, isWebviewToHost, parseMetrics, parseMetricsLine } from '../../../src/protocol/webview';
import { lectureEvaluation, lectureSnapshot, LECTURE_SOURCE } from './fixtures';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const model = () => modelView(check(LECTURE_SOURCE), '/w/lecture.cnn', 3);

describe('modelView (host side)', () => {
  it('carries every layer with shapes, params, MACs, window and arithmetic', () => {
    const m = model();
    expect(isModelView(m)).toBe(true);
    expect(m.fileName).toBe('lecture.cnn');
    expect(m.input).toEqual({ h: 32, w: 32, c: 3 });
    expect(m.layers.map((l) => l.kind)).toEqual(['conv', 'relu', 'pool', 'conv', 'relu', 'pool', 'dense', 'softmax']);
    const conv = m.layers[0]!;
    expect(conv.output).toEqual({ kind: 'volume', h: 32, w: 32, c: 16 });
    expect(conv.params).toBe(16 * 3 * 9 + 16);
    expect(conv.window).toEqual({ fh: 3, fw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, transposed: false, oph: 0, opw: 0 });
    expect(conv.groups).toBe(1);
    expect(m.layers.map((l) => l.inputs)).toEqual([[-1], [0], [1], [2], [3], [4], [5], [6]]);
    expect(m.layers.every((l) => l.name === null)).toBe(true);
    expect(conv.filters).toBe(16);
    expect(conv.arithmetic[0]).toMatchObject({ side: 'height', n: 32, f: 3, s: 1, p: 1, text: '(32 − 3 + 2·1) / 1 + 1 = 32' });
    expect(m.layers[2]!.poolMode).toBe('max');
    expect(m.layers[6]!.output).toEqual({ kind: 'vector', n: 3 });
    expect(m.errorCount).toBe(0);
    expect(isHostToWebview({ type: 'model', model: m })).toBe(true);
  });

  it('marks layers with errors and carries their messages', () => {
    const m = modelView(check('input 7x7x1\nconv K=2 F=3 S=3\nrelu\n'), '/w/bad.cnn', 1);
    expect(m.layers[0]!.hasError).toBe(true);
    expect(m.layers[0]!.errors.join(' ')).toMatch(/E020/);
    expect(m.errorCount).toBeGreaterThan(0);
    expect(isModelView(m)).toBe(true);
  });

  it('survives a file that is nothing but errors', () => {
    const m = modelView(check('conv ???\n\u0000 pool size=0\n'), '/w/x.cnn', 1);
    expect(isModelView(m)).toBe(true);
  });
});

describe('host → webview checks', () => {
  const snap = lectureSnapshot();
  it('accepts well-formed messages', () => {
    expect(isHostToWebview({ type: 'empty' })).toBe(true);
    expect(isHostToWebview({ type: 'cursor', file: '/a.cnn', line: 4 })).toBe(true);
    expect(isHostToWebview({ type: 'trainer', file: '/a.cnn', message: snap })).toBe(true);
    expect(isHostToWebview({ type: 'trainer', file: '/a.cnn', message: lectureEvaluation() })).toBe(true);
    expect(isHostToWebview({ type: 'history', file: '/a.cnn', source: 'last', path: '/r/metrics.jsonl', rows: [{ epoch: 1, trainLoss: 1, trainAccuracy: 0.5, valLoss: null, valAccuracy: null, valAuc: null }] })).toBe(true);
    expect(isHostToWebview({ type: 'status', file: '/a.cnn', status: { training: false, run: { phase: 'none', epochsRun: 0, epochs: null, message: null }, inspecting: false, checkpoint: null, note: null } })).toBe(true);
  });

  it.each([
    ['null', null],
    ['a string', 'model'],
    ['an unknown type', { type: 'explode' }],
    ['a negative cursor line', { type: 'cursor', file: '/a.cnn', line: -1 }],
    ['a fractional cursor line', { type: 'cursor', file: '/a.cnn', line: 1.5 }],
    ['a cursor without file', { type: 'cursor', line: 1 }],
    ['a model without layers', { type: 'model', model: { ...model(), layers: undefined } }],
    ['a layer with a string shape', { type: 'model', model: { ...model(), layers: [{ ...model().layers[0]!, output: '32x32x16' }] } }],
    ['a zero-sized volume', { type: 'model', model: { ...model(), layers: [{ ...model().layers[0]!, output: { kind: 'volume', h: 0, w: 3, c: 3 } }] } }],
    ['activations as JSON number arrays', { type: 'trainer', file: '/a.cnn', message: { ...snap, input: { shape: [32, 32, 3], data: Array.from(snap.input.data) } } }],
    ['a tensor shorter than its shape', { type: 'trainer', file: '/a.cnn', message: { ...snap, input: { shape: [32, 32, 3], data: new Float32Array(10) } } }],
    ['a ragged confusion matrix', { type: 'trainer', file: '/a.cnn', message: { ...lectureEvaluation(), confusion: [[1, 2], [3]] } }],
    ['a confusion matrix of the wrong size', { type: 'trainer', file: '/a.cnn', message: { ...lectureEvaluation(), confusion: [[1]] } }],
    ['a NaN loss', { type: 'trainer', file: '/a.cnn', message: { type: 'progress', epoch: 1, epochs: 2, step: 1, steps: 3, loss: NaN, accuracy: 0.1, samplesPerSec: 5, etaSec: 3 } }],
    ['history rows with a string epoch', { type: 'history', file: '/a.cnn', source: 'last', path: null, rows: [{ epoch: '1', trainLoss: 1, trainAccuracy: 0.5, valLoss: null, valAccuracy: null }] }],
    ['a status with a numeric note', { type: 'status', file: '/a.cnn', status: { training: false, run: { phase: 'none', epochsRun: 0, epochs: null, message: null }, inspecting: false, checkpoint: null, note: 3 } }],
    ['a status without the run', { type: 'status', file: '/a.cnn', status: { training: false, inspecting: false, checkpoint: null, note: null } }],
    ['a status with an unknown run phase', { type: 'status', file: '/a.cnn', status: { training: false, run: { phase: 'done', epochsRun: 1, epochs: 1, message: null }, inspecting: false, checkpoint: null, note: null } }],
  ])('rejects %s', (_, m) => {
    expect(isHostToWebview(m)).toBe(false);
  });
});

describe('webview → host checks', () => {
  it('accepts every request', () => {
    for (const m of [
      { type: 'ready' },
      { type: 'reveal', file: '/a.cnn', line: 3 },
      { type: 'train', file: '/a.cnn' },
      { type: 'stopTraining', file: '/a.cnn' },
      { type: 'snapshot', file: '/a.cnn' },
      { type: 'snapshot', file: '/a.cnn', sample: 12 },
      { type: 'pickImage', file: '/a.cnn' },
      { type: 'evaluate', file: '/a.cnn' },
      { type: 'explorer', n: 7, f: 3, s: 3, p: 0 },
    ])
      expect(isWebviewToHost(m), JSON.stringify(m)).toBe(true);
  });

  it.each([
    ['undefined', undefined],
    ['an array', [{ type: 'ready' }]],
    ['an unknown request', { type: 'runShell', command: 'rm -rf /' }],
    ['a reveal without a line', { type: 'reveal', file: '/a.cnn' }],
    ['a reveal with a negative line', { type: 'reveal', file: '/a.cnn', line: -3 }],
    ['a reveal with a string line', { type: 'reveal', file: '/a.cnn', line: '3' }],
    ['a snapshot with a fractional sample', { type: 'snapshot', file: '/a.cnn', sample: 1.5 }],
    ['a snapshot with a negative sample', { type: 'snapshot', file: '/a.cnn', sample: -1 }],
    ['a stop without a file', { type: 'stopTraining' }],
    ['an explorer setting without a stride', { type: 'explorer', n: 7, f: 3, p: 0 }],
    ['an explorer setting with a fractional stride', { type: 'explorer', n: 7, f: 3, s: 1.5, p: 0 }],
  ])('rejects %s', (_, m) => {
    expect(isWebviewToHost(m)).toBe(false);
  });

  it('checks the persisted state', () => {
    expect(isPersistedState({ file: null, tab: 'filters', sample: 0 })).toBe(true);
    expect(isPersistedState({ file: null, tab: 'nope', sample: 0 })).toBe(false);
    expect(isPersistedState(undefined)).toBe(false);
  });
});

describe('metrics.jsonl', () => {
  it('reads rows and skips odd lines', () => {
    const text = [
      '{"epoch":1,"trainLoss":1.1,"trainAccuracy":0.4,"valLoss":1.0,"valAccuracy":0.5,"seconds":3}',
      'not json',
      '',
      '{"epoch":2,"trainLoss":0.8,"trainAccuracy":0.6,"valLoss":null,"valAccuracy":null}',
      '{"epoch":"3","trainLoss":0.8,"trainAccuracy":0.6}',
      '{"epoch":2,"trainLoss":0.7,"trainAccuracy":0.65,"valLoss":0.9,"valAccuracy":0.6,"valAuc":0.875}',
      '[1,2,3]',
      '{"epoch":3,"trainLoss":0.5',
    ].join('\n');
    const rows = parseMetrics(text);
    expect(rows).toEqual([
      // A run from before issue 9 has no AUC: null.
      { epoch: 1, trainLoss: 1.1, trainAccuracy: 0.4, valLoss: 1.0, valAccuracy: 0.5, valAuc: null },
      { epoch: 2, trainLoss: 0.7, trainAccuracy: 0.65, valLoss: 0.9, valAccuracy: 0.6, valAuc: 0.875 },
    ]);
    expect(parseMetricsLine('null')).toBeNull();
    expect(parseMetrics('')).toEqual([]);
  });
});

describe('the page template', () => {
  const template = readFileSync(join(__dirname, '../../../media/inspector/index.html'), 'utf8');
  it('has a content security policy with a nonce and local sources only', () => {
    const html = fillTemplate(template, { cspSource: 'vscode-resource:', nonce: 'abc123', scriptUri: 'vscode-resource:/dist/webview.js', styleUri: 'vscode-resource:/media/inspector/inspector.css' });
    const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'nonce-abc123'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/https?:/);
    expect(html).toContain('<script type="module" nonce="abc123" src="vscode-resource:/dist/webview.js">');
    expect(html).not.toMatch(/\{\{\w+\}\}/);
  });
});

describe('the host\u2019s throttle (progress ≤ 5/s, snapshots ≤ 2/s)', () => {
  it('sends the first at once, then at most one per interval, always the newest, and never loses the last', async () => {
    vi.useFakeTimers();
    try {
      const { Throttle } = await import('../../../src/features/throttle');
      const sent: number[] = [];
      const t = new Throttle<number>(200, (v) => sent.push(v));
      t.push(1);
      expect(sent).toEqual([1]);
      for (let i = 2; i <= 10; i++) {
        vi.advanceTimersByTime(20);
        t.push(i);
      }
      expect(sent).toEqual([1]);
      vi.advanceTimersByTime(20); // 200 ms after the first
      expect(sent).toEqual([1, 10]);
      // 60 pushes over 3 s at 50 ms: about 15 sends, 5 a second.
      for (let i = 0; i < 60; i++) {
        t.push(100 + i);
        vi.advanceTimersByTime(50);
      }
      vi.advanceTimersByTime(1000);
      const later = sent.slice(2);
      expect(later.length).toBeGreaterThanOrEqual(14);
      expect(later.length).toBeLessThanOrEqual(16);
      expect(sent.at(-1)).toBe(159);
      // flush sends what waits at once (an epoch message must not overtake a pending progress).
      t.push(1000);
      t.push(1001);
      t.flush();
      expect(sent.at(-1)).toBe(1001);
      t.dispose();
    } finally {
      vi.useRealTimers();
    }
  });
});
