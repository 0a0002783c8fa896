// Augmentation (src/data/augment.ts): repeatable draws, each operation doing exactly what it says, values in
// range, a no-op when everything is off, and the preview the inspector shows.

import { describe, expect, it } from 'vitest';
import { Batcher } from '../../../src/data/batcher';
import type { Dataset } from '../../../src/data/dataset';
import { Augmenter, augmentActive, augmenterFor, augmentPreview, identityDraw, type AugmentDraw } from '../../../src/data/augment';
import type { AugmentSpec } from '../../../src/language/model';

const OFF: AugmentSpec = { flip: 'none', rotate: 0, shift: 0, zoom: null, brightness: 0, contrast: 0, line: 0 };
const ALL: AugmentSpec = { flip: 'both', rotate: 20, shift: 3, zoom: [0.8, 1.2], brightness: 0.3, contrast: 0.3, line: 0 };

/** n images H×W×C with distinct values in [0, 1]. */
function batch(n: number, h: number, w: number, c: number): Float32Array {
  const x = new Float32Array(n * h * w * c);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) >>> 0) / 4294967296;
  return x;
}

/** Value at (y, x, k) of an H×W×C image. */
const at = (img: Float32Array, w: number, c: number, y: number, x: number, k = 0) => img[(y * w + x) * c + k]!;

function draw(d: Partial<AugmentDraw>): AugmentDraw {
  return { ...identityDraw(), ...d };
}

describe('Augmenter: repeatable', () => {
  it('the same seed, epoch and batch give identical bytes; another epoch, batch or seed gives others', () => {
    const run = (seed: number, epoch: number, b: number) => {
      const x = batch(8, 12, 10, 3);
      new Augmenter(ALL, 12, 10, 3, seed).apply(x, 8, epoch, b);
      return Buffer.from(x.buffer);
    };
    const first = run(7, 2, 5);
    expect(run(7, 2, 5).equals(first)).toBe(true);
    expect(run(7, 3, 5).equals(first)).toBe(false);
    expect(run(7, 2, 6).equals(first)).toBe(false);
    expect(run(8, 2, 5).equals(first)).toBe(false);
    expect(Buffer.from(batch(8, 12, 10, 3).buffer).equals(first)).toBe(false);
  });

  it('each row depends only on (seed, epoch, batch, row): a replayed batch, a reused augmenter and a shorter batch agree', () => {
    const aug = new Augmenter(ALL, 9, 9, 1, 3);
    const a = batch(6, 9, 9, 1);
    aug.apply(a, 6, 4, 1);
    aug.apply(batch(6, 9, 9, 1), 6, 5, 0); // scratch reuse in between
    const b = batch(6, 9, 9, 1);
    aug.apply(b, 4, 4, 1); // the short last batch: rows 0…3 only
    expect(Buffer.from(b.buffer, 0, 4 * 81 * 4).equals(Buffer.from(a.buffer, 0, 4 * 81 * 4))).toBe(true);
    expect(Array.from(b.subarray(4 * 81))).toEqual(Array.from(batch(6, 9, 9, 1).subarray(4 * 81)));
    // Rows of one batch get different draws.
    expect(aug.draw(4, 1, 0)).not.toEqual(aug.draw(4, 1, 1));
  });

  it('turning one setting on leaves the draws of the others as they were', () => {
    const shiftOnly = new Augmenter({ ...OFF, shift: 4 }, 8, 8, 1, 11);
    const shiftAndMore = new Augmenter({ ...OFF, shift: 4, rotate: 10, brightness: 0.2 }, 8, 8, 1, 11);
    for (let r = 0; r < 16; r++) {
      const a = shiftOnly.draw(1, 2, r);
      const b = shiftAndMore.draw(1, 2, r);
      expect([b.dx, b.dy]).toEqual([a.dx, a.dy]);
    }
  });

  it('draws cover their ranges: shift every whole pixel in ±shift, angle, zoom and factors inside their bounds, both flips', () => {
    const aug = new Augmenter(ALL, 8, 8, 1, 5);
    const shifts = new Set<number>();
    let flipsH = 0;
    let flipsV = 0;
    const N = 2000;
    for (let r = 0; r < N; r++) {
      const d = aug.draw(1, 0, r);
      shifts.add(d.dx).add(d.dy);
      expect(Number.isInteger(d.dx) && Number.isInteger(d.dy)).toBe(true);
      expect(Math.abs(d.angle)).toBeLessThanOrEqual(20);
      expect(d.scale).toBeGreaterThanOrEqual(0.8);
      expect(d.scale).toBeLessThanOrEqual(1.2);
      expect(Math.abs(d.brightness - 1)).toBeLessThanOrEqual(0.3);
      expect(Math.abs(d.contrast - 1)).toBeLessThanOrEqual(0.3);
      flipsH += d.flipH ? 1 : 0;
      flipsV += d.flipV ? 1 : 0;
    }
    expect([...shifts].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    // Each flip with probability 0.5 (±5 standard deviations of 2000 coin tosses).
    expect(Math.abs(flipsH - N / 2)).toBeLessThan(115);
    expect(Math.abs(flipsV - N / 2)).toBeLessThan(115);
    const horizontalOnly = new Augmenter({ ...OFF, flip: 'horizontal' }, 8, 8, 1, 5);
    for (let r = 0; r < 50; r++) expect(horizontalOnly.draw(1, 0, r).flipV).toBe(false);
  });
});

describe('Augmenter: operations', () => {
  const H = 6;
  const W = 5;
  const C = 2;

  it('flips are exact', () => {
    const aug = new Augmenter({ ...OFF, flip: 'both' }, H, W, C, 1);
    const src = batch(1, H, W, C);
    const h = src.slice();
    aug.transform(h, 0, draw({ flipH: true }));
    const v = src.slice();
    aug.transform(v, 0, draw({ flipV: true }));
    const hv = src.slice();
    aug.transform(hv, 0, draw({ flipH: true, flipV: true }));
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        for (let k = 0; k < C; k++) {
          expect(at(h, W, C, y, x, k)).toBe(at(src, W, C, y, W - 1 - x, k));
          expect(at(v, W, C, y, x, k)).toBe(at(src, W, C, H - 1 - y, x, k));
          expect(at(hv, W, C, y, x, k)).toBe(at(src, W, C, H - 1 - y, W - 1 - x, k));
        }
      }
    }
  });

  it('a shift moves every pixel by the drawn amount (right and down for positive values), zero-padded', () => {
    const aug = new Augmenter({ ...OFF, shift: 2 }, H, W, C, 9);
    // Find rows whose draws shift both ways, so the test covers signs.
    let seen = 0;
    for (let r = 0; r < 40; r++) {
      const d = aug.draw(3, 7, r);
      const x = batch(r + 1, H, W, C);
      const src = x.slice(r * H * W * C, (r + 1) * H * W * C);
      aug.apply(x, r + 1, 3, 7);
      const out = x.subarray(r * H * W * C);
      if (d.dx !== 0 && d.dy !== 0) seen++;
      for (let y = 0; y < H; y++) {
        for (let xx = 0; xx < W; xx++) {
          const sy = y - d.dy;
          const sx = xx - d.dx;
          const inside = sy >= 0 && sy < H && sx >= 0 && sx < W;
          for (let k = 0; k < C; k++) expect(at(out, W, C, y, xx, k)).toBe(inside ? at(src, W, C, sy, sx, k) : 0);
        }
      }
    }
    expect(seen).toBeGreaterThan(10);
  });

  it('a rotation of 90° turns the image counter-clockwise exactly (square image), and 180° equals both flips', () => {
    const N = 7;
    const aug = new Augmenter({ ...OFF, rotate: 180 }, N, N, 1, 1);
    const src = batch(1, N, N, 1);
    const r90 = src.slice();
    aug.transform(r90, 0, draw({ angle: 90 }));
    for (let y = 0; y < N; y++) {
      // Counter-clockwise: the top row becomes the left column (read bottom to top).
      for (let x = 0; x < N; x++) expect(at(r90, N, 1, y, x)).toBeCloseTo(at(src, N, 1, x, N - 1 - y), 6);
    }
    const r180 = src.slice();
    aug.transform(r180, 0, draw({ angle: 180 }));
    const flipped = src.slice();
    aug.transform(flipped, 0, draw({ flipH: true, flipV: true }));
    for (let i = 0; i < src.length; i++) expect(r180[i]).toBeCloseTo(flipped[i]!, 6);
    // 90° by the general (trigonometric) path agrees within bilinear tolerance: 89.9999° is a hair away.
    const near = src.slice();
    aug.transform(near, 0, draw({ angle: 89.9999 }));
    for (let y = 1; y < N - 1; y++) for (let x = 1; x < N - 1; x++) expect(Math.abs(at(near, N, 1, y, x) - at(r90, N, 1, y, x))).toBeLessThan(1e-3);
  });

  it('rotation samples bilinearly with zero fill: a constant image keeps its centre and loses its corners at 45°', () => {
    const N = 9;
    const aug = new Augmenter({ ...OFF, rotate: 45 }, N, N, 1, 1);
    const img = new Float32Array(N * N).fill(0.5);
    aug.transform(img, 0, draw({ angle: 45 }));
    expect(at(img, N, 1, 4, 4)).toBeCloseTo(0.5, 6);
    expect(at(img, N, 1, 0, 0)).toBe(0);
    expect(at(img, N, 1, 8, 8)).toBe(0);
    for (const v of img) expect(v >= 0 && v <= 0.5 + 1e-6).toBe(true);
  });

  it('zoom scales about the centre: ×2 maps the pixel at distance d to 2d, bilinear in between; ×0.5 pads with zeros', () => {
    const N = 9; // centre (4, 4)
    const aug = new Augmenter({ ...OFF, zoom: [0.5, 2] }, N, N, 1, 1);
    const ramp = new Float32Array(N * N);
    for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) ramp[y * N + x] = x / 16; // linear in x
    const z = ramp.slice();
    aug.transform(z, 0, draw({ scale: 2 }));
    // Output x reads source 4 + (x − 4)/2: a ramp half as steep, through the centre.
    for (let x = 0; x < N; x++) expect(at(z, N, 1, 4, x)).toBeCloseTo((4 + (x - 4) / 2) / 16, 6);
    const small = new Float32Array(N * N).fill(1);
    aug.transform(small, 0, draw({ scale: 0.5 }));
    expect(at(small, N, 1, 4, 4)).toBeCloseTo(1, 6);
    expect(at(small, N, 1, 0, 0)).toBe(0);
    expect(at(small, N, 1, 4, 0)).toBe(0);
  });

  it('geometric ops are one map: rotate + zoom + shift + flip equals the composed inverse map sampled once', () => {
    const N = 11;
    const aug = new Augmenter(ALL, N, N, 1, 1);
    const src = batch(1, N, N, 1);
    const d = draw({ angle: 30, scale: 1.25, dx: 2, dy: -1, flipH: true });
    const out = src.slice();
    aug.transform(out, 0, d);
    const c = (N - 1) / 2;
    const t = (d.angle * Math.PI) / 180;
    const sample = (sx: number, sy: number) => {
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const px = (x: number, y: number) => (x >= 0 && x < N && y >= 0 && y < N ? at(src, N, 1, y, x) : 0);
      const fx = sx - x0;
      const fy = sy - y0;
      return (1 - fx) * (1 - fy) * px(x0, y0) + fx * (1 - fy) * px(x0 + 1, y0) + (1 - fx) * fy * px(x0, y0 + 1) + fx * fy * px(x0 + 1, y0 + 1);
    };
    for (let y = 0; y < N; y++) {
      for (let x = 0; x < N; x++) {
        // Undo: shift, rotation (counter-clockwise on screen, y down), zoom, horizontal flip.
        const u = x - c - d.dx;
        const v = y - c - d.dy;
        const ur = Math.cos(t) * u - Math.sin(t) * v;
        const vr = Math.sin(t) * u + Math.cos(t) * v;
        expect(at(out, N, 1, y, x)).toBeCloseTo(sample(c - ur / d.scale, c + vr / d.scale), 5);
      }
    }
  });

  it('brightness multiplies; contrast scales each channel around its own mean; results stay in [0, 1]', () => {
    const aug = new Augmenter({ ...OFF, brightness: 0.5, contrast: 0.5 }, H, W, C, 1);
    const src = new Float32Array(H * W * C);
    for (let i = 0; i < src.length; i++) src[i] = (i % C === 0 ? 0.2 : 0.5) + 0.1 * Math.sin(i); // channel means differ
    const b = src.slice();
    aug.transform(b, 0, draw({ brightness: 1.2 }));
    for (let i = 0; i < src.length; i++) expect(b[i]).toBeCloseTo(src[i]! * 1.2, 6);
    const c = src.slice();
    aug.transform(c, 0, draw({ contrast: 0.5 }));
    for (let k = 0; k < C; k++) {
      let m = 0;
      for (let i = k; i < src.length; i += C) m += src[i]!;
      m /= H * W;
      for (let i = k; i < src.length; i += C) expect(c[i]).toBeCloseTo((src[i]! - m) * 0.5 + m, 6);
    }
    const bright = new Float32Array(H * W * C).fill(0.9);
    bright[0] = 0.1;
    aug.transform(bright, 0, draw({ brightness: 1.5, contrast: 1.5 }));
    expect(Math.max(...bright)).toBe(1);
    expect(Math.min(...bright)).toBeGreaterThanOrEqual(0);
  });

  it('values stay in [0, 1] for every setting at its extreme', () => {
    const aug = new Augmenter({ flip: 'both', rotate: 180, shift: 4, zoom: [0.5, 2], brightness: 1, contrast: 1, line: 0 }, 16, 12, 3, 2);
    const x = batch(32, 16, 12, 3);
    for (let e = 1; e <= 3; e++) aug.apply(x, 32, e, 0);
    for (const v of x) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('float data outside [0, 1] keeps its own range under brightness (standardised data is not cut at 0)', () => {
    const aug = new Augmenter({ ...OFF, brightness: 0.5 }, 2, 2, 1, 1);
    const x = new Float32Array([-2, -1, 0.5, 3]);
    aug.transform(x, 0, draw({ brightness: 0.8 }));
    expect(Array.from(x)).toEqual(Array.from(new Float32Array([-1.6, -0.8, 0.4, 2.4])));
  });
});

describe('Augmenter: off', () => {
  it('every setting off: not active, apply changes nothing, augmenterFor gives none', () => {
    expect(augmentActive(OFF)).toBe(false);
    expect(augmentActive(null)).toBe(false);
    const aug = new Augmenter(OFF, 8, 8, 3, 1);
    expect(aug.active).toBe(false);
    const x = batch(4, 8, 8, 3);
    aug.apply(x, 4, 1, 0);
    expect(Array.from(x)).toEqual(Array.from(batch(4, 8, 8, 3)));
    expect(augmenterFor({ augment: OFF, input: { h: 8, w: 8, c: 3 } }, 1)).toBeUndefined();
    expect(augmenterFor({ augment: null, input: { h: 8, w: 8, c: 3 } }, 1)).toBeUndefined();
    expect(augmenterFor({ augment: { ...OFF, shift: 1 }, input: { h: 8, w: 8, c: 3 } }, 1)).toBeInstanceOf(Augmenter);
  });

  it('a draw that changes nothing leaves the image bit for bit (rotate on, angle drawn 0)', () => {
    const aug = new Augmenter({ ...OFF, rotate: 10 }, 5, 5, 1, 1);
    const x = batch(1, 5, 5, 1);
    aug.transform(x, 0, identityDraw());
    expect(Array.from(x)).toEqual(Array.from(batch(1, 5, 5, 1)));
  });

  it('settings out of range are refused with the setting named', () => {
    expect(() => new Augmenter({ ...OFF, rotate: 720 }, 8, 8, 1, 1)).toThrow(/rotate=720/);
    expect(() => new Augmenter({ ...OFF, shift: -1 }, 8, 8, 1, 1)).toThrow(/shift=-1/);
    expect(() => new Augmenter({ ...OFF, zoom: [1.2, 0.8] }, 8, 8, 1, 1)).toThrow(/zoom=1.2-0.8/);
    expect(() => new Augmenter({ ...OFF, brightness: 2 }, 8, 8, 1, 1)).toThrow(/brightness=2/);
    expect(() => new Augmenter({ ...OFF, contrast: Number.NaN }, 8, 8, 1, 1)).toThrow(/contrast=NaN/);
    expect(() => new Augmenter(OFF, 0, 8, 1, 1)).toThrow(/height/);
  });
});

describe('augmentPreview', () => {
  it('the original first, then count − 1 augmented versions, repeatable, leaving the sample as it was', () => {
    const sample = batch(1, 10, 10, 1);
    const copy = sample.slice();
    const imgs = augmentPreview(sample, 10, 10, 1, ALL, 4, 6);
    expect(imgs).toHaveLength(6);
    expect(Array.from(imgs[0]!)).toEqual(Array.from(copy));
    expect(Array.from(sample)).toEqual(Array.from(copy));
    for (const img of imgs) expect(img.length).toBe(100);
    const distinct = new Set(imgs.map((i) => Buffer.from(i.buffer).toString('hex')));
    expect(distinct.size).toBe(6);
    const again = augmentPreview(sample, 10, 10, 1, ALL, 4, 6);
    expect(again.map((i) => Array.from(i))).toEqual(imgs.map((i) => Array.from(i)));
    // Image k is row 0 of batch 0 in epoch k, as training would draw it.
    const aug = new Augmenter(ALL, 10, 10, 1, 4);
    const x = sample.slice();
    aug.apply(x, 1, 2, 0);
    expect(Array.from(imgs[2]!)).toEqual(Array.from(x));
  });

  it('with augmentation off every image is the original; bad arguments are refused', () => {
    const sample = batch(1, 4, 4, 2);
    for (const img of augmentPreview(sample, 4, 4, 2, null, 1, 3)) expect(Array.from(img)).toEqual(Array.from(sample));
    expect(() => augmentPreview(sample, 4, 4, 2, ALL, 1, 0)).toThrow(/count/);
    expect(() => augmentPreview(sample, 5, 4, 2, ALL, 1, 2)).toThrow(/5×4×2/);
  });
});

describe('Batcher with augment', () => {
  /** 21 samples 6×6×1 whose pixels encode (sample, position). */
  const data: Dataset = {
    size: 21,
    height: 6,
    width: 6,
    channels: 1,
    numClasses: 2,
    classNames: ['a', 'b'],
    read(i, out, offset) {
      for (let k = 0; k < 36; k++) out[offset + k] = (i * 36 + k) / (21 * 36);
    },
    label: (i) => i % 2,
  };

  it('fills batch b of epoch e as the plain batcher does, then augments it with the draws of (seed, e, b); a refill repeats it', () => {
    const spec: AugmentSpec = { ...OFF, flip: 'both', rotate: 10, shift: 1 };
    const plain = new Batcher(data, { batchSize: 8, seed: 5 });
    const augmented = new Batcher(data, { batchSize: 8, seed: 5, augment: new Augmenter(spec, 6, 6, 1, 5) });
    const reference = new Augmenter(spec, 6, 6, 1, 5);
    for (const [e, b] of [[1, 0], [2, 1], [2, 2]] as const) {
      const n = plain.fill(e, b);
      expect(augmented.fill(e, b)).toBe(n);
      const expected = plain.x.slice();
      reference.apply(expected, n, e, b);
      expect(Array.from(augmented.x)).toEqual(Array.from(expected));
      expect(Array.from(augmented.x)).not.toEqual(Array.from(plain.x));
      expect(Array.from(augmented.y)).toEqual(Array.from(plain.y));
      // The short last batch (5 rows) keeps its padding rows zero.
      if (n < 8) expect(Array.from(augmented.x.subarray(n * 36)).every((v) => v === 0)).toBe(true);
    }
    const again = augmented.x.slice();
    augmented.fill(2, 2);
    expect(Array.from(augmented.x)).toEqual(Array.from(again));
  });
});
