// How many training samples each class has (positives per label for multi-label data), the loss weights that
// `train class_weights=` asks for, and the warning shown before training when the classes are imbalanced and no
// weights are set.
//
// balanced, single-label: w_c = n / (K · n_c), scikit-learn's compute_class_weight('balanced') (used as
// CrossEntropyLoss(weight=w)). A class with no samples is refused, as scikit-learn refuses it.
// balanced, multi-label: w_l = (n − pos_l) / pos_l, PyTorch's advice for BCEWithLogitsLoss(pos_weight=w). A label
// with no positives is refused (its weight would be infinite); one positive in every sample gets weight 0.

import type { Task, TrainSpec } from '../language/model';
import { DataError, fmt, taskOf, type Dataset } from './dataset';

/** Samples per class (single-label), or positives per label (multi-label), over the whole dataset. */
export function classCounts(ds: Dataset): number[] {
  const k = ds.numClasses;
  const counts = new Array<number>(k).fill(0);
  if (taskOf(ds) === 'multilabel') {
    if (!ds.labelRow) throw new TypeError('a multi-label dataset must provide labelRow');
    const row = new Float32Array(k);
    for (let i = 0; i < ds.size; i++) {
      ds.labelRow(i, row, 0);
      for (let j = 0; j < k; j++) if (row[j] === 1) counts[j]++;
    }
    return counts;
  }
  for (let i = 0; i < ds.size; i++) {
    const y = ds.label(i);
    if (!(y >= 0 && y < k)) throw new RangeError(`sample ${i} has label ${y}, outside 0…${k - 1}`);
    counts[y]++;
  }
  return counts;
}

function nameOf(classNames: readonly string[] | undefined, k: number): string {
  return `'${classNames?.[k] ?? String(k)}'`;
}

/**
 * The loss weights for `train class_weights=` (null when the setting is null): one per class (single-label,
 * CrossEntropyLoss's weight) or per label (multi-label, BCEWithLogitsLoss's pos_weight). `counts` come from
 * `classCounts` of the training split and `n` is its size. A list is used as it is. Throws DataError (E040)
 * for a list of the wrong length or with a negative or non-finite weight, and for `balanced` when a class
 * has no samples (a label no positives).
 */
export function resolveClassWeights(setting: TrainSpec['classWeights'], counts: readonly number[], n: number, task: Task, classNames?: readonly string[]): Float32Array | null {
  if (setting === null) return null;
  const k = counts.length;
  const unit = task === 'multilabel' ? 'label' : 'class';
  if (setting !== 'balanced') {
    if (setting.length !== k) {
      throw new DataError(
        `class_weights gives ${setting.length} weight${setting.length === 1 ? '' : 's'} but the network has ${k} ${unit === 'label' ? 'labels' : 'classes'}: give ${k}, one per ${unit} in the order of the classes line, or use class_weights=balanced.`,
      );
    }
    setting.forEach((w, j) => {
      if (!(Number.isFinite(w) && w >= 0)) throw new DataError(`class_weights: the weight ${w} for ${unit} ${nameOf(classNames, j)} must be a number of 0 or more.`);
    });
    return Float32Array.from(setting);
  }
  const out = new Float32Array(k);
  for (let j = 0; j < k; j++) {
    const c = counts[j]!;
    if (c === 0) {
      throw new DataError(
        task === 'multilabel'
          ? `class_weights=balanced cannot weigh label ${nameOf(classNames, j)}: it is positive in none of the ${fmt(n)} training samples, so its weight (negatives / positives) would be infinite. Give the weights by hand (class_weights=w1,w2,…) or add samples where it is present.`
          : `class_weights=balanced cannot weigh class ${nameOf(classNames, j)}: the training split has no samples of it (scikit-learn refuses this too). Give the weights by hand (class_weights=w1,w2,…) or add samples of that class.`,
      );
    }
    out[j] = task === 'multilabel' ? (n - c) / c : n / (k * c);
  }
  return out;
}

/** A rare class (or label) and what it is compared with. */
interface Rare {
  k: number;
  count: number;
  of: number;
}

function percent(a: number, b: number): string {
  const p = (100 * a) / b;
  return `${p < 1 ? p.toFixed(1) : Math.round(p)}%`;
}

function list(items: string[], max = 4): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/**
 * A warning for an imbalanced training split when no weights are set, else null. Single-label: some class has
 * under 10% of the samples of the most common one. Multi-label with `n` (the training split's size): some label
 * is positive (or negative) in under 10% as many samples as the other way round; without `n`, the positives of
 * the labels are compared with each other. Names the rare classes with their counts and suggests
 * `class_weights=balanced`.
 */
export function imbalanceWarning(counts: readonly number[], classNames: readonly string[], task: Task, weighted: boolean, n?: number): string | null {
  if (weighted || counts.length === 0) return null;
  const name = (k: number): string => nameOf(classNames, k);
  if (task === 'multilabel' && n !== undefined && n > 0) {
    const rare: Rare[] = [];
    counts.forEach((pos, k) => {
      if (Math.min(pos, n - pos) < 0.1 * Math.max(pos, n - pos)) rare.push({ k, count: pos, of: n });
    });
    if (rare.length === 0) return null;
    rare.sort((a, b) => Math.min(a.count, n - a.count) - Math.min(b.count, n - b.count));
    const items = rare.map((r) => `${name(r.k)} ${fmt(r.count)} (${percent(r.count, n)})`);
    return (
      `Imbalanced labels: ${rare.length === 1 ? 'one label is' : `${rare.length} of ${counts.length} labels are`} positive in under 10% (or over 90%) of the ${fmt(n)} training samples: ${list(items)}. ` +
      `The network may learn to predict the common answer; add class_weights=balanced to the train line (each label's positives weighted by negatives / positives).`
    );
  }
  let most = 0;
  counts.forEach((c, k) => {
    if (c > counts[most]!) most = k;
  });
  const top = counts[most]!;
  if (top === 0) return null;
  const rare: Rare[] = [];
  counts.forEach((c, k) => {
    if (c < 0.1 * top) rare.push({ k, count: c, of: top });
  });
  if (rare.length === 0) return null;
  rare.sort((a, b) => a.count - b.count);
  const what = task === 'multilabel' ? 'positives' : 'samples';
  const items = rare.map((r) => `${name(r.k)} ${fmt(r.count)}`);
  return (
    `Imbalanced ${task === 'multilabel' ? 'labels' : 'classes'}: ${list(items)} ${rare.length === 1 ? 'has' : 'have'} under 10% of the ${what} of the most common, ${name(most)} (${fmt(top)}). ` +
    `The network may learn to ignore ${rare.length === 1 ? 'it' : 'them'}; add class_weights=balanced to the train line to weigh ${task === 'multilabel' ? 'labels' : 'classes'} by their rarity.`
  );
}
