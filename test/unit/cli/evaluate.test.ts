// `cnn evaluate`: a tiny network trained on the built-in shapes and on a MedMNIST-shaped NPZ, evaluated on its
// validation and test splits, as text and --json; and the inputs it refuses (multi-label: multilabel.test.ts). In-process through main(), as the
// command line runs (the metrics themselves are checked against scikit-learn in test/unit/metrics).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import { writeNpy } from '../../../src/data';
import { idxPair, tmpDir, zipBytes } from '../data/helpers';

async function cnn(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const dir = tmpDir('cnn-evaluate-');

const TINY = (data: string, input = '16x16x1', filters = 4) => `network Tiny
input ${input}
classes door stair sign
conv filters=${filters} size=3 pad=1 activation=relu
pool max size=2
dense units=3
softmax
${data}
train epochs=2 batch=8 optimizer=adam lr=0.01 seed=3 val=0.25
`;

async function trained(name: string, text: string): Promise<{ file: string; weights: string; metrics: string }> {
  const file = join(dir, `${name}.cnn`);
  writeFileSync(file, text);
  const out = join(dir, `run-${name}`);
  const r = await cnn(['train', file, '--out', out]);
  expect(r.code, r.err).toBe(0);
  return { file, weights: join(out, 'model.safetensors'), metrics: join(out, 'metrics.jsonl') };
}

const SINGLE_KEYS = ['split', 'samples', 'task', 'accuracy', 'balancedAccuracy', 'perClass', 'confusion', 'auc'];

describe('cnn evaluate on the built-in shapes', async () => {
  const { file, weights, metrics } = await trained('shapes', TINY('data shapes samples=60'));

  it('--json gives the issue\'s shape, on the validation split training reported', async () => {
    const r = await cnn(['evaluate', file, '--weights', weights, '--json']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('');
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(SINGLE_KEYS);
    expect(j.split).toBe('val');
    expect(j.task).toBe('single');
    expect(j.samples).toBe(15); // 60 × val=0.25, carved with the file's seed as training did
    expect(j.perClass.map((c: { class: string }) => c.class)).toEqual(['door', 'stair', 'sign']);
    for (const c of j.perClass) expect(Object.keys(c)).toEqual(['class', 'precision', 'recall', 'f1', 'support']);
    expect(j.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(15);
    expect(j.perClass.map((c: { support: number }) => c.support)).toEqual(j.confusion.map((row: number[]) => row.reduce((a, b) => a + b, 0)));
    expect(Object.keys(j.auc)).toEqual(['macro', 'perClass']);
    expect(j.auc.perClass).toHaveLength(3);
    // The same samples and weights as the last epoch's validation: the same accuracy.
    const last = readFileSync(metrics, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.valAccuracy !== undefined).pop();
    expect(j.accuracy).toBeCloseTo(last.valAccuracy, 12);
  });

  it('prints a readable report: figures, the per-class table and the confusion matrix', async () => {
    const r = await cnn(['evaluate', file, '--weights', weights]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse((await cnn(['evaluate', file, '--weights', weights, '--json'])).out);
    expect(r.out).toMatch(/^Tiny on the validation split \(15 samples\), weights .*model\.safetensors\n/);
    expect(r.out).toContain(`accuracy                  ${(100 * j.accuracy).toFixed(1).padStart(5)}%`);
    expect(r.out).toMatch(/balanced accuracy\s+\d+\.\d%/);
    expect(r.out).toContain(`AUC (one-vs-rest, macro)  ${j.auc.macro.toFixed(4)}`);
    expect(r.out).toMatch(/class\s+precision\s+recall\s+F1\s+support\s+AUC\n/);
    expect(r.out).toMatch(new RegExp(`door\\s+${j.perClass[0].precision.toFixed(4)}\\s+${j.perClass[0].recall.toFixed(4)}\\s+${j.perClass[0].f1.toFixed(4)}\\s+${j.perClass[0].support}\\s`));
    expect(r.out).toContain('confusion matrix (rows: true class, columns: predicted)\n');
    // the header row of predicted classes, then the row of true door
    expect(r.out).toMatch(new RegExp(`\\n\\s+door\\s+stair\\s+sign\\ndoor\\s+${j.confusion[0].join('\\s+')}\\n`));
  });

  it('says there is no test split for the built-in shapes (exit 1, one line)', async () => {
    const r = await cnn(['evaluate', file, '--weights', weights, '--split', 'test']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(`cnn: ${file}: the built-in shapes have no test split; evaluate the validation split with --split val.\n`);
  });

  it('refuses a missing checkpoint, a folder and a checkpoint of another network in one line (exit 1)', async () => {
    const missing = await cnn(['evaluate', file, '--weights', join(dir, 'none.safetensors')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^cnn: cannot load .*none\.safetensors: no such file \(a \.safetensors checkpoint from cnn train\)\.\n$/);
    const folder = await cnn(['evaluate', file, '--weights', dir]);
    expect(folder.code).toBe(1);
    expect(folder.err).toMatch(/^cnn: cannot load .*: it is a folder; give the model\.safetensors in it\.\n$/);
    const other = join(dir, 'wider.cnn');
    writeFileSync(other, TINY('data shapes samples=60', '16x16x1', 6));
    const r = await cnn(['evaluate', other, '--weights', weights]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^cnn: cannot load .*model\.safetensors: .*layers\.0\.weight has shape \[4,1,3,3\] but the model needs \[6,1,3,3\]\n$/);
  });

  it('refuses an unknown split and a missing --weights as usage errors (exit 2)', async () => {
    expect((await cnn(['evaluate', file, '--weights', weights, '--split', 'train'])).err).toBe("cnn: --split is val or test, not 'train'. Try: cnn --help\n");
    const r = await cnn(['evaluate', file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/evaluate needs --weights CKPT/);
  });

  it('refuses a multi-label network (sigmoid at the end) on one-class-per-image data: E055, one line', async () => {
    const ml = join(dir, 'multilabel.cnn');
    writeFileSync(ml, TINY('data shapes samples=60').replace('softmax', 'sigmoid'));
    const r = await cnn(['evaluate', ml, '--weights', weights]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^cnn: .*multilabel\.cnn:7: E055: The network ends in sigmoid \(multi-label, 3 labels\) but [^\n]*one class per image[^\n]*\n$/);
  });

  it('is listed in cnn --help', async () => {
    const r = await cnn(['--help']);
    expect(r.out).toContain('cnn evaluate FILE --weights CKPT [--split val|test] [--json]');
  });
});

/** A MedMNIST-shaped NPZ: uint8 N×8×8 grey images (no channel axis) whose brightness says the class; labels N×1 uint8. */
function medmnist(file: string, splits: Record<string, number>): void {
  const entries = Object.entries(splits).flatMap(([split, n], s) => {
    const img = new Uint8Array(n * 64);
    const lab = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      lab[i] = (i + s) % 3;
      for (let j = 0; j < 64; j++) img[i * 64 + j] = (lab[i]! * 100 + ((i * 7 + j * 13) % 40)) & 255;
    }
    return [
      { name: `${split}_images.npy`, data: writeNpy(img, [n, 8, 8], 'u1'), method: 'deflate' as const },
      { name: `${split}_labels.npy`, data: writeNpy(lab, [n, 1], 'u1'), method: 'store' as const },
    ];
  });
  writeFileSync(file, zipBytes(entries));
}

describe('cnn evaluate on a MedMNIST-shaped NPZ', async () => {
  medmnist(join(dir, 'med.npz'), { train: 48, val: 12, test: 21 });
  const { file, weights } = await trained('med', TINY('data npz med.npz', '8x8x1'));

  it('evaluates val_ with --split val and test_ with --split test', async () => {
    const val = JSON.parse((await cnn(['evaluate', file, '--weights', weights, '--json'])).out);
    expect(val.split).toBe('val');
    expect(val.samples).toBe(12);
    const r = await cnn(['evaluate', file, '--weights', weights, '--split', 'test', '--json']);
    expect(r.code, r.err).toBe(0);
    const test = JSON.parse(r.out);
    expect(test.split).toBe('test');
    expect(test.samples).toBe(21);
    expect(test.perClass.map((c: { support: number }) => c.support)).toEqual([7, 7, 7]);
    const text = await cnn(['evaluate', file, '--weights', weights, '--split', 'test']);
    expect(text.out).toMatch(/^Tiny on the test split \(21 samples\)/);
    expect(text.out).not.toContain('note:');
  });

  it('says so when the NPZ has no test_ arrays, and notes when test_ was the validation split', async () => {
    medmnist(join(dir, 'med.npz'), { train: 48, val: 12 });
    const r = await cnn(['evaluate', file, '--weights', weights, '--split', 'test']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`cnn: ${file}: med.npz has no test_images and test_labels, so there is no test split; evaluate the validation split with --split val.\n`);
    medmnist(join(dir, 'med.npz'), { train: 48, test: 9 });
    const t = await cnn(['evaluate', file, '--weights', weights, '--split', 'test']);
    expect(t.code, t.err).toBe(0);
    expect(t.out).toContain('(9 samples)');
    expect(t.out).toContain('note: med.npz has no val_images, so test_images is also the validation split that training reported.\n');
  });
});

describe('cnn evaluate on MNIST IDX files', async () => {
  const mnist = join(dir, 'mnist');
  mkdirSync(mnist);
  const train = idxPair(30, 8, 8, 3);
  const t10k = idxPair(12, 8, 8, 3);
  writeFileSync(join(mnist, 'train-images-idx3-ubyte'), train.images);
  writeFileSync(join(mnist, 'train-labels-idx1-ubyte'), train.labels);
  writeFileSync(join(mnist, 't10k-images-idx3-ubyte'), t10k.images);
  writeFileSync(join(mnist, 't10k-labels-idx1-ubyte'), t10k.labels);
  const { file, weights } = await trained('idx', TINY('data idx mnist', '8x8x1'));

  it('--split test is the t10k pair, which training also validated on: the report says so', async () => {
    const r = await cnn(['evaluate', file, '--weights', weights, '--split', 'test']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Tiny on the test split \(12 samples\)/);
    expect(r.out).toContain('note: the test split (t10k-images-idx3-ubyte) is also the validation split that training reported.\n');
    const val = JSON.parse((await cnn(['evaluate', file, '--weights', weights, '--json'])).out);
    const test = JSON.parse((await cnn(['evaluate', file, '--weights', weights, '--split', 'test', '--json'])).out);
    expect({ ...test, split: 'val' }).toEqual(val);
  });
});
