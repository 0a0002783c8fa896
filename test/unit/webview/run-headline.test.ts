// Issue 12, items 2 and 5: the idle Training tab says how the last run ended (the host's word) and shows its
// metrics.jsonl relative to the .cnn file's folder, the full path kept for the tooltip.

import { describe, expect, it } from 'vitest';
import type { RunInfo, RunStatus } from '../../../src/protocol/webview';
import { relativeTo } from '../../../webview/state/format';
import { initialState, type RunState } from '../../../webview/state/inspector';
import { runHeadline } from '../../../webview/state/run';

const FILE = '/home/student/cnn/lecture.cnn';
const METRICS = '/home/student/cnn/runs/DoorStairSign-20261130-101500/metrics.jsonl';
const status = (run: RunInfo): RunStatus => ({ training: run.phase === 'running', run, inspecting: false, checkpoint: null, note: null });
const last = (path: string | null = METRICS): RunState => ({ ...initialState().run, source: 'last', path, rows: [{ epoch: 1, trainLoss: 1, trainAccuracy: 0.5, valLoss: null, valAccuracy: null, valAuc: null }] });

describe('relativeTo', () => {
  it('cuts the .cnn file’s folder off a path inside it', () => {
    expect(relativeTo(METRICS, FILE)).toBe('runs/DoorStairSign-20261130-101500/metrics.jsonl');
  });
  it('keeps a path outside the folder, or one that only shares a prefix, as it is', () => {
    expect(relativeTo('/home/student/other/metrics.jsonl', FILE)).toBe('/home/student/other/metrics.jsonl');
    expect(relativeTo('/home/student/cnnx/runs/m.jsonl', FILE)).toBe('/home/student/cnnx/runs/m.jsonl');
    expect(relativeTo(METRICS, null)).toBe(METRICS);
    expect(relativeTo(METRICS, 'untitled:Untitled-1')).toBe(METRICS);
  });
  it('reads Windows paths, whatever the drive letter’s case', () => {
    expect(relativeTo('c:\\Users\\s\\cnn\\runs\\A-1\\metrics.jsonl', 'C:\\Users\\s\\cnn\\lecture.cnn')).toBe('runs\\A-1\\metrics.jsonl');
  });
});

describe('runHeadline', () => {
  it('a finished run: "Finished", the relative path, the full one for the tooltip', () => {
    const h = runHeadline(last(), status({ phase: 'finished', epochsRun: 3, epochs: 3, message: null }), FILE);
    expect(h).toEqual({ phase: 'finished', text: 'Finished after 3 epochs.', path: 'runs/DoorStairSign-20261130-101500/metrics.jsonl', fullPath: METRICS });
  });
  it('stopped and failed runs say so, with the epochs done of those planned', () => {
    expect(runHeadline(last(), status({ phase: 'stopped', epochsRun: 2, epochs: 5, message: null }), FILE).text).toBe('Stopped after 2 of 5 epochs.');
    expect(runHeadline(last(), status({ phase: 'stopped', epochsRun: 0, epochs: 5, message: null }), FILE).text).toBe('Stopped in its first epoch.');
    expect(runHeadline(last(), status({ phase: 'failed', epochsRun: 1, epochs: 5, message: 'train: The loss became NaN' }), FILE).text).toBe('Failed after 1 of 5 epochs: train: The loss became NaN');
  });
  it('no run yet: no path', () => {
    const h = runHeadline(initialState().run, status({ phase: 'none', epochsRun: 0, epochs: null, message: null }), FILE);
    expect(h).toMatchObject({ phase: 'none', text: 'No training run yet for this file.', path: null });
  });
  it('before the host’s status: what the run’s own end message says', () => {
    const run: RunState = { ...initialState().run, done: { type: 'done', checkpoint: 'c', metricsFile: METRICS, stopped: true, epochsRun: 1, final: null, test: null, best: null } };
    expect(runHeadline(run, null, FILE)).toMatchObject({ phase: 'stopped', text: 'Stopped after 1 epoch.' });
    expect(runHeadline(last(), null, FILE)).toMatchObject({ phase: 'none', text: 'Last run.' });
  });
});
