// The trainer's message loop (src/trainer/loop.ts) over a fake transport and fake runs: what the Node child and
// the web worker share — one job, stop at the next step, requests queued for the run, every message out before
// the trainer leaves.

import { describe, expect, it } from 'vitest';
import type { DoneMessage, ErrorMessage, RunRequest, TrainerMessage, TrainJob } from '../../../src/protocol/trainer';
import type { RunHooks } from '../../../src/trainer/hooks';
import { createTrainerLoop, type TrainerRunners } from '../../../src/trainer/loop';

const job: TrainJob = { file: '/w/a.cnn', source: 'network A\n', outDir: '/w/runs/a' };

const done = (stopped: boolean, epochsRun: number): DoneMessage => ({ type: 'done', checkpoint: '/w/runs/a/model.safetensors', metricsFile: '/w/runs/a/metrics.jsonl', stopped, epochsRun, final: null, test: null, best: null });

/** A transport that records what it was told, with a flush the test releases. */
function fakeTransport() {
  const log: (TrainerMessage | 'finish' | 'exitIdle' | 'flushed')[] = [];
  let release!: () => void;
  const pending = new Promise<void>((r) => (release = r));
  return {
    log,
    release,
    transport: {
      send: (m: TrainerMessage) => void log.push(m),
      flushed: () => pending.then(() => void log.push('flushed')),
      finish: () => void log.push('finish'),
      exitIdle: () => void log.push('exitIdle'),
    },
  };
}

/** A run of `steps` steps that yields between steps, takes requests as the real one does, and says when it stopped. */
function steppingRunner(steps: number, seen: RunRequest[], gate?: Promise<void>): TrainerRunners['train'] {
  return async (_job: TrainJob, hooks: RunHooks): Promise<DoneMessage | ErrorMessage> => {
    await gate;
    let s = 0;
    for (; s < steps; s++) {
      if (hooks.stopRequested()) break;
      for (let r = hooks.takeRequest(); r; r = hooks.takeRequest()) seen.push(r);
      hooks.emit({ type: 'log', message: `step ${s + 1}` });
      await new Promise((r) => setTimeout(r, 0));
    }
    const d = done(s < steps, s);
    hooks.emit(d);
    return d;
  };
}

const neverInspect: TrainerRunners['inspect'] = () => Promise.reject(new Error('not inspect'));

describe('trainer loop', () => {
  it('runs one job: messages, done, then finish only after every message is flushed', async () => {
    const t = fakeTransport();
    const loop = createTrainerLoop(t.transport, { train: steppingRunner(3, []), inspect: neverInspect });
    loop.receive({ type: 'start', job });
    loop.receive({ type: 'start', job }); // a second start is ignored
    await new Promise((r) => setTimeout(r, 20));
    // The run is over but the channel has not drained: not finished yet.
    expect(t.log.at(-1)).toMatchObject({ type: 'done', stopped: false, epochsRun: 3 });
    expect(t.log).not.toContain('finish');
    t.release();
    await loop.ended;
    expect(t.log.map((m) => (typeof m === 'string' ? m : m.type === 'log' ? m.message : m.type))).toEqual(['step 1', 'step 2', 'step 3', 'done', 'flushed', 'finish']);
  });

  it('stops a run at its next step', async () => {
    const t = fakeTransport();
    t.release();
    const loop = createTrainerLoop(t.transport, {
      // The host asks to stop as soon as it has seen step 2.
      train: (j, hooks) => steppingRunner(1000, [])(j, { ...hooks, emit: (m) => (hooks.emit(m), m.type === 'log' && m.message === 'step 2' && loop.receive({ type: 'stop' })) }),
      inspect: neverInspect,
    });
    loop.receive({ type: 'start', job });
    await loop.ended;
    const last = t.log.filter((m) => typeof m !== 'string').at(-1);
    expect(last).toMatchObject({ type: 'done', stopped: true, epochsRun: 2 });
    expect(t.log.at(-1)).toBe('finish');
    expect(t.log).not.toContain('exitIdle');
  });

  it('leaves at once on a stop before any job', () => {
    const t = fakeTransport();
    const loop = createTrainerLoop(t.transport, { train: steppingRunner(1, []), inspect: neverInspect });
    loop.receive({ type: 'stop' });
    expect(t.log).toEqual(['exitIdle']);
  });

  it('queues requests for the run: a newer snapshot or preview replaces a waiting one, evaluations are all kept', async () => {
    const t = fakeTransport();
    t.release();
    const seen: RunRequest[] = [];
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const loop = createTrainerLoop(t.transport, { train: steppingRunner(2, seen, gate), inspect: neverInspect });
    loop.receive({ type: 'start', job });
    loop.receive({ type: 'snapshot', sample: 1 });
    loop.receive({ type: 'evaluate' });
    loop.receive({ type: 'snapshot', sample: 2 });
    loop.receive({ type: 'evaluate' });
    loop.receive({ type: 'augmentPreview', sample: 0, count: 4, augment: { flip: 'none', rotate: 0, shift: 0, zoom: null, brightness: 0, contrast: 0, line: 0 } });
    open();
    await loop.ended;
    expect(seen.map((r) => (r.type === 'snapshot' ? `snapshot ${r.sample}` : r.type))).toEqual(['evaluate', 'snapshot 2', 'evaluate', 'augmentPreview']);
  });

  it('hands an inspect run its requests as they come, and ends it on stop', async () => {
    const t = fakeTransport();
    t.release();
    const answered: RunRequest[] = [];
    const loop = createTrainerLoop(t.transport, {
      train: () => Promise.reject(new Error('not train')),
      inspect: async (_j, hooks) => {
        for (let r = await hooks.nextRequest!(); r; r = await hooks.nextRequest!()) answered.push(r);
        const d = done(true, 0);
        hooks.emit(d);
        return d;
      },
    });
    loop.receive({ type: 'start', job: { ...job, mode: 'inspect' } });
    loop.receive({ type: 'snapshot', sample: 3 });
    await new Promise((r) => setTimeout(r, 0));
    loop.receive({ type: 'evaluate' });
    await new Promise((r) => setTimeout(r, 0));
    loop.receive({ type: 'stop' });
    await loop.ended;
    expect(answered.map((r) => r.type)).toEqual(['snapshot', 'evaluate']);
    expect(t.log.slice(-3).map((m) => (typeof m === 'string' ? m : m.type))).toEqual(['done', 'flushed', 'finish']);
  });

  it('answers a malformed message with a log line and carries on', () => {
    const t = fakeTransport();
    const loop = createTrainerLoop(t.transport, { train: steppingRunner(1, []), inspect: neverInspect });
    loop.receive({ type: 'start', job: { file: 3 } });
    expect(t.log).toHaveLength(1);
    expect(t.log[0]).toMatchObject({ type: 'log' });
    expect((t.log[0] as { message: string }).message).toMatch(/malformed/);
  });

  it('stops the run when the host goes away', async () => {
    const t = fakeTransport();
    t.release();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const loop = createTrainerLoop(t.transport, { train: steppingRunner(5, [], gate), inspect: neverInspect });
    loop.receive({ type: 'start', job });
    loop.hostGone();
    open();
    await loop.ended;
    expect(t.log.filter((m) => typeof m !== 'string')).toEqual([done(true, 0)]);
  });
});
