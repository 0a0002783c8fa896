// The gradient-flow chart's state (webview/state/health.ts), its log axis (webview/state/logScale.ts) and the
// reducer's `health` case.
import { describe, expect, it } from 'vitest';

import { modelView } from '../../../src/features/modelView';
import { check } from '../../../src/language';
import type { HealthMessage, LayerHealth } from '../../../src/protocol/trainer';
import type { HostToWebview } from '../../../src/protocol/webview';
import { emptyHealth, MAX_HEALTH_POINTS, reduceHealth } from '../../../webview/state/health';
import { initialState, reduce } from '../../../webview/state/inspector';
import { logLabel, logTicks, positive } from '../../../webview/state/logScale';
import { LECTURE_SOURCE } from './fixtures';

const layer = (index: number, gradNorm: number | null): LayerHealth => ({ index, line: index + 4, kind: gradNorm === null ? 'relu' : 'conv', gradNorm, paramGradNorm: gradNorm, weightNorm: 1, updateRatio: 1e-3 });
const msg = (step: number, layers: LayerHealth[], diagnostics: HealthMessage['diagnostics'] = null): HealthMessage => ({ type: 'health', step, epoch: 1, layers, diagnostics, samples: 0 });

describe('gradient-flow state', () => {
  it('one series per parameterised layer, a point per record; zero norms are left out, a step back starts again', () => {
    let h = reduceHealth(emptyHealth(), msg(20, [layer(0, 0.5), layer(1, null), layer(2, 0)]));
    h = reduceHealth(h, msg(40, [layer(0, 0.25), layer(2, 1e-6)], []));
    expect(h.series.map((s) => [s.index, s.points])).toEqual([
      [0, [{ x: 20, y: 0.5 }, { x: 40, y: 0.25 }]],
      [2, [{ x: 40, y: 1e-6 }]],
    ]);
    expect(h.latest?.step).toBe(40);
    // The same step again (an epoch's end right after a record) adds no point.
    expect(reduceHealth(h, msg(40, [layer(0, 0.3)])).series[0]!.points).toHaveLength(2);
    const restarted = reduceHealth(h, msg(5, [layer(0, 2)]));
    expect(restarted.series.map((s) => s.points)).toEqual([[{ x: 5, y: 2 }]]);
    expect(restarted.latest).toBeNull();
  });

  it('keeps at most MAX_HEALTH_POINTS per layer', () => {
    let h = emptyHealth();
    for (let s = 1; s <= 3 * MAX_HEALTH_POINTS; s++) h = reduceHealth(h, msg(s, [layer(0, 1 / s)]));
    const pts = h.series[0]!.points;
    expect(pts.length).toBeLessThanOrEqual(MAX_HEALTH_POINTS + 1);
    expect(pts[pts.length - 1]!.x).toBe(3 * MAX_HEALTH_POINTS);
  });

  it('the inspector reducer keeps the series in the run, and a new run starts them afresh', () => {
    const FILE = '/w/lecture.cnn';
    let s = reduce(initialState(), { type: 'model', model: modelView(check(LECTURE_SOURCE), FILE, 1) });
    s = reduce(s, { type: 'trainer', file: FILE, message: msg(20, [layer(0, 0.5)]) } as HostToWebview);
    expect(s.run.health.series).toHaveLength(1);
    s = reduce(s, { type: 'trainer', file: FILE, message: { type: 'started', epochs: 1, stepsPerEpoch: 1, trainSize: 1, valSize: 0, classes: ['a'], params: 1, backend: 'builtin', warnings: [], task: 'single', classCounts: [1], classWeights: null } } as HostToWebview);
    expect(s.run.health.series).toEqual([]);
  });
});

describe('log axis', () => {
  it('ticks at powers of ten covering the data, every k-th decade when wide', () => {
    expect(logTicks(0.003, 0.4)).toEqual({ min: 1e-3, max: 1, values: [1e-3, 1e-2, 1e-1, 1] });
    expect(logTicks(1, 1)).toEqual({ min: 0.1, max: 10, values: [0.1, 1, 10] });
    const wide = logTicks(1e-12, 10);
    expect(wide.min).toBeCloseTo(1e-12, 20);
    expect(wide.values.length).toBeLessThanOrEqual(7);
    expect(wide.values[wide.values.length - 1]).toBe(10);
    expect(logTicks(0, NaN)).toEqual(logTicks(1e-3, 1));
    expect([1e-5, 1e-3, 0.01, 0.1, 1, 10, 100, 1000].map(logLabel)).toEqual(['1e-5', '1e-3', '0.01', '0.1', '1', '10', '100', '1e3']);
    expect(positive([[0, 1], [1, 0], [2, -1], [3, Infinity], [4, 2]])).toEqual([[0, 1], [4, 2]]);
  });
});
