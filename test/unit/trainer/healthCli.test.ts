// `cnn train` shows training-health warnings as they appear and lists them at the end of a run (bin/cnn).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { createNetwork, saveCheckpoint } from '../../../src/engine';
import { check, toModelSpec } from '../../../src/language';
import { buildOnce, root, tempDir, writeModel } from './helpers';

beforeAll(() => buildOnce());

const TEXT = [
  'network DeadRelu',
  'input 16x16x1',
  'classes door stair sign',
  'conv filters=8 size=3 pad=1 activation=relu',
  'pool max size=2',
  'dense units=3',
  'softmax',
  'data shapes samples=160',
  'train epochs=2 batch=16 optimizer=adam lr=0.001 seed=3',
  '',
].join('\n');

it('cnn train --init CKPT with negative relu biases warns W301 on the conv line and lists it at the end', () => {
  const dir = tempDir();
  writeModel(dir, TEXT, 'dead.cnn');
  const net = createNetwork(toModelSpec(check(TEXT))!, { backend: 'js' });
  const tensors = net.params();
  tensors.find((t) => t.name === 'layers.0.bias')!.data.fill(-20);
  const init = join(dir, 'negative-bias.safetensors');
  saveCheckpoint(init, tensors, { source: TEXT });
  const r = spawnSync(process.execPath, [join(root, 'bin/cnn'), 'train', 'dead.cnn', '--init', init, '--out', join(dir, 'out')], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  expect(r.status, r.stderr).toBe(0);
  // As it appears (epoch 1), once: still there in epoch 2, not repeated.
  const warned = r.stderr.split('\n').filter((l) => l.includes('W301'));
  expect(warned).toEqual([expect.stringMatching(/^warning: dead\.cnn:4: W301 100% of this layer's relu units never fire on the \d+ validation samples/)]);
  // Listed at the end, after the run's summary.
  expect(r.stdout).toMatch(/Metrics: .*metrics\.jsonl\nTraining health \(epoch 2\): 1 warning\n {2}dead\.cnn:4: W301 100% of this layer's relu units never fire .*batchnorm before it\.\n$/);
}, 180_000);
