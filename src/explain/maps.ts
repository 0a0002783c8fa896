// The three explanation maps of n input samples, computed by the built-in engine in evaluation mode. y_c is
// the class's logit (before softmax or sigmoid), p_c its probability; c is each sample's class.
// - Grad-CAM of a layer's output A (K channels of h×w, as written, after its own activation=):
//   α_k = mean over h×w of ∂y_c/∂A_k; map = ReLU(Σ_k α_k A_k), h×w.
// - Saliency: max over the input channels of |∂y_c/∂x|, H×W.
// - Occlusion: a w×w window at positions 0, s, 2s, … (while it fits) set to 0 in every channel; each pixel's
//   value is the mean over the positions covering it of p_c(x) − p_c(x occluded); 0 where none covers it.

import { assertNever } from '../language/assertNever';
import type { Network } from '../engine';
import { defaultLine, layerOnLine, occlusionWindow, type ExplainMethod, type OcclusionWindow } from './target';

/** One sample's map: h×w values, row-major. */
export interface ExplainMap {
  h: number;
  w: number;
  data: Float32Array;
}

export interface Explanation {
  /** Each sample's class (logit index). */
  classes: number[];
  maps: ExplainMap[];
}

/** The class of each sample: `fixed` when given, else the highest-scoring one (logits and probabilities agree). */
function classesFor(logits: Float32Array, n: number, k: number, fixed: number | null): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (fixed !== null) {
      out[i] = fixed;
      continue;
    }
    let best = 0;
    for (let j = 1; j < k; j++) if (logits[i * k + j]! > logits[i * k + best]!) best = j;
    out[i] = best;
  }
  return out;
}

/** The predicted class of each sample (evaluation mode), or `fixed` for all. */
export function targetClasses(net: Network, x: Float32Array, n: number, fixed: number | null): Int32Array {
  if (fixed !== null) return classesFor(new Float32Array(0), n, net.classes, fixed);
  return classesFor(net.predict(x, n), n, net.classes, null);
}

/** Grad-CAM of the layer statement `layer` (LayerInfo.index; its output must be a volume). */
export function gradCam(net: Network, x: Float32Array, n: number, layer: number, classes: Int32Array): ExplainMap[] {
  const g = net.logitGradients(x, n, { classes, layer });
  const info = net.spec.layers.find((l) => l.index === layer);
  const shape = info?.output;
  if (!shape || shape.kind !== 'volume') throw new Error(`layer ${layer} has no volume output`);
  const { h, w, c } = shape;
  const hw = h * w;
  const value = g.value!;
  const grad = g.grad!;
  const maps: ExplainMap[] = [];
  for (let i = 0; i < n; i++) {
    const base = i * c * hw;
    const data = new Float32Array(hw);
    const acc = new Float64Array(hw);
    for (let k = 0; k < c; k++) {
      const off = base + k * hw;
      let sum = 0;
      for (let p = 0; p < hw; p++) sum += grad[off + p]!;
      const alpha = sum / hw;
      if (alpha === 0) continue;
      for (let p = 0; p < hw; p++) acc[p] += alpha * value[off + p]!;
    }
    for (let p = 0; p < hw; p++) data[p] = acc[p]! > 0 ? acc[p]! : 0;
    maps.push({ h, w, data });
  }
  return maps;
}

/** Saliency: per pixel, the largest |∂y_c/∂x| over the input's channels. */
export function saliency(net: Network, x: Float32Array, n: number, classes: Int32Array): ExplainMap[] {
  const g = net.logitGradients(x, n, { classes, input: true });
  const { h, w, c } = net.spec.input;
  const hw = h * w;
  const input = g.input!;
  const maps: ExplainMap[] = [];
  for (let i = 0; i < n; i++) {
    const data = new Float32Array(hw);
    for (let p = 0; p < hw; p++) {
      let m = 0;
      const at = (i * hw + p) * c;
      for (let ch = 0; ch < c; ch++) m = Math.max(m, Math.abs(input[at + ch]!));
      data[p] = m;
    }
    maps.push({ h, w, data });
  }
  return maps;
}

/** The window's top-left positions along a side: 0, s, 2s, … while the window fits. */
function positions(side: number, win: number, stride: number): number[] {
  const out: number[] = [];
  for (let p = 0; p + win <= side; p += stride) out.push(p);
  return out;
}

/** Occluded copies of a sample per batch through predict: enough to keep the kernels busy, little memory. */
export const OCCLUSION_BATCH = 64;

/** Occlusion: the drop of p_c when each window is zeroed, averaged over the windows covering each pixel. */
export function occlusion(net: Network, x: Float32Array, n: number, classes: Int32Array, geom: OcclusionWindow): ExplainMap[] {
  const { h, w, c } = net.spec.input;
  const size = h * w * c;
  const k = net.classes;
  const base = net.predict(x, n);
  const rows = positions(h, geom.window, geom.stride);
  const cols = positions(w, geom.window, geom.stride);
  const spots = rows.flatMap((r) => cols.map((q) => [r, q] as const));
  const maps: ExplainMap[] = [];
  const batch = new Float32Array(Math.min(OCCLUSION_BATCH, spots.length) * size);
  for (let i = 0; i < n; i++) {
    const sample = x.subarray(i * size, (i + 1) * size);
    const cls = classes[i]!;
    const p0 = base[i * k + cls]!;
    const sum = new Float64Array(h * w);
    const count = new Uint32Array(h * w);
    for (let s0 = 0; s0 < spots.length; s0 += OCCLUSION_BATCH) {
      const m = Math.min(OCCLUSION_BATCH, spots.length - s0);
      for (let j = 0; j < m; j++) {
        const [r, q] = spots[s0 + j]!;
        const copy = batch.subarray(j * size, (j + 1) * size);
        copy.set(sample);
        for (let y = r; y < r + geom.window; y++) copy.fill(0, (y * w + q) * c, (y * w + q + geom.window) * c);
      }
      const probs = net.predict(batch, m);
      for (let j = 0; j < m; j++) {
        const [r, q] = spots[s0 + j]!;
        const drop = p0 - probs[j * k + cls]!;
        for (let y = r; y < r + geom.window; y++) {
          for (let xx = q; xx < q + geom.window; xx++) {
            sum[y * w + xx] += drop;
            count[y * w + xx]++;
          }
        }
      }
    }
    const data = new Float32Array(h * w);
    for (let p = 0; p < h * w; p++) data[p] = count[p]! > 0 ? sum[p]! / count[p]! : 0;
    maps.push({ h, w, data });
  }
  return maps;
}

export interface ExplainOptions {
  method: ExplainMethod;
  /** Grad-CAM: the layer statement (LayerInfo.index); default: the one on defaultLine. */
  layer?: number;
  /** A class (logit index) for every sample; null or absent: each sample's predicted class. */
  cls?: number | null;
  /** Occlusion: the window and stride; default: occlusionWindow's. */
  occlusion?: OcclusionWindow;
}

/** The maps of one method for n NHWC samples, with the class each explains. */
export function explain(net: Network, x: Float32Array, n: number, opts: ExplainOptions): Explanation {
  const spec = net.spec;
  const classes = targetClasses(net, x, n, opts.cls ?? null);
  let maps: ExplainMap[];
  switch (opts.method) {
    case 'gradcam':
      maps = gradCam(net, x, n, opts.layer ?? layerOnLine(spec, defaultLine(spec)).index, classes);
      break;
    case 'saliency':
      maps = saliency(net, x, n, classes);
      break;
    case 'occlusion':
      maps = occlusion(net, x, n, classes, opts.occlusion ?? occlusionWindow(spec));
      break;
    default:
      return assertNever(opts.method, 'explanation method');
  }
  return { classes: Array.from(classes), maps };
}
