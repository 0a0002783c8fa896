// What an explanation is asked about, checked against the model (the default Grad-CAM line, classes by name
// or index, the occlusion window's defaults and limits), and the bilinear upsampling of the overlays
// (PyTorch's interpolate with align_corners=False).

import { describe, expect, it } from 'vitest';
import { defaultLine, ExplainError, layerOnLine, occlusionWindow, resolveClass, upsampleBilinear } from '../../../src/explain';
import { example, specOf } from '../export/helpers';

const lecture = specOf(example('lecture'));

describe('the Grad-CAM layer', () => {
  it('defaults to the last conv or pool with more than 1×1 outputs', () => {
    expect(defaultLine(lecture)).toBe(12); // pool size=2 (8×8×32), not the dense after it
    expect(defaultLine(specOf(example('resnet')))).toBe(30); // the last block's add (8×8), not its projection shortcut's conv on line 28, nor gap (1×1)
    // No conv or pool: the last layer with rows and columns.
    expect(defaultLine(specOf('network N\ninput 6x6x1\nclasses a b\nrelu\ndense units=2\nsoftmax\n'))).toBe(4);
  });

  it('a network without rows and columns anywhere has no Grad-CAM', () => {
    const flat = specOf('network Flat\ninput 1x1x4\nclasses a b\ndense units=2\nsoftmax\n');
    expect(() => defaultLine(flat)).toThrow(ExplainError);
    expect(() => defaultLine(flat)).toThrow(/no layer with a spatial output.*--method saliency or occlusion/);
  });

  it('takes any layer with a volume output on the line, 1-based', () => {
    expect(layerOnLine(lecture, 8).spec.kind).toBe('relu');
    expect(layerOnLine(lecture, 8).index).toBe(1);
    expect(() => layerOnLine(lecture, 14)).toThrow(/line 14 is a softmax layer: its output is a vector of 3/);
    expect(() => layerOnLine(lecture, 100)).toThrow(/line 100 holds no layer statement/);
  });
});

describe('the class', () => {
  it('by name, else by index; none asked: null', () => {
    expect(resolveClass(lecture, 'sign')).toBe(2);
    expect(resolveClass(lecture, '0')).toBe(0);
    expect(resolveClass(lecture, undefined)).toBeNull();
    expect(() => resolveClass(lecture, '-1')).toThrow(/no class '-1'; its classes are door \(0\), stair \(1\), sign \(2\)/);
  });

  it('a class named like an index is found by its name first', () => {
    const spec = specOf('network N\ninput 4x4x1\nclasses 1 0\nconv filters=2 size=3\ndense units=2\nsoftmax\n');
    expect(resolveClass(spec, '1')).toBe(0);
  });

  it('a multi-label network speaks of labels', () => {
    const spec = specOf('network M\ninput 4x4x1\nclasses effusion mass\nconv filters=2 size=3\ndense units=2\nsigmoid\n');
    expect(() => resolveClass(spec, 'nodule')).toThrow(/has no label 'nodule'; its labels are effusion \(0\), mass \(1\)/);
  });
});

describe('the occlusion window', () => {
  it('defaults to a quarter of the shorter side (at least 2) and a stride of half the window (at least 1)', () => {
    expect(occlusionWindow(lecture)).toEqual({ window: 8, stride: 4 });
    expect(occlusionWindow(specOf('network N\ninput 5x9x1\nclasses a b\nconv filters=2 size=3\ndense units=2\nsoftmax\n'))).toEqual({ window: 2, stride: 1 });
    expect(occlusionWindow(lecture, 5)).toEqual({ window: 5, stride: 2 });
    expect(occlusionWindow(lecture, 5, 3)).toEqual({ window: 5, stride: 3 });
  });

  it('refuses a window larger than the image on either side', () => {
    const wide = specOf('network N\ninput 6x20x1\nclasses a b\nconv filters=2 size=3\ndense units=2\nsoftmax\n');
    expect(occlusionWindow(wide, 6)).toEqual({ window: 6, stride: 3 });
    expect(() => occlusionWindow(wide, 7)).toThrow(/an occlusion window of 7×7 is larger than the 6×20 input; use --window 6 or less/);
  });
});

describe('upsampling a map', () => {
  it('equals torch.nn.functional.interpolate(mode="bilinear", align_corners=False)', () => {
    // F.interpolate(torch.tensor([[[[0., 1.], [2., 3.]]]]), size=(4, 4), mode='bilinear', align_corners=False)
    const up = upsampleBilinear({ h: 2, w: 2, data: Float32Array.from([0, 1, 2, 3]) }, 4, 4);
    expect(Array.from(up)).toEqual([0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3]);
    // F.interpolate(torch.tensor([[[[0., 3., 6.]]]]), size=(1, 4), …): half-pixel centres, clamped at the edges.
    const row = upsampleBilinear({ h: 1, w: 3, data: Float32Array.from([0, 3, 6]) }, 1, 4);
    expect(Array.from(row)).toEqual([0, 1.875, 4.125, 6]);
  });
});
