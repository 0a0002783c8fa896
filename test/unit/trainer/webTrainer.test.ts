// The web worker trainer's bundle (dist/trainer-web.js) run in this process as a browser would run it: `self` is
// a fake worker scope, and Node's own globals (process, require, Buffer, setImmediate, …) are hidden from it, so
// a bundle that needs Node fails here. One tiny epoch on the built-in shapes: the writes come back as `fs`
// batches, each before the message that names its file; WebWorkerTrainer applies them before emitting those.

import { mkdirSync, readFileSync, appendFileSync, writeFileSync, renameSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../../src/engine';
import { WASM_FILES } from '../../../src/engine/backend';
import type { FsOp } from '../../../src/platform/host';
import type { TrainerMessage, TrainJob } from '../../../src/protocol/trainer';
import type { WorkerBoot, WorkerMessage } from '../../../src/protocol/webTrainer';
import { WebWorkerTrainer, type WorkerLike } from '../../../src/trainer/webClient';
import { buildOnce, root, tempDir, tinyModel } from './helpers';

/** Node's globals a browser worker does not have: shadowed while the bundle runs. */
const NODE_GLOBALS = ['process', 'require', 'module', 'exports', 'Buffer', 'global', 'setImmediate', 'clearImmediate', '__dirname', '__filename'];

interface FakeScope {
  postMessage(m: unknown): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  addEventListener(): void;
  close(): void;
  /** Resolves when the worker closes itself. */
  closed: Promise<void>;
}

/** Runs the bundle's text against a fresh fake scope; `post` gets what the worker posts (structured-cloned). */
function runBundle(script: string, post: (m: WorkerMessage) => void): FakeScope {
  let close!: () => void;
  const scope: FakeScope = {
    postMessage: (m) => post(structuredClone(m) as WorkerMessage),
    onmessage: null,
    addEventListener: () => {},
    close: () => close(),
    closed: new Promise((r) => (close = r)),
  };
  new Function('self', ...NODE_GLOBALS, script)(scope, ...NODE_GLOBALS.map(() => undefined));
  return scope;
}

function boot(): WorkerBoot {
  const wasm: Record<string, Uint8Array> = {};
  for (const f of WASM_FILES) wasm[f] = new Uint8Array(readFileSync(join(root, 'dist', f)));
  return { type: 'boot', wasm, files: [], folders: ['/w'], cwd: '/w', memoryBytes: 2 ** 31, threads: false };
}

const job = (): TrainJob => ({ file: '/w/tiny.cnn', source: tinyModel({ epochs: 1, samples: 64 }), outDir: '/w/runs/Tiny-1' });

/** The extension's part: the ops applied to a real folder standing for the workspace root '/w'. */
function applyTo(dir: string, ops: FsOp[]): void {
  const at = (p: string) => join(dir, p.replace(/^\/w\/?/, ''));
  for (const op of ops) {
    switch (op.op) {
      case 'write':
        writeFileSync(at(op.path), op.data);
        break;
      case 'append':
        appendFileSync(at(op.path), op.text);
        break;
      case 'rename':
        renameSync(at(op.from), at(op.to));
        break;
      case 'mkdir':
        mkdirSync(at(op.path), { recursive: true });
        break;
      case 'remove':
        rmSync(at(op.path));
        break;
      case 'rmdir':
        rmSync(at(op.path), { recursive: false });
        break;
    }
  }
}

/** A WorkerLike that runs the bundle in this process, messages crossing as they would (cloned, asynchronously). */
function inProcessWorker(text: string): WorkerLike {
  let scope: FakeScope | null = null;
  let gone = false;
  const w: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage: (m) => setTimeout(() => !gone && scope!.onmessage!({ data: structuredClone(m) })),
    terminate: () => void (gone = true),
  };
  scope = runBundle(text, (m) => setTimeout(() => !gone && w.onmessage?.({ data: m })));
  return w;
}

let script = '';
beforeAll(() => {
  buildOnce();
  script = readFileSync(join(root, 'dist/trainer-web.js'), 'utf8');
});

describe('web worker trainer bundle', () => {
  it('trains one epoch in memory and posts every write before the message that names its file', async () => {
    const posted: WorkerMessage[] = [];
    const scope = runBundle(script, (m) => void posted.push(m));
    scope.onmessage!({ data: boot() });
    scope.onmessage!({ data: { type: 'start', job: job() } });
    // The worker closes itself once the run is over.
    await scope.closed;
    const types = posted.map((m) => m.type);
    expect(types.filter((t) => t === 'error')).toEqual([]);
    expect(types.at(-1)).toBe('exit');
    expect(posted.at(-1)).toEqual({ type: 'exit' });

    // Where each file was written, and where the messages naming it came.
    const opAt = (pred: (op: FsOp) => boolean) => posted.findIndex((m) => m.type === 'fs' && m.ops.some(pred));
    const checkpointAt = opAt((o) => (o.op === 'write' && o.path === '/w/runs/Tiny-1/model.safetensors') || (o.op === 'rename' && o.to === '/w/runs/Tiny-1/model.safetensors'));
    const metricsAt = opAt((o) => (o.op === 'append' || o.op === 'write') && o.path === '/w/runs/Tiny-1/metrics.jsonl');
    const epochAt = types.indexOf('epoch');
    const doneAt = types.indexOf('done');
    // The run folder is claimed (mkdir, lock) before anything is said; the epoch's row follows its message (as
    // in Node) in the batch ahead of the next one; the checkpoint is there before `done` names it.
    expect(types.slice(0, 2)).toEqual(['fs', 'started']);
    expect(checkpointAt).toBeGreaterThan(epochAt);
    expect(metricsAt).toBeGreaterThan(epochAt);
    expect(checkpointAt).toBeLessThan(doneAt);
    expect(metricsAt).toBeLessThan(doneAt);
    expect(doneAt).toBeLessThan(types.length - 1);
    const done = posted[doneAt] as Extract<TrainerMessage, { type: 'done' }>;
    expect(done).toMatchObject({ checkpoint: '/w/runs/Tiny-1/model.safetensors', metricsFile: '/w/runs/Tiny-1/metrics.jsonl', stopped: false, epochsRun: 1 });

    // Applied in order to a real folder, the writes leave the run the Node trainer leaves: a loadable checkpoint,
    // one epoch row, and no lock.
    const ws = tempDir();
    for (const m of posted) if (m.type === 'fs') applyTo(ws, m.ops);
    const run = join(ws, 'runs/Tiny-1');
    const rows = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.filter((r) => 'epoch' in r)).toHaveLength(1);
    expect(Object.keys(loadCheckpoint(join(run, 'model.safetensors')).tensors).length).toBeGreaterThan(0);
    expect(existsSync(join(run, '.cnn-run.lock'))).toBe(false);
  });

  it('WebWorkerTrainer emits a message only after the writes before it reached the workspace', async () => {
    const ws = tempDir();
    const applied: string[] = [];
    const trainer = new WebWorkerTrainer({
      script: Promise.resolve(script),
      wasm: boot().wasm,
      inputs: async () => ({ files: [], folders: ['/w'] }),
      applyOps: async (ops) => {
        // A slow workspace: the next message must wait for this.
        await new Promise((r) => setTimeout(r, 5));
        applyTo(ws, ops);
        applied.push(...ops.map((o) => o.op));
      },
      threads: false,
      createWorker: inProcessWorker,
    });
    const seen: string[] = [];
    const there = (f: string) => existsSync(join(ws, 'runs/Tiny-1', f));
    trainer.on('message', (m) => {
      if (m.type === 'started') seen.push(`started, run folder there: ${there('')}`);
      if (m.type === 'done') seen.push(`done, checkpoint there: ${there('model.safetensors')}, metrics there: ${there('metrics.jsonl')}`);
    });
    expect(trainer.running).toBe(false);
    trainer.start(job());
    expect(trainer.running).toBe(true);
    const exit = await trainer.exited;
    expect(exit).toEqual({ code: 0, signal: null, crashed: false, stderr: '' });
    expect(trainer.running).toBe(false);
    expect(seen).toEqual(['started, run folder there: true', 'done, checkpoint there: true, metrics there: true']);
    // The lock the run took is given up after `done`, and that write arrived before the exit.
    expect(applied.at(-1)).toBe('remove');
    expect(existsSync(join(ws, 'runs/Tiny-1/.cnn-run.lock'))).toBe(false);
  });

  it('WebWorkerTrainer reports a start that cannot read its inputs as the run error, not a crash', async () => {
    const trainer = new WebWorkerTrainer({
      script,
      wasm: {},
      inputs: async () => {
        throw new Error('data/img/cat.png: permission denied');
      },
      applyOps: async () => {},
      createWorker: () => {
        throw new Error('no worker should start');
      },
    });
    const messages: TrainerMessage[] = [];
    trainer.on('message', (m) => messages.push(m));
    trainer.start(job());
    const exit = await trainer.exited;
    expect(exit.crashed).toBe(false);
    expect(messages).toEqual([{ type: 'error', stage: 'setup', message: 'The web trainer could not start: data/img/cat.png: permission denied' }]);
  });

  it('WebWorkerTrainer stops a run at its next step: done (stopped), the checkpoint written, a clean exit', async () => {
    const ws = tempDir();
    const trainer = new WebWorkerTrainer({
      script,
      wasm: boot().wasm,
      inputs: { files: [], folders: ['/w'] },
      applyOps: async (ops) => applyTo(ws, ops),
      threads: false,
      createWorker: inProcessWorker,
    });
    const messages: TrainerMessage[] = [];
    trainer.on('message', (m) => {
      messages.push(m);
      if (m.type === 'progress' && messages.filter((x) => x.type === 'progress').length === 1) void trainer.stop();
    });
    trainer.start({ ...job(), source: tinyModel({ epochs: 50, samples: 480 }) });
    const exit = await trainer.exited;
    expect(exit).toEqual({ code: 0, signal: null, crashed: false, stderr: '' });
    const done = messages.find((m) => m.type === 'done');
    expect(done).toMatchObject({ type: 'done', stopped: true });
    expect((done as { epochsRun: number }).epochsRun).toBeLessThan(50);
    expect(existsSync(join(ws, 'runs/Tiny-1/model.safetensors'))).toBe(true);
  });
});
