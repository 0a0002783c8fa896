// ROC curves for plotting: the (false positive rate, true positive rate) points of `sklearn.metrics.roc_curve`
// (one per distinct score, from (0,0) to (1,1)), thinned to a few hundred points for a plot. Pure.

export interface RocPoints {
  fpr: number[];
  tpr: number[];
}

/** Most points a curve keeps (a webview plot does not need more; the ends are always kept). */
export const ROC_MAX_POINTS = 200;

/**
 * The ROC curve of `scores` for the binary truth `positive`: one point per distinct threshold (ties move
 * together), starting at (0,0) and ending at (1,1). Empty when there is no positive or no negative sample.
 */
export function rocCurve(positive: ArrayLike<boolean | number>, scores: ArrayLike<number>, maxPoints = ROC_MAX_POINTS): RocPoints {
  const n = scores.length;
  if (positive.length !== n) throw new Error(`${positive.length} labels but ${n} scores`);
  let nPos = 0;
  for (let i = 0; i < n; i++) if (positive[i]) nPos++;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return { fpr: [], tpr: [] };
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const fpr = [0];
  const tpr = [0];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && scores[order[j]!] === scores[order[i]!]) {
      if (positive[order[j]!]) tp++;
      else fp++;
      j++;
    }
    fpr.push(fp / nNeg);
    tpr.push(tp / nPos);
    i = j;
  }
  return thin({ fpr, tpr }, maxPoints);
}

/** At most `max` points of a curve, evenly spaced by index, the first and last kept. */
export function thin(c: RocPoints, max: number): RocPoints {
  const n = c.fpr.length;
  if (n <= max) return c;
  const fpr: number[] = [];
  const tpr: number[] = [];
  for (let k = 0; k < max; k++) {
    const i = Math.round((k * (n - 1)) / (max - 1));
    fpr.push(c.fpr[i]!);
    tpr.push(c.tpr[i]!);
  }
  return { fpr, tpr };
}
