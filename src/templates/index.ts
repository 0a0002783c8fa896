// The networks `CNN: New Network…` starts from: the one list of templates. Their text is the example file
// itself (examples/*.cnn, bundled into dist/ as text), so a template and its example never drift apart, and
// every one must check clean (test/unit/templates/templates.test.ts).

import { check, formatCount, summarize } from '../language';
import lecture from '../../examples/lecture.cnn';
import lenet from '../../examples/lenet-shapes.cnn';
import tinyvgg from '../../examples/tinyvgg.cnn';

export interface NetworkTemplate {
  /** Stable id, also accepted as the command's argument: `cnnStudio.newNetwork` with `'lecture'`. */
  id: string;
  /** What the picker shows. */
  label: string;
  /** The file name a new file gets by default (`lecture.cnn`, then `lecture-2.cnn`…). */
  fileName: string;
  /** One line: what the network teaches. */
  teaches: string;
  /** The `.cnn` source. */
  text: string;
}

export const TEMPLATES: readonly NetworkTemplate[] = [
  {
    id: 'lecture',
    label: 'The lecture’s network',
    fileName: 'lecture.cnn',
    teaches: 'CONV → ReLU → POOL twice, then FC → softmax: the shape rule at every layer',
    text: lecture,
  },
  {
    id: 'lenet5',
    label: 'LeNet-5',
    fileName: 'lenet5.cnn',
    teaches: 'The classic: 5×5 filters, pooling halves the map, three dense layers',
    text: lenet,
  },
  {
    id: 'tinyvgg',
    label: 'TinyVGG',
    fileName: 'tinyvgg.cnn',
    teaches: 'CNN Explainer’s network: unpadded 3×3 convolutions shrink the map by 2',
    text: tinyvgg,
  },
];

export function templateById(id: string): NetworkTemplate | undefined {
  return TEMPLATES.find((t) => t.id === id);
}

/** What the picker says about a template, worked out from its text: `32×32×3 input · 8 layers · 11,235 parameters`. */
export function templateFacts(t: NetworkTemplate): string {
  const result = check(t.text);
  const summary = summarize(result);
  const input = result.input ? `${result.input.h}×${result.input.w}×${result.input.c} input` : 'no input';
  return `${input} · ${result.layers.length} layers · ${formatCount(summary.params)} parameters`;
}
