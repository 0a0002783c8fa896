// Issue 12, item 2: the inspector's host knows where a file's run stands — a pure reducer over the trainer's
// messages, the run folder's metrics.jsonl when this window ran nothing — and a panel opened after the run
// ended gets "finished", its curves and no `started` to take for a live run.

import { describe, expect, it } from 'vitest';
import { emptyFileRun, type FileRun, reduceFileRun, replay, runFromDisk, runInfo, TRAINER_EXITED } from '../../../src/features/inspectorRun';
import type { TrainerMessage } from '../../../src/protocol/trainer';
import type { HostToWebview, RunStatus } from '../../../src/protocol/webview';
import { initialState, isLive, reduce } from '../../../webview/state/inspector';

const FILE = '/w/lecture.cnn';
const started: TrainerMessage = { type: 'started', epochs: 3, stepsPerEpoch: 10, trainSize: 300, valSize: 30, classes: ['a', 'b'], params: 100, backend: 'builtin', warnings: [], task: 'single', classCounts: [150, 150], classWeights: null };
const progress = (epoch: number, step: number): TrainerMessage => ({ type: 'progress', epoch, epochs: 3, step, steps: 10, loss: 1 / epoch, accuracy: 0.5, samplesPerSec: 100, etaSec: 3 });
const epoch = (n: number): TrainerMessage => ({ type: 'epoch', epoch: n, epochs: 3, trainLoss: 1 / n, trainAccuracy: 0.5 + n / 10, valLoss: 1.1 / n, valAccuracy: 0.4 + n / 10, valAuc: null, seconds: 1 });
const done = (stopped: boolean, epochsRun: number): TrainerMessage => ({ type: 'done', checkpoint: '/w/runs/A-1/model.safetensors', metricsFile: '/w/runs/A-1/metrics.jsonl', stopped, epochsRun, final: null, test: null, best: null });
const exited: TrainerMessage = { type: 'log', message: TRAINER_EXITED };

const feed = (messages: TrainerMessage[], r: FileRun = emptyFileRun()) => messages.reduce((acc, m) => reduceFileRun(acc, m, 'training'), r);
const line = (n: number, of = 3) => JSON.stringify({ epoch: n, epochs: of, trainLoss: 1 / n, trainAccuracy: 0.5, valLoss: 1, valAccuracy: 0.5, seconds: 1, time: '2026-11-30T00:00:00Z' });

describe('a file run in this window', () => {
  it('is live from started to done, and remembers how it ended', () => {
    const running = feed([started, progress(1, 5), epoch(1), progress(2, 5)]);
    expect(running.live).toBe(true);
    expect(running.rows.map((r) => r.epoch)).toEqual([1]);
    expect(runInfo(true, running, null)).toEqual({ phase: 'running', epochsRun: 1, epochs: 3, message: null });
    const finished = feed([epoch(2), epoch(3), done(false, 3), exited], running);
    expect(finished.live).toBe(false);
    expect(finished.metricsFile).toBe('/w/runs/A-1/metrics.jsonl');
    expect(runInfo(false, finished, null)).toEqual({ phase: 'finished', epochsRun: 3, epochs: 3, message: null });
    // This window's own end wins over anything on disk.
    expect(runInfo(false, finished, { phase: 'stopped', epochsRun: 1, epochs: 3, message: null }).phase).toBe('finished');
  });

  it('stopped, failed, crashed: each its own phase; a snapshot error does not end the run', () => {
    expect(runInfo(false, feed([started, epoch(1), done(true, 1)]), null)).toEqual({ phase: 'stopped', epochsRun: 1, epochs: 3, message: null });
    const snapErr = feed([started, { type: 'error', stage: 'snapshot', message: 'no image' }]);
    expect(snapErr.live).toBe(true);
    const failed = feed([started, epoch(1), { type: 'error', stage: 'train', message: 'The loss became NaN' }, exited]);
    expect(runInfo(false, failed, null)).toEqual({ phase: 'failed', epochsRun: 1, epochs: 3, message: 'train: The loss became NaN' });
    const crashed = feed([started, progress(1, 2), exited]);
    expect(runInfo(false, crashed, null)).toMatchObject({ phase: 'failed', epochsRun: 0, message: expect.stringMatching(/exited/) });
    // A new run starts afresh.
    expect(feed([started], failed)).toMatchObject({ live: true, rows: [], ended: null });
  });

  it('an inspect-only trainer adds feature maps and evaluations, never a run', () => {
    const snap = { type: 'snapshot', source: 'validation #0', label: 0, input: { shape: [1], data: new Float32Array(1) }, activations: [], filters: [], probabilities: [1] } as unknown as TrainerMessage;
    let r = reduceFileRun(emptyFileRun(), started, 'inspect');
    expect(r).toEqual(emptyFileRun());
    r = reduceFileRun(r, snap, 'inspect');
    expect(r.snapshot).toBe(snap);
    expect(r.live).toBe(false);
    expect(runInfo(false, r, null).phase).toBe('none');
  });

  it('a live trainer is running whatever this window or the disk say', () => {
    expect(runInfo(true, undefined, { phase: 'finished', epochsRun: 3, epochs: 3, message: null }).phase).toBe('running');
    expect(runInfo(false, undefined, null)).toEqual({ phase: 'none', epochsRun: 0, epochs: null, message: null });
  });
});

describe('a run folder on disk', () => {
  it('finished when its last epoch line is the last planned epoch', () => {
    expect(runFromDisk([line(1), line(2), line(3)].join('\n') + '\n', true)).toEqual({ phase: 'finished', epochsRun: 3, epochs: 3, message: null });
  });
  it('stopped when it ended before the planned epochs, or inside the first with a checkpoint', () => {
    expect(runFromDisk([line(1, 5), line(2, 5)].join('\n'), true)).toEqual({ phase: 'stopped', epochsRun: 2, epochs: 5, message: null });
    expect(runFromDisk('', true)).toMatchObject({ phase: 'stopped', epochsRun: 0 });
  });
  it('failed when it wrote neither an epoch nor a checkpoint; odd lines are skipped', () => {
    expect(runFromDisk('', false)).toMatchObject({ phase: 'failed', epochsRun: 0 });
    expect(runFromDisk(`${line(1, 2)}\n${line(2, 2)}\n{"half`, true)).toMatchObject({ phase: 'finished', epochsRun: 2, epochs: 2 });
    expect(runFromDisk('not json\n\n', true)).toMatchObject({ phase: 'stopped', epochsRun: 0 });
  });
  it('is what a reloaded window (nothing in memory) reports', () => {
    expect(runInfo(false, undefined, runFromDisk([line(1), line(2), line(3)].join('\n'), true)).phase).toBe('finished');
  });
});

describe('a panel opened after the run ended', () => {
  /** What the host sends a fresh panel, in sendAll's order (model and cursor aside). */
  const reopen = (r: FileRun, training: boolean): HostToWebview[] => {
    const status: RunStatus = { training, run: runInfo(training, r, null), inspecting: false, checkpoint: null, note: null };
    const again = replay(r);
    return [
      ...again.before.map((message) => ({ type: 'trainer', file: FILE, message }) as const),
      { type: 'status', file: FILE, status },
      r.live ? { type: 'history', file: FILE, source: 'live', path: null, rows: r.rows } : { type: 'history', file: FILE, source: 'last', path: r.metricsFile, rows: r.rows },
      ...again.after.map((message) => ({ type: 'trainer', file: FILE, message }) as const),
    ];
  };
  const model: HostToWebview = { type: 'model', model: { file: FILE, fileName: 'lecture.cnn', version: 1, name: 'A', input: null, inputLine: null, classes: null, task: 'single', augment: null, layers: [], jumps: [], params: 0, macs: 0, incomplete: false, errorCount: 0, warningCount: 0 } };

  it('shows the finished run: not live, its curves, finished', () => {
    const r = feed([started, progress(1, 10), epoch(1), epoch(2), epoch(3), done(false, 3), exited]);
    expect(replay(r).before).toEqual([]);
    const s = reopen(r, false).reduce(reduce, reduce(initialState(), model));
    expect(isLive(s)).toBe(false);
    expect(s.run.rows.map((x) => x.epoch)).toEqual([1, 2, 3]);
    expect(s.run.started).toBeNull();
    expect(s.status?.run.phase).toBe('finished');
  });

  it('a panel opened during a run gets the run back live, with its epochs so far', () => {
    const r = feed([started, progress(1, 10), epoch(1), progress(2, 3)]);
    const s = reopen(r, true).reduce(reduce, reduce(initialState(), model));
    expect(isLive(s)).toBe(true);
    expect(s.run.rows.map((x) => x.epoch)).toEqual([1]);
    expect(s.run.progress?.epoch).toBe(2);
  });

  it('the host status decides over a stale started message', () => {
    let s = reduce(reduce(initialState(), model), { type: 'trainer', file: FILE, message: started });
    expect(isLive(s)).toBe(true); // before the host has said anything
    s = reduce(s, { type: 'status', file: FILE, status: { training: false, run: { phase: 'finished', epochsRun: 3, epochs: 3, message: null }, inspecting: false, checkpoint: null, note: null } });
    expect(isLive(s)).toBe(false);
  });
});
