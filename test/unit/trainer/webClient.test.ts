// WebWorkerTrainer (src/trainer/webClient.ts) against a scripted worker: the boot, the order of writes and
// messages, kills, a worker that dies, and stop's grace period.

import { describe, expect, it } from 'vitest';
import type { FsOp } from '../../../src/platform/host';
import type { TrainerMessage, TrainJob } from '../../../src/protocol/trainer';
import type { WorkerMessage } from '../../../src/protocol/webTrainer';
import { WebWorkerTrainer, type WebWorkerTrainerOptions, type WorkerLike } from '../../../src/trainer/webClient';

const job: TrainJob = { file: '/w/nets/a.cnn', source: 'network A\n', outDir: '/w/nets/runs/A-1' };

/** A worker whose side the test plays: what the host posted, and `say` to answer. */
function scripted() {
  const got: unknown[] = [];
  const transferred: Transferable[][] = [];
  let terminated = false;
  const worker: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage: (m, transfer) => {
      got.push(m);
      transferred.push(transfer ?? []);
    },
    terminate: () => void (terminated = true),
  };
  return {
    worker,
    got,
    transferred,
    terminated: () => terminated,
    say: (m: WorkerMessage | Record<string, unknown>) => worker.onmessage!({ data: m }),
  };
}

function trainer(w: ReturnType<typeof scripted>, extra: Partial<WebWorkerTrainerOptions> = {}) {
  const log: string[] = [];
  const t = new WebWorkerTrainer({
    script: 'worker source',
    wasm: { 'engine-simd.wasm': new Uint8Array([1]) },
    inputs: { files: [{ path: '/w/data/x.npz', data: new Uint8Array([2]) }], folders: ['/w/data'] },
    applyOps: async (ops: FsOp[]) => {
      log.push(`applying ${ops.length}`);
      await new Promise((r) => setTimeout(r, 5));
      log.push(`applied ${ops.map((o) => o.op).join(',')}`);
    },
    createWorker: (script) => (log.push(`worker from ${script}`), w.worker),
    ...extra,
  });
  t.on('message', (m) => log.push(m.type === 'log' ? `log ${m.message}` : m.type));
  t.on('exit', (e) => log.push(`exit ${e.code} ${e.signal} crashed=${e.crashed}${e.stderr ? ` ${e.stderr}` : ''}`));
  return { t, log };
}

const booted = (w: ReturnType<typeof scripted>) =>
  new Promise<void>((resolve) => {
    const check = () => (w.got.length >= 2 ? resolve() : setTimeout(check, 1));
    check();
  });

const done: TrainerMessage = { type: 'done', checkpoint: '/w/nets/runs/A-1/model.safetensors', metricsFile: '/w/nets/runs/A-1/metrics.jsonl', stopped: false, epochsRun: 1, final: null, test: null, best: null };

describe('WebWorkerTrainer', () => {
  it('boots the worker with the engine, the inputs and the job folder, then sends the job', async () => {
    const w = scripted();
    const { t } = trainer(w, { memoryBytes: 1 << 30 });
    t.start(job);
    await booted(w);
    expect(w.got).toEqual([
      {
        type: 'boot',
        wasm: { 'engine-simd.wasm': new Uint8Array([1]) },
        files: [{ path: '/w/data/x.npz', data: new Uint8Array([2]) }],
        folders: ['/w/data'],
        cwd: '/w/nets',
        memoryBytes: 1 << 30,
        threads: true,
      },
      { type: 'start', job },
    ]);
    expect(() => t.start(job)).toThrow(/already started/);
  });

  it('emits each message only after the writes posted before it were applied, and exits after the last batch', async () => {
    const w = scripted();
    const { t, log } = trainer(w);
    t.start(job);
    await booted(w);
    w.say({ type: 'fs', ops: [{ op: 'mkdir', path: '/w/nets/runs/A-1' }, { op: 'write', path: '/w/nets/runs/A-1/.cnn-run.lock', data: new Uint8Array(1) }] });
    w.say({ type: 'log', message: 'one' });
    w.say({ type: 'fs', ops: [{ op: 'write', path: '/w/nets/runs/A-1/model.safetensors', data: new Uint8Array(4) }] });
    w.say(done);
    w.say({ type: 'fs', ops: [{ op: 'remove', path: '/w/nets/runs/A-1/.cnn-run.lock' }] });
    w.say({ type: 'exit' });
    const exit = await t.exited;
    expect(exit).toEqual({ code: 0, signal: null, crashed: false, stderr: '' });
    expect(log).toEqual([
      'worker from worker source',
      'applying 2',
      'applied mkdir,write',
      'log one',
      'applying 1',
      'applied write',
      'done',
      'applying 1',
      'applied remove',
      'exit 0 null crashed=false',
    ]);
    expect(w.terminated()).toBe(true);
    expect(t.running).toBe(false);
  });

  it('a worker that exits without done or error crashed; one that fails reports why', async () => {
    const a = scripted();
    const first = trainer(a);
    first.t.start(job);
    await booted(a);
    a.say({ type: 'exit', error: 'RangeError: out of memory' });
    expect(await first.t.exited).toEqual({ code: 1, signal: null, crashed: true, stderr: 'RangeError: out of memory' });

    const b = scripted();
    const second = trainer(b);
    second.t.start(job);
    await booted(b);
    b.worker.onerror!({ message: 'Uncaught SyntaxError' });
    expect(await second.t.exited).toEqual({ code: 1, signal: null, crashed: true, stderr: 'Uncaught SyntaxError' });
    expect(b.terminated()).toBe(true);
  });

  it('stops with a stop message, and kills the worker when it has not ended within the grace period', async () => {
    const w = scripted();
    const { t, log } = trainer(w, { killAfterMs: 20 });
    t.start(job);
    await booted(w);
    w.say({ type: 'fs', ops: [{ op: 'append', path: '/w/nets/runs/A-1/metrics.jsonl', text: '{}\n' }] });
    const exit = await t.stop();
    expect(w.got.at(-1)).toEqual({ type: 'stop' });
    expect(w.terminated()).toBe(true);
    expect(exit).toEqual({ code: null, signal: 'SIGKILL', crashed: true, stderr: '' });
    // What had arrived before the kill still reached the workspace.
    expect(log.slice(-2)).toEqual(['applied append', 'exit null SIGKILL crashed=true']);
  });

  it('moves the inputs read for the job into the worker, never the engine\u2019s bytes it keeps for the next run', async () => {
    const w = scripted();
    const wasm = { 'engine-simd.wasm': new Uint8Array([1]) };
    const data = new Uint8Array([9, 9, 9]);
    const { t } = trainer(w, { wasm, inputs: async () => ({ files: [{ path: '/w/data/x.npz', data }, { path: '/w/data/y.npz', data: new Uint8Array(new ArrayBuffer(8), 2, 3) }], folders: [] }) });
    t.start(job);
    await booted(w);
    // The whole-buffer file moves; the view into a larger buffer (it may share it) and the engine's bytes are copied.
    expect(w.transferred[0]).toEqual([data.buffer]);
    expect(w.transferred[1]).toEqual([]);
    // Inputs given once for every job are copied too.
    const v = scripted();
    const fixed = trainer(v);
    fixed.t.start(job);
    await booted(v);
    expect(v.transferred[0]).toEqual([]);
  });

  it('gives up the run folder\u2019s lock for a worker that was killed or died holding it, not for one that released it', async () => {
    const lock = '/w/nets/runs/A-1/.cnn-run.lock';
    const removed = async (end: (w: ReturnType<typeof scripted>, t: WebWorkerTrainer) => void, release: boolean) => {
      const w = scripted();
      const ops: FsOp[] = [];
      const { t } = trainer(w, { applyOps: async (o) => void ops.push(...o) });
      t.start(job);
      await booted(w);
      w.say({ type: 'fs', ops: [{ op: 'write', path: lock, data: new Uint8Array([123]) }, { op: 'mkdir', path: '/w/nets/runs/A-1/x' }] });
      if (release) w.say({ type: 'fs', ops: [{ op: 'remove', path: lock }] });
      end(w, t);
      await t.exited;
      return ops.filter((o) => o.op === 'remove').map((o) => (o as { path: string }).path);
    };
    expect(await removed((_w, t) => t.kill(), false)).toEqual([lock]);
    expect(await removed((w) => w.worker.onerror!({ message: 'out of memory' }), false)).toEqual([lock]);
    expect(await removed((w) => w.say({ type: 'exit', error: 'RangeError: boom' }), false)).toEqual([lock]);
    // The run gave it up itself: nothing more to remove.
    expect(await removed((w) => w.say({ type: 'exit' }), true)).toEqual([lock]);
    expect(await removed((_w, t) => t.kill(), true)).toEqual([lock]);
  });

  it('stops the run when its writes cannot reach the workspace', async () => {
    const w = scripted();
    const { t, log } = trainer(w, {
      applyOps: () => Promise.reject(new Error('NoPermissions (FileSystemError)')),
    });
    t.start(job);
    await booted(w);
    w.say({ type: 'fs', ops: [{ op: 'mkdir', path: '/w/nets/runs/A-1' }] });
    w.say({ type: 'log', message: 'after' });
    const exit = await t.exited;
    expect(exit.crashed).toBe(false);
    expect(w.terminated()).toBe(true);
    expect(log.slice(1)).toEqual(['error', 'exit 1 null crashed=false']);
  });

  it('sends a picked image ahead of the snapshot request that names it', async () => {
    const w = scripted();
    const { t } = trainer(w, { readFile: async (p) => new Uint8Array([p.length]) });
    t.start(job);
    await booted(w);
    t.send({ type: 'snapshot', imagePath: '/w/pics/cat.png' });
    t.send({ type: 'evaluate' });
    await new Promise<void>((resolve) => {
      const check = () => (w.got.length >= 5 ? resolve() : setTimeout(check, 1));
      check();
    });
    expect(w.got.slice(2)).toEqual([
      { type: 'preload', files: [{ path: '/w/pics/cat.png', data: new Uint8Array([15]) }] },
      { type: 'snapshot', imagePath: '/w/pics/cat.png' },
      { type: 'evaluate' },
    ]);
  });

  it('ignores a malformed message from the worker with a log line', async () => {
    const w = scripted();
    const { t, log } = trainer(w);
    t.start(job);
    await booted(w);
    w.say({ type: 'fs', ops: [{ op: 'write', path: '/a' } as unknown as FsOp] });
    w.say({ type: 'exit' });
    await t.exited;
    expect(log[1]).toMatch(/^log ignored a malformed message from the web trainer/);
  });
});
