// The trainer's protocol for both tasks: a multi-label run on a ChestMNIST-shaped NPZ and a single-label run with
// class weights and a test split, every message checked by isTrainerMessage and its figures against the metric
// functions; the evaluation of a split (loss with class weights equal to the engine's weighted loss, ROC curves
// thinned, misclassified samples per task); MNIST's t10k as the test split only when validation came from the
// training split.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openData } from '../../../src/data';
import { createNetwork } from '../../../src/engine';
import { check, toModelSpec } from '../../../src/language';
import { multiLabelAuc } from '../../../src/metrics';
import { isTrainerMessage, type DoneMessage, type EpochMessage, type EvaluationMessage, type StartedMessage, type TrainerMessage } from '../../../src/protocol/trainer';
import { classCountText, testFiguresText } from '../../../src/protocol/messageText';
import { evaluate, evaluationMessage } from '../../../src/trainer/evaluation';
import { modelFromJob } from '../../../src/trainer/prepare';
import { runTraining } from '../../../src/trainer/run';
import { readTargets, targetBuffer } from '../../../src/trainer/targets';
import { createYielder } from '../../../src/trainer/yielder';
import { idxPair, tmpDir } from '../data/helpers';
import { CHEST, CHEST_LABELS, chestLabels, writeChestNpz } from '../cli/chest';
import { tinyModel } from './helpers';

const dir = tmpDir('cnn-tasks-');

async function train(file: string, outDir: string): Promise<TrainerMessage[]> {
  const msgs: TrainerMessage[] = [];
  await runTraining({ file, source: readFileSync(file, 'utf8'), outDir }, { emit: (m) => msgs.push(m), stopRequested: () => false, takeRequest: () => null });
  return msgs;
}

function one<T extends TrainerMessage['type']>(msgs: TrainerMessage[], type: T): Extract<TrainerMessage, { type: T }>[] {
  return msgs.filter((m) => m.type === type) as Extract<TrainerMessage, { type: T }>[];
}

describe('a multi-label run', async () => {
  writeChestNpz(join(dir, 'chest.npz'), { train: 160, val: 40, test: 48 });
  const file = join(dir, 'chest.cnn');
  writeFileSync(file, CHEST('data npz chest.npz'));
  const msgs = await train(file, join(dir, 'run-chest'));

  it('sends only valid messages, ending in done', () => {
    for (const m of msgs) expect(isTrainerMessage(m), JSON.stringify({ ...m, activations: undefined, filters: undefined, misclassified: undefined })).toBe(true);
    expect(msgs[msgs.length - 1]!.type).toBe('done');
  });

  it('started: the task, positives per label of the training split, no weights, the imbalance warning', () => {
    const s = one(msgs, 'started')[0] as StartedMessage;
    const lab = chestLabels(160, 7);
    expect(s.task).toBe('multilabel');
    expect(s.classCounts).toEqual(Array.from({ length: CHEST_LABELS }, (_, l) => Array.from({ length: 160 }, (_, i) => lab[i * CHEST_LABELS + l]!).reduce((a, b) => a + b, 0)));
    expect(s.classWeights).toBeNull();
    expect(s.warnings.some((w) => /hernia/.test(w))).toBe(true);
  });

  it('epoch: valAuc is the mean per-label AUC of the evaluation sent with it', () => {
    const epochs = one(msgs, 'epoch') as EpochMessage[];
    const evals = one(msgs, 'evaluation') as EvaluationMessage[];
    expect(epochs).toHaveLength(2);
    expect(evals).toHaveLength(2);
    epochs.forEach((e, k) => {
      expect(e.valAuc).not.toBeNull();
      expect(e.valAuc).toBe(evals[k]!.auc.mean);
      expect(e.valAccuracy).toBeCloseTo(evals[k]!.labelAccuracy!.reduce((a, b) => a + b, 0) / CHEST_LABELS, 12);
    });
  });

  it('evaluation: multi-label shape — no confusion matrix, per-label scores, ROC curves, misclassified with their truths', () => {
    const v = one(msgs, 'evaluation').pop() as EvaluationMessage;
    expect(v.task).toBe('multilabel');
    expect(v.split).toBe('validation');
    expect(v.confusion).toEqual([]);
    expect(v.classes).toHaveLength(14);
    expect(v.perClass).toHaveLength(14);
    expect(v.labelAccuracy).toHaveLength(14);
    expect(v.roc).toHaveLength(14);
    for (const [l, c] of v.roc.entries()) {
      if (v.auc.perClass[l] === null) expect(c).toEqual({ fpr: [], tpr: [] });
      else {
        expect(c.fpr[0]).toBe(0);
        expect(c.fpr[c.fpr.length - 1]).toBe(1);
        expect(c.tpr[c.tpr.length - 1]).toBe(1);
      }
    }
    for (const m of v.misclassified) {
      expect(m.label).toBe(-1);
      expect(m.predicted).toBe(-1);
      expect(m.truth).toHaveLength(14);
      // some label is wrong at 0.5
      expect(m.truth!.some((t, l) => (m.probabilities[l]! > 0.5 ? 1 : 0) !== t)).toBe(true);
    }
  });

  it('done: the test split\'s figures and best.safetensors', () => {
    const d = one(msgs, 'done')[0] as DoneMessage;
    expect(d.test).not.toBeNull();
    expect(d.test!.samples).toBe(48);
    expect(d.test!.auc).toBeGreaterThan(0.5);
    expect(d.best).toBe(join(dir, 'run-chest', 'best.safetensors'));
  });
});

describe('a single-label run with class weights and a test split', async () => {
  // MNIST-like IDX files: the training pair and t10k. t10k is the validation split (the data's own); with val=0 there
  // is no validation, and t10k is the test split.
  const mnist = join(dir, 'mnist');
  mkdirSync(mnist);
  const tr = idxPair(60, 16, 16, 3);
  const te = idxPair(21, 16, 16, 3);
  writeFileSync(join(mnist, 'train-images-idx3-ubyte'), tr.images);
  writeFileSync(join(mnist, 'train-labels-idx1-ubyte'), tr.labels);
  writeFileSync(join(mnist, 't10k-images-idx3-ubyte'), te.images);
  writeFileSync(join(mnist, 't10k-labels-idx1-ubyte'), te.labels);
  const carved = join(dir, 'carved.cnn');
  writeFileSync(carved, tinyModel({ data: 'data idx mnist', extra: '' }).replace('seed=3', 'seed=3 val=0 class_weights=1,2,0.5'));
  const own = join(dir, 'own.cnn');
  writeFileSync(own, tinyModel({ data: 'data idx mnist' }));
  const a = await train(carved, join(dir, 'run-carved'));
  const b = await train(own, join(dir, 'run-own'));

  it('started: samples per class and the weights as given; valid messages', () => {
    for (const m of [...a, ...b]) expect(isTrainerMessage(m)).toBe(true);
    const s = one(a, 'started')[0] as StartedMessage;
    expect(s.task).toBe('single');
    expect(s.classCounts).toEqual([20, 20, 20]);
    expect(s.classWeights).toEqual([1, 2, 0.5]);
    expect(one(b, 'started')[0]!.classWeights).toBeNull();
    const e = one(b, 'evaluation')[0] as EvaluationMessage;
    expect(e.task).toBe('single');
    expect(e.labelAccuracy).toBeNull();
    expect(e.perClass.map((p) => p.support)).toEqual(e.confusion.map((row) => row.reduce((x, y) => x + y, 0)));
    expect(one(b, 'epoch')[0]!.valAuc).toBe(e.auc.mean);
    // no validation: no AUC, no evaluation, no best checkpoint
    expect(one(a, 'epoch')[0]!.valAuc).toBeNull();
    expect(one(a, 'evaluation')).toEqual([]);
  });

  it('t10k is the test split when it is not the validation split, and is not reported twice when it is', () => {
    const da = one(a, 'done')[0] as DoneMessage;
    expect(da.test).toMatchObject({ samples: 21 });
    expect(da.best).toBeNull();
    const db = one(b, 'done')[0] as DoneMessage;
    expect(one(b, 'started')[0]!.valSize).toBe(21);
    expect(db.test).toBeNull();
    expect(db.best).toBe(join(dir, 'run-own', 'best.safetensors'));
  });
});

describe('evaluate()', () => {
  const source = (ending: string, extra = '') => `network E
input 8x8x1
conv filters=2 size=3 pad=1 activation=relu
dense units=3
${ending}
train batch=8 seed=5 ${extra}
`;

  it('the validation loss with class weights is the engine\'s weighted loss (CrossEntropyLoss(weight=))', async () => {
    const spec = toModelSpec(check(source('softmax')), 'E')!;
    const net = createNetwork(spec, { seed: 5 });
    const data = openData({ kind: 'shapes', samples: 40, line: 0 } as never, { baseDir: dir, input: { h: 8, w: 8, c: 1 }, numClasses: 3, seed: 5, valFraction: 0 }).train;
    const w = Float32Array.of(1, 3, 0.25);
    const x = new Float32Array(data.size * 64);
    for (let i = 0; i < data.size; i++) data.read(i, x, i * 64);
    const y = targetBuffer('single', data.size, 3) as Int32Array;
    readTargets(data, 0, data.size, y, 3);
    net.setLossWeights(w);
    const engine = net.evaluate(x, y, data.size).loss;
    const v = (await evaluate(net, data, 16, createYielder(() => false), { task: 'single', weights: w }))!;
    expect(v.loss).toBeCloseTo(engine, 5);
    const unweighted = (await evaluate(net, data, 16, createYielder(() => false), { task: 'single' }))!;
    expect(Math.abs(unweighted.loss - v.loss)).toBeGreaterThan(1e-4);
    await net.dispose();
  });

  it('multi-label: the loss is the engine\'s BCE with pos_weight, AUC as multiLabelAuc; ROC curves of at most 200 points', async () => {
    writeChestNpz(join(dir, 'big.npz'), { train: 600 });
    const spec = toModelSpec(check(CHEST('data npz big.npz')), 'Chest')!;
    const net = createNetwork(spec, { seed: 5 });
    const data = openData({ kind: 'npz', path: 'big.npz', line: 0 } as never, { baseDir: dir, input: { h: 28, w: 28, c: 1 }, numClasses: 14, task: 'multilabel', seed: 5, valFraction: 0 }).train;
    const n = data.size;
    const x = new Float32Array(n * 784);
    for (let i = 0; i < n; i++) data.read(i, x, i * 784);
    const t = targetBuffer('multilabel', n, 14) as Float32Array;
    readTargets(data, 0, n, t, 14);
    const w = Float32Array.from({ length: 14 }, (_, l) => 1 + l / 4);
    net.setLossWeights(w);
    const engine = net.evaluate(x, t, n).loss;
    const v = (await evaluate(net, data, 64, createYielder(() => false), { task: 'multilabel', weights: w }))!;
    expect(v.loss).toBeCloseTo(engine, 4);
    const probs = net.predict(x, n);
    expect(v.auc).toEqual(multiLabelAuc(t, probs, n, 14));
    const msg = evaluationMessage(v, data.classNames, 'training');
    expect(isTrainerMessage(msg)).toBe(true);
    // 600 samples of random-ish scores: far more than 200 distinct thresholds, thinned to 200 with both ends kept
    const c = msg.roc[0]!;
    expect(c.fpr).toHaveLength(200);
    expect([c.fpr[0], c.tpr[0], c.fpr[199], c.tpr[199]]).toEqual([0, 0, 1, 1]);
    for (let i = 1; i < 200; i++) {
      expect(c.fpr[i]!).toBeGreaterThanOrEqual(c.fpr[i - 1]!);
      expect(c.tpr[i]!).toBeGreaterThanOrEqual(c.tpr[i - 1]!);
    }
    await net.dispose();
  });
});

describe('the protocol\'s checks of the task fields', () => {
  const started = { type: 'started', epochs: 1, stepsPerEpoch: 1, trainSize: 2, valSize: 0, classes: ['a', 'b'], params: 3, backend: 'builtin', warnings: [], task: 'multilabel', classCounts: [1, 2], classWeights: null };
  const epoch = { type: 'epoch', epoch: 1, epochs: 1, trainLoss: 1, trainAccuracy: 0.5, valLoss: null, valAccuracy: null, valAuc: null, seconds: 1 };
  const evaluation = {
    type: 'evaluation',
    task: 'single',
    classes: ['a', 'b'],
    confusion: [
      [1, 0],
      [0, 1],
    ],
    misclassified: [],
    split: 'validation',
    auc: { mean: 1, perClass: [1, null] },
    roc: [{ fpr: [0, 1], tpr: [0, 1] }, { fpr: [], tpr: [] }],
    perClass: [
      { precision: 1, recall: 1, f1: 1, support: 1 },
      { precision: 1, recall: 1, f1: 1, support: 1 },
    ],
    labelAccuracy: null,
  };
  const done = { type: 'done', checkpoint: 'c', metricsFile: 'm', stopped: false, epochsRun: 1, final: null, test: { samples: 3, loss: 0.5, accuracy: 1, auc: null }, best: null };

  it('accepts the messages a run sends', () => {
    for (const m of [started, { ...started, task: 'single', classWeights: [1, 0.5] }, epoch, { ...epoch, valAuc: 0.7 }, evaluation, done, { ...done, test: null, best: 'b' }]) expect(isTrainerMessage(m), JSON.stringify(m)).toBe(true);
  });

  it('refuses missing or malformed task fields', () => {
    const bad: unknown[] = [
      { ...started, task: undefined },
      { ...started, task: 'multi' },
      { ...started, classCounts: [1.5] },
      { ...started, classWeights: [NaN] },
      { ...epoch, valAuc: undefined },
      { ...evaluation, task: undefined },
      { ...evaluation, auc: { mean: 1 } },
      { ...evaluation, roc: [{ fpr: [0] }] },
      { ...evaluation, perClass: [{ precision: 1, recall: 1, f1: 1 }] },
      { ...evaluation, labelAccuracy: undefined },
      { ...evaluation, misclassified: [{ index: 0, label: -1, predicted: -1, probabilities: [0.5], input: { shape: [1], data: new Float32Array(1) }, truth: ['1'] }] },
      { ...done, test: undefined },
      { ...done, test: { samples: 3, loss: 0.5, accuracy: 1 } },
      { ...done, best: undefined },
    ];
    for (const m of bad) expect(isTrainerMessage(m), JSON.stringify(m)).toBe(false);
  });
});

describe('the trainer\'s own guard', () => {
  it('class_weights of the wrong count (were the checker to let it through): an E040 error before training, nothing written', async () => {
    writeChestNpz(join(dir, 'guard.npz'), { train: 32, val: 8 });
    const file = join(dir, 'guard.cnn');
    const source = CHEST('data npz guard.npz', 'train epochs=1 batch=16 seed=3');
    writeFileSync(file, source);
    const outDir = join(dir, 'run-guard');
    const job = { file, source, outDir };
    // The checked model is cached per (file, source): give the cached spec a list of the wrong length.
    modelFromJob(job).train.classWeights = [1, 2, 3];
    const msgs: TrainerMessage[] = [];
    const r = await runTraining(job, { emit: (m) => msgs.push(m), stopRequested: () => false, takeRequest: () => null });
    expect(r).toMatchObject({ type: 'error', stage: 'data', code: 'E040' });
    expect((r as { message: string }).message).toMatch(/class_weights gives 3 weights but the network has 14 labels/);
    expect(msgs.map((m) => m.type)).not.toContain('started');
    expect(existsSync(join(outDir, 'model.safetensors'))).toBe(false);
    expect(existsSync(join(outDir, 'metrics.jsonl'))).toBe(false);
  });
});

describe('the wording of class counts and test figures (CLI and the editor\'s log)', () => {
  it('a table of samples per class with the weights when set; positives per label for multi-label', () => {
    expect(classCountText({ task: 'single', classes: ['normal', 'pneumonia'], classCounts: [1341, 3875], classWeights: [1.9455, 0.6730] })).toBe(
      'The training split:\n  class      samples  weight\n  normal       1,341    1.95\n  pneumonia    3,875   0.673\n',
    );
    expect(classCountText({ task: 'multilabel', classes: ['a', 'hernia'], classCounts: [10, 2], classWeights: null })).toBe('The training split (multi-label):\n  label   positives\n  a              10\n  hernia          2\n');
  });

  it('test figures, with a dash for an AUC that is not defined', () => {
    expect(testFiguresText({ samples: 22433, loss: 0.16, accuracy: 0.9475, auc: 0.7732 })).toBe('Test split (22,433 samples): loss 0.1600 acc 94.8% AUC 0.7732');
    expect(testFiguresText({ samples: 3, loss: 1, accuracy: 1, auc: null })).toBe('Test split (3 samples): loss 1.0000 acc 100.0% AUC –');
  });
});
