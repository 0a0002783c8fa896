// Issue 10, the Explain tab's pure state: which layers Grad-CAM is offered (conv and pool lines with rows and
// columns; the cursor on one selects it), the request for what the tab shows, when to ask again (a new choice;
// while training, a newer snapshot once the last answer is in), the bilinear upsampling (PyTorch's
// align_corners=False, checked by hand) and the overlay's pixels under the opacity.

import { describe, expect, it } from 'vitest';

import { modelView } from '../../../src/features/modelView';
import { check } from '../../../src/language';
import type { ExplanationMessage } from '../../../src/protocol/explain';
import { isWebviewToHost } from '../../../src/protocol/webview';
import { isHostToWebview } from '../../../src/protocol/webview';
import { lut, unpack } from '../../../webview/state/colors';
import { classPhrase, explainLayers, explainLine, explainRequest, galleryRequest, initialExplain, overlayPixels, shouldAsk } from '../../../webview/state/explain';
import { initialState, reduce } from '../../../webview/state/inspector';
import { upsampleBilinear } from '../../../webview/state/upsample';
import { defaultLine } from '../../../src/explain';
import { example, specOf } from '../export/helpers';
import { LECTURE_SOURCE } from './fixtures';

const FILE = '/w/lecture.cnn';
const model = modelView(check(LECTURE_SOURCE), FILE, 1);
// Lines (0-based): conv 5, relu 6, pool 7, conv 8, relu 9, pool 10, dense 11, softmax 12.

function explanation(over: Partial<ExplanationMessage> = {}): ExplanationMessage {
  const map = (h: number, w: number) => Float32Array.from({ length: h * w }, (_, i) => i / (h * w));
  return {
    type: 'explanation',
    source: 'validation sample 3',
    sample: 3,
    imagePath: null,
    label: 1,
    input: { shape: [4, 4, 1], data: new Float32Array(16).fill(0.5) },
    classIndex: 2,
    predicted: true,
    probabilities: [0.1, 0.2, 0.7],
    classes: ['door', 'stair', 'sign'],
    maps: [
      { method: 'gradcam', line: 10, h: 2, w: 2, map: map(2, 2) },
      { method: 'saliency', line: null, h: 4, w: 4, map: map(4, 4) },
      { method: 'occlusion', line: null, h: 4, w: 4, map: map(4, 4) },
    ],
    error: null,
    ...over,
  };
}

describe('Explain tab: layers', () => {
  it('offers the conv and pool lines with rows and columns; the default is the last of them', () => {
    expect(explainLayers(model).map((l) => [l.line, l.kind])).toEqual([
      [5, 'conv'],
      [7, 'pool'],
      [8, 'conv'],
      [10, 'pool'],
    ]);
    expect(explainLine(model, null)).toBe(10);
    expect(explainLine(model, 8)).toBe(8);
    // A line that is no longer such a layer (the file changed): the default.
    expect(explainLine(model, 11)).toBe(10);
    expect(explainLine(null, null)).toBeNull();
  });

  it('in a residual network offers the merges too and defaults to the last block\'s add, as cnn explain does', () => {
    const source = example('resnet');
    const resnet = modelView(check(source), '/w/resnet.cnn', 1);
    const layers = explainLayers(resnet);
    expect(layers.filter((l) => l.kind === 'add').length).toBe(2);
    const line = explainLine(resnet, null)!;
    expect(resnet.layers.find((l) => l.line === line)?.kind).toBe('add');
    // The CLI's default (1-based) names the same statement, not the projection shortcut's conv above it.
    expect(defaultLine(specOf(source))).toBe(line + 1);
  });

  it('the cursor on a conv line selects it; on a relu or dense line the choice stays', () => {
    let s = reduce(initialState(), { type: 'model', model });
    s = reduce(s, { type: 'cursor', file: FILE, line: 5 });
    expect(s.explain.line).toBe(5);
    s = reduce(s, { type: 'cursor', file: FILE, line: 11 });
    expect(s.explain.line).toBe(5);
    s = reduce(s, { type: 'cursor', file: FILE, line: 9 });
    expect(s.explain.line).toBe(5);
    s = reduce(s, { type: 'cursor', file: FILE, line: 8 });
    expect(s.explain.line).toBe(8);
  });
});

describe('Explain tab: requests', () => {
  it('asks for all three methods of the chosen sample, class and line, as the protocol checks it', () => {
    let s = reduce(initialState(), { type: 'model', model });
    s = reduce(s, { type: 'ui/explainSample', sample: 7 });
    s = reduce(s, { type: 'ui/explainClass', cls: 1 });
    const r = explainRequest(FILE, s.explain, s.model);
    expect(r).toEqual({ type: 'explain', file: FILE, sample: 7, imagePath: null, cls: 1, line: 10, methods: ['gradcam', 'saliency', 'occlusion'] });
    expect(isWebviewToHost(r)).toBe(true);
    expect(isWebviewToHost({ ...r, methods: ['gradcam', 'gradcam'] })).toBe(false);
    expect(isWebviewToHost({ ...r, methods: ['lime'] })).toBe(false);
    expect(isWebviewToHost({ ...r, cls: -1 })).toBe(false);
  });

  it('asks once per choice; while training again after a newer snapshot, once the answer is in', () => {
    let s = reduce(initialState(), { type: 'model', model });
    const ask = () => shouldAsk(s.explain, s.model, true, true);
    expect(shouldAsk(s.explain, s.model, false, false)).toBe(true);
    s = reduce(s, { type: 'ui/explainAsked', key: JSON.stringify([s.explain.source, s.explain.cls, 10]) });
    expect(s.explain.waiting).toBe(true);
    expect(shouldAsk(s.explain, s.model, false, true)).toBe(false); // idle: the same weights
    expect(ask()).toBe(false); // training, but the answer is still to come
    s = reduce(s, { type: 'trainer', file: FILE, message: explanation() });
    expect(s.explain.waiting).toBe(false);
    expect(s.explain.explanation?.source).toBe('validation sample 3');
    expect(ask()).toBe(true); // training: a newer snapshot asks again
    expect(shouldAsk(s.explain, s.model, true, false)).toBe(false);
    s = reduce(s, { type: 'ui/explainLine', line: 5 });
    expect(shouldAsk(s.explain, s.model, false, false)).toBe(true); // a new choice
  });

  it('an image file the host picked becomes the source, and is not asked for again', () => {
    let s = reduce(initialState(), { type: 'model', model });
    s = reduce(s, { type: 'trainer', file: FILE, message: explanation({ source: '/w/door.png', sample: null, imagePath: '/w/door.png', label: null }) });
    expect(s.explain.source).toEqual({ kind: 'image', path: '/w/door.png' });
    expect(shouldAsk(s.explain, s.model, false, false)).toBe(false);
    expect(explainRequest(FILE, s.explain, s.model).imagePath).toBe('/w/door.png');
    s = reduce(s, { type: 'ui/explainSample', sample: 4 });
    expect(explainRequest(FILE, s.explain, s.model)).toMatchObject({ sample: 4, imagePath: null });
  });

  it('the explanation passes the host→webview check only when its maps hold h×w values', () => {
    expect(isHostToWebview({ type: 'trainer', file: FILE, message: explanation() })).toBe(true);
    const bad = explanation();
    bad.maps[0] = { ...bad.maps[0]!, h: 3 };
    expect(isHostToWebview({ type: 'trainer', file: FILE, message: bad })).toBe(false);
  });

  it('names the class explained, predicted or chosen, with its probability', () => {
    expect(classPhrase(explanation())).toBe('sign (predicted, 70%)');
    expect(classPhrase(explanation({ classIndex: 0, predicted: false }))).toBe('door (chosen, 10%)');
    expect(classPhrase(explanation({ classIndex: -1, maps: [], error: 'x' }))).toBe('');
  });

  it('the gallery’s Grad-CAM: asked only when on, for its samples at the tab’s layer; the maps kept', () => {
    let s = reduce(initialState(), { type: 'model', model });
    expect(galleryRequest(FILE, s.explain, s.model, [3, 17])).toBeNull();
    s = reduce(s, { type: 'ui/galleryCam', on: true });
    s = reduce(s, { type: 'ui/explainLine', line: 7 });
    const r = galleryRequest(FILE, s.explain, s.model, [3, 17]);
    expect(r).toEqual({ type: 'explainGallery', file: FILE, samples: [3, 17], line: 7 });
    expect(isWebviewToHost(r)).toBe(true);
    expect(galleryRequest(FILE, s.explain, s.model, [])).toBeNull();
    const m = { type: 'galleryExplanation' as const, line: 7, items: [{ sample: 3, classIndex: 1, h: 2, w: 2, map: new Float32Array(4) }], error: null };
    expect(isHostToWebview({ type: 'trainer', file: FILE, message: m })).toBe(true);
    expect(isHostToWebview({ type: 'trainer', file: FILE, message: { ...m, items: [{ ...m.items[0]!, h: 3 }] } })).toBe(false);
    s = reduce(s, { type: 'trainer', file: FILE, message: m });
    expect(s.explain.gallery).toBe(m);
  });

  it('the opacity stays within 0…1', () => {
    let s = reduce(initialState(), { type: 'ui/explainOpacity', opacity: 1.7 });
    expect(s.explain.opacity).toBe(1);
    s = reduce(s, { type: 'ui/explainOpacity', opacity: -2 });
    expect(s.explain.opacity).toBe(0);
  });
});

describe('Explain tab: drawing', () => {
  it('upsamples bilinearly with half-pixel centres (PyTorch align_corners=False)', () => {
    // torch.nn.functional.interpolate(torch.tensor([[[[0., 1.], [2., 3.]]]]), size=(4, 4), mode='bilinear', align_corners=False)
    const up = upsampleBilinear({ h: 2, w: 2, data: [0, 1, 2, 3] }, 4, 4);
    expect(Array.from(up)).toEqual([0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3]);
    // Downsampling 4 → 2 averages the middle pairs: sources at 0.5 and 2.5.
    expect(Array.from(upsampleBilinear({ h: 1, w: 4, data: [0, 1, 2, 3] }, 1, 2))).toEqual([0.5, 2.5]);
    // The same size is the identity.
    expect(Array.from(upsampleBilinear({ h: 2, w: 3, data: [1, 2, 3, 4, 5, 6] }, 2, 3))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('blends viridis over the grey input by the opacity; 0 shows the input, 1 the map', () => {
    const input = { shape: [2, 2, 1], data: Float32Array.from([0, 1, 0, 1]) };
    const map = { method: 'saliency' as const, line: null, h: 2, w: 2, map: Float32Array.from([0, 0, 4, -1]) };
    const none = overlayPixels(input, map, 0);
    expect(Array.from(none.rgba)).toEqual([0, 0, 0, 255, 255, 255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 255]);
    const full = overlayPixels(input, map, 1);
    const top = unpack(lut('viridis')[255]!);
    const bottom = unpack(lut('viridis')[0]!);
    expect(Array.from(full.rgba.subarray(8, 12))).toEqual([top[0], top[1], top[2], 255]); // the largest value
    expect(Array.from(full.rgba.subarray(12, 16))).toEqual([bottom[0], bottom[1], bottom[2], 255]); // negative: as 0
    const half = overlayPixels(input, map, 0.5);
    // Half of each (Uint8ClampedArray rounds half to even).
    expect(Math.abs(half.rgba[8]! - 0.5 * top[0])).toBeLessThanOrEqual(0.5);
    expect(Math.abs(half.rgba[4]! - (0.5 * 255 + 0.5 * bottom[0]))).toBeLessThanOrEqual(0.5);
    expect([full.width, full.height]).toEqual([2, 2]);
  });

  it('a new file forgets the explanation', () => {
    let s = reduce(initialState(), { type: 'model', model });
    s = reduce(s, { type: 'trainer', file: FILE, message: explanation() });
    s = reduce(s, { type: 'model', model: { ...model, file: '/w/other.cnn' } });
    expect(s.explain).toEqual(initialExplain());
  });
});
