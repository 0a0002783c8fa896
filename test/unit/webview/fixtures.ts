// Realistic data for the inspector's tests, benchmark and screenshots: the lecture's network checked for real,
// and a snapshot computed by a small forward pass (hand-made edge filters, then seeded random ones) over a
// synthetic 32×32 "door" picture. Not a test file: imported by them.

import type { EvaluationMessage, LayerActivation, SnapshotMessage, Tensor } from '../../../src/protocol/trainer';
import type { ModelView } from '../../../src/protocol/webview';

/** A seeded generator (mulberry32), so every run draws the same pictures. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32×32×3 picture: a brown door with a knob on a light wall, normalised to about −1…1. */
export function doorImage(h = 32, w = 32, seed = 1): Tensor {
  const r = rng(seed);
  const data = new Float32Array(h * w * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const door = x >= w * 0.3 && x < w * 0.7 && y >= h * 0.15;
      const knob = Math.hypot(x - w * 0.62, y - h * 0.6) < 1.5;
      const c = knob ? [0.9, 0.8, 0.2] : door ? [0.45, 0.25, 0.1] : [0.85, 0.85, 0.8];
      for (let k = 0; k < 3; k++) data[(y * w + x) * 3 + k] = (c[k]! + 0.06 * (r() - 0.5)) * 2 - 1;
    }
  }
  return { shape: [h, w, 3], data };
}

/** Filters K×C×3×3: the first few are edge and colour detectors, the rest seeded random. */
export function makeFilters(k: number, c: number, seed: number): Tensor {
  const r = rng(seed);
  const data = new Float32Array(k * c * 9);
  const sobelX = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
  const sobelY = [-1, -2, -1, 0, 0, 0, 1, 2, 1];
  for (let f = 0; f < k; f++) {
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < 9; i++) {
        let v = (r() - 0.5) * 0.6;
        if (f % 4 === 0) v += (f % 8 === 0 ? sobelX[i]! : -sobelX[i]!) * (ch === f % c ? 0.5 : 0.15);
        if (f % 4 === 1) v += sobelY[i]! * (ch === f % c ? 0.5 : 0.1);
        data[(f * c + ch) * 9 + i] = v / Math.sqrt(c);
      }
    }
  }
  return { shape: [k, c, 3, 3], data };
}

/** conv 3×3, stride 1, padding 1, on H×W×C (channels last); filters K×C×3×3. */
export function conv3(x: Tensor, w: Tensor): Tensor {
  const [h, wd, c] = x.shape as [number, number, number];
  const k = w.shape[0]!;
  const out = new Float32Array(h * wd * k);
  for (let y = 0; y < h; y++)
    for (let xx = 0; xx < wd; xx++)
      for (let f = 0; f < k; f++) {
        let s = 0;
        for (let ch = 0; ch < c; ch++)
          for (let dy = -1; dy <= 1; dy++)
            for (let dx = -1; dx <= 1; dx++) {
              const yy = y + dy;
              const xi = xx + dx;
              if (yy < 0 || xi < 0 || yy >= h || xi >= wd) continue;
              s += x.data[(yy * wd + xi) * c + ch]! * w.data[(f * c + ch) * 9 + (dy + 1) * 3 + (dx + 1)]!;
            }
        out[(y * wd + xx) * k + f] = s;
      }
  return { shape: [h, wd, k], data: out };
}

export function relu(x: Tensor): Tensor {
  return { shape: x.shape, data: x.data.map((v) => (v > 0 ? v : 0)) };
}

export function maxpool2(x: Tensor): Tensor {
  const [h, w, c] = x.shape as [number, number, number];
  const oh = h >> 1;
  const ow = w >> 1;
  const out = new Float32Array(oh * ow * c);
  for (let y = 0; y < oh; y++)
    for (let xx = 0; xx < ow; xx++)
      for (let k = 0; k < c; k++) {
        let m = -Infinity;
        for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) m = Math.max(m, x.data[((2 * y + dy) * w + 2 * xx + dx) * c + k]!);
        out[(y * ow + xx) * c + k] = m;
      }
  return { shape: [oh, ow, c], data: out };
}

export const LECTURE_CLASSES = ['door', 'stair', 'sign'];

/** The lecture network's snapshot for a door picture, with probabilities [.1 .1 .8]-like (here door wins). */
export function lectureSnapshot(seed = 1, lines = { conv1: 5, relu1: 6, pool1: 7, conv2: 8, relu2: 9, pool2: 10, dense: 11, softmax: 12 }): SnapshotMessage {
  const input = doorImage(32, 32, seed);
  const w1 = makeFilters(16, 3, 11);
  const w2 = makeFilters(32, 16, 12);
  const a1 = conv3(input, w1);
  const r1 = relu(a1);
  const p1 = maxpool2(r1);
  const a2 = conv3(p1, w2);
  const r2 = relu(a2);
  const p2 = maxpool2(r2);
  const logits = new Float32Array([2.2, 0.1, 0.1]);
  const e = logits.map((v) => Math.exp(v));
  const sum = e.reduce((a, b) => a + b, 0);
  const probs = e.map((v) => v / sum);
  const act = (t: Tensor, index: number, kind: string, line: number): LayerActivation => ({ ...t, index, kind, line });
  return {
    type: 'snapshot',
    source: 'validation sample 0',
    label: 0,
    input,
    activations: [
      act(a1, 0, 'conv', lines.conv1),
      act(r1, 1, 'relu', lines.relu1),
      act(p1, 2, 'pool', lines.pool1),
      act(a2, 3, 'conv', lines.conv2),
      act(r2, 4, 'relu', lines.relu2),
      act(p2, 5, 'pool', lines.pool2),
      act({ shape: [3], data: logits }, 6, 'dense', lines.dense),
      act({ shape: [3], data: probs }, 7, 'softmax', lines.softmax),
    ],
    filters: [
      { ...w1, index: 0, line: lines.conv1 },
      { ...w2, index: 3, line: lines.conv2 },
    ],
    probabilities: [...probs],
    classes: LECTURE_CLASSES,
  };
}

/**
 * A ROC curve of about the given AUC: tpr = fpr^k with k = (1 − auc) / auc (whose area is 1 / (k + 1) = auc), on
 * 40 steps with a little seeded wobble, from (0,0) to (1,1).
 */
export function rocCurve(auc: number, seed: number, steps = 40): { fpr: number[]; tpr: number[] } {
  const r = rng(seed);
  const k = (1 - auc) / auc;
  const fpr: number[] = [0];
  const tpr: number[] = [0];
  for (let i = 1; i < steps; i++) {
    const x = i / steps;
    fpr.push(x);
    tpr.push(Math.min(1, Math.max(tpr[i - 1]!, x ** k + 0.02 * (r() - 0.5))));
  }
  fpr.push(1);
  tpr.push(1);
  return { fpr, tpr };
}

/** A validation evaluation of the lecture network: 300 samples, a few mistakes. */
export function lectureEvaluation(): EvaluationMessage {
  const mk = (seed: number, label: number, predicted: number, p: number) => {
    const probabilities = [0, 0, 0].map((_, i) => (i === predicted ? p : (1 - p) / 2));
    return { index: seed, label, predicted, probabilities, input: doorImage(32, 32, seed) };
  };
  return {
    type: 'evaluation',
    classes: LECTURE_CLASSES,
    confusion: [
      [92, 5, 3],
      [7, 88, 5],
      [2, 4, 94],
    ],
    misclassified: [mk(3, 0, 1, 0.61), mk(17, 1, 0, 0.55), mk(42, 2, 1, 0.48), mk(57, 1, 2, 0.7), mk(77, 0, 2, 0.52)],
    split: 'validation',
    task: 'single',
    auc: { mean: (0.962 + 0.941 + 0.978) / 3, perClass: [0.962, 0.941, 0.978] },
    roc: [rocCurve(0.962, 11), rocCurve(0.941, 12), rocCurve(0.978, 13)],
    // From the confusion matrix above (columns are the predictions).
    perClass: [
      { precision: 92 / 101, recall: 92 / 100, f1: (2 * 92) / (101 + 100), support: 100 },
      { precision: 88 / 97, recall: 88 / 100, f1: (2 * 88) / (97 + 100), support: 100 },
      { precision: 94 / 102, recall: 94 / 100, f1: (2 * 94) / (102 + 100), support: 100 },
    ],
    labelAccuracy: null,
  };
}

/** A hand-written model view of the lecture network (the tests that can also build one with the checker do). */
export const LECTURE_SOURCE = `# The lecture's network
network DoorStairSign
input 32x32x3
classes door stair sign

conv filters=16 size=3 stride=1 pad=1
relu
pool max size=2 stride=2
conv K=32 F=3 S=1 P=1
relu
pool size=2
dense units=3
softmax
`;

/** `count` channels of h×w with smooth varied patterns (for the render benchmark). */
export function syntheticMaps(h: number, w: number, count: number, phase = 0): Tensor {
  const data = new Float32Array(h * w * count);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < count; k++) data[(y * w + x) * count + k] = Math.sin((x + phase) * (0.05 + 0.01 * (k % 7))) * Math.cos(y * (0.04 + 0.013 * (k % 5))) * (1 + k / count);
  return { shape: [h, w, count], data };
}

export type { ModelView };
