// Class counts, `train class_weights=` and the imbalance warning, against scikit-learn's
// compute_class_weight('balanced') and PyTorch's pos_weight rule (negatives / positives) on the same labels:
// the figures come from test/fixtures/data/class_weights.py (Debian's python3-sklearn), committed beside it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArrayDataset, type MultiLabels } from '../../../src/data/arrays';
import { MemorySource } from '../../../src/data/bytes';
import { classCounts, imbalanceWarning, resolveClassWeights } from '../../../src/data/classCounts';
import { DataError, SubsetDataset } from '../../../src/data/dataset';

interface Fixture {
  single: { name: string; labels: number[]; counts: number[]; weights: number[] }[];
  missingClassError: string;
  multilabel: { name: string; n: number; labels: number[][]; positives: number[]; posWeight: number[] }[];
}
const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/data/class_weights.json'), 'utf8')) as Fixture;

const names = (k: number): string[] => Array.from({ length: k }, (_, j) => `c${j}`);

/** A real array dataset of 1×1×1 images with these labels. */
function singleSet(labels: number[], k: number): ArrayDataset {
  return new ArrayDataset(new MemorySource(new Uint8Array(labels.length)), 0, labels.length, 1, 1, 1, 'u1', Int32Array.from(labels), names(k));
}

function multiSet(rows: number[][]): ArrayDataset {
  const l = rows[0]!.length;
  const m: MultiLabels = { rows: rows.length, count: l, data: Uint8Array.from(rows.flat()) };
  return new ArrayDataset(new MemorySource(new Uint8Array(rows.length)), 0, rows.length, 1, 1, 1, 'u1', m, names(l));
}

describe('class counts and weights', () => {
  for (const c of fixture.single) {
    it(`balanced single-label weights equal scikit-learn's: ${c.name}`, () => {
      const ds = singleSet(c.labels, c.counts.length);
      const counts = classCounts(ds);
      expect(counts).toEqual(c.counts);
      const w = resolveClassWeights('balanced', counts, ds.size, 'single')!;
      expect(w).toBeInstanceOf(Float32Array);
      expect(w.length).toBe(c.weights.length);
      w.forEach((v, k) => expect(v).toBeCloseTo(c.weights[k]!, 5));
    });
  }

  for (const c of fixture.multilabel) {
    it(`balanced multi-label pos_weight is negatives / positives: ${c.name}`, () => {
      const ds = multiSet(c.labels);
      const counts = classCounts(ds);
      expect(counts).toEqual(c.positives);
      const w = resolveClassWeights('balanced', counts, c.n, 'multilabel')!;
      w.forEach((v, k) => expect(v).toBeCloseTo(c.posWeight[k]!, 5));
    });
  }

  it('counts through views (a subset of the samples)', () => {
    const ds = singleSet([0, 1, 1, 2, 2, 2], 3);
    expect(classCounts(new SubsetDataset(ds, Uint32Array.from([0, 3, 4])))).toEqual([1, 0, 2]);
    const m = multiSet([
      [1, 0],
      [1, 1],
      [0, 1],
    ]);
    expect(classCounts(new SubsetDataset(m, Uint32Array.from([0, 1])))).toEqual([2, 1]);
  });

  it('a class with no samples under balanced is refused, as scikit-learn refuses it', () => {
    expect(fixture.missingClassError).toMatch(/classes should have valid labels that are in y/);
    const counts = classCounts(singleSet([0, 0, 1], 3));
    expect(() => resolveClassWeights('balanced', counts, 3, 'single', ['normal', 'benign', 'malignant'])).toThrow(DataError);
    expect(() => resolveClassWeights('balanced', counts, 3, 'single', ['normal', 'benign', 'malignant'])).toThrow(
      "class_weights=balanced cannot weigh class 'malignant': the training split has no samples of it (scikit-learn refuses this too).",
    );
    expect(() => resolveClassWeights('balanced', [5, 0], 10, 'multilabel', ['Hernia', 'Mass'])).toThrow(
      "class_weights=balanced cannot weigh label 'Mass': it is positive in none of the 10 training samples, so its weight (negatives / positives) would be infinite.",
    );
  });

  it('a list is used as it is; a wrong count or a bad weight is a clear error; no setting gives null', () => {
    expect(Array.from(resolveClassWeights([1, 3, 2], [10, 5, 1], 16, 'single')!)).toEqual([1, 3, 2]);
    expect(resolveClassWeights(null, [10, 5, 1], 16, 'single')).toBeNull();
    expect(() => resolveClassWeights([1, 3], [10, 5, 1], 16, 'single')).toThrow(
      'class_weights gives 2 weights but the network has 3 classes: give 3, one per class in the order of the classes line, or use class_weights=balanced.',
    );
    expect(() => resolveClassWeights([1, 3], [10, 5, 1], 16, 'multilabel')).toThrow(/but the network has 3 labels: give 3, one per label/);
    expect(() => resolveClassWeights([1, -3, 2], [10, 5, 1], 16, 'single', ['a', 'b', 'c'])).toThrow("class_weights: the weight -3 for class 'b' must be a number of 0 or more.");
  });
});

describe('imbalance warning', () => {
  it('names the rare classes and the most common with their counts, and suggests class_weights=balanced', () => {
    const msg = imbalanceWarning([500, 40, 300], ['normal', 'pneumonia', 'covid'], 'single', false);
    expect(msg).toBe(
      "Imbalanced classes: 'pneumonia' 40 has under 10% of the samples of the most common, 'normal' (500). The network may learn to ignore it; add class_weights=balanced to the train line to weigh classes by their rarity.",
    );
    expect(imbalanceWarning([1000, 3, 0, 500], names(4), 'single', false)).toMatch(/^Imbalanced classes: 'c2' 0, 'c1' 3 have under 10% of the samples of the most common, 'c0' \(1,000\)/);
  });

  it('stays quiet at 10% or more, and whenever weights are set', () => {
    expect(imbalanceWarning([100, 10, 50], names(3), 'single', false)).toBeNull();
    expect(imbalanceWarning([100, 9, 50], names(3), 'single', false)).not.toBeNull();
    expect(imbalanceWarning([100, 9, 50], names(3), 'single', true)).toBeNull();
    expect(imbalanceWarning([0, 0], names(2), 'single', false)).toBeNull();
  });

  it('multi-label with the sample count: labels positive in under 10% (or over 90%) of the samples', () => {
    const msg = imbalanceWarning([2, 300, 480, 500], ['Hernia', 'Effusion', 'Normal', 'Mass'], 'multilabel', false, 1000);
    expect(msg).toBe(
      "Imbalanced labels: one label is positive in under 10% (or over 90%) of the 1,000 training samples: 'Hernia' 2 (0.2%). The network may learn to predict the common answer; add class_weights=balanced to the train line (each label's positives weighted by negatives / positives).",
    );
    expect(imbalanceWarning([950, 500], ['a', 'b'], 'multilabel', false, 1000)).toMatch(/one label is positive in under 10% \(or over 90%\).*'a' 950 \(95%\)/);
    expect(imbalanceWarning([300, 500], ['a', 'b'], 'multilabel', false, 1000)).toBeNull();
    expect(imbalanceWarning([2, 500], ['a', 'b'], 'multilabel', true, 1000)).toBeNull();
    // Without the sample count, the labels' positives are compared with each other.
    expect(imbalanceWarning([2, 500], ['a', 'b'], 'multilabel', false)).toMatch(/^Imbalanced labels: 'a' 2 has under 10% of the positives of the most common, 'b' \(500\)/);
  });

  it('lists at most four rare classes and counts the rest', () => {
    const msg = imbalanceWarning([1000, 1, 2, 3, 4, 5, 6], names(7), 'single', false)!;
    expect(msg).toContain("'c1' 1, 'c2' 2, 'c3' 3, 'c4' 4 and 2 more have under 10%");
  });
});
