// The prediction tab's figures, worked out for drawing: the confusion matrix as counts or as each true class's
// percentages, the per-class table under it (precision, recall, F1, support and their macro mean), a
// multi-label sample's per-label bars at the 0.5 threshold, the per-label AUC table and the ROC plot's
// geometry (SVG paths over a unit square, one curve per class or label). Pure: no DOM.

import type { ClassScore, EvaluationMessage, RocCurve } from '../../src/protocol/trainer';

/** The multi-label decision threshold (a label counts as predicted at p ≥ 0.5, as the trainer's metrics do). */
export const THRESHOLD = 0.5;

/** Each cell's share of its row (its true class), 0…1; a row with no samples is all 0. */
export function rowShares(confusion: readonly (readonly number[])[]): number[][] {
  return confusion.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total ? v / total : 0));
  });
}

/** Accuracy from a confusion matrix (the diagonal over the total); null when it is empty. */
export function accuracyOf(confusion: readonly (readonly number[])[]): number | null {
  let right = 0;
  let all = 0;
  confusion.forEach((row, i) => row.forEach((v, j) => ((all += v), i === j && (right += v))));
  return all ? right / all : null;
}

/** A confusion cell as shown: the count, or with "normalise per row" the percentage of its true class. */
export function cellText(count: number, share: number, normalised: boolean): string {
  if (!normalised) return String(count);
  const p = 100 * share;
  // 0 and 100 stay whole; small shares keep a decimal so that 0.4% does not read as 0%.
  return p === 0 || p === 100 ? `${p}%` : p < 10 ? `${p.toFixed(1)}%` : `${Math.round(p)}%`;
}

/** A 0…1 figure with three decimals (AUC, precision, recall, F1), or a dash when undefined. */
export function formatScore(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(3);
}

export interface ScoreRow {
  name: string;
  precision: string;
  recall: string;
  f1: string;
  support: string;
}

/**
 * The table under the confusion matrix: one row per class (multi-label: per label at 0.5), then the macro mean
 * (the unweighted mean over classes, scikit-learn's `macro avg`) with the total support.
 */
export function scoreRows(classes: readonly string[], perClass: readonly ClassScore[]): { rows: ScoreRow[]; macro: ScoreRow | null } {
  const rows = perClass.map((s, i) => ({
    name: classes[i] ?? String(i),
    precision: formatScore(s.precision),
    recall: formatScore(s.recall),
    f1: formatScore(s.f1),
    support: s.support.toLocaleString('en-US'),
  }));
  if (!perClass.length) return { rows, macro: null };
  const mean = (f: (s: ClassScore) => number) => perClass.reduce((a, s) => a + f(s), 0) / perClass.length;
  const support = perClass.reduce((a, s) => a + s.support, 0);
  return {
    rows,
    macro: { name: 'macro mean', precision: formatScore(mean((s) => s.precision)), recall: formatScore(mean((s) => s.recall)), f1: formatScore(mean((s) => s.f1)), support: support.toLocaleString('en-US') },
  };
}

export interface LabelBar {
  index: number;
  name: string;
  /** The sigmoid output, clamped to 0…1. */
  p: number;
  /** Predicted present (p ≥ 0.5). */
  predicted: boolean;
  /** The sample's true value (0 or 1), when known. */
  truth: 0 | 1 | null;
  /** Prediction and truth disagree (only when the truth is known). */
  wrong: boolean;
}

/** A multi-label sample's per-label bars: each label's probability, predicted at 0.5, against its truth. */
export function labelBars(classes: readonly string[], probabilities: readonly number[], truth: readonly number[] | null | undefined): LabelBar[] {
  return probabilities.map((raw, i) => {
    const p = Math.min(1, Math.max(0, Number.isFinite(raw) ? raw : 0));
    const predicted = p >= THRESHOLD;
    const t = truth && i < truth.length ? (truth[i] ? 1 : 0) : null;
    return { index: i, name: classes[i] ?? String(i), p, predicted, truth: t, wrong: t !== null && predicted !== (t === 1) };
  });
}

/** "2 of 14 labels wrong" / "all 14 labels right": the sample's bars in a phrase (null without the truth). */
export function labelSummary(bars: readonly LabelBar[]): string | null {
  if (!bars.length || bars.some((b) => b.truth === null)) return null;
  const wrong = bars.filter((b) => b.wrong).length;
  return wrong === 0 ? `all ${bars.length} labels right at 0.5` : `${wrong} of ${bars.length} label${bars.length === 1 ? '' : 's'} wrong at 0.5`;
}

export interface AucRow {
  index: number;
  name: string;
  auc: string;
  /** The raw AUC (null: the split has no positives or no negatives of it). */
  value: number | null;
  /** Multi-label: accuracy of the label at 0.5. */
  accuracy: string | null;
  /** Positives of the class or label in the split. */
  support: number | null;
}

/** The AUC table: one row per class or label, in the evaluation's order (the curves' colours follow it). */
export function aucRows(e: Pick<EvaluationMessage, 'classes' | 'auc' | 'labelAccuracy' | 'perClass'>): AucRow[] {
  return e.classes.map((name, i) => {
    const value = e.auc.perClass[i] ?? null;
    const acc = e.labelAccuracy?.[i];
    return { index: i, name, value, auc: formatScore(value), accuracy: acc === undefined ? null : `${(100 * acc).toFixed(1)}%`, support: e.perClass[i]?.support ?? null };
  });
}

// ───────────────────────────── the ROC plot ─────────────────────────────

export interface RocPlot {
  /** The whole SVG's size. */
  width: number;
  height: number;
  /** The plot square inside it. */
  left: number;
  top: number;
  size: number;
  ticks: { value: number; label: string; x: number; y: number }[];
  /** The chance line, (0,0) to (1,1). */
  diagonal: string;
  curves: { index: number; path: string; points: number }[];
}

export const ROC_PAD = { left: 40, right: 12, top: 10, bottom: 34 };

/** x and y of a point of the unit square inside the plot (y upwards). */
export function rocScale(plot: Pick<RocPlot, 'left' | 'top' | 'size'>): { x: (v: number) => number; y: (v: number) => number } {
  return { x: (v) => plot.left + v * plot.size, y: (v) => plot.top + (1 - v) * plot.size };
}

const r1 = (v: number) => Math.round(v * 10) / 10;

/** An SVG path through a curve's (fpr, tpr) points; '' for an empty curve (a class whose AUC is undefined). */
export function rocPath(curve: RocCurve, scale: { x: (v: number) => number; y: (v: number) => number }): string {
  const n = Math.min(curve.fpr.length, curve.tpr.length);
  let d = '';
  for (let i = 0; i < n; i++) {
    const fx = curve.fpr[i]!;
    const ty = curve.tpr[i]!;
    if (!Number.isFinite(fx) || !Number.isFinite(ty)) continue;
    d += `${d ? 'L' : 'M'}${r1(scale.x(clamp01(fx)))},${r1(scale.y(clamp01(ty)))}`;
  }
  return d;
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}

/** The ROC plot of `side` pixels' plot square: axes with ticks at 0, 0.2 … 1, the diagonal, a path per curve. */
export function rocPlot(curves: readonly RocCurve[], side: number): RocPlot {
  const size = Math.max(60, Math.round(side));
  const plot = { left: ROC_PAD.left, top: ROC_PAD.top, size };
  const s = rocScale(plot);
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1].map((v) => ({ value: v, label: v === 0 || v === 1 ? String(v) : v.toFixed(1), x: s.x(v), y: s.y(v) }));
  return {
    width: ROC_PAD.left + size + ROC_PAD.right,
    height: ROC_PAD.top + size + ROC_PAD.bottom,
    ...plot,
    ticks,
    diagonal: `M${s.x(0)},${s.y(0)}L${s.x(1)},${s.y(1)}`,
    curves: curves.map((c, index) => ({ index, path: rocPath(c, s), points: Math.min(c.fpr.length, c.tpr.length) })),
  };
}

/**
 * The curve nearest to a point of the plot (in unit-square coordinates), for the hover: the distance to each
 * curve's segments; null when none is within `within` (unit-square units) or there are no curves.
 */
export function nearestCurve(curves: readonly RocCurve[], fx: number, ty: number, within = 0.06): number | null {
  let best: number | null = null;
  let bestD = within;
  curves.forEach((c, k) => {
    const n = Math.min(c.fpr.length, c.tpr.length);
    for (let i = 0; i + 1 < n; i++) {
      const d = segmentDistance(fx, ty, c.fpr[i]!, c.tpr[i]!, c.fpr[i + 1]!, c.tpr[i + 1]!);
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    if (n === 1) {
      const d = Math.hypot(fx - c.fpr[0]!, ty - c.tpr[0]!);
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
  });
  return best;
}

function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len = dx * dx + dy * dy;
  const t = len ? Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / len)) : 0;
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** The theme's six chart colours, then the same six dashed and dotted: 18 curves stay apart (ChestMNIST has 14). */
export const CURVE_COLORS = [
  'var(--vscode-charts-blue, #3794ff)',
  'var(--vscode-charts-orange, #d18616)',
  'var(--vscode-charts-green, #89d185)',
  'var(--vscode-charts-purple, #b180d7)',
  'var(--vscode-charts-red, #f14c4c)',
  'var(--vscode-charts-yellow, #cca700)',
] as const;
const CURVE_DASHES = [
  { dash: 'none', line: 'solid' },
  { dash: '6 3', line: 'dashed' },
  { dash: '1.5 2.5', line: 'dotted' },
] as const;

/** Curve `i`'s colour and dash pattern (SVG stroke-dasharray; `line`: the CSS border style of its legend swatch). */
export function curveStyle(i: number): { color: string; dash: string; line: 'solid' | 'dashed' | 'dotted' } {
  const k = Math.max(0, Math.floor(i));
  return { color: CURVE_COLORS[k % CURVE_COLORS.length]!, ...CURVE_DASHES[Math.floor(k / CURVE_COLORS.length) % CURVE_DASHES.length]! };
}
