// Issue 9, item 3 (host side): the augmentation grid's request is made from the editor's text now, and the
// messages between the host and the webview for it (and for the training data) are checked both ways.

import { describe, expect, it } from 'vitest';

import { modelView } from '../../../src/features/modelView';
import { augmentPreviewRequest, forwardedFromInspect, TrainingDataStore } from '../../../src/features/inspectorAugment';
import { check } from '../../../src/language';
import type { AugmentPreviewMessage, StartedMessage } from '../../../src/protocol/trainer';
import { isHostToWebview, isWebviewToHost } from '../../../src/protocol/webview';

const FILE = '/w/chest.cnn';
const text = (augment: string) => ['network Chest', 'input 8x8x1', 'classes a b c', augment, 'dense units=3', 'sigmoid', ''].join('\n');

describe('augmentation request from the editor’s text', () => {
  it('carries the file’s augment settings now, the sample, the count and the seed', () => {
    const r = augmentPreviewRequest(check(text('augment flip=vertical rotate=20')), { type: 'augmentPreview', file: FILE, sample: 3, count: 8, seed: 4 });
    expect(r).toEqual({ type: 'augmentPreview', sample: 3, count: 8, seed: 4, augment: { flip: 'vertical', rotate: 20, shift: 0, zoom: null, brightness: 0, contrast: 0, line: 3 } });
    const edited = augmentPreviewRequest(check(text('augment flip=vertical rotate=45')), { type: 'augmentPreview', file: FILE, sample: 3, count: 8 });
    expect(edited?.augment.rotate).toBe(45);
    expect(edited && 'seed' in edited).toBe(false);
  });

  it('asks for nothing without an augment line or with errors', () => {
    expect(augmentPreviewRequest(check(text('')), { type: 'augmentPreview', file: FILE, sample: 0, count: 8 })).toBeNull();
    expect(augmentPreviewRequest(check(text('augment rotate=720')), { type: 'augmentPreview', file: FILE, sample: 0, count: 8 })).toBeNull();
  });

  it('the model view carries the task and the augment settings (none with errors)', () => {
    const m = modelView(check(text('augment shift=2')), FILE, 1);
    expect(m.task).toBe('multilabel');
    expect(m.augment?.shift).toBe(2);
    expect(isHostToWebview({ type: 'model', model: m })).toBe(true);
    expect(modelView(check(text('augment shift=2\nconv K=2 F=3 S=3')), FILE, 1).augment).toBeNull();
    expect(modelView(check(text('')), FILE, 1).augment).toBeNull();
  });
});

describe('messages for the grid and the training data', () => {
  const preview = (images: number): AugmentPreviewMessage => ({
    type: 'augmentPreview',
    sample: 0,
    labels: [0, 2],
    classes: ['a', 'b', 'c'],
    input: { shape: [2, 2, 1], data: new Float32Array(4) },
    images: Array.from({ length: images }, () => ({ shape: [2, 2, 1], data: new Float32Array(4) })),
    augment: { flip: 'none', rotate: 5, shift: 0, zoom: null, brightness: 0, contrast: 0, line: 3 },
    seed: 1,
  });
  const started: StartedMessage = { type: 'started', epochs: 0, stepsPerEpoch: 0, trainSize: 10, valSize: 2, classes: ['a', 'b', 'c'], params: 1, backend: 'builtin', warnings: [], task: 'multilabel', classCounts: [1, 2, 3], classWeights: null };

  it('the webview takes a preview whose tensors hold what their shapes say, and refuses one that does not', () => {
    expect(isHostToWebview({ type: 'trainer', file: FILE, message: preview(8) })).toBe(true);
    const bad = preview(1);
    bad.images[0]!.data = new Float32Array(3);
    expect(isHostToWebview({ type: 'trainer', file: FILE, message: bad })).toBe(false);
  });

  it('training data is a trainer’s `started` message and nothing else', () => {
    expect(isHostToWebview({ type: 'trainingData', file: FILE, data: started })).toBe(true);
    expect(isHostToWebview({ type: 'trainingData', file: FILE, data: preview(1) })).toBe(false);
    const store = new TrainingDataStore();
    expect(store.take(FILE, preview(1))).toBe(false);
    expect(store.take(FILE, started)).toBe(true);
    expect(store.get(FILE)).toBe(started);
    expect(store.get('/w/other.cnn')).toBeNull();
  });

  it('the host takes a grid request with a sensible count', () => {
    expect(isWebviewToHost({ type: 'augmentPreview', file: FILE, sample: 0, count: 8 })).toBe(true);
    expect(isWebviewToHost({ type: 'augmentPreview', file: FILE, sample: -1, count: 8 })).toBe(false);
    expect(isWebviewToHost({ type: 'augmentPreview', file: FILE, sample: 0, count: 0 })).toBe(false);
    expect(isWebviewToHost({ type: 'augmentPreview', file: FILE, sample: 0, count: 8, seed: 1.5 })).toBe(false);
  });

  it('the inspector’s own trainer passes on its answers, not its run messages', () => {
    expect(forwardedFromInspect(preview(1))).toBe(true);
    expect(forwardedFromInspect(started)).toBe(false);
    expect(forwardedFromInspect({ type: 'log', message: 'x' })).toBe(false);
  });
});
