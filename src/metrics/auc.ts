// ROC AUC, equal to scikit-learn's `roc_auc_score`: the area under the ROC curve by the trapezoid rule, which for
// tied scores is the Mann–Whitney statistic with average ranks (a tie between a positive and a negative counts
// one half). Pure: no node, no editor.
//
// A class (or label) that has no positive or no negative sample has no ROC curve: scikit-learn raises
// ("Only one class present in y_true"); here its AUC is null and the means leave it out, so a split that lacks a
// rare class still gets the AUC of the others, and the report says which were left out.

/** The AUC of `scores` for the binary truth `positive` (same length), or null when one side has no samples. */
export function binaryAuc(positive: ArrayLike<boolean | number>, scores: ArrayLike<number>): number | null {
  const n = scores.length;
  if (positive.length !== n) throw new Error(`${positive.length} labels but ${n} scores`);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) if (Number.isNaN(scores[i]!)) throw new Error(`score ${i} is not a number`);
  order.sort((a, b) => scores[a]! - scores[b]!);
  let nPos = 0;
  let rankSum = 0; // the positives' ranks (1-based, ties averaged)
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j + 2) / 2; // the mean of ranks i+1 … j+1
    for (let t = i; t <= j; t++) {
      if (positive[order[t]!]) {
        nPos++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export interface AucSummary {
  /** One AUC per class or label; null where the split has no positive or no negative sample of it. */
  perClass: (number | null)[];
  /** The mean of the defined ones; null when none is defined. */
  mean: number | null;
}

function summary(perClass: (number | null)[]): AucSummary {
  const defined = perClass.filter((a): a is number => a !== null);
  return { perClass, mean: defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : null };
}

/**
 * One-vs-rest AUC of single-label predictions: class c's probabilities against "is c", per class, and their
 * unweighted mean (`roc_auc_score(y, p, multi_class="ovr", average="macro")` when every class occurs). With two
 * classes whose probabilities sum to 1 both AUCs are the binary AUC, so the mean is too.
 */
export function ovrAuc(labels: ArrayLike<number>, probs: ArrayLike<number>, n: number, k: number): AucSummary {
  if (labels.length !== n || probs.length !== n * k) throw new Error(`expected ${n} labels and ${n}×${k} probabilities`);
  const col = new Float64Array(n);
  const pos = new Uint8Array(n);
  const per: (number | null)[] = [];
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      col[i] = probs[i * k + c]!;
      pos[i] = labels[i] === c ? 1 : 0;
    }
    per.push(binaryAuc(pos, col));
  }
  return summary(per);
}

/** Multi-label AUC: per label (column) of N×L 0/1 truths and scores, and their mean (`roc_auc_score(Y, S, average=None|"macro")`). */
export function multiLabelAuc(truth: ArrayLike<number>, scores: ArrayLike<number>, n: number, labels: number): AucSummary {
  if (truth.length !== n * labels || scores.length !== n * labels) throw new Error(`expected ${n}×${labels} truths and scores`);
  const col = new Float64Array(n);
  const pos = new Uint8Array(n);
  const per: (number | null)[] = [];
  for (let l = 0; l < labels; l++) {
    for (let i = 0; i < n; i++) {
      const t = truth[i * labels + l]!;
      if (t !== 0 && t !== 1) throw new Error(`label ${l} of sample ${i} is ${t}, not 0 or 1`);
      pos[i] = t;
      col[i] = scores[i * labels + l]!;
    }
    per.push(binaryAuc(pos, col));
  }
  return summary(per);
}

/**
 * Multi-label accuracy: each label predicted present when its probability is above `threshold` (0.5, as
 * MedMNIST's evaluator), the fraction right per label, averaged over labels (1 − `hamming_loss`).
 */
export function multiLabelAccuracy(truth: ArrayLike<number>, scores: ArrayLike<number>, n: number, labels: number, threshold = 0.5): number {
  if (truth.length !== n * labels || scores.length !== n * labels) throw new Error(`expected ${n}×${labels} truths and scores`);
  if (n === 0 || labels === 0) return 0;
  let right = 0;
  for (let i = 0; i < n * labels; i++) if ((scores[i]! > threshold ? 1 : 0) === truth[i]) right++;
  return right / (n * labels);
}
