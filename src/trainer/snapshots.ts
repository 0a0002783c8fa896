// Snapshots of a sample while training or inspecting: every layer's activations, the filters and the
// probabilities, for a sample of the validation split (else training) or an image file; and the answers to the
// inspector's requests (snapshot, evaluation, augmentation preview, explanation) between steps.

import type { Network } from '../engine';
import type { ModelSpec } from '../language';
import type { SnapshotMessage } from '../protocol/trainer';
import { augmentPreviewMessage, sampleTruth } from './augmentPreview';
import { evaluate, evaluationMessage } from './evaluation';
import { explanationMessage, galleryExplanationMessage } from './explanation';
import type { Prepared } from './prepare';
import type { RunHooks, RunRequest } from './hooks';
import { createYielder } from './yielder';

/** Snapshots of a sample (from the validation set, else training) or of an image file. */
export class Snapshots {
  sample = 0;
  image: string | undefined;
  last = 0;
  constructor(
    private readonly p: Prepared,
    private readonly hooks: RunHooks,
  ) {}

  async send(): Promise<void> {
    const { spec, data, net } = this.p;
    const set = data.val ?? data.train;
    const x = new Float32Array(spec.input.h * spec.input.w * spec.input.c);
    let label: number | null = null;
    let truth: number[] | null = null;
    let source: string;
    if (this.image && this.hooks.readImage) {
      x.set(await this.hooks.readImage(this.image, spec));
      source = this.image;
    } else {
      const i = Math.min(this.sample, set.size - 1);
      set.read(i, x, 0);
      label = this.p.task === 'single' ? set.label(i) : null;
      truth = sampleTruth(set, i);
      source = `${data.val ? 'validation' : 'training'} sample ${i}`;
    }
    const s = snapshot(net, spec, x, source, label, data.classNames);
    this.hooks.emit(truth ? { ...s, truth } : s);
    this.last = Date.now();
  }

  /** Answer one request; errors go to the host as snapshot errors and do not stop anything. */
  async answer(req: RunRequest): Promise<void> {
    try {
      if (req.type === 'augmentPreview') {
        this.hooks.emit(augmentPreviewMessage(this.p.data.train, req, this.p.seed));
        return;
      }
      if (req.type === 'explain') {
        this.hooks.emit(await explanationMessage(this.p, req, this.hooks.readImage));
        return;
      }
      if (req.type === 'explainGallery') {
        this.hooks.emit(galleryExplanationMessage(this.p, req));
        return;
      }
      if (req.type === 'evaluate') {
        const { data, net, batch, task, classWeights } = this.p;
        const set = data.val ?? data.train;
        const v = await evaluate(net, set, Math.max(batch, 64), createYielder(() => this.hooks.stopRequested()), { task, weights: classWeights });
        if (!v) return; // stopped meanwhile
        this.hooks.emit(evaluationMessage(v, data.classNames, data.val ? 'validation' : 'training'));
        return;
      }
      if (req.imagePath) this.image = req.imagePath;
      else if (req.sample !== undefined) {
        this.image = undefined;
        this.sample = Math.max(0, req.sample);
      }
      await this.send();
    } catch (err) {
      this.hooks.emit({ type: 'error', stage: 'snapshot', message: (err as Error).message });
    }
  }
}

/** Every layer's activations, every conv layer's filters and the class (or label) probabilities, for one sample. */
export function snapshot(net: Network, spec: ModelSpec, x: Float32Array, source: string, label: number | null, classes: readonly string[]): SnapshotMessage {
  const acts = net.activations(x);
  const probs = net.predict(x, 1);
  return {
    type: 'snapshot',
    source,
    label,
    input: { shape: [spec.input.h, spec.input.w, spec.input.c], data: x },
    activations: acts.map((a) => ({
      index: a.index,
      kind: a.kind,
      line: spec.layers[a.index]!.line,
      shape: a.shape.kind === 'volume' ? [a.shape.c, a.shape.h, a.shape.w] : [a.shape.n],
      data: a.data,
    })),
    filters: net.filters().map((f) => ({ index: f.index, line: spec.layers[f.index]!.line, shape: f.shape, data: f.data })),
    probabilities: Array.from(probs),
    classes: classes.slice(),
  };
}
