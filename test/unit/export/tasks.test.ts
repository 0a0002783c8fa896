// The PyTorch package for issue 9's tasks: a multi-label network (ending in sigmoid) trains with
// BCEWithLogitsLoss(pos_weight=) on N×L labels, a single-label one with CrossEntropyLoss(weight=) (balanced
// weights from the training split), with augmented training batches; model.py's logits and sigmoid
// probabilities, objective.py's loss and gradients and train.py's messages, checkpoints and data errors, in
// Debian's python3-torch against our engine. The modules' own figures: tasks-modules.test.ts.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../../src/data';
import { createNetwork, loadCheckpoint, saveCheckpoint } from '../../../src/engine';
import { pytorchPackage } from '../../../src/export';
import { reviveTensors } from '../../../src/export/runner';
import { isTrainerMessage, type TrainerMessage } from '../../../src/protocol/trainer';
import { maxAbsDiff, MULTILABEL, python, randomInput, RUN_TORCH, runPython, specOf, taskPackage as setUp, WEIGHTED } from './helpers';

const TOL = 1e-4;

function messagesOf(stdout: string): TrainerMessage[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => reviveTensors(JSON.parse(l)) as TrainerMessage);
}

describe('the package of a multi-label network, as text', () => {
  const spec = specOf(MULTILABEL);
  const files = pytorchPackage(spec, { file: '/x/findings.cnn', outDir: '/x/pkg' });
  const text = (name: string) => files.find((f) => f.name === name)!.text;

  it('says the task, the class weights and the augmentation in its constants', () => {
    expect(spec.task).toBe('multilabel');
    expect(text('model.py')).toContain(`'"task":"multilabel",'`);
    expect(text('data.py')).toContain(`'"task":"multilabel"'`);
    expect(text('train.py')).toContain(`'"task":"multilabel",'`);
    expect(text('train.py')).toContain(`'"class_weights":"balanced",'`);
    expect(text('train.py')).toContain(`'"augment":{"flip":"horizontal","rotate":10,"shift":1,"zoom":[0.9,1.1],"brightness":0.1,"contrast":0.1}'`);
    const readme = text('README.md');
    expect(readme).toContain('Task: multi-label');
    expect(readme).toContain('BCEWithLogitsLoss');
    expect(readme).toContain("each label's `pos_weight` is negatives / positives");
    expect(readme).toContain('`augment.py`');
    expect(readme).toContain('N×3 label probabilities (each its own sigmoid)');
  });

  it('writes class weights given by hand and no augmentation for a network without the statement', () => {
    const w = pytorchPackage(specOf(WEIGHTED), { file: '/x/w.cnn', outDir: '/x/pkg' });
    const train = w.find((f) => f.name === 'train.py')!.text;
    expect(train).toContain(`'"task":"single",'`);
    expect(train).toContain(`'"class_weights":[0.5,2,1.25],'`);
    expect(train).toContain(`'"augment":null'`);
  });
});

describe.skipIf(!RUN_TORCH)('multi-label networks and class weights in PyTorch', () => {
  it("model.py: forward gives the logits, predict each label's sigmoid, the inspector's last layer the sigmoid: as the engine", () => {
    const { dir, pkg, spec } = setUp(MULTILABEL, 'findings.npz', 3, true, [8, 4, 4]);
    const net = createNetwork(spec, { seed: 5, threads: 1 });
    net.setParams(net.params().map((t) => (t.name.endsWith('.bias') ? { ...t, data: t.data.map((_, i) => 0.3 * Math.sin(i + 1)) } : t)));
    const ckpt = join(dir, 'w.safetensors');
    saveCheckpoint(ckpt, net, { source: spec.source });
    const n = 4;
    const x = randomInput(n * 144, 3);
    writeFileSync(join(dir, 'x.npy'), writeNpy(x, [n, 12, 12, 1], 'f4'));
    const out = JSON.parse(
      python(
        String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
import numpy as np, torch
import model, safetensors_io
net = model.build_model()
safetensors_io.load_into(net, sys.argv[2])
x = torch.from_numpy(np.load(sys.argv[3])).permute(0, 3, 1, 2).contiguous()
acts = net.activations(x)
print(json.dumps({"task": model.TASK, "probs": net.predict(x).flatten().tolist(), "logits": net.eval()(x).flatten().tolist(),
                  "last": acts[-1][1].flatten().tolist(), "describe": net.describe()}))
`,
        [pkg, ckpt, join(dir, 'x.npy')],
      ),
    );
    expect(out.task).toBe('multilabel');
    const ours = net.predict(x, n);
    expect(maxAbsDiff(out.probs, ours)).toBeLessThan(TOL);
    expect(maxAbsDiff(out.last, ours)).toBeLessThan(TOL);
    // The logits are what the loss takes: their sigmoid is the probabilities, and they are not probabilities.
    expect(maxAbsDiff((out.logits as number[]).map((z) => 1 / (1 + Math.exp(-z))), ours)).toBeLessThan(TOL);
    expect((out.logits as number[]).some((z) => z < 0)).toBe(true);
    expect(out.describe).toContain('# the logits; predict() applies the sigmoid');
  });

  for (const [name, text, npz, multi] of [['multi-label, balanced pos_weight', MULTILABEL, 'findings.npz', true], ['single-label, class weights by hand', WEIGHTED, 'classes.npz', false]] as const) {
    it(`objective.py's loss and gradients are the engine's: ${name}`, () => {
      const { dir, pkg, spec } = setUp(text, npz, 3, multi, [40, 10, 10]);
      const net = createNetwork(spec, { seed: 9, threads: 1, batch: 8 });
      const ckpt = join(dir, 'w.safetensors');
      saveCheckpoint(ckpt, net, { source: spec.source });
      // The weights train.py computes from the training split, applied to its first 8 samples.
      const r = JSON.parse(
        python(
          String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
import numpy as np, torch
import data, model, objective, safetensors_io, train
d = data.open_data(1, 0)
counts = objective.class_counts(d.train, len(d.class_names), train.MULTILABEL)
weights = objective.resolve_class_weights(train.CONFIG["class_weights"], counts, len(d.train), train.MULTILABEL, d.class_names)
x, y = data.collate([d.train[i] for i in range(8)])
net = model.build_model()
safetensors_io.load_into(net, sys.argv[2])
obj = objective.Objective(train.MULTILABEL, weights, torch.device("cpu"))
logits = net(x)
loss = obj.loss(logits, y)
loss.backward()
print(json.dumps({"counts": counts, "weights": weights, "loss": float(loss), "correct": obj.correct(logits, y),
                  "x": x.permute(0, 2, 3, 1).flatten().tolist(), "y": y.flatten().tolist(),
                  "grads": {k: p.grad.flatten().tolist() for k, p in net.named_parameters()}}))
`,
          [pkg, ckpt],
        ),
      );
      const want = multi ? r.counts.map((c: number) => (40 - c) / c) : [0.5, 2, 1.25];
      expect(r.weights.length).toBe(3);
      for (const [k, w] of want.entries()) expect(r.weights[k]).toBeCloseTo(w, 6);
      net.setLossWeights(Float32Array.from(r.weights));
      const targets = multi ? Float32Array.from(r.y) : Int32Array.from(r.y);
      const ours = net.forwardBackward(Float32Array.from(r.x), targets, 8);
      expect(Math.abs(ours.loss - r.loss)).toBeLessThan(TOL);
      expect(Math.abs(ours.correct - r.correct)).toBeLessThan(1e-6);
      for (const g of net.grads()) expect(maxAbsDiff(g.data, r.grads[g.name]), g.name).toBeLessThan(TOL);
    });
  }

  describe('train.py on a multi-label network', () => {
    let ctx: ReturnType<typeof setUp>;
    let messages: TrainerMessage[] = [];
    const out = () => join(ctx.dir, 'run');

    beforeAll(async () => {
      ctx = setUp(MULTILABEL, 'findings.npz', 3, true, [64, 24, 20]);
      const r = await runPython([join(ctx.pkg, 'train.py'), '--out', out(), '--snapshot-interval', '1000'], ctx.pkg);
      if (r.code !== 0) throw new Error(`train.py failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
      messages = messagesOf(r.stdout);
    });

    it("snapshots carry a sample's 0/1 labels and each label's sigmoid probability", () => {
      const snap = messages.find((m) => m.type === 'snapshot');
      if (snap?.type !== 'snapshot') throw new Error('no snapshot message');
      expect(snap.label).toBeNull();
      expect(snap.truth).toHaveLength(3);
      expect(snap.probabilities).toHaveLength(3);
      // The last activation is the sigmoid statement's output: the probabilities themselves.
      const last = snap.activations.at(-1)!;
      expect(last.kind).toBe('sigmoid');
      expect(maxAbsDiff(Array.from(last.data), snap.probabilities)).toBeLessThan(1e-6);
    });

    it('trains with pos_weight from the training split, prints valid messages with the task’s figures', () => {
      for (const m of messages) expect(isTrainerMessage(m), JSON.stringify(m).slice(0, 300)).toBe(true);
      const started = messages.find((m) => m.type === 'started');
      if (started?.type !== 'started') throw new Error('no started message');
      expect(started).toMatchObject({ task: 'multilabel', trainSize: 64, valSize: 24, classes: ['effusion', 'nodule', 'mass'] });
      expect(started.classWeights).toEqual(started.classCounts.map((c) => (64 - c) / c));
      expect(messages.find((m) => m.type === 'log' && m.message.startsWith('Augmenting the training batches: flip=horizontal rotate=10 shift=1'))).toBeDefined();
      const epochs = messages.filter((m) => m.type === 'epoch');
      expect(epochs).toHaveLength(2);
      for (const e of epochs) if (e.type === 'epoch') expect(e.valAuc).toBeGreaterThan(0);
      const ev = messages.filter((m) => m.type === 'evaluation').at(-1);
      if (ev?.type !== 'evaluation') throw new Error('no evaluation message');
      expect(ev).toMatchObject({ task: 'multilabel', confusion: [], split: 'validation' });
      expect(ev.auc.perClass).toHaveLength(3);
      expect(ev.roc).toHaveLength(3);
      expect(ev.labelAccuracy).toHaveLength(3);
      // Support is each label's positives among the 24 validation samples.
      expect(ev.perClass).toHaveLength(3);
      for (const c of ev.perClass) expect(c.support).toBeLessThanOrEqual(24);
      for (const m of ev.misclassified) {
        expect(m).toMatchObject({ label: -1, predicted: -1 });
        expect(m.truth).toHaveLength(3);
        expect(m.probabilities).toHaveLength(3);
      }
      // Accuracy is label-averaged: the mean of the per-label accuracies.
      const epoch = epochs.at(-1)!;
      if (epoch.type === 'epoch') expect(epoch.valAccuracy).toBeCloseTo(ev.labelAccuracy!.reduce((a, b) => a + b, 0) / 3, 6);
      const done = messages.at(-1)!;
      if (done.type !== 'done') throw new Error('no done message');
      expect(done.best).toBe(join(out(), 'best.safetensors'));
      expect(done.test).toMatchObject({ samples: 20 });
      expect(done.test!.auc).toBeGreaterThan(0);
    });

    it('writes checkpoints our engine loads, predicting per-label sigmoid probabilities as PyTorch does', () => {
      const { tensors, metadata } = loadCheckpoint(join(out(), 'best.safetensors'), ctx.spec);
      expect(JSON.parse(metadata.metrics!).best.metric).toBe('valAuc');
      const net = createNetwork(ctx.spec, { threads: 1 });
      net.setParams(tensors);
      const x = randomInput(3 * 144, 11);
      writeFileSync(join(ctx.dir, 'x.npy'), writeNpy(x, [3, 12, 12, 1], 'f4'));
      const theirs = JSON.parse(
        python(
          String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
import numpy as np, torch
import model, safetensors_io
net = model.build_model()
safetensors_io.load_into(net, sys.argv[2])
print(json.dumps(net.predict(torch.from_numpy(np.load(sys.argv[3])).permute(0, 3, 1, 2).contiguous()).flatten().tolist()))
`,
          [ctx.pkg, join(out(), 'best.safetensors'), join(ctx.dir, 'x.npy')],
        ),
      );
      expect(maxAbsDiff(theirs, net.predict(x, 3))).toBeLessThan(TOL);
    });
  });

  it('train.py trains a single-label network with class weights, reporting them and the one-vs-rest AUC', async () => {
    const ctx = setUp(WEIGHTED, 'classes.npz', 3, false, [40, 12, 12]);
    const r = await runPython([join(ctx.pkg, 'train.py'), '--out', join(ctx.dir, 'run')], ctx.pkg);
    if (r.code !== 0) throw new Error(`train.py failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
    const messages = messagesOf(r.stdout);
    for (const m of messages) expect(isTrainerMessage(m), JSON.stringify(m).slice(0, 300)).toBe(true);
    expect(messages.find((m) => m.type === 'started')).toMatchObject({ task: 'single', classWeights: [0.5, 2, 1.25] });
    expect(messages.some((m) => m.type === 'log' && m.message.startsWith('Augmenting'))).toBe(false);
    const ev = messages.find((m) => m.type === 'evaluation');
    if (ev?.type !== 'evaluation') throw new Error('no evaluation');
    expect(ev.task).toBe('single');
    expect(ev.confusion.flat().reduce((a, b) => a + b, 0)).toBe(12);
    expect(ev.labelAccuracy).toBeNull();
    expect(ev.auc.mean).not.toBeNull();
    expect(messages.at(-1)).toMatchObject({ type: 'done', test: { samples: 12 } });
  });

  it('refuses labels that do not fit the task before training, naming the array, the sample and the value', async () => {
    // A softmax network on N×3 labels.
    const soft = setUp(WEIGHTED, 'classes.npz', 3, true, [10, 4, 4]);
    const a = await runPython([join(soft.pkg, 'train.py'), '--out', join(soft.dir, 'run')], soft.pkg);
    expect(a.code).toBe(1);
    const errA = JSON.parse(a.stdout.trim().split('\n').at(-1)!);
    expect(errA).toMatchObject({ type: 'error', stage: 'data', code: 'E040' });
    expect(errA.message).toContain('train_labels in classes.npz has 3 labels per sample (shape 10×3): multi-label data, but the network ends in softmax');
    // A multi-label network with a 2 among its labels.
    const multi = setUp(MULTILABEL, 'findings.npz', 3, true, [10, 4, 4]);
    python(
      String.raw`
import sys, numpy as np
d = dict(np.load(sys.argv[1]))
d["val_labels"][2, 1] = 2
np.savez(sys.argv[1], **d)
`,
      [join(multi.dir, 'findings.npz')],
    );
    const b = await runPython([join(multi.pkg, 'train.py'), '--out', join(multi.dir, 'run')], multi.pkg);
    expect(b.code).toBe(1);
    const errB = JSON.parse(b.stdout.trim().split('\n').at(-1)!);
    expect(errB).toMatchObject({ type: 'error', stage: 'data', code: 'E040' });
    expect(errB.message).toBe('val_labels in findings.npz: sample 2 has the value 2 for label 1; a multi-label network takes labels of 0 or 1 only.');
  }, 60_000);

});
