// Multi-label end to end through the command line (in process, as bin/cnn runs main()): a small network trained
// on a ChestMNIST-shaped NPZ (uint8 N×28×28, N×14 labels), its class counts before training, AUC per epoch,
// the test split and best.safetensors at the end; `cnn evaluate --json` against scikit-learn's roc_auc_score per
// label, `cnn predict` with named sigmoid probabilities; and the bad inputs refused before training.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import { loadCheckpoint } from '../../../src/engine';
import { writeNpy } from '../../../src/data';
import { tmpDir } from '../data/helpers';
import { PY_ENV, PYTHON } from '../export/helpers';
import { CHEST, CHEST_LABELS, CHEST_NAMES, chestImages, chestLabels, writeChestNpz } from './chest';

async function cnn(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const dir = tmpDir('cnn-multilabel-');

interface MetricsLine {
  epoch?: number;
  valAuc?: number;
  test?: { samples: number; loss: number; accuracy: number; auc: number };
}

/** The lines of a run's metrics.jsonl (epochs, the test figures, and other lines such as training health). */
function metricsLines(run: string): MetricsLine[] {
  return readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

describe('multi-label training, evaluation and prediction on a ChestMNIST-shaped NPZ', async () => {
  writeChestNpz(join(dir, 'chest.npz'), { train: 240, val: 60, test: 80 });
  const file = join(dir, 'chest.cnn');
  writeFileSync(file, CHEST('data npz chest.npz'));
  const run = join(dir, 'run');
  const trained = await cnn(['train', file, '--out', run]);

  it('trains: the class counts before training, AUC each epoch, the test split and the best checkpoint at the end', () => {
    expect(trained.code, trained.err).toBe(0);
    const counts = Array.from({ length: CHEST_LABELS }, (_, l) => {
      const lab = chestLabels(240, 7);
      let c = 0;
      for (let i = 0; i < 240; i++) c += lab[i * CHEST_LABELS + l]!;
      return c;
    });
    expect(trained.out).toContain('The training split (multi-label):\n');
    expect(trained.out).toMatch(/\n {2}label\s+positives\n/);
    expect(trained.out).toMatch(new RegExp(`\\n {2}hernia\\s+${counts[13]}\\n`));
    expect(trained.out).toMatch(new RegExp(`\\n {2}atelectasis\\s+${counts[0]}\\n`));
    // hernia is rare and no weights are set: the imbalance warning, before training starts
    expect(trained.err).toMatch(/warning: .*hernia/);
    expect(trained.out).toMatch(/epoch 1\/2 {2}train loss \d\.\d{4} acc \d+\.\d% {2}val loss \d\.\d{4} acc \d+\.\d% AUC 0\.\d{4}/);
    expect(trained.out).toMatch(/Test split \(80 samples\): loss \d\.\d{4} acc \d+\.\d% AUC 0\.\d{4}\n/);
    expect(trained.out).toContain(`Best validation checkpoint: ${join(run, 'best.safetensors')}\n`);
    expect(existsSync(join(run, 'best.safetensors'))).toBe(true);
    // No temp files left behind by the atomic writes.
    expect(readdirSync(run).sort()).toEqual(['best.safetensors', 'metrics.jsonl', 'model.safetensors']);
  });

  it('writes valAuc per epoch and the test figures to metrics.jsonl; the best checkpoint holds the best epoch', () => {
    const lines = metricsLines(run);
    const epochs = lines.filter((l) => l.epoch !== undefined);
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    for (const e of epochs) expect(e.valAuc).toBeGreaterThan(0);
    // the test figures: one line, the last
    expect(lines.filter((l) => l.test !== undefined)).toHaveLength(1);
    expect(lines[lines.length - 1]!.test!.samples).toBe(80);
    expect(lines[lines.length - 1]!.test!.auc).toBeGreaterThan(0);
    const bestEpoch = epochs.reduce((a, b) => (b.valAuc! > a.valAuc! ? b : a));
    const meta = JSON.parse(loadCheckpoint(join(run, 'best.safetensors')).metadata.metrics!);
    expect(meta.best).toEqual({ metric: 'valAuc', value: bestEpoch.valAuc });
    expect(meta.epochs).toBe(bestEpoch.epoch);
  });

  it('learns: the test AUC is well above chance after two epochs', () => {
    const test = metricsLines(run).pop()!.test!;
    expect(test.auc).toBeGreaterThan(0.75);
  });

  it('evaluate --json gives the issue\'s multi-label shape, equal to scikit-learn per label', async () => {
    const r = await cnn(['evaluate', file, '--weights', join(run, 'model.safetensors'), '--split', 'test', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(['split', 'samples', 'task', 'accuracy', 'auc']);
    expect(j).toMatchObject({ split: 'test', samples: 80, task: 'multilabel' });
    expect(Object.keys(j.auc)).toEqual(['mean', 'perClass']);
    expect(j.auc.perClass).toHaveLength(14);
    // The same predictions through scikit-learn: the network's probabilities from `cnn predict --json`.
    const x = join(dir, 'test-x.npy');
    const lab = chestLabels(80, 9);
    writeFileSync(x, writeNpy(chestImages(lab, 9), [80, 28, 28, 1], 'u1'));
    const p = await cnn(['predict', file, '--weights', join(run, 'model.safetensors'), '--input', x, '--json']);
    expect(p.code, p.err).toBe(0);
    const probs = JSON.parse(p.out).probabilities as number[][];
    const py = spawnSync(
      PYTHON,
      [
        '-c',
        String.raw`
import json, sys
import numpy as np
from sklearn import metrics as M
d = json.load(sys.stdin); Y = np.array(d["y"]); S = np.array(d["s"])
per = [float(M.roc_auc_score(Y[:, l], S[:, l])) if 0 < Y[:, l].sum() < len(Y) else None for l in range(Y.shape[1])]
ok = [l for l in range(Y.shape[1]) if per[l] is not None]
print(json.dumps({"per": per, "mean": float(M.roc_auc_score(Y[:, ok], S[:, ok], average="macro")), "acc": float(1 - M.hamming_loss(Y, S > 0.5))}))
`,
      ],
      { input: JSON.stringify({ y: Array.from({ length: 80 }, (_, i) => Array.from(lab.subarray(i * 14, (i + 1) * 14))), s: probs }), encoding: 'utf8', env: PY_ENV },
    );
    expect(py.status, py.stderr).toBe(0);
    const want = JSON.parse(py.stdout);
    j.auc.perClass.forEach((a: number | null, l: number) => (want.per[l] === null ? expect(a).toBeNull() : expect(a).toBeCloseTo(want.per[l], 6)));
    expect(j.auc.mean).toBeCloseTo(want.mean, 6);
    expect(j.accuracy).toBeCloseTo(want.acc, 6);
  });

  it('evaluate prints a readable per-label table', async () => {
    const r = await cnn(['evaluate', file, '--weights', join(run, 'best.safetensors')]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse((await cnn(['evaluate', file, '--weights', join(run, 'best.safetensors'), '--json'])).out);
    expect(r.out).toMatch(/^Chest on the validation split \(60 samples, 14 labels\), weights .*best\.safetensors\n/);
    expect(r.out).toContain(`AUC (mean over labels)              ${j.auc.mean.toFixed(4)}`);
    expect(r.out).toMatch(/label\s+positives\s+precision\s+recall\s+F1\s+accuracy\s+AUC\n/);
    expect(r.out).toMatch(/\ncardiomegaly\s+\d+\s+\d\.\d{4}\s+\d\.\d{4}\s+\d\.\d{4}\s+\d+\.\d%\s+\d\.\d{4}\n/);
  });

  it('predict --json names the labels; the text lists the labels above 0.5', async () => {
    const lab = new Uint8Array(CHEST_LABELS);
    lab[1] = 1;
    lab[8] = 1;
    const x = join(dir, 'one.npy');
    writeFileSync(x, writeNpy(chestImages(lab, 3), [28, 28, 1], 'u1'));
    const j = JSON.parse((await cnn(['predict', file, '--weights', join(run, 'model.safetensors'), '--input', x, '--json'])).out);
    expect(j.task).toBe('multilabel');
    expect(j.labels).toEqual(CHEST_NAMES);
    expect(j.probabilities).toHaveLength(1);
    expect(j.probabilities[0]).toHaveLength(14);
    const row = j.probabilities[0] as number[];
    const above = row.map((p, l) => [p, l] as const).filter(([p]) => p > 0.5).sort((a, b) => b[0] - a[0]);
    const r = await cnn(['predict', file, '--weights', join(run, 'model.safetensors'), '--input', x]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(above.length ? above.map(([p, l]) => `${CHEST_NAMES[l]} ${(100 * p).toFixed(1)}%`).join('  ') + '\n' : expect.stringMatching(/^no label above 50%/));
  });
});

describe('multi-label bad input: a clear error before training, nothing written', () => {
  it('labels other than 0/1: E040 naming the key, the sample and the value', async () => {
    const lab = chestLabels(40, 1);
    lab[5 * CHEST_LABELS + 3] = 2;
    writeChestNpz(join(dir, 'bad.npz'), { train: 40, val: 10 }, { labels: { train: lab } });
    const file = join(dir, 'bad.cnn');
    writeFileSync(file, CHEST('data npz bad.npz'));
    const out = join(dir, 'run-bad');
    const r = await cnn(['train', file, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^cnn: data error E040: .*train_labels.*sample 5.*2/m);
    expect(r.out).not.toContain('epoch 1');
    expect(existsSync(out)).toBe(false);
  });

  it('N×14 labels and a softmax network: E055 before training', async () => {
    writeChestNpz(join(dir, 'chest14.npz'), { train: 40, val: 10 });
    const file = join(dir, 'softmax.cnn');
    writeFileSync(file, CHEST('data npz chest14.npz', undefined, 'softmax'));
    const out = join(dir, 'run-softmax');
    const r = await cnn(['train', file, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/E055/);
    expect(existsSync(out)).toBe(false);
  });

  it('class_weights with the wrong count: the checker\'s error, before training', async () => {
    writeChestNpz(join(dir, 'cw.npz'), { train: 40, val: 10 });
    const file = join(dir, 'cw.cnn');
    writeFileSync(file, CHEST('data npz cw.npz', 'train epochs=1 batch=16 seed=3 class_weights=1,2,3'));
    const out = join(dir, 'run-cw');
    const r = await cnn(['train', file, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^cnn: setup error E003: .*cw\.cnn:11: E003: class_weights gives 3 weights, but the network has 14 labels/);
    expect(r.out).not.toContain('epoch 1');
    expect(existsSync(out)).toBe(false);
  });

  it('class_weights=balanced: the weights (n − pos)/pos are shown and used, and there is no imbalance warning', async () => {
    writeChestNpz(join(dir, 'bal.npz'), { train: 120, val: 20 });
    const file = join(dir, 'bal.cnn');
    writeFileSync(file, CHEST('data npz bal.npz', 'train epochs=1 batch=16 seed=3 class_weights=balanced'));
    const r = await cnn(['train', file, '--out', join(dir, 'run-bal'), '--json']);
    expect(r.code, r.err).toBe(0);
    const started = JSON.parse(r.out.split('\n')[0]!);
    expect(started.type).toBe('started');
    expect(started.task).toBe('multilabel');
    const lab = chestLabels(120, 7);
    const pos = Array.from({ length: CHEST_LABELS }, (_, l) => Array.from({ length: 120 }, (_, i) => lab[i * CHEST_LABELS + l]!).reduce((a, b) => a + b, 0));
    expect(started.classCounts).toEqual(pos);
    started.classWeights.forEach((w: number, l: number) => expect(w).toBeCloseTo((120 - pos[l]!) / pos[l]!, 5));
    expect(started.warnings.join(' ')).not.toMatch(/hernia/);
    const text = await cnn(['train', file, '--out', join(dir, 'run-bal2'), '--epochs', '1']);
    expect(text.out).toMatch(/\n {2}label\s+positives\s+pos_weight\n/);
  });
});

