// Data augmentation for training batches (the `augment` statement): random flips, rotation, shift and zoom as ONE
// inverse affine map sampled once (bilinear, zero fill), then brightness and contrast jitter, in place on an NHWC
// float32 batch.
//
// Repeatable: every number a sample's augmentation draws is a hash of (seed, epoch, batch, row, what), so a run
// repeats exactly, a resumed epoch replays the same images, and turning one setting on does not change the draws
// of the others. Fast: one scratch image per Augmenter, reused for every sample (no allocation per sample or
// batch); a draw with no geometric change skips the warp, one that only flips and shifts by whole pixels copies
// pixels instead of interpolating.
//
// Geometry (pixel centres at whole coordinates, the centre of rotation and zoom at ((W−1)/2, (H−1)/2), so a 90°
// turn of a square image and every flip land exactly on the pixel grid). The forward map is: flip, then zoom by s,
// then rotate by θ (counter-clockwise on screen for θ > 0), then shift by (dx, dy) pixels; each output pixel
// reads the source at the inverse map of its position, bilinearly, with zero outside the image.
//
// Values: geometric ops only mix pixels with zeros, so they never leave the input's range. Brightness and
// contrast are clamped to [0, 1], the range pixels are scaled to (uint8 data); float data already outside
// [0, 1] (say, standardised) is clamped to [min(0, lowest), max(1, highest)] of the sample instead, so it is
// never cut.
//
// API
//   new Augmenter(spec: AugmentSpec, h, w, c, seed)   throws RangeError for a setting out of range
//   .active                      false when every setting is off (then apply is a no-op)
//   .apply(x, n, epoch, batch)   augments rows 0…n−1 of x (n×H×W×C) in place
//   .draw(epoch, batch, row, out?): AugmentDraw   the parameters row `row` of that batch gets
//   .transform(x, offset, d)     applies one draw to the image at x[offset…]
//   augmentActive(spec), augmenterFor(model, seed), augmentPreview(sample, h, w, c, spec, seed, count)

import type { AugmentSpec, ModelSpec } from '../language/model';
import { mixSeed } from './rng';

/** One sample's augmentation: what `Augmenter.draw` picks and `Augmenter.transform` applies. */
export interface AugmentDraw {
  flipH: boolean;
  flipV: boolean;
  /** Degrees, counter-clockwise on screen. */
  angle: number;
  /** Whole pixels: + moves the content right (dx) and down (dy). */
  dx: number;
  dy: number;
  /** Zoom factor: > 1 enlarges the content. */
  scale: number;
  /** Multiplies every value. */
  brightness: number;
  /** Scales each channel's deviation from its mean. */
  contrast: number;
}

/** The draw that changes nothing. */
export function identityDraw(): AugmentDraw {
  return { flipH: false, flipV: false, angle: 0, dx: 0, dy: 0, scale: 1, brightness: 1, contrast: 1 };
}

/** Whether any setting of the statement changes an image. */
export function augmentActive(spec: AugmentSpec | null | undefined): spec is AugmentSpec {
  return !!spec && (spec.flip !== 'none' || spec.rotate !== 0 || spec.shift !== 0 || spec.zoom !== null || spec.brightness !== 0 || spec.contrast !== 0);
}

/** The training batches' augmenter for a model (its `augment` statement and the run's seed), or undefined when it has none. */
export function augmenterFor(model: Pick<ModelSpec, 'augment' | 'input'>, seed: number): Augmenter | undefined {
  if (!augmentActive(model.augment)) return undefined;
  const { h, w, c } = model.input;
  return new Augmenter(model.augment, h, w, c, seed);
}

// Tags that keep the hash streams apart: the row's stream, and one number per quantity drawn.
const ROW_TAG = 0x41554721; // "AUG!"
const K_FLIP_H = 1;
const K_FLIP_V = 2;
const K_ANGLE = 3;
const K_DX = 4;
const K_DY = 5;
const K_SCALE = 6;
const K_BRIGHT = 7;
const K_CONTRAST = 8;

const QUARTER_COS = [1, 0, -1, 0] as const;
const QUARTER_SIN = [0, 1, 0, -1] as const;

/** Uniform in [0, 1): quantity `k` of the row whose stream is `rowSeed`. */
function uniform(rowSeed: number, k: number): number {
  return mixSeed(rowSeed, k) / 4294967296;
}

function checkSpec(spec: AugmentSpec): void {
  const bad = (what: string, v: unknown, rule: string) => new RangeError(`augment ${what}=${String(v)}: ${rule}`);
  if (!['none', 'horizontal', 'vertical', 'both'].includes(spec.flip)) throw bad('flip', spec.flip, 'must be horizontal, vertical or both');
  if (!(Number.isFinite(spec.rotate) && spec.rotate >= 0 && spec.rotate <= 180)) throw bad('rotate', spec.rotate, 'must be degrees in 0…180');
  if (!(Number.isInteger(spec.shift) && spec.shift >= 0)) throw bad('shift', spec.shift, 'must be a whole number of pixels ≥ 0');
  if (spec.zoom !== null) {
    const [lo, hi] = spec.zoom;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo > 0 && lo <= hi)) throw bad('zoom', `${lo}-${hi}`, 'must be LOW-HIGH with 0 < LOW ≤ HIGH');
  }
  if (!(Number.isFinite(spec.brightness) && spec.brightness >= 0 && spec.brightness <= 1)) throw bad('brightness', spec.brightness, 'must be in 0…1');
  if (!(Number.isFinite(spec.contrast) && spec.contrast >= 0 && spec.contrast <= 1)) throw bad('contrast', spec.contrast, 'must be in 0…1');
}

export class Augmenter {
  /** False when every setting is off: `apply` then leaves batches untouched. */
  readonly active: boolean;
  private readonly size: number;
  /** The source copy of the image being warped (H·W·C). */
  private readonly scratch: Float32Array;
  /** Per-channel sums for contrast. */
  private readonly sums: Float64Array;
  private readonly d: AugmentDraw = identityDraw();

  constructor(
    readonly spec: AugmentSpec,
    readonly h: number,
    readonly w: number,
    readonly c: number,
    readonly seed: number,
  ) {
    for (const [name, v] of [['height', h], ['width', w], ['channels', c]] as const) {
      if (!(Number.isInteger(v) && v >= 1)) throw new RangeError(`augment: image ${name} must be a whole number ≥ 1, got ${v}`);
    }
    checkSpec(spec);
    this.active = augmentActive(spec);
    this.size = h * w * c;
    this.scratch = new Float32Array(this.active ? this.size : 0);
    this.sums = new Float64Array(c);
  }

  /** Augments rows 0…n−1 of `x` (n×H×W×C, NHWC) in place, row r with the draw of (seed, epoch, batch, r). */
  apply(x: Float32Array, n: number, epoch: number, batch: number): void {
    if (!this.active) return;
    if (x.length < n * this.size) throw new RangeError(`augment: a batch of ${n} needs ${n * this.size} floats, got ${x.length}`);
    for (let r = 0; r < n; r++) {
      this.draw(epoch, batch, r, this.d);
      this.transform(x, r * this.size, this.d);
    }
  }

  /** The parameters row `row` of batch `batch` in epoch `epoch` gets (written into `out` when given). */
  draw(epoch: number, batch: number, row: number, out: AugmentDraw = identityDraw()): AugmentDraw {
    const s = this.spec;
    const rowSeed = mixSeed(this.seed, ROW_TAG, epoch, batch, row);
    const both = s.flip === 'both';
    out.flipH = (both || s.flip === 'horizontal') && uniform(rowSeed, K_FLIP_H) < 0.5;
    out.flipV = (both || s.flip === 'vertical') && uniform(rowSeed, K_FLIP_V) < 0.5;
    out.angle = s.rotate ? s.rotate * (2 * uniform(rowSeed, K_ANGLE) - 1) : 0;
    const span = 2 * s.shift + 1;
    out.dx = s.shift ? Math.floor(uniform(rowSeed, K_DX) * span) - s.shift : 0;
    out.dy = s.shift ? Math.floor(uniform(rowSeed, K_DY) * span) - s.shift : 0;
    out.scale = s.zoom ? s.zoom[0] + (s.zoom[1] - s.zoom[0]) * uniform(rowSeed, K_SCALE) : 1;
    out.brightness = s.brightness ? 1 + s.brightness * (2 * uniform(rowSeed, K_BRIGHT) - 1) : 1;
    out.contrast = s.contrast ? 1 + s.contrast * (2 * uniform(rowSeed, K_CONTRAST) - 1) : 1;
    return out;
  }

  /** Applies draw `d` to the H×W×C image at `x[offset…]`, in place. */
  transform(x: Float32Array, offset: number, d: AugmentDraw): void {
    this.warp(x, offset, d);
    if (d.brightness !== 1 || d.contrast !== 1) this.photometric(x, offset, d.brightness, d.contrast);
  }

  /** The geometric part: one inverse affine map, sampled once. */
  private warp(x: Float32Array, off: number, d: AugmentDraw): void {
    const { h, w } = this;
    const cx = (w - 1) / 2;
    const cy = (h - 1) / 2;
    // Whole angles that are multiples of 90° get exact sines and cosines (Math.cos(π/2) is 6e-17, not 0).
    const quarter = d.angle % 90 === 0 ? (((d.angle / 90) % 4) + 4) % 4 : -1;
    const rad = (d.angle * Math.PI) / 180;
    const cos = quarter >= 0 ? QUARTER_COS[quarter]! : Math.cos(rad);
    const sin = quarter >= 0 ? QUARTER_SIN[quarter]! : Math.sin(rad);
    const fh = d.flipH ? -1 : 1;
    const fv = d.flipV ? -1 : 1;
    // Source of output pixel (x, y): sx = a·x + b·y + e, sy = p·x + q·y + f (the forward map inverted:
    // unshift, unrotate, unzoom, unflip, all about the centre).
    const a = (fh * cos) / d.scale;
    const b = (-fh * sin) / d.scale;
    const p = (fv * sin) / d.scale;
    const q = (fv * cos) / d.scale;
    const u0 = -cx - d.dx;
    const v0 = -cy - d.dy;
    const e = cx + (fh * (cos * u0 - sin * v0)) / d.scale;
    const f = cy + (fv * (sin * u0 + cos * v0)) / d.scale;
    if (a === 1 && q === 1 && b === 0 && p === 0 && e === 0 && f === 0) return; // nothing moves
    this.scratch.set(x.subarray(off, off + this.size));
    if (b === 0 && p === 0 && Math.abs(a) === 1 && Math.abs(q) === 1 && Number.isInteger(e) && Number.isInteger(f)) this.copyMap(x, off, a, e, q, f);
    else this.bilinear(x, off, a, b, e, p, q, f);
  }

  /** Flips and whole-pixel shifts: each output pixel is one source pixel or zero. */
  private copyMap(x: Float32Array, off: number, a: number, e: number, q: number, f: number): void {
    const { h, w, c, scratch } = this;
    for (let y = 0; y < h; y++) {
      const sy = q * y + f;
      const rowOut = off + y * w * c;
      if (sy < 0 || sy >= h) {
        x.fill(0, rowOut, rowOut + w * c);
        continue;
      }
      const rowIn = sy * w * c;
      for (let xx = 0; xx < w; xx++) {
        const sx = a * xx + e;
        const o = rowOut + xx * c;
        if (sx < 0 || sx >= w) {
          for (let k = 0; k < c; k++) x[o + k] = 0;
        } else {
          const i = rowIn + sx * c;
          for (let k = 0; k < c; k++) x[o + k] = scratch[i + k]!;
        }
      }
    }
  }

  private bilinear(x: Float32Array, off: number, a: number, b: number, e: number, p: number, q: number, f: number): void {
    const { h, w, c, scratch } = this;
    const stride = w * c;
    for (let y = 0; y < h; y++) {
      let sx = b * y + e;
      let sy = q * y + f;
      let o = off + y * stride;
      for (let xx = 0; xx < w; xx++, sx += a, sy += p, o += c) {
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        if (x0 < -1 || x0 >= w || y0 < -1 || y0 >= h) {
          for (let k = 0; k < c; k++) x[o + k] = 0;
          continue;
        }
        const fx = sx - x0;
        const fy = sy - y0;
        const w00 = (1 - fx) * (1 - fy);
        const w01 = fx * (1 - fy);
        const w10 = (1 - fx) * fy;
        const w11 = fx * fy;
        const i00 = y0 * stride + x0 * c;
        if (x0 >= 0 && x0 < w - 1 && y0 >= 0 && y0 < h - 1) {
          // All four neighbours inside: the common case.
          const i10 = i00 + stride;
          for (let k = 0; k < c; k++) {
            x[o + k] = w00 * scratch[i00 + k]! + w01 * scratch[i00 + c + k]! + w10 * scratch[i10 + k]! + w11 * scratch[i10 + c + k]!;
          }
        } else {
          // At the border: neighbours outside the image count as zero.
          const inX0 = x0 >= 0;
          const inX1 = x0 + 1 < w;
          const inY0 = y0 >= 0;
          const inY1 = y0 + 1 < h;
          for (let k = 0; k < c; k++) {
            let v = 0;
            if (inY0 && inX0) v += w00 * scratch[i00 + k]!;
            if (inY0 && inX1) v += w01 * scratch[i00 + c + k]!;
            if (inY1 && inX0) v += w10 * scratch[i00 + stride + k]!;
            if (inY1 && inX1) v += w11 * scratch[i00 + stride + c + k]!;
            x[o + k] = v;
          }
        }
      }
    }
  }

  /**
   * Brightness then contrast as one affine map per channel: v·β, then (v·β − m)·γ + m with m the channel's mean
   * after brightness (β·mean), i.e. v·βγ + β·mean·(1 − γ); clamped (see the file's header).
   */
  private photometric(x: Float32Array, off: number, beta: number, gamma: number): void {
    const { c, size, sums } = this;
    sums.fill(0);
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < size; i += c) {
      for (let k = 0; k < c; k++) {
        const v = x[off + i + k]!;
        sums[k] += v;
        if (v < lo) lo = v;
        else if (v > hi) hi = v;
      }
    }
    const pixels = size / c;
    const gain = beta * gamma;
    for (let k = 0; k < c; k++) {
      const bias = beta * (sums[k]! / pixels) * (1 - gamma);
      for (let i = off + k, end = off + size; i < end; i += c) {
        const v = gain * x[i]! + bias;
        x[i] = v < lo ? lo : v > hi ? hi : v;
      }
    }
  }
}

/**
 * The inspector's preview of what training shows the network: `count` images (H×W×C each) of one sample, the
 * first the sample itself (unchanged, for comparison), then `count − 1` augmented versions, image k drawn as row 0
 * of batch 0 in epoch k (so a preview is stable while the seed stays, and only the settings change it).
 */
export function augmentPreview(sample: Float32Array, h: number, w: number, c: number, spec: AugmentSpec | null, seed: number, count: number): Float32Array[] {
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`augment preview: count must be a whole number ≥ 1, got ${count}`);
  if (sample.length !== h * w * c) throw new RangeError(`augment preview: a ${h}×${w}×${c} sample has ${h * w * c} values, got ${sample.length}`);
  const out: Float32Array[] = [sample.slice()];
  if (count === 1) return out;
  const aug = augmentActive(spec) ? new Augmenter(spec, h, w, c, seed) : null;
  const d = identityDraw();
  for (let k = 1; k < count; k++) {
    const img = sample.slice();
    if (aug) aug.transform(img, 0, aug.draw(k, 0, 0, d));
    out.push(img);
  }
  return out;
}
