// Training health end to end in the trainer: deliberately broken networks make W301–W304 on the right line,
// streamed as health messages and written to metrics.jsonl; a healthy network makes none.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNetwork, saveCheckpoint } from '../../../src/engine';
import { check, toModelSpec } from '../../../src/language';
import { isTrainerMessage, type HealthMessage, type TrainerMessage } from '../../../src/protocol/trainer';
import { HealthRecorder } from '../../../src/trainer/healthRecorder';
import { runTraining } from '../../../src/trainer/run';
import { tempDir, writeModel } from './helpers';

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle));

async function train(text: string, opts: { init?: (file: string) => string } = {}) {
  const dir = tempDir();
  const file = writeModel(dir, text);
  const outDir = join(dir, 'out');
  const messages: TrainerMessage[] = [];
  const init = opts.init?.(file);
  const result = await runTraining({ file, source: text, outDir, ...(init ? { init } : {}) }, { emit: (m) => messages.push(m), stopRequested: () => false, takeRequest: () => null });
  expect(result.type, result.type === 'error' ? result.message : '').toBe('done');
  const started = messages.find((m) => m.type === 'started')!;
  const health = messages.filter((m): m is HealthMessage => m.type === 'health');
  for (const m of health) expect(isTrainerMessage(m), JSON.stringify(m).slice(0, 200)).toBe(true);
  const ends = health.filter((m) => m.diagnostics !== null);
  return { health, ends, last: ends[ends.length - 1]!, outDir, started: started.type === 'started' ? started : null! };
}

/** A checkpoint of the file's network at its initial weights, with `edit` applied to each tensor. */
function checkpointWith(text: string, edit: (name: string, data: Float32Array) => void) {
  return (file: string): string => {
    const spec = toModelSpec(check(text))!;
    const net = createNetwork(spec, { backend: 'js' });
    const tensors = net.params();
    for (const t of tensors) edit(t.name, t.data);
    const path = join(file, '..', 'init.safetensors');
    saveCheckpoint(path, tensors, { source: text });
    return path;
  };
}

const RELU = [
  'network DeadRelu',
  'input 16x16x1',
  'classes door stair sign',
  'conv filters=8 size=3 pad=1 activation=relu',
  'pool max size=2',
  'dense units=16 activation=relu',
  'dense units=3',
  'softmax',
  'data shapes samples=192',
  'train epochs=2 batch=16 optimizer=adam lr=0.001 seed=3',
  '',
].join('\n');

describe('training health in a run', () => {
  it('W301: a relu conv started with large negative biases (--init) has dead units, on its line; every record is in metrics.jsonl', async () => {
    const { health, ends, last, outDir, started } = await train(RELU, { init: checkpointWith(RELU, (name, d) => name === 'layers.0.bias' && d.fill(-20)) });
    // A record every 20 steps and one at each epoch's end (the epoch's last step).
    const steps = started.stepsPerEpoch;
    expect(steps).toBeLessThan(20);
    expect(ends.map((m) => [m.epoch, m.step, m.samples])).toEqual([
      [1, steps, started.valSize],
      [2, 2 * steps, started.valSize],
    ]);
    expect(health.filter((m) => m.diagnostics === null).map((m) => m.step)).toEqual(2 * steps >= 20 ? [20] : []);
    const conv = last.layers.find((l) => l.index === 0)!;
    expect(conv).toMatchObject({ kind: 'conv', activation: 'relu', dead: 1, line: lineOf(RELU, 'conv filters=8') });
    expect(conv.gradNorm).toBe(0);
    const w301 = last.diagnostics!.filter((d) => d.code === 'W301');
    // The conv's units, and so the dense relu after it (its input is all zeros, its bias gets no gradient).
    expect(w301.map((d) => d.line)).toEqual([lineOf(RELU, 'conv filters=8'), lineOf(RELU, 'dense units=16')]);
    expect(w301[0]!.message).toMatch(/^100% of this layer's relu units never fire on the \d+ validation samples.*Try a smaller learning rate \(lr=0\.0001\), leakyrelu, or batchnorm before it\./);
    // metrics.jsonl: the epoch lines, and a health record after each.
    const lines = readFileSync(join(outDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const kinds = lines.map((l) => ('epoch' in l ? 'epoch' : 'health' in l ? 'health' : '?'));
    expect(kinds).toEqual(['epoch', 'health', ...(2 * steps >= 20 ? ['health'] : []), 'epoch', 'health']);
    expect(lines[lines.length - 1].health).toMatchObject({ step: 2 * steps, epoch: 2, samples: started.valSize, diagnostics: last.diagnostics });
    expect(lines[lines.length - 1].health.type).toBeUndefined();
  }, 120_000);

  it('a healthy network gets no warnings', async () => {
    const text = RELU.replace('DeadRelu', 'Healthy').replace('lr=0.001', 'lr=0.003');
    const { last } = await train(text);
    expect(last.diagnostics).toEqual([]);
    expect(last.layers.find((l) => l.index === 0)!.dead!).toBeLessThan(0.5);
  }, 120_000);

  it('W302: sigmoid layers started with weights ×300 (--init) saturate', async () => {
    const text = [
      'network Saturated',
      'input 16x16x1',
      'classes door stair sign',
      'dense units=32 activation=sigmoid',
      'dense units=32',
      'sigmoid',
      'dense units=3',
      'softmax',
      'data shapes samples=96',
      'train epochs=1 batch=16 optimizer=adam lr=0.001 seed=3',
      '',
    ].join('\n');
    const { last } = await train(text, { init: checkpointWith(text, (name, d) => name.endsWith('weight') && d.forEach((v, i) => (d[i] = 300 * v))) });
    const w302 = last.diagnostics!.filter((d) => d.code === 'W302');
    expect(w302.map((d) => d.line)).toEqual([lineOf(text, 'dense units=32 activation=sigmoid'), text.split('\n').indexOf('sigmoid')]);
    expect(w302[0]!.message).toMatch(/of this layer's sigmoid units are saturated .*output below 0\.01 or above 0\.99/);
    expect(w302[1]!.message).toMatch(/of this sigmoid's units are saturated/);
  }, 120_000);

  it('W303: the gradient vanishes through a deep sigmoid stack', async () => {
    const stack = Array.from({ length: 14 }, () => 'dense units=16 activation=sigmoid');
    const text = ['network DeepSigmoid', 'input 8x8x1', 'classes door stair sign', ...stack, 'dense units=3', 'softmax', 'data shapes samples=64', 'train epochs=1 batch=16 optimizer=sgd lr=0.01 seed=3', ''].join('\n');
    const { last } = await train(text);
    const w303 = last.diagnostics!.filter((d) => d.code === 'W303');
    expect(w303.length).toBeGreaterThan(0);
    // The first layers, the farthest from the loss.
    expect(w303[0]!.line).toBe(lineOf(text, 'dense units=16'));
    expect(w303[0]!.message).toMatch(/^Vanishing gradient: its weight-gradient norm \S+ is [\d,.e]+× below the median of the other layers/);
  }, 120_000);
});

describe('W304 from one step (HealthRecorder)', () => {
  const text = ['network Lr', 'input 8x8x1', 'classes a b c', 'conv filters=4 size=3 pad=1 activation=relu', 'dense units=8 activation=relu', 'dense units=3', 'softmax', 'data shapes samples=32', 'train epochs=1 batch=8 seed=1', ''].join('\n');
  const spec = toModelSpec(check(text))!;
  const x = new Float32Array(8 * 64).map((_, i) => ((i * 37) % 101) / 101);
  const y = Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1]);

  for (const [lr, re] of [
    [10, /changes this layer's weights by \d+% .*the learning rate is too high\. Try lr=0\.1\./],
    [1e-9, /The weights barely move: the update\/weight ratio is \S+ .*too low for this layer\. Try lr=1e-7\./],
  ] as const) {
    it(`sgd lr=${lr}`, () => {
      const net = createNetwork(spec, { backend: 'js', optimizer: { kind: 'sgd', lr, momentum: 0 } });
      const rec = new HealthRecorder(net, null, lr);
      rec.beforeStep(1, true);
      net.trainStep(x, y, 8);
      expect(rec.afterStep(1, 1, true)).toBeNull();
      const m = rec.epochEnd(1, 1);
      const w304 = m.diagnostics!.filter((d) => d.code === 'W304');
      expect(w304.length).toBeGreaterThan(0);
      for (const d of w304) expect(d.message).toMatch(re);
      expect(m.diagnostics!.filter((d) => d.code !== 'W304' && d.code !== 'W303')).toEqual([]);
    });
  }

  it('records every `every` steps, and nothing in between', () => {
    const net = createNetwork(spec, { backend: 'js' });
    const rec = new HealthRecorder(net, null, 0.001, 3);
    const sent: (HealthMessage | null)[] = [];
    for (let s = 1; s <= 7; s++) {
      rec.beforeStep(s, false);
      net.trainStep(x, y, 8);
      sent.push(rec.afterStep(s, 1, false));
    }
    expect(sent.map((m) => m?.step ?? null)).toEqual([null, null, 3, null, null, 6, null]);
    expect(sent[2]!.layers.map((l) => l.index)).toEqual([0, 1, 2]);
    expect(sent[2]!.layers.every((l) => l.updateRatio! > 0 && l.gradNorm! > 0 && l.weightNorm! > 0)).toBe(true);
  });
});
