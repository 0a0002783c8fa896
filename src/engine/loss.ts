// The network's loss, chosen by the model's task (ModelSpec.task): single label → softmax cross-entropy on the
// logits with class-index targets (Int32Array), optionally weighted per class (CrossEntropyLoss(weight=));
// multi-label → binary cross-entropy on the logits with N×L 0/1 targets (Float32Array), optionally with a
// positive weight per label (BCEWithLogitsLoss(pos_weight=)). The maths is in kernels-loss.ts; this module
// checks targets and weights and picks the kernels.

import type { Task } from '../language/model';
import * as K from './kernels-loss';
import type { LossSums } from './kernels-loss';

/** Class indices (single label) or N×L 0/1 values (multi-label). */
export type Targets = Int32Array | Float32Array;

export class LossHead {
  private weights: Float32Array | null = null;

  /** classes: the logits per sample (K classes or L labels); names: the model's class (label) names. */
  constructor(
    readonly task: Task,
    readonly classes: number,
    private readonly names: readonly string[] = [],
  ) {}

  private name(k: number): string {
    const n = this.names[k];
    return n !== undefined && n !== String(k) ? ` (${n})` : '';
  }

  /**
   * Single label: per-class weights of the cross-entropy; multi-label: each label's pos_weight. One finite,
   * non-negative number per class (label), not all zero; null: none. The array is copied.
   */
  setWeights(w: Float32Array | null): void {
    if (w === null) {
      this.weights = null;
      return;
    }
    const what = this.task === 'multilabel' ? 'label' : 'class';
    if (w.length !== this.classes) throw new Error(`${w.length} loss weights for ${this.classes} ${what === 'class' ? 'classes' : 'labels'}: one each`);
    for (let k = 0; k < w.length; k++) {
      if (!(Number.isFinite(w[k]) && w[k]! >= 0)) throw new Error(`the loss weight of ${what} ${k}${this.name(k)} is ${w[k]}: weights are finite and not negative`);
    }
    if (this.task === 'single' && w.every((v) => v === 0)) throw new Error('every class weight is 0: the loss would weigh nothing');
    this.weights = Float32Array.from(w);
  }

  get lossWeights(): Float32Array | null {
    return this.weights ? this.weights.slice() : null;
  }

  /** Throws unless targets are this task's kind and hold valid values for n samples. */
  check(targets: Targets, n: number): void {
    const k = this.classes;
    if (this.task === 'single') {
      if (!(targets instanceof Int32Array)) {
        throw new Error('this network is single-label (it ends in softmax): its targets are class indices (an Int32Array), not per-label values');
      }
      if (targets.length < n) throw new Error(`${targets.length} labels for ${n} samples`);
      for (let i = 0; i < n; i++) {
        const l = targets[i]!;
        if (!(l >= 0 && l < k)) throw new Error(`label ${l} of sample ${i} is outside 0…${k - 1}`);
      }
      return;
    }
    if (!(targets instanceof Float32Array)) {
      throw new Error(`this network is multi-label (it ends in sigmoid): its targets are ${k} values of 0 or 1 per sample (a Float32Array), not class indices`);
    }
    if (targets.length < n * k) throw new Error(`${targets.length} target values for ${n} samples of ${k} labels (${n * k} needed)`);
    for (let i = 0; i < n * k; i++) {
      const v = targets[i]!;
      if (!(v >= 0 && v <= 1)) {
        const l = i % k;
        throw new Error(`target ${v} of sample ${Math.floor(i / k)}, label ${l}${this.name(l)}, is outside 0…1`);
      }
    }
  }

  /** The targets of samples [s, s + m). */
  slice(targets: Targets, s: number, m: number): Targets {
    const per = this.task === 'single' ? 1 : this.classes;
    return targets.subarray(s * per, (s + m) * per);
  }

  /** Loss, correct count and its norm (see LossSums) of n samples' logits; writes their probabilities. */
  forward(probs: Float32Array, logits: Float32Array, targets: Targets, n: number): LossSums {
    return this.task === 'single'
      ? K.softmaxCrossEntropyForward(probs, logits, targets as Int32Array, n, this.classes, this.weights)
      : K.sigmoidBinaryCrossEntropyForward(probs, logits, targets as Float32Array, n, this.classes, this.weights);
  }

  /** Adds the loss's gradient with respect to the logits, from forward's probabilities. */
  backward(dlogits: Float32Array, probs: Float32Array, targets: Targets, n: number): void {
    if (this.task === 'single') K.softmaxCrossEntropyBackward(dlogits, probs, targets as Int32Array, n, this.classes, this.weights);
    else K.sigmoidBinaryCrossEntropyBackward(dlogits, probs, targets as Float32Array, n, this.classes, this.weights);
  }

  /** Softmax (single label) or per-label sigmoid (multi-label) probabilities of n samples' logits. */
  probabilities(probs: Float32Array, logits: Float32Array, n: number): void {
    if (this.task === 'single') K.softmaxForward(probs, logits, n, this.classes);
    else K.sigmoidForward(probs, logits, n * this.classes);
  }
}
