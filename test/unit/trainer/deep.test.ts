// A network of 50,000 element-wise layers through bin/cnn: it starts training within seconds (it took 37 s of
// silence, growing the engine's memory page by page), says what it is doing meanwhile, stops within a second
// or two of Ctrl+C at any point (start-up, the middle of a step), and `cnn predict` on it finishes.
// The bounds are generous (the machine may be busy); the old code missed each by tens of seconds.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../../src/data';
import { createNetwork, saveCheckpoint } from '../../../src/engine';
import { check, toModelSpec } from '../../../src/language';
import type { TrainerMessage } from '../../../src/protocol/trainer';
import { TrainerClient } from '../../../src/trainer/client';
import { buildOnce, root, tempDir, writeModel } from './helpers';

const LAYERS = 50_000;

function deepModel(): string {
  const lines = ['network Deep', 'input 8x8x1', 'classes door stair sign', 'conv filters=2 size=3 pad=1'];
  for (let i = 0; i < LAYERS; i++) lines.push(i % 3 === 2 ? 'tanh' : 'relu');
  lines.push('flatten', 'dense units=3', 'softmax', 'data shapes samples=200', 'train epochs=3 batch=16 lr=0.01 seed=1', '');
  return lines.join('\n');
}

interface Run {
  messages: { type: string; [k: string]: unknown }[];
  stderr: string;
  /** Resolves with the exit code and the time from SIGINT to exit (ms). */
  exited: Promise<{ code: number | null; afterSigint: number }>;
  /** Resolves with the ms since spawn when a JSON line of this type first arrives. */
  when(type: string): Promise<number>;
  sigint(): void;
}

function train(file: string, out: string): Run {
  const t0 = Date.now();
  const child = spawn(process.execPath, [join(root, 'bin/cnn'), 'train', file, '--out', out, '--json'], { env: { ...process.env, CI: 'true' } });
  const messages: Run['messages'] = [];
  const waiting = new Map<string, ((ms: number) => void)[]>();
  let buf = '';
  let stderr = '';
  let sentAt = 0;
  child.stdout.setEncoding('utf8').on('data', (t: string) => {
    buf += t;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const m = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      messages.push(m);
      for (const f of waiting.get(m.type) ?? []) f(Date.now() - t0);
      waiting.delete(m.type);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const exited = new Promise<{ code: number | null; afterSigint: number }>((resolve) => child.on('close', (code) => resolve({ code, afterSigint: Date.now() - sentAt })));
  return {
    messages,
    get stderr() {
      return stderr;
    },
    exited,
    when: (type) => {
      const seen = messages.find((m) => m.type === type);
      if (seen) return Promise.resolve(0);
      return new Promise((resolve, reject) => {
        waiting.set(type, [...(waiting.get(type) ?? []), resolve]);
        void exited.then(() => reject(new Error(`exited before a '${type}' message: ${stderr}`)));
      });
    },
    sigint: () => {
      sentAt = Date.now();
      child.kill('SIGINT');
    },
  };
}

beforeAll(() => buildOnce());

describe(`a network of ${LAYERS.toLocaleString('en-US')} layers`, () => {
  const dir = tempDir();
  const file = writeModel(dir, deepModel());

  it('starts within seconds, with news of its start-up, and stops mid-step on Ctrl+C', async () => {
    const run = train(file, join(dir, 'mid-step'));
    const preparing = await run.when('preparing');
    const started = await run.when('started');
    expect(preparing).toBeLessThan(started);
    expect(run.messages.find((m) => m.type === 'preparing')).toMatchObject({ layers: LAYERS + 4 });
    expect(started, 'ms from spawn to the started message').toBeLessThan(20_000);
    // The first step of 50,000 layers is under way: Ctrl+C stops it in the middle.
    run.sigint();
    const { code, afterSigint } = await run.exited;
    expect(afterSigint, 'ms from Ctrl+C to exit').toBeLessThan(5_000);
    expect(code).toBe(0);
    const done = run.messages[run.messages.length - 1]!;
    expect(done).toMatchObject({ type: 'done', stopped: true, epochsRun: 0 });
    expect(run.stderr).toContain('Stopping');
    expect(existsSync(join(dir, 'mid-step', 'model.safetensors'))).toBe(true);
  });

  it('stops during start-up on Ctrl+C, writing nothing', async () => {
    const out = join(dir, 'start-up');
    const run = train(file, out);
    await run.when('preparing');
    run.sigint();
    const { code, afterSigint } = await run.exited;
    expect(afterSigint, 'ms from Ctrl+C to exit').toBeLessThan(5_000);
    expect(code).toBe(0);
    expect(run.messages.map((m) => m.type)).not.toContain('progress');
    expect(run.messages[run.messages.length - 1]).toMatchObject({ type: 'done', stopped: true, epochsRun: 0, checkpoint: '' });
    expect(existsSync(join(out, 'model.safetensors'))).toBe(false);
  });

  it('the plain output says what start-up is doing and that it stopped', async () => {
    const child = spawn(process.execPath, [join(root, 'bin/cnn'), 'train', file, '--out', join(dir, 'plain')], { env: { ...process.env, CI: 'true' } });
    let out = '';
    let sent = false;
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (t: string) => {
        out += t;
        // One Ctrl+C: output that follows (the class counts) must not send a second one, which quits at once.
        if (!sent && out.includes('Training on')) {
          sent = true;
          child.kill('SIGINT');
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.on('close', resolve));
    expect(out).toMatch(/preparing: building the network \(\d+ s, 50,004 layers\)…/);
    expect(out).toMatch(/Stopped after 0 epochs/);
  });

  it('in the editor\u2019s trainer child, a stop during the first step ends it gracefully, not by the kill after 2 s', async () => {
    const client = new TrainerClient({ script: join(root, 'dist/trainer.js'), killAfterMs: 5_000 });
    const messages: TrainerMessage[] = [];
    const started = new Promise<void>((resolve) =>
      client.on('message', (m) => {
        messages.push(m);
        if (m.type === 'started') resolve();
      }),
    );
    client.start({ file, source: deepModel(), outDir: join(dir, 'child') });
    await started;
    expect(messages[0]).toMatchObject({ type: 'preparing', layers: LAYERS + 4 });
    const t0 = Date.now();
    const exit = await client.stop();
    expect(Date.now() - t0, 'ms from stop to exit').toBeLessThan(5_000);
    expect(exit.crashed).toBe(false);
    expect(messages[messages.length - 1]).toMatchObject({ type: 'done', stopped: true });
  });

  it('cnn predict on it finishes', () => {
    const spec = toModelSpec(check(deepModel()), 'Deep')!;
    const weights = join(dir, 'deep.safetensors');
    saveCheckpoint(weights, createNetwork(spec, { seed: 1 }), { source: deepModel() });
    const x = new Float32Array(2 * 64).map((_, i) => (i % 5) / 5);
    const npy = join(dir, 'x.npy');
    writeFileSync(npy, writeNpy(x, [2, 8, 8, 1], 'f4'));
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [join(root, 'bin/cnn'), 'predict', file, '--weights', weights, '--input', npy, '--json'], { encoding: 'utf8', timeout: 60_000 });
    const ms = Date.now() - t0;
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).probabilities).toHaveLength(2);
    expect(ms, 'ms for cnn predict').toBeLessThan(30_000);
  });
});
