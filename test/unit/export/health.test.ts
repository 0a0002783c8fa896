// The PyTorch package's training health (health.py): its W301–W304 diagnostics word for word the built-in
// trainer's (src/trainer/healthDiagnostics.ts) on the same figures, and a run of train.py through the editor's
// PyTorch trainer sends checked health messages (records every 20 steps, the epoch's end with the units' activity
// and the diagnostics: a network whose ReLUs die gets W301 on its conv lines, as with the built-in engine) and
// writes them to metrics.jsonl in the built-in trainer's order.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePytorchPackage } from '../../../src/export/pytorch';
import { PytorchTrainer } from '../../../src/export/runner';
import type { LayerHealth } from '../../../src/protocol/health';
import { isTrainerMessage, type TrainerMessage } from '../../../src/protocol/trainer';
import { healthDiagnostics } from '../../../src/trainer/healthDiagnostics';
import { PY_ENV, PYTHON, python, RUN_TORCH, specOf, tempDir } from './helpers';

const layer = (index: number, kind: string, f: Partial<LayerHealth>): LayerHealth => ({ index, line: index + 3, kind, gradNorm: null, paramGradNorm: null, weightNorm: null, updateRatio: null, ...f });

/** Figures that make every diagnostic and every wording branch (and some that make none). */
const CASES: { layers: LayerHealth[]; samples: number; split: 'validation' | 'training'; lr: number }[] = [
  {
    samples: 256,
    split: 'validation',
    lr: 0.05,
    layers: [
      layer(0, 'conv', { gradNorm: 1.5e-7, paramGradNorm: 2e-7, weightNorm: 3, updateRatio: 2.5e-6, activation: 'relu', dead: 0.755 }),
      layer(1, 'relu', { activation: 'relu', dead: 0.5 }),
      layer(2, 'conv', { gradNorm: 0.0234, paramGradNorm: 0.03, weightNorm: 1.2, updateRatio: 0.00123 }),
      layer(3, 'tanh', { activation: 'tanh', saturated: 0.875 }),
      layer(4, 'dense', { gradNorm: 0.5, paramGradNorm: 0.6, weightNorm: 2, updateRatio: 0.345, activation: 'sigmoid', saturated: 0.61 }),
      layer(5, 'dense', { gradNorm: 123456, paramGradNorm: 123457, weightNorm: 4, updateRatio: 12.5 }),
      layer(6, 'leakyrelu', { activation: 'leakyrelu', dead: 0.9 }),
    ],
  },
  {
    samples: 1,
    split: 'training',
    lr: 3e-7,
    layers: [
      layer(0, 'conv', { gradNorm: 0, paramGradNorm: 0, weightNorm: 1, updateRatio: 0 }),
      layer(1, 'dense', { gradNorm: 0.7, paramGradNorm: 0.7, weightNorm: 1, updateRatio: 1e-3 }),
      layer(2, 'dense', { gradNorm: 2.5, paramGradNorm: 2.5, weightNorm: 1, updateRatio: 4e-6, activation: 'relu', dead: 0.5001 }),
      layer(3, 'dense', { gradNorm: 3000.5, paramGradNorm: 3000.5, weightNorm: 1, updateRatio: 0.1 }),
    ],
  },
  { samples: 64, split: 'validation', lr: 0.001, layers: [layer(0, 'conv', { gradNorm: 0.1, paramGradNorm: 0.1, weightNorm: 1, updateRatio: 0.002 })] },
];

describe.skipIf(!RUN_TORCH)("the PyTorch package's training health", () => {
  it('gives the built-in trainer’s diagnostics, word for word, on the same figures', () => {
    const pkg = tempDir('cnn-health-');
    writePytorchPackage(specOf('input 8x8x1\ndense units=2\nsoftmax\n', join(pkg, 'net.cnn')), { file: join(pkg, 'net.cnn'), outDir: pkg });
    const got = JSON.parse(
      python(
        String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
import health
print(json.dumps([health.diagnostics(c["layers"], c["samples"], c["split"], c["lr"]) for c in json.loads(sys.argv[2])]))
`,
        [pkg, JSON.stringify(CASES)],
      ),
    ) as unknown[];
    const want = CASES.map((c) => healthDiagnostics(c.layers, { samples: c.samples, split: c.split, lr: c.lr }));
    // Every code is made, so every wording is compared.
    expect(new Set(want.flat().map((d) => d.code))).toEqual(new Set(['W301', 'W302', 'W303', 'W304']));
    expect(want[2]).toEqual([]);
    expect(got).toEqual(want);
  });

  it('train.py sends checked health records and the epoch-end diagnostics (dead ReLUs: W301 on the conv lines), and writes them to metrics.jsonl', async () => {
    const dir = tempDir('cnn-health-run-');
    // Plain SGD at lr=0.05 is too fast for it: most of its ReLUs die in the first epoch (the e2e scenario's network;
    // its convs on lines 6 and 8, the dense layer on line 10).
    const text = readFileSync(join(__dirname, '../../fixtures/health/dead-relu.cnn'), 'utf8');
    const file = join(dir, 'dead-relu.cnn');
    writeFileSync(file, text);
    const outDir = join(dir, 'run');
    const t = new PytorchTrainer({ python: PYTHON, env: PY_ENV });
    const messages: TrainerMessage[] = [];
    t.on('message', (m) => messages.push(m));
    t.start({ file, source: text, outDir, snapshotIntervalMs: 0 });
    const exit = await t.exited;
    expect(exit.crashed).toBe(false);
    expect(messages.at(-1)).toMatchObject({ type: 'done', epochsRun: 2 });
    for (const m of messages) expect(isTrainerMessage(m)).toBe(true);
    const health = messages.filter((m) => m.type === 'health');
    // 540 training samples in batches of 32: 17 steps an epoch. Records at steps 20 (in epoch 2) and the epochs' ends.
    expect(health.map((m) => [m.step, m.epoch, m.diagnostics === null])).toEqual([
      [17, 1, false],
      [20, 2, true],
      [34, 2, false],
    ]);
    const [end1, mid, end2] = health;
    // Between the ends: the three parameterised layers' figures; at an end, also each activation's dead share.
    expect(mid!.layers.map((l) => [l.index, l.line, l.kind])).toEqual([
      [0, 5, 'conv'],
      [2, 7, 'conv'],
      [4, 9, 'dense'],
    ]);
    for (const l of mid!.layers) for (const f of [l.gradNorm, l.paramGradNorm, l.weightNorm, l.updateRatio]) expect(f).toBeGreaterThan(0);
    expect(end2!.samples).toBe(60);
    expect(end2!.layers.filter((l) => l.activation === 'relu').map((l) => l.index)).toEqual([0, 2]);
    for (const end of [end1!, end2!]) {
      expect(end.diagnostics!.filter((d) => d.code === 'W301').map((d) => d.line)).toEqual([5, 7]);
      for (const l of end.layers.filter((x) => x.activation === 'relu')) expect(l.dead).toBeGreaterThan(0.5);
    }
    // metrics.jsonl: each epoch's step records, its line, then its end's record, as cnn train writes them.
    const rows = readFileSync(join(outDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => ('health' in r ? `health ${(r.health as { step: number }).step}` : `epoch ${r.epoch as number}`))).toEqual([
      'epoch 1',
      'health 17',
      'health 20',
      'epoch 2',
      'health 34',
    ]);
    expect(rows[4]!.health).toEqual({ ...end2, type: undefined });
  }, 240_000);
});
