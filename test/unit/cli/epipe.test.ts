// A closed pipe does not crash the command line: `cnn check big.cnn | head -1` and `cnn train --json | head -1`
// used to end in an unhandled EPIPE stack trace (and a training killed without its checkpoint). The reader
// here closes its end of the child's stdout as `head -1` does once it has its line.

import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../../src/engine';
import { buildOnce, root, tempDir, tinyModel, writeModel } from '../trainer/helpers';

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  first: string;
  err: string;
}

/**
 * Runs bin/cnn with stdout a pipe that this side closes after the first line (`head -1`), or at once with
 * `closeAt: 'start'` (before the command has written anything).
 */
function cnnIntoHead(args: string[], closeAt: 'first-line' | 'start' = 'first-line'): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/cnn'), ...args], { cwd: root, env: { ...process.env, CI: 'true', CNN_DEBUG: '' } });
    let buf = '';
    let first = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
    if (closeAt === 'start') child.stdout.destroy();
    else {
      child.stdout.setEncoding('utf8').on('data', (t: string) => {
        if (first) return;
        buf += t;
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        first = buf.slice(0, nl);
        child.stdout.destroy();
      });
    }
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, first, err }));
  });
}

function expectQuiet(r: Ended): void {
  expect(r.err).not.toMatch(/EPIPE|Error:|\n\s+at /);
  expect(r.signal).toBe(null);
}

beforeAll(() => buildOnce());

describe('a closed pipe', () => {
  const dir = tempDir('cnn-epipe-');
  // Thousands of lines of output: far more than a pipe holds, so writes go on after the reader has gone.
  const big = join(dir, 'big.cnn');
  writeFileSync(big, `input 64x64x3\n${'conv filters=4 size=3 pad=1 activation=relu\n'.repeat(5000)}flatten\ndense units=3\nsoftmax\n`);
  const errors = join(dir, 'errors.cnn');
  writeFileSync(errors, `input 8x8x1\n${'conv\n'.repeat(5000)}`);

  it('cnn summary big.cnn | head -1 exits quietly', async () => {
    const r = await cnnIntoHead(['summary', big]);
    expect(r.first.length).toBeGreaterThan(0);
    expectQuiet(r);
    expect(r.code).toBe(0);
  });

  it('cnn check errors.cnn | head -1 exits quietly', async () => {
    const r = await cnnIntoHead(['check', errors]);
    expect(r.first.length).toBeGreaterThan(0);
    expectQuiet(r);
  });

  it('cnn check with the pipe closed before anything was written exits quietly, with its exit code', async () => {
    const r = await cnnIntoHead(['check', errors], 'start');
    expectQuiet(r);
    expect(r.code).toBe(1);
  });

  it('cnn train --json | head -1 stops the training cleanly, with its checkpoint written', async () => {
    const file = writeModel(dir, tinyModel({ samples: 160 }), 'net.cnn');
    const out = join(dir, 'run');
    // 100,000 epochs: only a stop ends this run within the test's time.
    const r = await cnnIntoHead(['train', file, '--json', '--epochs', '100000', '--out', out]);
    expect(JSON.parse(r.first).type).toBe('started');
    expectQuiet(r);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true);
    const cp = loadCheckpoint(join(out, 'model.safetensors'));
    expect(JSON.parse(cp.metadata.metrics!).epochs).toBeLessThan(100000);
  });

  it('cnn train with plain lines stops the same way when its reader goes away', async () => {
    const file = writeModel(dir, tinyModel({ samples: 160 }), 'net2.cnn');
    const out = join(dir, 'run2');
    const r = await cnnIntoHead(['train', file, '--epochs', '100000', '--out', out]);
    expect(r.first).toMatch(/^Training on /);
    expectQuiet(r);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true);
  });
});
