// `data shapes`: a built-in data set of three classes — door, stair, sign — drawn at any size with random
// position, size, aspect, slight rotation, colours, line width, style (outline or filled) and background noise.
// Every sample is generated on demand from (seed, index), so the set costs no memory and is reproducible.
// Labels cycle door, stair, sign (index mod 3), so the classes are balanced exactly.

import { SHAPES_DEFAULT_SAMPLES } from '../language/model';
import { checkIndex, Lru, type Dataset } from './dataset';
import { tensorToPng } from './image';
import { Rng } from './rng';

export const SHAPES_CLASSES = ['door', 'stair', 'sign'] as const;
export { SHAPES_DEFAULT_SAMPLES };

type Pt = [number, number];
type Rgb = [number, number, number];

/** An RGB canvas of floats with anti-aliased strokes and fills (coverage from the distance to the edge). */
class Canvas {
  readonly px: Float32Array;
  constructor(
    readonly h: number,
    readonly w: number,
  ) {
    this.px = new Float32Array(h * w * 3);
  }

  fill(c: Rgb, gradient: Rgb, dir: number): void {
    const dx = Math.cos(dir);
    const dy = Math.sin(dir);
    for (let y = 0; y < this.h; y++) {
      for (let x = 0; x < this.w; x++) {
        const t = ((x / this.w - 0.5) * dx + (y / this.h - 0.5) * dy) * 2; // −1…1 across the image
        const p = 3 * (y * this.w + x);
        for (let k = 0; k < 3; k++) this.px[p + k] = c[k] + t * gradient[k];
      }
    }
  }

  private blend(x: number, y: number, c: Rgb, a: number): void {
    if (a <= 0) return;
    const p = 3 * (y * this.w + x);
    const b = Math.min(1, a);
    for (let k = 0; k < 3; k++) this.px[p + k] += (c[k] - this.px[p + k]) * b;
  }

  private box(pts: Pt[], pad: number): [number, number, number, number] {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const [x, y] of pts) {
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
    return [Math.max(0, Math.floor(x0 - pad)), Math.max(0, Math.floor(y0 - pad)), Math.min(this.w - 1, Math.ceil(x1 + pad)), Math.min(this.h - 1, Math.ceil(y1 + pad))];
  }

  /** Strokes the polyline through `pts` (closed when `closed`) with the given line width. */
  stroke(pts: Pt[], width: number, c: Rgb, closed = false): void {
    const segs: [Pt, Pt][] = [];
    for (let i = 0; i + 1 < pts.length; i++) segs.push([pts[i], pts[i + 1]]);
    if (closed && pts.length > 2) segs.push([pts[pts.length - 1], pts[0]]);
    const half = width / 2;
    const [x0, y0, x1, y1] = this.box(pts, half + 1);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        let d = Infinity;
        for (const s of segs) d = Math.min(d, segDist(x + 0.5, y + 0.5, s[0], s[1]));
        this.blend(x, y, c, half + 0.5 - d);
      }
    }
  }

  /** Fills a simple polygon (even–odd rule). */
  fillPoly(pts: Pt[], c: Rgb): void {
    const [x0, y0, x1, y1] = this.box(pts, 1);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5;
        const py = y + 0.5;
        let inside = false;
        let d = Infinity;
        for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
          const [xi, yi] = pts[i];
          const [xj, yj] = pts[j];
          if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
          d = Math.min(d, segDist(px, py, pts[i], pts[j]));
        }
        this.blend(x, y, c, inside ? 0.5 + d : 0.5 - d);
      }
    }
  }

  disc(cx: number, cy: number, r: number, c: Rgb): void {
    const [x0, y0, x1, y1] = this.box([[cx - r, cy - r], [cx + r, cy + r]], 1);
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) this.blend(x, y, c, r + 0.5 - Math.hypot(x + 0.5 - cx, y + 0.5 - cy));
  }
}

function segDist(px: number, py: number, a: Pt, b: Pt): number {
  const vx = b[0] - a[0];
  const vy = b[1] - a[1];
  const len2 = vx * vx + vy * vy;
  let t = len2 > 0 ? ((px - a[0]) * vx + (py - a[1]) * vy) / len2 : 0;
  t = Math.max(0, Math.min(1, t));
  return Math.hypot(px - (a[0] + t * vx), py - (a[1] + t * vy));
}

const luma = (c: Rgb): number => 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];

function randomColor(rng: Rng): Rgb {
  return [rng.next(), rng.next(), rng.next()];
}

/** A colour whose brightness differs from `bg` by at least `minContrast`. */
function contrasting(rng: Rng, bg: Rgb, minContrast: number): Rgb {
  for (let tries = 0; tries < 50; tries++) {
    const c = randomColor(rng);
    if (Math.abs(luma(c) - luma(bg)) >= minContrast) return c;
  }
  return luma(bg) > 0.5 ? [0.05, 0.05, 0.05] : [0.95, 0.95, 0.95];
}

/**
 * Draws sample `index` of the set with `seed` into `out` (H×W×C at `offset`) and returns its label.
 * C=1 gives grey (luminance); C≥3 gives RGB in the first three channels (further channels repeat R, G, B).
 */
export function drawShape(seed: number, index: number, h: number, w: number, c: number, out: Float32Array, offset: number): number {
  const label = index % 3;
  const rng = new Rng(seed, 0x5348, index);
  const cv = new Canvas(h, w);
  const bg = randomColor(rng);
  const grad: Rgb = rng.chance(0.5) ? [rng.range(-0.12, 0.12), rng.range(-0.12, 0.12), rng.range(-0.12, 0.12)] : [0, 0, 0];
  cv.fill(bg, grad, rng.range(0, 2 * Math.PI));
  const fg = contrasting(rng, bg, 0.4);
  const m = Math.min(h, w);
  const lw = rng.range(1, 2.6) * Math.max(1, m / 32);

  // Faint clutter: a few short low-contrast strokes and specks, so the background is not flat.
  const clutter = rng.int(3) >> 1;
  for (let k = 0; k < clutter; k++) {
    const cx = rng.range(0, w);
    const cy = rng.range(0, h);
    const len = rng.range(0.05, 0.2) * m;
    const ang = rng.range(0, Math.PI);
    const mix = rng.range(0.12, 0.25);
    const col: Rgb = [bg[0] + (fg[0] - bg[0]) * mix, bg[1] + (fg[1] - bg[1]) * mix, bg[2] + (fg[2] - bg[2]) * mix];
    cv.stroke([[cx, cy], [cx + Math.cos(ang) * len, cy + Math.sin(ang) * len]], Math.max(1, lw * 0.7), col);
  }

  // The object lives in a unit box (x right, y down), mapped to pixels by size, aspect, rotation and position.
  const size = rng.range(0.65, 0.92) * m;
  const aspect = rng.range(0.85, 1.15);
  const rot = rng.range(-0.12, 0.12); // about ±7°
  const cx = w / 2 + rng.range(-0.35, 0.35) * Math.max(0, w - size);
  const cy = h / 2 + rng.range(-0.35, 0.35) * Math.max(0, h - size);
  const cos = Math.cos(rot);
  const sin = Math.sin(rot);
  const T = (u: number, v: number): Pt => {
    const x = (u - 0.5) * size * aspect;
    const y = (v - 0.5) * size;
    return [cx + x * cos - y * sin, cy + x * sin + y * cos];
  };
  const filled = rng.chance(0.3);

  if (label === 0) {
    // Door: a tall rectangle (about half as wide as high) with a knob near one side, sometimes panels.
    const dw = rng.range(0.38, 0.55);
    const l = 0.5 - dw / 2;
    const r = 0.5 + dw / 2;
    const top = rng.range(0, 0.06);
    const rect = [T(l, top), T(r, top), T(r, 1), T(l, 1)];
    const knobLeft = rng.chance(0.5);
    const ku = knobLeft ? l + dw * 0.2 : r - dw * 0.2;
    const kv = rng.range(0.5, 0.62);
    const kr = Math.max(1.1, size * rng.range(0.04, 0.06));
    const [kx, ky] = T(ku, kv);
    if (filled) {
      cv.fillPoly(rect, fg);
      cv.disc(kx, ky, kr, contrasting(rng, fg, 0.35));
    } else {
      cv.stroke(rect, lw, fg, true);
      cv.disc(kx, ky, kr, fg);
      if (rng.chance(0.2)) {
        const pl = l + dw * 0.18;
        const pr = r - dw * 0.18;
        cv.stroke([T(pl, top + 0.1), T(pr, top + 0.1), T(pr, 0.42), T(pl, 0.42)], Math.max(1, lw * 0.7), fg, true);
      }
    }
  } else if (label === 1) {
    // Stair: a staircase profile of 3–6 steps rising left or right; sometimes closed and filled.
    const steps = 3 + rng.int(4);
    const mirror = rng.chance(0.5);
    const U = (u: number): number => (mirror ? 1 - u : u);
    const pts: Pt[] = [T(U(0), 1)];
    for (let s = 0; s < steps; s++) {
      const v = 1 - (s + 1) / steps;
      pts.push(T(U(s / steps), v));
      pts.push(T(U((s + 1) / steps), v));
    }
    if (filled) {
      pts.push(T(U(1), 1));
      cv.fillPoly(pts, fg);
    } else {
      if (rng.chance(0.4)) pts.push(T(U(1), 1), T(U(0), 1));
      cv.stroke(pts, lw, fg);
    }
  } else {
    // Sign: a post carrying a wide board or a triangle on top.
    const boardH = rng.range(0.28, 0.4);
    const postU = rng.range(0.45, 0.55);
    cv.stroke([T(postU, 1), T(postU, boardH)], lw * rng.range(1, 1.6), fg);
    let board: Pt[];
    if (rng.chance(0.5)) {
      const bw = rng.range(0.7, 0.95);
      board = [T(0.5 - bw / 2, 0), T(0.5 + bw / 2, 0), T(0.5 + bw / 2, boardH), T(0.5 - bw / 2, boardH)];
    } else {
      const bw = rng.range(0.55, 0.8);
      const tip = rng.chance(0.7);
      board = tip ? [T(0.5, 0), T(0.5 + bw / 2, boardH + 0.05), T(0.5 - bw / 2, boardH + 0.05)] : [T(0.5 - bw / 2, 0), T(0.5 + bw / 2, 0), T(0.5, boardH + 0.08)];
    }
    if (filled) cv.fillPoly(board, fg);
    else cv.stroke(board, lw, fg, true);
  }

  // Sensor noise, then clamp and convert to the requested channels.
  const sigma = rng.range(0, 0.06);
  const px = cv.px;
  for (let p = 0; p < h * w; p++) {
    let r = px[3 * p];
    let g = px[3 * p + 1];
    let b = px[3 * p + 2];
    if (sigma > 0) {
      r += sigma * rng.normal();
      g += sigma * rng.normal();
      b += sigma * rng.normal();
    }
    r = Math.min(1, Math.max(0, r));
    g = Math.min(1, Math.max(0, g));
    b = Math.min(1, Math.max(0, b));
    const o = offset + p * c;
    if (c === 1) out[o] = 0.299 * r + 0.587 * g + 0.114 * b;
    else for (let k = 0; k < c; k++) out[o + k] = k % 3 === 0 ? r : k % 3 === 1 ? g : b;
  }
  return label;
}

/** Default memory for keeping drawn samples between epochs (drawing one 32×32 sample takes about 0.5 ms). */
export const SHAPES_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * The generated set: `size` samples at h×w×c, reproducible from `seed`. Samples are drawn on first read and
 * kept in an LRU cache of `cacheBytes` (nothing is allocated up front); 3000 samples of 32×32×3 take 37 MB.
 */
export class ShapesDataset implements Dataset {
  readonly numClasses = 3;
  readonly classNames: readonly string[] = SHAPES_CLASSES;
  private readonly cache: Lru;

  constructor(
    readonly size: number,
    readonly height: number,
    readonly width: number,
    readonly channels: number,
    readonly seed: number,
    cacheBytes = SHAPES_CACHE_BYTES,
  ) {
    this.cache = new Lru(Math.floor(cacheBytes / (4 * height * width * channels)));
  }

  read(i: number, out: Float32Array, offset: number): void {
    checkIndex(i, this.size);
    const hit = this.cache.get(i);
    if (hit) {
      out.set(hit, offset);
      return;
    }
    if (this.cache.capacity <= 0) {
      drawShape(this.seed, i, this.height, this.width, this.channels, out, offset);
      return;
    }
    const s = new Float32Array(this.height * this.width * this.channels);
    drawShape(this.seed, i, this.height, this.width, this.channels, s, 0);
    this.cache.set(i, s);
    out.set(s, offset);
  }

  label(i: number): number {
    checkIndex(i, this.size);
    return i % 3;
  }
}

/** Renders one generated sample as a PNG (for docs and tests), enlarged `scale` times. */
export function renderShapePng(opts: { seed: number; index: number; h: number; w: number; c: number; scale?: number }): Uint8Array {
  const buf = new Float32Array(opts.h * opts.w * opts.c);
  drawShape(opts.seed, opts.index, opts.h, opts.w, opts.c, buf, 0);
  return tensorToPng(buf, 0, opts.h, opts.w, opts.c, opts.scale ?? 1);
}
