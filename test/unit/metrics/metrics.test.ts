// The metrics' own edge cases, worked out by hand (the parity with scikit-learn is in sklearn.test.ts).

import { describe, expect, it } from 'vitest';
import { balancedAccuracy, binaryAuc, confusionMatrix, multiLabelAccuracy, multiLabelAuc, ovrAuc, perClassScores } from '../../../src/metrics';

describe('binaryAuc', () => {
  it('counts a tie between a positive and a negative as one half', () => {
    // positives 0.8, 0.5; negatives 0.5, 0.2: pairs (0.8>0.5) (0.8>0.2) (0.5=0.5: ½) (0.5>0.2) → 3.5 / 4
    expect(binaryAuc([1, 1, 0, 0], [0.8, 0.5, 0.5, 0.2])).toBe(0.875);
    expect(binaryAuc([1, 0, 1, 0], [0.3, 0.3, 0.3, 0.3])).toBe(0.5);
  });
  it('is null when one side has no samples', () => {
    expect(binaryAuc([1, 1], [0.1, 0.9])).toBeNull();
    expect(binaryAuc([0, 0, 0], [0.1, 0.2, 0.9])).toBeNull();
    expect(binaryAuc([], [])).toBeNull();
  });
  it('refuses NaN scores and mismatched lengths', () => {
    expect(() => binaryAuc([1, 0], [NaN, 0.2])).toThrow(/not a number/);
    expect(() => binaryAuc([1, 0, 1], [0.1, 0.2])).toThrow(/3 labels but 2 scores/);
  });
});

describe('single-label figures', () => {
  it('gives 0 for precision and F1 of a class never predicted, and leaves an absent class out of balanced accuracy', () => {
    const m = confusionMatrix([0, 0, 1, 1], [0, 0, 0, 1], 3);
    expect(m).toEqual([[2, 0, 0], [1, 1, 0], [0, 0, 0]]);
    const s = perClassScores(m);
    expect(s[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(s[0]!.precision).toBeCloseTo(2 / 3, 15);
    expect(balancedAccuracy(m)).toBe(0.75); // (1 + 0.5) / 2: class 2 has no samples
  });
  it('refuses a label outside the classes', () => {
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/true label 3 of sample 1 is outside 0…2/);
  });
  it('leaves a class absent from the split out of the macro AUC', () => {
    const auc = ovrAuc([0, 1, 0, 1], [0.9, 0.1, 0, 0.2, 0.8, 0, 0.7, 0.3, 0, 0.4, 0.6, 0], 4, 3);
    expect(auc.perClass).toEqual([1, 1, null]);
    expect(auc.mean).toBe(1);
  });
});

describe('multi-label figures', () => {
  it('predicts a label present above 0.5 only (0.5 itself is absent, as MedMNIST counts)', () => {
    expect(multiLabelAccuracy([1, 0, 0, 1], [0.5, 0.5, 0.2, 0.9], 2, 2)).toBe(0.75);
  });
  it('refuses truths other than 0 and 1', () => {
    expect(() => multiLabelAuc([0, 2], [0.1, 0.2], 1, 2)).toThrow(/label 1 of sample 0 is 2, not 0 or 1/);
  });
});
