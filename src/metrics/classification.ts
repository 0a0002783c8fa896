// Metrics of single-label classification from true and predicted class indices, each equal to scikit-learn's
// (`sklearn.metrics`) on the same predictions. Pure: no node, no editor.
//
// Zero division (a class never predicted, or absent from the true labels): its precision, recall or F1 is 0, as
// scikit-learn's default `zero_division="warn"` gives (without the warning). balancedAccuracy averages the
// recall of the classes present in the true labels only, as `balanced_accuracy_score` does (it drops the others).

/** confusion[true][predicted] counts over `k` classes; labels outside 0…k−1 are an error. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number): number[][] {
  if (yTrue.length !== yPred.length) throw new Error(`${yTrue.length} true labels but ${yPred.length} predictions`);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i]!;
    const p = yPred[i]!;
    if (!(Number.isInteger(t) && t >= 0 && t < k)) throw new Error(`true label ${t} of sample ${i} is outside 0…${k - 1}`);
    if (!(Number.isInteger(p) && p >= 0 && p < k)) throw new Error(`predicted label ${p} of sample ${i} is outside 0…${k - 1}`);
    m[t]![p]!++;
  }
  return m;
}

/** The index of the largest value in each row of an N×k array (the first on ties, as numpy's argmax). */
export function argmaxRows(scores: ArrayLike<number>, n: number, k: number): Int32Array {
  if (scores.length !== n * k) throw new Error(`expected ${n}×${k} scores, found ${scores.length}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (scores[i * k + j]! > scores[i * k + best]!) best = j;
    out[i] = best;
  }
  return out;
}

function total(m: readonly (readonly number[])[]): number {
  let s = 0;
  for (const row of m) for (const v of row) s += v;
  return s;
}

function safeDiv(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** The fraction of samples whose prediction is right (`accuracy_score`); 0 for no samples. */
export function accuracy(confusion: readonly (readonly number[])[]): number {
  let right = 0;
  confusion.forEach((row, k) => (right += row[k]!));
  return safeDiv(right, total(confusion));
}

/** The mean recall over the classes that occur in the true labels (`balanced_accuracy_score`); 0 for no samples. */
export function balancedAccuracy(confusion: readonly (readonly number[])[]): number {
  let sum = 0;
  let classes = 0;
  confusion.forEach((row, k) => {
    const support = row.reduce((a, b) => a + b, 0);
    if (support > 0) {
      sum += row[k]! / support;
      classes++;
    }
  });
  return safeDiv(sum, classes);
}

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** How many samples have this true class. */
  support: number;
}

/** Per-class precision, recall, F1 and support (`precision_recall_fscore_support(labels=range(k), zero_division=0)`). */
export function perClassScores(confusion: readonly (readonly number[])[]): ClassScores[] {
  const k = confusion.length;
  return confusion.map((row, c) => {
    const tp = row[c]!;
    const support = row.reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let t = 0; t < k; t++) predicted += confusion[t]![c]!;
    const precision = safeDiv(tp, predicted);
    const recall = safeDiv(tp, support);
    // 2PR/(P+R) written as scikit-learn 1.2 does; 0 when both are 0.
    const f1 = safeDiv(2 * precision * recall, precision + recall);
    return { precision, recall, f1, support };
  });
}
