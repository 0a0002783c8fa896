// The one wording of some trainer messages as text, shared by the command line's lines and the editor's log
// and notifications (the messages themselves: trainer.ts).

import type { PreparingMessage, StartedMessage, TestFigures } from './trainer';

/** The one wording of a PreparingMessage, for the CLI's line and the editor's progress notification. */
export function preparingText(m: PreparingMessage): string {
  const layers = m.layers > 0 ? `, ${m.layers.toLocaleString('en-US')} layers` : '';
  return `preparing: ${m.stage} (${Math.round(m.seconds)} s${layers})…`;
}

/**
 * The one wording of the training split's class counts (positives per label for multi-label) with the loss
 * weights when set: a small table, for the CLI before training and the editor's log.
 */
export function classCountText(m: Pick<StartedMessage, 'task' | 'classes' | 'classCounts' | 'classWeights'>): string {
  const multi = m.task === 'multilabel';
  const rows = [[multi ? 'label' : 'class', multi ? 'positives' : 'samples', ...(m.classWeights ? [multi ? 'pos_weight' : 'weight'] : [])]];
  m.classes.forEach((name, k) => rows.push([name, (m.classCounts[k] ?? 0).toLocaleString('en-US'), ...(m.classWeights ? [String(Number((m.classWeights[k] ?? 0).toPrecision(3)))] : [])]));
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => [...r[j]!].length)));
  const lines = rows.map((r) => '  ' + r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join('  ').trimEnd());
  return `The training split${multi ? ' (multi-label)' : ''}:\n${lines.join('\n')}\n`;
}

/** The one wording of a run's test figures: "Test split (80 samples): loss 0.1050 acc 97.6% AUC 0.9841". */
export function testFiguresText(t: TestFigures): string {
  return `Test split (${t.samples.toLocaleString('en-US')} samples): loss ${t.loss.toFixed(4)} acc ${(100 * t.accuracy).toFixed(1)}% AUC ${t.auc === null ? '–' : t.auc.toFixed(4)}`;
}
