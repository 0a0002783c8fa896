// PytorchTrainer, the editor's PyTorch backend: with a fake python (a shell script) for the protocol and the
// failure messages, and with the real Debian python3-torch for a run the editor would start.

import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNetwork, loadCheckpoint, saveCheckpoint } from '../../../src/engine';
import { checkPython, PytorchTrainer } from '../../../src/export';
import { isTrainerMessage, type TrainerMessage, type TrainJob } from '../../../src/protocol/trainer';
import { PY_ENV, PYTHON, RUN_TORCH, specOf, tempDir, TINY } from './helpers';


/**
 * A stand-in for python: `-c PROBE` answers the torch probe as FAKE_PROBE says; otherwise it records its
 * arguments, prints FAKE_OUT, then answers requests on stdin until a stop (or the end of stdin).
 */
const FAKE = `#!/bin/sh
if [ "$1" = "-c" ]; then
  echo probe >> "$FAKE_MARKER"
  case "$FAKE_PROBE" in
    notorch) echo '{"missing": "torch", "version": "3.11.2"}' ;;
    nonumpy) echo '{"missing": "numpy", "version": "3.11.2"}' ;;
    crash) echo 'Segmentation fault' >&2; exit 139 ;;
    *) echo '{"version": "3.11.2", "torch": "2.9.0", "cuda": true}' ;;
  esac
  exit 0
fi
echo "$*" >> "$FAKE_MARKER"
printf '%s\\n' "$FAKE_OUT"
while read -r line; do
  case "$line" in
    *'"type":"stop"'*) echo '{"type":"done","checkpoint":"c","metricsFile":"m","stopped":true,"epochsRun":0,"final":null,"test":null,"best":null}'; exit 0 ;;
    *'"sample":3'*) echo '{"type":"log","message":"asked for sample 3"}' ;;
    *'"type":"evaluate"'*) echo '{"type":"log","message":"asked for an evaluation"}' ;;
  esac
done
exit 5
`;

function f32b64(values: number[]): string {
  return Buffer.from(Float32Array.from(values).buffer).toString('base64');
}

function setup(env: Record<string, string> = {}) {
  const dir = tempDir();
  const python = join(dir, 'python');
  writeFileSync(python, FAKE);
  chmodSync(python, 0o755);
  const file = join(dir, 'tiny.cnn');
  writeFileSync(file, TINY);
  const marker = join(dir, 'calls.txt');
  const job: TrainJob = { file, source: TINY, outDir: join(dir, 'run'), snapshotIntervalMs: 500, epochs: 2 };
  return { dir, python, file, marker, job, env: { FAKE_MARKER: marker, ...env } };
}

/** Collects a trainer's messages; `next(pred)` resolves with the first (earlier or later) message that matches. */
function collect(t: PytorchTrainer) {
  const messages: TrainerMessage[] = [];
  const waiting: { pred: (m: TrainerMessage) => boolean; resolve: (m: TrainerMessage) => void }[] = [];
  const stdout: string[] = [];
  t.on('stdout', (s) => stdout.push(s));
  t.on('message', (m) => {
    messages.push(m);
    for (const w of waiting.splice(0)) {
      if (w.pred(m)) w.resolve(m);
      else waiting.push(w);
    }
  });
  return {
    messages,
    stdout,
    next(pred: (m: TrainerMessage) => boolean): Promise<TrainerMessage> {
      const found = messages.find(pred);
      return found ? Promise.resolve(found) : new Promise((resolve) => waiting.push({ pred, resolve }));
    },
  };
}

describe('PytorchTrainer with a fake python', () => {
  it('runs train.py with the job, delivers checked messages with Float32Array tensors, and passes requests on stdin', async () => {
    const s = setup();
    const snapshot = {
      type: 'snapshot',
      source: 'validation sample 0',
      label: 1,
      input: { shape: [1, 2, 1], data: f32b64([0.25, 0.75]) },
      activations: [{ index: 0, kind: 'conv', line: 3, shape: [1, 1, 2], data: f32b64([1.5, -2]) }],
      filters: [{ index: 0, line: 3, shape: [1, 1, 1, 1], data: f32b64([0.5]) }],
      probabilities: [0.2, 0.5, 0.3],
      classes: ['door', 'stair', 'sign'],
    };
    const out = [
      JSON.stringify({ type: 'started', epochs: 2, stepsPerEpoch: 5, trainSize: 36, valSize: 12, classes: ['door', 'stair', 'sign'], params: 1, backend: 'pytorch', warnings: [], task: 'single', classCounts: [12, 12, 12], classWeights: null }),
      'a plain print() line',
      JSON.stringify({ type: 'progress', epoch: 1 }),
      JSON.stringify(snapshot),
    ].join('\n');
    const t = new PytorchTrainer({ python: s.python, env: { ...s.env, FAKE_OUT: out } });
    const c = collect(t);
    t.start(s.job);
    await c.next((m) => m.type === 'snapshot');
    t.send({ type: 'snapshot', sample: 3 });
    await c.next((m) => m.type === 'log' && m.message === 'asked for sample 3');
    t.send({ type: 'evaluate' });
    await c.next((m) => m.type === 'log' && m.message === 'asked for an evaluation');
    t.send({ type: 'stop' });
    const exit = await t.exited;
    expect(exit).toMatchObject({ code: 0, crashed: false });
    expect(t.running).toBe(false);

    for (const m of c.messages) expect(isTrainerMessage(m)).toBe(true);
    expect(c.messages[0]).toMatchObject({ type: 'log', message: 'PyTorch 2.9.0 (Python 3.11.2, CUDA available)' });
    expect(c.messages.find((m) => m.type === 'log' && m.message.startsWith('ignored a malformed message'))).toBeDefined();
    expect(c.stdout.join('')).toBe('a plain print() line\n');
    const snap = c.messages.find((m) => m.type === 'snapshot');
    if (snap?.type !== 'snapshot') throw new Error('no snapshot');
    expect(snap.input.data).toBeInstanceOf(Float32Array);
    expect(Array.from(snap.input.data)).toEqual([0.25, 0.75]);
    expect(Array.from(snap.activations[0]!.data)).toEqual([1.5, -2]);
    expect(Array.from(snap.filters[0]!.data)).toEqual([0.5]);
    expect(c.messages.at(-1)).toMatchObject({ type: 'done', stopped: true });

    // The package went into the run folder; train.py got the run folder, the control channel, the epochs and
    // the snapshot interval.
    expect(existsSync(join(s.job.outDir, 'pytorch', 'model.py'))).toBe(true);
    const calls = readCalls(s.marker);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toBe('probe');
    expect(calls[1]).toBe(`-u ${join(s.job.outDir, 'pytorch', 'train.py')} --out ${s.job.outDir} --control stdin --epochs 2 --snapshot-interval 0.5`);
  });

  it('a train.py that ends without done or error is a crash', async () => {
    const s = setup();
    const t = new PytorchTrainer({ python: s.python, env: { ...s.env, FAKE_OUT: '{"type":"log","message":"hello"}' } });
    const c = collect(t);
    t.start(s.job);
    await c.next((m) => m.type === 'log' && m.message === 'hello');
    t.kill();
    const exit = await t.exited;
    expect(exit).toMatchObject({ crashed: true, signal: 'SIGKILL' });
  });

  it('says what to install when python is missing', async () => {
    const s = setup();
    const t = new PytorchTrainer({ python: join(s.dir, 'no-such-python') });
    const c = collect(t);
    t.start(s.job);
    const exit = await t.exited;
    expect(exit.crashed).toBe(false);
    const err = c.messages.at(-1)!;
    expect(err).toMatchObject({ type: 'error', stage: 'setup' });
    if (err.type !== 'error') return;
    expect(err.message).toContain('Python was not found');
    expect(err.message).toContain('apt-get install python3-torch');
    expect(err.message).toContain('pip install torch');
    expect(err.message).toContain('cnnStudio.pythonPath');
    expect(existsSync(join(s.job.outDir, 'pytorch'))).toBe(false);
  });

  it.each([
    ['notorch', /PyTorch is not installed for '.*' \(Python 3\.11\.2\)\. Install PyTorch with "sudo apt-get install python3-torch python3-numpy".*"pip install torch numpy"/],
    ['nonumpy', /numpy is not installed/],
    ['crash', /failed \(exit code 139\) while checking for PyTorch: Segmentation fault/],
  ])('says what to install when the probe finds %s', async (probe, message) => {
    const s = setup({ FAKE_PROBE: probe });
    const r = await checkPython(s.python, 60_000, s.env);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
    const t = new PytorchTrainer({ python: s.python, env: s.env });
    const c = collect(t);
    t.start(s.job);
    await t.exited;
    expect(c.messages.at(-1)).toMatchObject({ type: 'error', stage: 'setup', message: expect.stringMatching(message) });
    // Only the probes ran (checkPython's above and the trainer's): no train.py.
    expect(readCalls(s.marker)).toEqual(['probe', 'probe']);
  });

  it('exports and runs nothing when not allowed (an untrusted workspace)', async () => {
    const s = setup();
    const t = new PytorchTrainer({ python: s.python, env: s.env, allowed: () => 'This workspace is not trusted.' });
    const c = collect(t);
    t.start(s.job);
    await t.exited;
    expect(c.messages).toEqual([{ type: 'error', stage: 'setup', message: 'This workspace is not trusted.' }]);
    expect(existsSync(s.marker)).toBe(false);
    expect(existsSync(s.job.outDir)).toBe(false);
  });

  it('refuses a file with errors and inspect-only jobs', async () => {
    const s = setup();
    const t1 = new PytorchTrainer({ python: s.python, env: s.env });
    const c1 = collect(t1);
    t1.start({ ...s.job, source: 'network X\ninput 8x8x1\nconv filters=2 size=3 stride=2\ndense units=2\n' });
    await t1.exited;
    expect(c1.messages.at(-1)).toMatchObject({ type: 'error', stage: 'setup', message: expect.stringContaining(':3: E020:') });
    const t2 = new PytorchTrainer({ python: s.python, env: s.env });
    const c2 = collect(t2);
    t2.start({ ...s.job, mode: 'inspect' });
    await t2.exited;
    expect(c2.messages.at(-1)).toMatchObject({ type: 'error', stage: 'setup', message: expect.stringContaining('only trains') });
    expect(existsSync(s.marker)).toBe(false);
  });
});

function readCalls(marker: string): string[] {
  return readFileSync(marker, 'utf8').trim().split('\n');
}

describe.skipIf(!RUN_TORCH)(`PytorchTrainer with ${PYTHON}`, () => {
  it('trains from our checkpoint, answers a snapshot request, stops when asked and writes a checkpoint our engine loads', async () => {
    const dir = tempDir();
    const file = join(dir, 'tiny.cnn');
    writeFileSync(file, TINY);
    const spec = specOf(TINY, file);
    const init = join(dir, 'init.safetensors');
    saveCheckpoint(init, createNetwork(spec, { seed: 2, threads: 1 }), { source: TINY });
    const outDir = join(dir, 'run');
    const t = new PytorchTrainer({ python: PYTHON, env: PY_ENV });
    const c = collect(t);
    // Many epochs: the run only ends because it is stopped.
    t.start({ file, source: TINY, outDir, init, epochs: 1000, snapshotIntervalMs: 0 });
    await c.next((m) => m.type === 'started');
    t.send({ type: 'snapshot', sample: 2 });
    const snap = await c.next((m) => m.type === 'snapshot');
    if (snap.type !== 'snapshot') throw new Error('no snapshot');
    expect(snap.source).toBe('validation sample 2');
    expect(snap.input.data).toBeInstanceOf(Float32Array);
    expect(snap.input.shape).toEqual([16, 16, 1]);
    expect(snap.activations.map((a) => a.shape)).toEqual([[4, 16, 16], [4, 8, 8], [3], [3]]);
    t.send({ type: 'evaluate' });
    const ev = await c.next((m) => m.type === 'evaluation');
    if (ev.type !== 'evaluation') throw new Error('no evaluation');
    expect(ev.confusion.flat().reduce((a, b) => a + b, 0)).toBe(12);
    await c.next((m) => m.type === 'progress');
    void t.stop();
    const exit = await t.exited;
    expect(exit.crashed).toBe(false);
    for (const m of c.messages) expect(isTrainerMessage(m)).toBe(true);
    const done = c.messages.at(-1);
    expect(done).toMatchObject({ type: 'done', stopped: true, checkpoint: join(outDir, 'model.safetensors') });
    expect(c.messages.find((m) => m.type === 'started')).toMatchObject({ backend: 'pytorch', epochs: 1000 });
    expect(() => loadCheckpoint(join(outDir, 'model.safetensors'), spec)).not.toThrow();
  });
});
