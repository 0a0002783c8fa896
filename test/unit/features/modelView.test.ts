// The inspector's model view (src/features/modelView.ts), pure: a checked file as the panel draws it — windows of
// every sliding-window kind, the graph's inputs, names and `from` jumps, errors on their own statement, the
// augment settings — and the trainer's C×H×W snapshot turned into the panel's H×W×C.

import { describe, expect, it } from 'vitest';
import { modelView, snapshotToHwc, windowView } from '../../../src/features/modelView';
import { check } from '../../../src/language';
import type { SnapshotMessage } from '../../../src/protocol/trainer';
import { isModelView } from '../../../src/protocol/webview';

const GRAPH = [
  'network Probe',
  'input 8x8x2',
  'classes a b',
  'stem: conv filters=4 size=3 pad=1 dilation=2', // line 3
  'deconv filters=3 size=3 stride=2 pad=1 outpad=1',
  'pool avg size=2',
  'from stem', // line 6: a jump to the stem
  'conv filters=3 size=1',
  '# a comment',
  'concat stem', // line 9
  'gap',
  'dense units=2',
  'softmax',
  '',
].join('\n');

describe('modelView', () => {
  it('gives every sliding-window kind its window, and none to the others', () => {
    const m = modelView(check(GRAPH), '/w/probe.cnn', 7);
    expect(isModelView(m)).toBe(true);
    const byLine = new Map(m.layers.map((l) => [l.line, l]));
    expect(byLine.get(3)!.window).toEqual({ fh: 3, fw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 2, dw: 2, transposed: false, oph: 0, opw: 0 });
    expect(byLine.get(3)!.output).toEqual({ kind: 'volume', h: 6, w: 6, c: 4 });
    expect(byLine.get(4)!.window).toEqual({ fh: 3, fw: 3, sh: 2, sw: 2, ph: 1, pw: 1, dh: 1, dw: 1, transposed: true, oph: 1, opw: 1 });
    expect(byLine.get(4)!.filters).toBe(3);
    expect(byLine.get(4)!.groups).toBeNull();
    expect(byLine.get(5)!.window).toMatchObject({ fh: 2, sh: 2, dh: 1, transposed: false });
    expect(byLine.get(5)!.poolMode).toBe('avg');
    expect(byLine.get(5)!.filters).toBeNull();
    for (const line of [9, 10, 11, 12]) expect(byLine.get(line)!.window).toBeNull();
  });

  it('carries the graph: names, inputs (the flow, then the named ones) and the from line as a jump', () => {
    const m = modelView(check(GRAPH), '/w/probe.cnn', 7);
    expect(m.fileName).toBe('probe.cnn');
    expect(m.version).toBe(7);
    expect(m.name).toBe('Probe');
    expect(m.classes).toEqual(['a', 'b']);
    expect(m.layers[0]!.name).toBe('stem');
    expect(m.layers.find((l) => l.line === 7)!.inputs).toEqual([0]);
    expect(m.layers.find((l) => l.line === 9)!.inputs).toEqual([3, 0]);
    expect(m.jumps).toEqual([{ line: 6, target: 0 }]);
    // The pool's output is never used: a warning, counted, not an error.
    expect(m.warningCount).toBeGreaterThanOrEqual(1);
    expect(m.errorCount).toBe(0);
  });

  it('puts an error on its own statement only', () => {
    const m = modelView(check('input 8x8x1\nconv filters=2 size=3\npool max size=9\ndense units=2\n'), '/w/e.cnn', 1);
    const [conv, pool, dense] = m.layers;
    expect(conv!.errors).toEqual([]);
    expect(conv!.hasError).toBe(false);
    expect(pool!.hasError).toBe(true);
    expect(pool!.errors.length).toBeGreaterThan(0);
    expect(pool!.errors.every((e) => /^E\d+: /.test(e))).toBe(true);
    expect(dense!.errors).toEqual([]);
    expect(m.errorCount).toBe(pool!.errors.length);
    expect(isModelView(m)).toBe(true);
  });

  it('carries the augment settings as training takes them, and none when the file has errors', () => {
    const src = 'input 8x8x1\nclasses a b\nconv filters=2 size=3\ngap\ndense units=2\nsoftmax\naugment flip=horizontal rotate=10\n';
    expect(modelView(check(src), '/w/a.cnn', 1).augment).toMatchObject({ rotate: 10 });
    expect(modelView(check(src.replace('size=3', 'size=30')), '/w/a.cnn', 2).augment).toBeNull();
    expect(modelView(check(src.replace(/augment.*\n/, '')), '/w/a.cnn', 3).augment).toBeNull();
  });

  it('windowView: null for a layer without a window', () => {
    const r = check('input 4x4x1\ngap\ndense units=2\n');
    expect(r.layers.map((l) => windowView(l.spec))).toEqual([null, null]);
  });
});

describe('snapshotToHwc', () => {
  it('turns every C×H×W volume into H×W×C and leaves vectors and the input alone', () => {
    // 2 channels of 2×3: channel k, row y, column x holds 100k + 10y + x.
    const chw = new Float32Array(12);
    for (let k = 0; k < 2; k++) for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) chw[k * 6 + y * 3 + x] = 100 * k + 10 * y + x;
    const input = { shape: [2, 3, 1], data: new Float32Array([1, 2, 3, 4, 5, 6]) };
    const vector = { shape: [4], data: new Float32Array([0.1, 0.2, 0.3, 0.4]), index: 1, kind: 'dense', line: 4 };
    const s: SnapshotMessage = {
      type: 'snapshot',
      source: 'validation sample 0',
      label: 1,
      input,
      activations: [{ shape: [2, 2, 3], data: chw, index: 0, kind: 'conv', line: 3 }, vector],
      filters: [],
      probabilities: [0.5, 0.5],
      classes: ['a', 'b'],
    };
    const out = snapshotToHwc(s);
    const vol = out.activations[0]!;
    expect(vol.shape).toEqual([2, 3, 2]);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) for (let k = 0; k < 2; k++) expect(vol.data[(y * 3 + x) * 2 + k]).toBe(100 * k + 10 * y + x);
    expect(vol).toMatchObject({ index: 0, kind: 'conv', line: 3 });
    expect(out.activations[1]).toBe(vector);
    expect(out.input).toBe(input);
    // The trainer's message is not changed in place.
    expect(s.activations[0]!.shape).toEqual([2, 2, 3]);
    expect(s.activations[0]!.data).toBe(chw);
  });
});
