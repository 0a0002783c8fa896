// The trainer child process through its client, as the editor runs it: typed messages, stop, snapshots,
// errors, crashes, inspect mode.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainerMessage, TrainJob } from '../../../src/protocol/trainer';
import { TrainerClient } from '../../../src/trainer/client';
import { buildOnce, root, tempDir, tinyModel, writeModel } from './helpers';

const script = join(root, 'dist/trainer.js');

function collect(client: TrainerClient): TrainerMessage[] {
  const all: TrainerMessage[] = [];
  client.on('message', (m) => all.push(m));
  return all;
}

function jobFor(text: string, extra: Partial<TrainJob> = {}): TrainJob {
  const dir = tempDir();
  const file = writeModel(dir, text);
  return { file, source: text, outDir: join(dir, 'run'), ...extra };
}

function waitFor(client: TrainerClient, pred: (m: TrainerMessage) => boolean): Promise<TrainerMessage> {
  return new Promise((resolve, reject) => {
    const on = (m: TrainerMessage) => {
      if (pred(m)) {
        client.off('message', on);
        resolve(m);
      }
    };
    client.on('message', on);
    void client.exited.then(() => reject(new Error('the trainer exited first')));
  });
}

beforeAll(() => buildOnce());

describe('trainer child process', () => {
  it('trains, streams progress and epochs, writes a checkpoint and metrics', async () => {
    const client = new TrainerClient({ script });
    const messages = collect(client);
    const job = jobFor(tinyModel({ epochs: 2 }));
    client.start(job);
    const exit = await client.exited;
    expect(exit.crashed).toBe(false);
    const types = messages.map((m) => m.type);
    expect(types[0]).toBe('started');
    expect(types).toContain('progress');
    expect(types.filter((t) => t === 'epoch')).toHaveLength(2);
    expect(types).toContain('evaluation');
    const done = messages.find((m) => m.type === 'done');
    expect(done && done.type === 'done' && done.stopped).toBe(false);
    if (done?.type !== 'done') throw new Error('no done message');
    expect(done.epochsRun).toBe(2);
    expect(existsSync(done.checkpoint)).toBe(true);
    const all = readFileSync(done.metricsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    // Epoch lines, and the training-health records (`{"health": …}`) beside them.
    const lines = all.filter((l) => 'epoch' in l);
    expect(lines).toHaveLength(2);
    expect(all.filter((l) => 'health' in l).map((l) => l.health.epoch)).toContain(2);
    expect(lines[1].epoch).toBe(2);
    expect(typeof lines[1].valAccuracy).toBe('number');
    const started = messages[0]!;
    if (started.type !== 'started') throw new Error('first message is not started');
    expect(started.classes).toEqual(['door', 'stair', 'sign']);
    expect(started.params).toBe(4 * (9 + 1) + 3 * (8 * 8 * 4 + 1));
  });

  it('delivers its last snapshot and done before it leaves, with snapshots streaming at every step (as in the editor)', async () => {
    const client = new TrainerClient({ script });
    const messages = collect(client);
    // The lecture's network sends snapshots of about 200 KB; asked for one every millisecond, the channel is
    // full of them when training ends.
    const text = readFileSync(join(root, 'examples/lecture.cnn'), 'utf8').replace('samples=3000', 'samples=300').replace(/epochs=\d+/, 'epochs=1');
    client.start(jobFor(text, { snapshotIntervalMs: 1 }));
    const exit = await client.exited;
    const types = messages.map((m) => m.type);
    expect(types.filter((t) => t === 'snapshot').length).toBeGreaterThan(3);
    expect(types.at(-1)).toBe('done');
    expect(exit.crashed).toBe(false);
  });

  it('stops gracefully at the next step when asked, still writing a checkpoint', async () => {
    const client = new TrainerClient({ script });
    const messages = collect(client);
    client.start(jobFor(tinyModel({ epochs: 50, samples: 3000 })));
    await waitFor(client, (m) => m.type === 'progress');
    const exit = await client.stop();
    expect(exit.crashed).toBe(false);
    const done = messages.find((m) => m.type === 'done');
    expect(done?.type === 'done' && done.stopped).toBe(true);
    if (done?.type === 'done') expect(existsSync(done.checkpoint)).toBe(true);
  });

  it('answers snapshot requests with every layer, the filters and the probabilities', async () => {
    const client = new TrainerClient({ script });
    client.start(jobFor(tinyModel({ epochs: 50, samples: 3000 })));
    await waitFor(client, (m) => m.type === 'progress');
    client.send({ type: 'snapshot', sample: 5 });
    const snap = await waitFor(client, (m) => m.type === 'snapshot' && m.source.endsWith('sample 5'));
    await client.stop();
    if (snap.type !== 'snapshot') throw new Error('not a snapshot');
    expect(snap.input.shape).toEqual([16, 16, 1]);
    expect(snap.input.data).toBeInstanceOf(Float32Array);
    expect(snap.activations.map((a) => a.kind)).toEqual(['conv', 'pool', 'dense', 'softmax']);
    expect(snap.activations[0]!.shape).toEqual([4, 16, 16]);
    expect(snap.activations[1]!.shape).toEqual([4, 8, 8]);
    expect(snap.filters).toHaveLength(1);
    expect(snap.filters[0]!.shape).toEqual([4, 1, 3, 3]);
    expect(snap.probabilities).toHaveLength(3);
    expect(snap.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('reports a missing data folder as an E040 data error and writes no checkpoint', async () => {
    const client = new TrainerClient({ script });
    const messages = collect(client);
    const job = jobFor(tinyModel({ data: 'data idx no-such-folder' }));
    client.start(job);
    const exit = await client.exited;
    expect(exit.crashed).toBe(false);
    const err = messages.find((m) => m.type === 'error');
    expect(err?.type === 'error' && err.code).toBe('E040');
    expect(err?.type === 'error' && err.message).toMatch(/no-such-folder/);
    expect(existsSync(join(job.outDir, 'model.safetensors'))).toBe(false);
  });

  it('refuses a model far too large for memory before it starts', async () => {
    const client = new TrainerClient({ script });
    const messages = collect(client);
    client.start(jobFor('input 1000x1000x3\ndense units=100\ndense units=3\nsoftmax\ndata shapes samples=100\ntrain batch=64\n'));
    await client.exited;
    const err = messages.find((m) => m.type === 'error');
    expect(err?.type === 'error' && err.stage).toBe('setup');
    // The layer and what to change, not the engine's memory figure (memory.ts).
    expect(err?.type === 'error' && err.message).toMatch(/^The layer on line 2 \(dense 100 units \(flattens\)\) has 300,000,100 weights.*whatever the batch/);
    expect(messages.some((m) => m.type === 'started')).toBe(false);
  });

  it('stops with a clear message when the loss diverges', async () => {
    const client = new TrainerClient({ script });
    const messages = collect(client);
    client.start(jobFor(tinyModel({ optimizer: 'sgd', lr: 1e30, epochs: 3 })));
    await client.exited;
    const err = messages.find((m) => m.type === 'error');
    expect(err?.type === 'error' && err.stage).toBe('train');
    expect(err?.type === 'error' && err.message).toMatch(/step \d+/);
    expect(err?.type === 'error' && err.message).toMatch(/lower learning rate/);
  });

  it('reports a crash of the child as a crash, with its stderr', async () => {
    const client = new TrainerClient({ script });
    client.start(jobFor(tinyModel({ epochs: 50, samples: 3000 })));
    await waitFor(client, (m) => m.type === 'progress');
    client.kill();
    const exit = await client.exited;
    expect(exit.crashed).toBe(true);
    expect(exit.signal).toBe('SIGKILL');
  });

  it('inspect mode answers snapshot and evaluation requests without training', async () => {
    const client = new TrainerClient({ script });
    const messages = collect(client);
    client.start(jobFor(tinyModel(), { mode: 'inspect' }));
    const first = await waitFor(client, (m) => m.type === 'snapshot');
    expect(first.type === 'snapshot' && first.activations.length).toBe(4);
    client.send({ type: 'evaluate' });
    const ev = await waitFor(client, (m) => m.type === 'evaluation');
    if (ev.type !== 'evaluation') throw new Error('not an evaluation');
    const total = ev.confusion.flat().reduce((a, b) => a + b, 0);
    expect(total).toBe(24); // 10% of 240 samples held out
    await client.stop();
    expect(messages.some((m) => m.type === 'progress')).toBe(false);
  });
});
