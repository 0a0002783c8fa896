// TrainerClient against small fake children: every message a child has written before it exits is delivered,
// even when it exits at once after large ones: the client ends on 'close', not 'exit', which can come while
// the last messages are still in the pipe. (The trainer's own side, waiting for its sends to be written before
// it disconnects, is tested with the real child in child.test.ts.)

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import type { TrainerMessage } from '../../../src/protocol/trainer';
import { TrainerClient } from '../../../src/trainer/client';
import { tempDir } from './helpers';

function fakeTrainer(body: string): string {
  const file = join(tempDir('cnn-fake-trainer-'), 'trainer.js');
  writeFileSync(file, `process.on('message', (m) => { if (m.type !== 'start') return; ${body} });\n`);
  return file;
}

const JOB = { file: '/nowhere/model.cnn', source: '', outDir: '/nowhere/run' };

describe('TrainerClient', () => {
  it('delivers large messages and the final done of a child that exits as soon as they are written', async () => {
    const script = fakeTrainer(`
      const big = 'x'.repeat(4 << 20);
      for (let i = 0; i < 8; i++) process.send({ type: 'log', message: i + big });
      // As dist/trainer.js does: wait until the last message is written, then leave at once.
      process.send({ type: 'done', checkpoint: '/nowhere/run/model.safetensors', metricsFile: '/nowhere/run/metrics.jsonl', stopped: false, epochsRun: 1, final: null, test: null, best: null }, undefined, {}, () => {
        process.disconnect();
        process.exit(0);
      });`);
    const client = new TrainerClient({ script });
    const got: TrainerMessage[] = [];
    client.on('message', (m) => got.push(m));
    client.start(JOB);
    const info = await client.exited;
    expect(got.map((m) => m.type)).toEqual([...Array(8).fill('log'), 'done']);
    expect(info.crashed).toBe(false);
    expect(info.code).toBe(0);
  });

  it('calls a child that exits without done or error a crash, with its stderr', async () => {
    const script = fakeTrainer(`process.stderr.write('boom at step 3\\n'); process.exit(3);`);
    const client = new TrainerClient({ script });
    client.start(JOB);
    const info = await client.exited;
    expect(info).toMatchObject({ code: 3, crashed: true, stderr: 'boom at step 3' });
  });

  it('ignores a malformed message with a log line and keeps going', async () => {
    const script = fakeTrainer(`
      process.send({ type: 'progress', epoch: 'one' });
      process.send({ type: 'error', stage: 'data', message: 'no such folder' });
      process.exit(1);`);
    const client = new TrainerClient({ script });
    const got: TrainerMessage[] = [];
    client.on('message', (m) => got.push(m));
    client.start(JOB);
    const info = await client.exited;
    expect(got[0]).toMatchObject({ type: 'log', message: expect.stringMatching(/malformed/) });
    expect(got[1]).toMatchObject({ type: 'error', stage: 'data' });
    expect(info.crashed).toBe(false);
  });
});
