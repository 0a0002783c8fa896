// The metrics against scikit-learn (Debian's python3-sklearn; .ci/run installs it) on the same predictions:
// random and tied scores, classes missing from the split or never predicted, two classes, multi-label.
// Like the PyTorch checks (test/unit/export/helpers.ts): skipped only off CI when sklearn does not import.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { multiLabelReport, perLabelAccuracy, perLabelScores, rocCurve, singleLabelReport } from '../../../src/metrics';
import { PY_ENV, PYTHON } from '../export/helpers';

function probeSklearn(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import sklearn; print(sklearn.__version__)'], { encoding: 'utf8', env: PY_ENV });
  return r.status === 0 ? r.stdout.trim() : null;
}
const SKLEARN_VERSION = probeSklearn();
/** On CI a missing sklearn fails these tests instead of skipping them. */
const RUN_SKLEARN = SKLEARN_VERSION !== null || process.env.CI === 'true';

/** xorshift32 in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

interface SingleCase {
  name: string;
  k: number;
  labels: number[];
  probs: number[];
}

/** Softmax of logits that are whole numbers when `tied` (many equal probabilities), skewed towards the truth. */
function singleCase(name: string, seed: number, n: number, k: number, opts: { tied?: boolean; absent?: number[]; neverPredicted?: number } = {}): SingleCase {
  const r = rng(seed);
  const present = Array.from({ length: k }, (_, c) => c).filter((c) => !opts.absent?.includes(c));
  const labels: number[] = [];
  const probs: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = present[Math.floor(r() * present.length)]!;
    labels.push(y);
    const logits = Array.from({ length: k }, (_, c) => {
      const v = r() * 3 + (c === y ? 1.5 : 0);
      return opts.tied ? Math.round(v) : v;
    });
    if (opts.neverPredicted !== undefined) logits[opts.neverPredicted] = -10;
    const m = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    probs.push(...e.map((v) => v / s));
  }
  return { name, k, labels, probs };
}

const SINGLE: SingleCase[] = [
  singleCase('random scores, 4 classes', 1, 300, 4),
  singleCase('tied scores, 5 classes', 2, 400, 5, { tied: true }),
  singleCase('two classes', 3, 200, 2),
  singleCase('two classes, tied', 4, 150, 2, { tied: true }),
  singleCase('a class never predicted', 5, 250, 4, { neverPredicted: 2 }),
  singleCase('a class absent from the split', 6, 200, 4, { absent: [3] }),
  singleCase('a class absent and never predicted, tied', 7, 120, 3, { absent: [1], neverPredicted: 1, tied: true }),
  // every score equal: each AUC is 0.5, every prediction class 0
  { name: 'all scores equal', k: 3, labels: [0, 1, 2, 2, 1, 0, 1], probs: new Array(21).fill(1 / 3) },
];

const SINGLE_PY = String.raw`
import json, sys, warnings
import numpy as np
from sklearn import metrics as M
warnings.simplefilter("ignore")
out = []
for case in json.load(sys.stdin):
    k = case["k"]; y = np.array(case["labels"]); P = np.array(case["probs"], dtype=np.float64).reshape(len(y), k)
    pred = P.argmax(axis=1); labels = list(range(k))
    p, r, f, s = M.precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
    per = [float(M.roc_auc_score(y == c, P[:, c])) if 0 < (y == c).sum() < len(y) else None for c in range(k)]
    if all(a is not None for a in per):
        macro = float(M.roc_auc_score(y, P[:, 1]) if k == 2 else M.roc_auc_score(y, P, multi_class="ovr", average="macro", labels=labels))
        raises = False
    else:
        defined = [a for a in per if a is not None]
        macro = float(np.mean(defined))
        try:
            M.roc_auc_score(y, P, multi_class="ovr", average="macro", labels=labels); raises = False
        except ValueError:
            raises = True
    out.append({"confusion": M.confusion_matrix(y, pred, labels=labels).tolist(), "accuracy": float(M.accuracy_score(y, pred)),
        "balancedAccuracy": float(M.balanced_accuracy_score(y, pred)), "precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(),
        "support": s.tolist(), "aucPer": per, "aucMacro": macro, "sklearnRaises": raises})
print(json.dumps(out))
`;

interface MultiCase {
  name: string;
  labels: number;
  truth: number[];
  probs: number[];
}

function multiCase(name: string, seed: number, n: number, labels: number, opts: { tied?: boolean; allNegative?: number; allPositive?: number } = {}): MultiCase {
  const r = rng(seed);
  const truth: number[] = [];
  const probs: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < labels; l++) {
      let t = r() < 0.15 + 0.1 * l ? 1 : 0;
      if (l === opts.allNegative) t = 0;
      if (l === opts.allPositive) t = 1;
      truth.push(t);
      const p = Math.min(1, Math.max(0, r() * 0.8 + (t ? 0.25 : 0)));
      // tied: a tenth of the scores are exactly 0.5, the rest on a 0.1 grid
      probs.push(opts.tied ? (r() < 0.1 ? 0.5 : Math.round(p * 10) / 10) : p);
    }
  }
  return { name, labels, truth, probs };
}

const MULTI: MultiCase[] = [
  multiCase('random scores, 6 labels', 11, 300, 6),
  multiCase('tied scores with 0.5 on the threshold, 4 labels', 12, 250, 4, { tied: true }),
  multiCase('a label never present', 13, 200, 5, { allNegative: 2 }),
  multiCase('a label always present, tied', 14, 150, 3, { allPositive: 0, tied: true }),
];

const MULTI_PY = String.raw`
import json, sys, warnings
import numpy as np
from sklearn import metrics as M
warnings.simplefilter("ignore")
out = []
for case in json.load(sys.stdin):
    L = case["labels"]; Y = np.array(case["truth"]).reshape(-1, L); S = np.array(case["probs"], dtype=np.float64).reshape(-1, L)
    ok = [l for l in range(L) if 0 < Y[:, l].sum() < len(Y)]
    per = [None] * L
    for l, a in zip(ok, M.roc_auc_score(Y[:, ok], S[:, ok], average=None)):
        per[l] = float(a)
    mean = float(M.roc_auc_score(Y[:, ok], S[:, ok], average="macro"))
    try:
        M.roc_auc_score(Y, S, average="macro"); raises = False
    except ValueError:
        raises = True
    acc = float(np.mean([M.accuracy_score(Y[:, l], S[:, l] > 0.5) for l in range(L)]))
    p, r, f, s = M.precision_recall_fscore_support(Y, (S > 0.5).astype(int), average=None, zero_division=0)
    roc = [None] * L
    for l in ok:
        fpr, tpr, _ = M.roc_curve(Y[:, l], S[:, l], drop_intermediate=False)
        roc[l] = {"fpr": fpr.tolist(), "tpr": tpr.tolist()}
    out.append({"aucPer": per, "aucMean": mean, "accuracy": acc, "hamming": float(1 - M.hamming_loss(Y, S > 0.5)), "sklearnRaises": raises,
        "precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(), "support": s.tolist(),
        "labelAccuracy": [float(M.accuracy_score(Y[:, l], S[:, l] > 0.5)) for l in range(L)], "roc": roc})
print(json.dumps(out))
`;

function runPython(script: string, input: unknown): unknown {
  const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', env: PY_ENV, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${PYTHON} with sklearn failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

function close(a: number | null, b: number | null, what: string): void {
  if (a === null || b === null) {
    expect(a, what).toBe(b);
    return;
  }
  expect(Math.abs(a - b), `${what}: ${a} vs scikit-learn's ${b}`).toBeLessThanOrEqual(1e-9);
}

describe.skipIf(!RUN_SKLEARN)(`metrics against scikit-learn ${SKLEARN_VERSION ?? '(missing)'} (${PYTHON})`, () => {
  describe('single-label', () => {
    const expected = runPython(SINGLE_PY, SINGLE) as {
      confusion: number[][];
      accuracy: number;
      balancedAccuracy: number;
      precision: number[];
      recall: number[];
      f1: number[];
      support: number[];
      aucPer: (number | null)[];
      aucMacro: number;
      sklearnRaises: boolean;
    }[];
    SINGLE.forEach((c, i) => {
      it(c.name, () => {
        const e = expected[i]!;
        const r = singleLabelReport('val', Array.from({ length: c.k }, (_, j) => `c${j}`), c.labels, c.probs);
        expect(r.samples).toBe(c.labels.length);
        expect(r.confusion).toEqual(e.confusion);
        close(r.accuracy, e.accuracy, 'accuracy');
        close(r.balancedAccuracy, e.balancedAccuracy, 'balanced accuracy');
        r.perClass.forEach((p, j) => {
          close(p.precision, e.precision[j]!, `precision of ${j}`);
          close(p.recall, e.recall[j]!, `recall of ${j}`);
          close(p.f1, e.f1[j]!, `F1 of ${j}`);
          expect(p.support).toBe(e.support[j]);
        });
        r.auc.perClass.forEach((a, j) => close(a, e.aucPer[j]!, `AUC of class ${j}`));
        close(r.auc.macro, e.aucMacro, 'macro AUC');
        // The documented difference: scikit-learn refuses a split that lacks a class; here its AUC is null.
        expect(e.sklearnRaises).toBe(r.auc.perClass.includes(null));
      });
    });
  });

  describe('multi-label', () => {
    const expected = runPython(MULTI_PY, MULTI) as {
      aucPer: (number | null)[];
      aucMean: number;
      accuracy: number;
      hamming: number;
      sklearnRaises: boolean;
      precision: number[];
      recall: number[];
      f1: number[];
      support: number[];
      labelAccuracy: number[];
      roc: ({ fpr: number[]; tpr: number[] } | null)[];
    }[];
    MULTI.forEach((c, i) => {
      it(c.name, () => {
        const e = expected[i]!;
        const r = multiLabelReport('test', c.labels, c.truth, c.probs);
        expect(r.samples).toBe(c.truth.length / c.labels);
        r.auc.perClass.forEach((a, l) => close(a, e.aucPer[l]!, `AUC of label ${l}`));
        close(r.auc.mean, e.aucMean, 'mean AUC');
        close(r.accuracy, e.accuracy, 'accuracy at 0.5');
        close(r.accuracy, e.hamming, '1 − Hamming loss');
        expect(e.sklearnRaises).toBe(r.auc.perClass.includes(null));
        const n = c.truth.length / c.labels;
        perLabelScores(c.truth, c.probs, n, c.labels).forEach((q, l) => {
          close(q.precision, e.precision[l]!, `precision of label ${l}`);
          close(q.recall, e.recall[l]!, `recall of label ${l}`);
          close(q.f1, e.f1[l]!, `F1 of label ${l}`);
          expect(q.support).toBe(e.support[l]);
        });
        perLabelAccuracy(c.truth, c.probs, n, c.labels).forEach((a, l) => close(a, e.labelAccuracy[l]!, `accuracy of label ${l}`));
        for (let l = 0; l < c.labels; l++) {
          const col = (v: number[]) => Array.from({ length: n }, (_, i) => v[i * c.labels + l]!);
          // roc_curve(drop_intermediate=False): one point per distinct score, from (0, 0); its first threshold is
          // above every score, so its points are exactly ours.
          const roc = rocCurve(col(c.truth), col(c.probs), Infinity);
          const want = e.roc[l];
          if (!want) expect(roc).toEqual({ fpr: [], tpr: [] });
          else {
            expect(roc.fpr.length, `ROC points of label ${l}`).toBe(want.fpr.length);
            roc.fpr.forEach((v, j) => close(v, want.fpr[j]!, `FPR ${j} of label ${l}`));
            roc.tpr.forEach((v, j) => close(v, want.tpr[j]!, `TPR ${j} of label ${l}`));
          }
        }
      });
    });
  });
});
