// Issue 9, items 2 and 3 (inspector side): the Training tab's class counts and weights, and the augmentation
// grid's logic — when it asks again, how it words the settings, one value range for all its tiles.

import { describe, expect, it } from 'vitest';

import { modelView } from '../../../src/features/modelView';
import { check } from '../../../src/language';
import type { AugmentPreviewMessage, AugmentSpec, StartedMessage } from '../../../src/protocol/trainer';
import { augmentKey, augmentText, gridPhase, gridRange, labelsText, previewRequestKey } from '../../../webview/state/augment';
import { curves, initialState, reduce } from '../../../webview/state/inspector';
import { countRows, countsCaption, formatWeight } from '../../../webview/state/trainingData';

const AUG: AugmentSpec = { flip: 'horizontal', rotate: 10, shift: 2, zoom: [0.9, 1.1], brightness: 0.1, contrast: 0, line: 3 };
const OFF: AugmentSpec = { flip: 'none', rotate: 0, shift: 0, zoom: null, brightness: 0, contrast: 0, line: 3 };

const started = (over: Partial<StartedMessage> = {}): StartedMessage => ({
  type: 'started',
  epochs: 2,
  stepsPerEpoch: 10,
  trainSize: 1000,
  valSize: 100,
  classes: ['normal', 'pneumonia'],
  params: 100,
  backend: 'builtin',
  warnings: [],
  task: 'single',
  classCounts: [950, 50],
  classWeights: null,
  ...over,
});

describe('class counts', () => {
  it('draws each class against the most common one, marks those under 10% of it', () => {
    const rows = countRows(started());
    expect(rows.map((r) => [r.name, r.share, r.text, r.rare, r.weight])).toEqual([
      ['normal', 1, '950 (95.0%)', false, null],
      ['pneumonia', 50 / 950, '50 (5.0%)', true, null],
    ]);
    expect(countsCaption(started())).toBe('samples per class among 1,000 training samples; no class weights');
  });

  it('shows the weights in effect; multi-label counts positives per label with pos_weight', () => {
    const rows = countRows(started({ classWeights: [1000 / (2 * 950), 10] }));
    expect(rows.map((r) => r.weight)).toEqual(['0.526', '10']);
    const multi = started({ task: 'multilabel', classes: ['a', 'b', 'c'], classCounts: [100, 0, 400], classWeights: [9, 1, 1.5] });
    expect(countRows(multi).map((r) => [r.count, r.rare, r.weight])).toEqual([
      [100, false, '9'],
      [0, true, '1'],
      [400, false, '1.5'],
    ]);
    expect(countsCaption(multi)).toBe('positives per label among 1,000 training samples; weights: pos_weight per label (negatives / positives)');
    expect(formatWeight(Number.POSITIVE_INFINITY)).toBe('–');
  });

  it('reaches the state from a run’s start or from the host’s trainingData, per file', () => {
    const model = modelView(check('network A\ninput 8x8x1\ndense units=2\nsoftmax\n'), '/w/a.cnn', 1);
    let s = reduce(initialState(), { type: 'model', model });
    s = reduce(s, { type: 'trainingData', file: '/w/other.cnn', data: started() });
    expect(s.trainingData).toBeNull();
    s = reduce(s, { type: 'trainingData', file: '/w/a.cnn', data: started() });
    expect(s.trainingData?.classCounts).toEqual([950, 50]);
    s = reduce(s, { type: 'trainer', file: '/w/a.cnn', message: started({ classCounts: [500, 500] }) });
    expect(s.trainingData?.classCounts).toEqual([500, 500]);
    // The sample picker stays inside the training split once its size is known.
    s = reduce(s, { type: 'ui/augmentSample', sample: 5000 });
    expect(s.augment.sample).toBe(999);
    // Another file: nothing of this one's data stays.
    s = reduce(s, { type: 'model', model: { ...model, file: '/w/b.cnn' } });
    expect(s.trainingData).toBeNull();
    expect(s.augment).toEqual({ preview: null, sample: 0, seed: null });
  });
});

describe('validation AUC per epoch', () => {
  it('the Training tab’s AUC curve comes from the epochs that carry one; none for older runs', () => {
    const model = modelView(check('network A\ninput 8x8x1\ndense units=2\nsigmoid\n'), '/w/a.cnn', 1);
    let s = reduce(initialState(), { type: 'model', model });
    const epoch = (n: number, valAuc: number | null) => ({ type: 'trainer', file: '/w/a.cnn', message: { type: 'epoch', epoch: n, epochs: 3, trainLoss: 1, trainAccuracy: 0.5, valLoss: 1, valAccuracy: 0.5, valAuc, seconds: 1 } }) as const;
    s = reduce(s, epoch(1, 0.61));
    s = reduce(s, epoch(2, 0.74));
    expect(s.run.rows.map((r) => r.valAuc)).toEqual([0.61, 0.74]);
    expect(curves(s.run).auc).toEqual([
      [1, 0.61],
      [2, 0.74],
    ]);
    s = reduce(s, { type: 'history', file: '/w/a.cnn', source: 'last', path: '/r/metrics.jsonl', rows: [{ epoch: 1, trainLoss: 1, trainAccuracy: 0.5, valLoss: 1, valAccuracy: 0.5, valAuc: null }] });
    expect(curves(s.run).auc).toEqual([]);
  });
});

describe('augmentation grid', () => {
  const model = (augment: AugmentSpec | null, errorCount = 0) => ({ ...modelView(check('network A\ninput 8x8x1\ndense units=2\nsoftmax\n'), '/w/a.cnn', 1), augment, errorCount });
  const preview = (augment: AugmentSpec, sample = 0, seed = 7): AugmentPreviewMessage => ({
    type: 'augmentPreview',
    sample,
    labels: [1],
    classes: ['normal', 'pneumonia'],
    input: { shape: [2, 2, 1], data: new Float32Array(4) },
    images: [],
    augment,
    seed,
  });

  it('words the settings', () => {
    expect(augmentText(AUG)).toBe('flip horizontal · rotate ±10° · shift ±2 px · zoom 0.9–1.1 · brightness ±10%');
    expect(augmentText({ ...OFF, flip: 'both', contrast: 0.25 })).toBe('flip both ways · contrast ±25%');
    expect(augmentText(OFF)).toMatch(/every setting off/);
  });

  it('asks again when the settings, the sample or the seed change; not for the line moving, errors or no augment line', () => {
    const k = previewRequestKey(model(AUG), 0, null);
    expect(k).not.toBeNull();
    expect(previewRequestKey(model({ ...AUG, line: 9 }), 0, null)).toBe(k);
    expect(previewRequestKey(model({ ...AUG, rotate: 30 }), 0, null)).not.toBe(k);
    expect(previewRequestKey(model(AUG), 1, null)).not.toBe(k);
    expect(previewRequestKey(model(AUG), 0, 8)).not.toBe(k);
    expect(previewRequestKey(model(AUG, 1), 0, null)).toBeNull();
    expect(previewRequestKey(model(null), 0, null)).toBeNull();
    expect(augmentKey(null)).toBe('none');
  });

  it('says whether the grid shows the editor’s settings now', () => {
    expect(gridPhase(model(null), null, 0, null)).toBe('none');
    expect(gridPhase(model(AUG, 2), preview(AUG), 0, null)).toBe('errors');
    expect(gridPhase(model(AUG), null, 0, null)).toBe('waiting');
    expect(gridPhase(model(AUG), preview(AUG), 0, null)).toBe('current');
    expect(gridPhase(model({ ...AUG, rotate: 45 }), preview(AUG), 0, null)).toBe('stale');
    expect(gridPhase(model(AUG), preview(AUG, 3), 0, null)).toBe('stale');
    expect(gridPhase(model(AUG), preview(AUG, 0, 7), 0, 8)).toBe('stale');
    expect(gridPhase(model(AUG), preview(AUG, 0, 8), 0, 8)).toBe('current');
  });

  it('names the sample’s classes for both tasks', () => {
    expect(labelsText(preview(AUG), 'single')).toBe('class pneumonia');
    expect(labelsText({ labels: [0, 2], classes: ['Atelectasis', 'Cardiomegaly', 'Effusion'] }, 'multilabel')).toBe('labels: Atelectasis, Effusion');
    expect(labelsText({ labels: [], classes: ['a'] }, 'multilabel')).toBe('no label set');
  });

  it('paints every tile on one range: [0, 1] for scaled pixels, else all images together', () => {
    expect(gridRange([Float32Array.of(0.2, 0.4), Float32Array.of(0.1, 0.9)])).toEqual({ min: 0, max: 1 });
    expect(gridRange([Float32Array.of(-1, 0.5), Float32Array.of(0, 2)])).toEqual({ min: -1, max: 2 });
    expect(gridRange([])).toEqual({ min: 0, max: 1 });
    expect(gridRange([Float32Array.of(3, 3)])).toEqual({ min: 2, max: 4 });
  });

  it('keeps the preview, and new draws as a seed', () => {
    let s = reduce(initialState(), { type: 'model', model: model(AUG) });
    s = reduce(s, { type: 'trainer', file: '/w/a.cnn', message: preview(AUG) });
    expect(s.augment.preview?.seed).toBe(7);
    s = reduce(s, { type: 'ui/augmentSeed', seed: 8 });
    expect(s.augment.seed).toBe(8);
    expect(reduce(s, { type: 'ui/augmentSeed', seed: 8 })).toBe(s);
  });
});
