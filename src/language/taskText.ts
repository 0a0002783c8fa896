// Words about what a network is trained to do and how its training images are varied: for the summary, the
// hover and the outline.

import type { AugmentSpec, LayerInfo, Task } from './model';
import { lastDenseLayer } from './tasks';

/**
 * The task in a few words with its count: `multi-label, 14 labels` (the network ends in dense units=L and
 * sigmoid) or `single label, 10 classes` (its last dense layer's units); null when the count is unknown.
 */
export function taskPhrase(task: Task, layers: readonly LayerInfo[]): string | null {
  if (task === 'multilabel') {
    const out = layers[layers.length - 1]?.output;
    if (out?.kind !== 'vector') return 'multi-label';
    return `multi-label, ${out.n} label${out.n === 1 ? '' : 's'}`;
  }
  const dense = lastDenseLayer(layers);
  if (!dense || dense.spec.kind !== 'dense') return null;
  const k = dense.spec.units;
  return `single label, ${k} class${k === 1 ? '' : 'es'}`;
}

const fmt = (x: number) => String(Number(x.toPrecision(6)));

/** What `augment` does to each training image, as one sentence. */
export function describeAugment(a: AugmentSpec): string {
  const parts: string[] = [];
  if (a.flip !== 'none') {
    parts.push(
      a.flip === 'horizontal' ? 'mirrored left-right with probability ½' : a.flip === 'vertical' ? 'turned upside down with probability ½' : 'mirrored left-right and upside down, each with probability ½',
    );
  }
  if (a.rotate > 0) parts.push(`turned by a random angle in ±${fmt(a.rotate)}°`);
  if (a.shift > 0) parts.push(`moved by up to ±${a.shift} pixel${a.shift === 1 ? '' : 's'} along each side`);
  if (a.zoom && !(a.zoom[0] === 1 && a.zoom[1] === 1)) parts.push(a.zoom[0] === a.zoom[1] ? `scaled by ${fmt(a.zoom[0])}×` : `scaled by a random factor in ${fmt(a.zoom[0])}–${fmt(a.zoom[1])}×`);
  if (a.brightness > 0) parts.push(`brightness multiplied by a factor in ${fmt(1 - a.brightness)}–${fmt(1 + a.brightness)}`);
  if (a.contrast > 0) parts.push(`contrast multiplied by a factor in ${fmt(1 - a.contrast)}–${fmt(1 + a.contrast)}`);
  if (parts.length === 0) return 'Every setting is off: the training images stay as they are.';
  const list = parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
  return `Each training image is ${list}, drawn anew for every batch. Validation, test and prediction see the images as they are; train seed= fixes the random draws, so a run repeats exactly.`;
}
