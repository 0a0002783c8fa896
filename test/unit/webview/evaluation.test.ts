// Issue 9, item 5: the prediction tab's figures for both tasks — the confusion matrix per row, the per-class
// table, a multi-label sample's bars at 0.5, the AUC table and the ROC plot's geometry and hover.

import { describe, expect, it } from 'vitest';
import {
  accuracyOf,
  aucRows,
  cellText,
  curveStyle,
  formatScore,
  labelBars,
  labelSummary,
  nearestCurve,
  rocPath,
  rocPlot,
  rocScale,
  rowShares,
  scoreRows,
} from '../../../webview/state/evaluation';
import { lectureEvaluation } from './fixtures';

describe('confusion matrix per row', () => {
  it('gives each cell its share of the true class; an empty row stays 0', () => {
    expect(rowShares([[3, 1], [0, 0], [2, 6]])).toEqual([[0.75, 0.25], [0, 0], [0.25, 0.75]]);
    expect(accuracyOf([[3, 1], [2, 6]])).toBeCloseTo(9 / 12);
    expect(accuracyOf([])).toBeNull();
  });

  it('shows counts, or percentages with a decimal under 10%', () => {
    expect(cellText(92, 0.92, false)).toBe('92');
    expect(cellText(92, 0.92, true)).toBe('92%');
    expect(cellText(1, 0.004, true)).toBe('0.4%');
    expect(cellText(0, 0, true)).toBe('0%');
    expect(cellText(5, 1, true)).toBe('100%');
    expect(cellText(7, 0.0666, true)).toBe('6.7%');
  });
});

describe('per-class table', () => {
  it('formats precision, recall, F1 and support, and their macro mean', () => {
    const e = lectureEvaluation();
    const { rows, macro } = scoreRows(e.classes, e.perClass);
    expect(rows.map((r) => r.name)).toEqual(['door', 'stair', 'sign']);
    expect(rows[0]).toEqual({ name: 'door', precision: (92 / 101).toFixed(3), recall: '0.920', f1: ((2 * 92) / 201).toFixed(3), support: '100' });
    const mean = (92 / 101 + 88 / 97 + 94 / 102) / 3;
    expect(macro).toMatchObject({ name: 'macro mean', precision: mean.toFixed(3), recall: ((0.92 + 0.88 + 0.94) / 3).toFixed(3), support: '300' });
    expect(scoreRows([], [])).toEqual({ rows: [], macro: null });
  });

  it('writes an undefined figure as a dash', () => {
    expect(formatScore(null)).toBe('–');
    expect(formatScore(Number.NaN)).toBe('–');
    expect(formatScore(0.87654)).toBe('0.877');
  });
});

describe('multi-label bars', () => {
  const classes = ['Atelectasis', 'Cardiomegaly', 'Effusion'];

  it('predicts at 0.5 and compares with the truth label by label', () => {
    const bars = labelBars(classes, [0.8, 0.2, 0.5], [1, 1, 0]);
    expect(bars.map((b) => [b.name, b.predicted, b.truth, b.wrong])).toEqual([
      ['Atelectasis', true, 1, false],
      ['Cardiomegaly', false, 1, true],
      ['Effusion', true, 0, true],
    ]);
    expect(labelSummary(bars)).toBe('2 of 3 labels wrong at 0.5');
    expect(labelSummary(labelBars(classes, [0.9, 0.1, 0.1], [1, 0, 0]))).toBe('all 3 labels right at 0.5');
  });

  it('without the truth (an image file) marks nothing wrong and says nothing; clamps odd values', () => {
    const bars = labelBars(classes, [1.2, -0.1, Number.NaN], undefined);
    expect(bars.map((b) => b.p)).toEqual([1, 0, 0]);
    expect(bars.every((b) => b.truth === null && !b.wrong)).toBe(true);
    expect(labelSummary(bars)).toBeNull();
  });
});

describe('AUC table and ROC plot', () => {
  const multi = {
    classes: ['a', 'b', 'c'],
    auc: { mean: 0.8, perClass: [0.9, null, 0.7] },
    labelAccuracy: [0.95, 1, 0.875],
    perClass: [
      { precision: 1, recall: 0.5, f1: 2 / 3, support: 4 },
      { precision: 0, recall: 0, f1: 0, support: 0 },
      { precision: 0.5, recall: 0.5, f1: 0.5, support: 2 },
    ],
  };

  it('lists every label with its AUC (a dash where it is undefined), accuracy and positives', () => {
    const rows = aucRows(multi);
    expect(rows.map((r) => [r.name, r.auc, r.accuracy, r.support])).toEqual([
      ['a', '0.900', '95.0%', 4],
      ['b', '–', '100.0%', 0],
      ['c', '0.700', '87.5%', 2],
    ]);
    expect(aucRows(lectureEvaluation()).every((r) => r.accuracy === null)).toBe(true);
  });

  it('maps the unit square onto the plot with y upwards, the diagonal corner to corner', () => {
    const plot = rocPlot([{ fpr: [0, 0.5, 1], tpr: [0, 1, 1] }, { fpr: [], tpr: [] }], 200);
    const s = rocScale(plot);
    expect(s.x(0)).toBe(plot.left);
    expect(s.x(1)).toBe(plot.left + 200);
    expect(s.y(0)).toBe(plot.top + 200);
    expect(s.y(1)).toBe(plot.top);
    expect(plot.diagonal).toBe(`M${plot.left},${plot.top + 200}L${plot.left + 200},${plot.top}`);
    expect(plot.curves[0]!.path).toBe(`M${plot.left},${plot.top + 200}L${plot.left + 100},${plot.top}L${plot.left + 200},${plot.top}`);
    // A label without positives has no curve: nothing to draw.
    expect(plot.curves[1]!.path).toBe('');
    expect(plot.ticks.map((t) => t.label)).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1']);
    expect(plot.width).toBeGreaterThan(200);
  });

  it('skips non-finite points and clamps the rest into the square', () => {
    const s = rocScale({ left: 0, top: 0, size: 100 });
    expect(rocPath({ fpr: [0, Number.NaN, 1.2], tpr: [-0.1, 0.5, 1] }, s)).toBe('M0,100L100,0');
  });

  it('finds the curve under the pointer, and none far from every curve', () => {
    const curves = [
      { fpr: [0, 0, 1], tpr: [0, 1, 1] }, // perfect: up the left edge, along the top
      { fpr: [0, 1], tpr: [0, 1] }, // chance
    ];
    expect(nearestCurve(curves, 0.01, 0.5)).toBe(0);
    expect(nearestCurve(curves, 0.5, 0.52)).toBe(1);
    expect(nearestCurve(curves, 0.9, 0.3)).toBeNull();
    expect(nearestCurve([], 0.5, 0.5)).toBeNull();
  });

  it('gives 18 curves 18 different looks (ChestMNIST has 14 labels)', () => {
    const looks = new Set(Array.from({ length: 18 }, (_, i) => JSON.stringify(curveStyle(i))));
    expect(looks.size).toBe(18);
    expect(curveStyle(0)).toEqual({ color: 'var(--vscode-charts-blue, #3794ff)', dash: 'none', line: 'solid' });
    expect(curveStyle(6).line).toBe('dashed');
  });
});
