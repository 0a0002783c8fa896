// The PyTorch package's task modules on their own: objective.py's class counts, balanced weights, their errors and
// the imbalance warning (against our data layer's), metrics.py's AUC, ROC and per-class scores (against
// scikit-learn), report.py's --text lines (against the CLI's), augment.py's flips, shifts and jitter, and the
// inspector's augmentation grid as train.py answers it.

import { describe, expect, it } from 'vitest';
import { imbalanceWarning, resolveClassWeights } from '../../../src/data';
import { reviveTensors } from '../../../src/export/runner';
import { isTrainerMessage, type StartedMessage, type TrainerMessage } from '../../../src/protocol/trainer';
import { classCountText, testFiguresText } from '../../../src/protocol/messageText';
import { maxAbsDiff, MULTILABEL, python, RUN_TORCH, taskPackage as setUp } from './helpers';

describe.skipIf(!RUN_TORCH)('the task modules of the PyTorch package', () => {
  it('class counts, balanced weights, their errors and the imbalance warning are the built-in trainer’s', () => {
    const { pkg } = setUp(MULTILABEL, 'findings.npz', 3, true, [4, 2, 2]);
    const cases = [
      { counts: [30, 5, 12], n: 40, multi: true, setting: 'balanced' },
      { counts: [30, 2, 12], n: 44, multi: false, setting: 'balanced' },
      { counts: [30, 0, 12], n: 42, multi: false, setting: 'balanced' },
      { counts: [0, 3, 12], n: 42, multi: true, setting: 'balanced' },
      { counts: [3, 3, 3], n: 9, multi: false, setting: [1, 2] },
      { counts: [3, 3, 3], n: 9, multi: false, setting: [1, -2, 1] },
      { counts: [50, 1, 49], n: 100, multi: false, setting: null },
      { counts: [50, 1, 49, 2, 3, 4], n: 100, multi: true, setting: null },
      { counts: [500, 40, 60], n: 600, multi: false, setting: null },
    ] as const;
    const names = ['effusion', 'nodule', 'mass', 'd', 'e', 'f'];
    const py = JSON.parse(
      python(
        String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
import objective
from datasets import DataError
out = []
for c in json.loads(sys.argv[2]):
    names = ${JSON.stringify(names)}[: len(c["counts"])]
    try:
        w = objective.resolve_class_weights(c["setting"], c["counts"], c["n"], c["multi"], names)
        err = None
    except DataError as e:
        w, err = None, str(e)
    out.append({"weights": w, "error": err,
                "warning": objective.imbalance_warning(c["counts"], names, c["multi"], c["setting"] is not None, c["n"])})
print(json.dumps(out))
`,
        [pkg, JSON.stringify(cases)],
      ),
    );
    for (const [k, c] of cases.entries()) {
      const task = c.multi ? 'multilabel' : 'single';
      const names6 = names.slice(0, c.counts.length);
      let weights: number[] | null = null;
      let error: string | null = null;
      try {
        const w = resolveClassWeights(c.setting === null ? null : c.setting === 'balanced' ? 'balanced' : [...c.setting], c.counts, c.n, task, names6);
        weights = w ? Array.from(w) : null;
      } catch (e) {
        error = (e as Error).message;
      }
      expect(py[k].error, `case ${k}`).toBe(error);
      if (weights) for (const [j, w] of weights.entries()) expect(py[k].weights[j], `case ${k}`).toBeCloseTo(w, 5);
      else expect(py[k].weights, `case ${k}`).toBeNull();
      expect(py[k].warning, `case ${k}`).toBe(imbalanceWarning(c.counts, names6, task, c.setting !== null, c.n));
    }
  });

  it('train.py --text prints the class counts and the test figures as `cnn train` does, and evaluations as one line of AUCs', () => {
    const { pkg } = setUp(MULTILABEL, 'findings.npz', 3, true, [4, 2, 2]);
    const started: StartedMessage = { type: 'started', epochs: 2, stepsPerEpoch: 8, trainSize: 1200, valSize: 24, classes: ['effusion', 'nodule', 'mass'], params: 10, backend: 'pytorch', warnings: [], task: 'multilabel', classCounts: [1100, 8, 300], classWeights: [0.0909, 149, 3] };
    const single: StartedMessage = { ...started, task: 'single', classWeights: null };
    const evaluation = { type: 'evaluation', split: 'validation', classes: ['effusion', 'nodule', 'mass'], auc: { mean: 0.75, perClass: [0.5, 1, null] } };
    const test = { samples: 1234, loss: 0.25, accuracy: 0.8765, auc: 0.9 };
    const done = { type: 'done', checkpoint: 'run/model.safetensors', metricsFile: 'run/metrics.jsonl', stopped: false, epochsRun: 2, final: null, test, best: 'run/best.safetensors' };
    const out = python(
      String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
import report
for m in json.loads(sys.argv[2]):
    print(report.Reporter.plain(m))
`,
      [pkg, JSON.stringify([started, single, evaluation, done])],
    );
    const expected = [started, single]
      .map((m) => `Training on 1200 samples, validating on 24; 10 parameters; 2 epochs of 8 steps.\n${classCountText(m)}`)
      .join('');
    expect(out).toBe(
      `${expected}validation AUC 0.7500 (effusion 0.500, nodule 1.000, mass –)\n` +
        `Done after 2 epochs. Checkpoint: run/model.safetensors\nBest validation checkpoint: run/best.safetensors\n${testFiguresText(test)}\nMetrics: run/metrics.jsonl\n`,
    );
  });

  it("metrics.py's AUC, ROC and per-class scores are scikit-learn's", () => {
    const { pkg } = setUp(MULTILABEL, 'findings.npz', 3, true, [4, 2, 2]);
    const r = JSON.parse(
      python(
        String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
import numpy as np
import metrics
from sklearn.metrics import precision_recall_fscore_support, roc_auc_score, roc_curve
rng = np.random.default_rng(3)
out = {}
# multi-label: 3 labels, one never positive (AUC undefined), ties in the scores
y = (rng.random((300, 3)) < [0.2, 0.5, 0.0]).astype(np.float32)
p = np.round(rng.random((300, 3)) * 0.5 + y * 0.3, 2)
auc, roc = metrics.auc_figures(p, y, True)
out["ml"] = {"ours": auc["perClass"], "mean": auc["mean"], "sk": [roc_auc_score(y[:, j], p[:, j]) for j in range(2)],
             "points": [len(c["fpr"]) for c in roc]}
f, t, _ = roc_curve(y[:, 0], p[:, 0], drop_intermediate=False)
out["ml_curve"] = {"fpr": roc[0]["fpr"], "tpr": roc[0]["tpr"], "sk_fpr": f.tolist(), "sk_tpr": t.tolist()}
pr, rc, f1, su = precision_recall_fscore_support(y > 0.5, p > 0.5, zero_division=0)
out["ml_scores"] = {"ours": metrics.per_class_scores(p, y, True), "sk": [pr.tolist(), rc.tolist(), f1.tolist(), su.tolist()]}
# single-label: 4 classes, softmax-like scores, one-vs-rest macro AUC; many points (thinned to 200)
labels = rng.integers(0, 4, 1000)
s = rng.random((1000, 4)) + np.eye(4)[labels] * 0.4
s = s / s.sum(1, keepdims=True)
auc, roc = metrics.auc_figures(s, labels, False)
pred = s.argmax(1)
conf = np.zeros((4, 4), np.int64)
np.add.at(conf, (labels, pred), 1)
pr, rc, f1, su = precision_recall_fscore_support(labels, pred, labels=range(4), zero_division=0)
out["single"] = {"ours": auc["perClass"], "mean": auc["mean"], "sk_macro": roc_auc_score(labels, s, multi_class="ovr", average="macro"),
                 "points": [len(c["fpr"]) for c in roc], "scores": metrics.per_class_scores(s, labels, False, conf.tolist()),
                 "sk": [pr.tolist(), rc.tolist(), f1.tolist(), su.tolist()]}
print(json.dumps(out))
`,
        [pkg],
      ),
    );
    expect(r.ml.ours[2]).toBeNull();
    for (const j of [0, 1]) expect(r.ml.ours[j]).toBeCloseTo(r.ml.sk[j], 10);
    expect(r.ml.mean).toBeCloseTo((r.ml.sk[0] + r.ml.sk[1]) / 2, 10);
    expect(r.ml.points[2]).toBe(0);
    // The curve has one point per distinct score, as scikit-learn's without dropping collinear points (its first
    // point is (0, 0) too).
    expect(maxAbsDiff(r.ml_curve.fpr, r.ml_curve.sk_fpr)).toBeLessThan(1e-12);
    expect(maxAbsDiff(r.ml_curve.tpr, r.ml_curve.sk_tpr)).toBeLessThan(1e-12);
    for (const [which, s] of [['ml_scores', r.ml_scores], ['single', r.single]] as const) {
      const ours = which === 'single' ? s.scores : s.ours;
      const [pr, rc, f1, su] = s.sk;
      ours.forEach((c: { precision: number; recall: number; f1: number; support: number }, j: number) => {
        expect(c.precision, `${which} ${j}`).toBeCloseTo(pr[j], 10);
        expect(c.recall, `${which} ${j}`).toBeCloseTo(rc[j], 10);
        expect(c.f1, `${which} ${j}`).toBeCloseTo(f1[j], 10);
        expect(c.support, `${which} ${j}`).toBe(su[j]);
      });
    }
    expect(r.single.mean).toBeCloseTo(r.single.sk_macro, 10);
    for (const p of r.single.points) expect(p).toBeLessThanOrEqual(200);
  });

  it("answers the inspector's augmentation-preview request with the training sample's augmented versions", () => {
    const { pkg } = setUp(MULTILABEL, 'findings.npz', 3, true, [6, 2, 2]);
    const augment = { flip: 'both', rotate: 20, shift: 1, zoom: [0.9, 1.1], brightness: 0.2, contrast: 0.2, line: 3 };
    const out = python(
      String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
import data, inspection
d = data.open_data(1, 0)
req = json.loads(sys.argv[2])
first = inspection.augment_preview_msg(d.train, req, 4, d.class_names)
again = inspection.augment_preview_msg(d.train, req, 4, d.class_names)
label = [int(v) for v in d.train[5][1]]
print(json.dumps({"msg": first, "same": first == again, "label": label}))
`,
      [pkg, JSON.stringify({ type: 'augmentPreview', sample: 99, count: 5, augment, seed: 8 })],
    );
    const r = JSON.parse(out);
    const msg = reviveTensors(r.msg) as TrainerMessage;
    expect(isTrainerMessage(msg), JSON.stringify(r.msg).slice(0, 300)).toBe(true);
    if (msg.type !== 'augmentPreview') throw new Error('not a preview');
    // The sample is clamped to the 6 training samples; its labels are the positive ones of its row.
    expect(msg).toMatchObject({ sample: 5, classes: ['effusion', 'nodule', 'mass'], augment, seed: 8 });
    expect(msg.labels).toEqual(r.label.flatMap((v: number, j: number) => (v ? [j] : [])));
    expect(msg.images).toHaveLength(5);
    for (const im of msg.images) expect(im.shape).toEqual([12, 12, 1]);
    expect(maxAbsDiff(msg.images[0]!.data, msg.input.data)).toBeGreaterThan(0.01);
    expect(maxAbsDiff(msg.images[0]!.data, msg.images[1]!.data)).toBeGreaterThan(0.01);
    expect(r.same).toBe(true);
  });

  it('augment.py: flips and shifts move whole pixels, brightness scales, a seed repeats its draws, all within [0, 1]', () => {
    const { pkg } = setUp(MULTILABEL, 'findings.npz', 3, true, [4, 2, 2]);
    const r = JSON.parse(
      python(
        String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
import torch
import augment
torch.manual_seed(0)
x = torch.rand(16, 2, 9, 7) * 0.5
off = {"flip": "none", "rotate": 0, "shift": 0, "zoom": None, "brightness": 0, "contrast": 0}
def run(spec, seed=1):
    return augment.Augmenter(dict(off, **spec), seed).augment(x.clone())
def shifted(img, dx, dy):
    out = torch.zeros_like(img)
    h, w = img.shape[-2:]
    out[:, max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = img[:, max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    return out
flip = run({"flip": "horizontal"})
flips = [bool(torch.allclose(flip[i], x[i].flip(2), atol=1e-5)) for i in range(16)]
same = [bool(torch.allclose(flip[i], x[i], atol=1e-5)) for i in range(16)]
shift = run({"shift": 2})
moves = []
for i in range(16):
    found = [(dx, dy) for dx in range(-2, 3) for dy in range(-2, 3) if torch.allclose(shift[i], shifted(x[i], dx, dy), atol=1e-5)]
    moves.append(found[0] if found else None)
bright = run({"brightness": 0.2})
ratios = [(bright[i] / x[i]).flatten().tolist() for i in range(16)]
rot = run({"rotate": 30, "zoom": [0.8, 1.2], "contrast": 0.3})
print(json.dumps({"flips": flips, "same": same, "moves": moves,
                  "ratio": [[min(r), max(r)] for r in ratios],
                  "repeat": bool(torch.equal(run({"rotate": 30, "zoom": [0.8, 1.2], "contrast": 0.3}), rot)),
                  "other_seed": bool(torch.equal(run({"rotate": 30, "zoom": [0.8, 1.2], "contrast": 0.3}, 2), rot)),
                  "range": [float(rot.min()), float(rot.max())], "changed": float((rot - x).abs().max()),
                  "active": [augment.active(off), augment.active(dict(off, shift=1))]}))
`,
        [pkg],
      ),
    );
    // Every sample is either flipped or left as it is, and both happen.
    r.flips.forEach((f: boolean, i: number) => expect(f !== r.same[i], `sample ${i}`).toBe(true));
    expect(r.flips.filter(Boolean).length).toBeGreaterThan(2);
    expect(r.same.filter(Boolean).length).toBeGreaterThan(2);
    // Every sample moves by whole pixels within ±2, zero-filled; not all by the same.
    for (const m of r.moves) expect(m).not.toBeNull();
    expect(new Set(r.moves.map((m: number[]) => m.join(','))).size).toBeGreaterThan(3);
    // Brightness multiplies every value of a sample by one factor in [0.8, 1.2].
    for (const [lo, hi] of r.ratio) {
      expect(hi - lo).toBeLessThan(1e-5);
      expect(lo).toBeGreaterThanOrEqual(0.8 - 1e-6);
      expect(hi).toBeLessThanOrEqual(1.2 + 1e-6);
    }
    expect(r.repeat).toBe(true);
    expect(r.other_seed).toBe(false);
    expect(r.range[0]).toBeGreaterThanOrEqual(0);
    expect(r.range[1]).toBeLessThanOrEqual(1);
    expect(r.changed).toBeGreaterThan(0.01);
    expect(r.active).toEqual([false, true]);
  });
});
