// `cnn predict FILE --weights CKPT --input X [--json]`: class probabilities for an .npy array (N×H×W×C or
// one H×W×C; uint8 scaled to [0, 1], float32/64 used as they are, as the data loaders do) or an image file
// (PNG/JPEG/DICOM, resized to the input, scaled to [0, 1]). A multi-label network (sigmoid ending) gives one
// independent probability per label; the text lists the labels above 0.5.

import { type ParsedArgs, stringFlag, UsageError } from './args';
import type { Io } from './check';
import { readModelInput } from './modelInput';
import { checkedModel, trainedNetwork } from './trained';

export async function runPredict(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positional.length !== 1) throw new UsageError('predict needs exactly one .cnn file');
  const weights = stringFlag(args, 'weights');
  const input = stringFlag(args, 'input');
  if (!weights) throw new UsageError('predict needs --weights CKPT (a .safetensors checkpoint from cnn train)');
  if (!input) throw new UsageError('predict needs --input X (an .npy array or an image file)');
  const spec = checkedModel(args.positional[0]!);
  const { x, n } = await readModelInput(input, spec);
  // Buffers for the samples at hand, not a training batch: a very deep network needs far less memory.
  const net = trainedNetwork(spec, args.positional[0]!, weights, Math.min(n, spec.train.batch), 'predict with');
  const probs = net.predict(x, n);
  const k = spec.classes.length;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(probs.subarray(i * k, (i + 1) * k)));
  if (args.flags.has('json')) {
    // Multi-label: `labels` names the columns of `probabilities` (each a sigmoid, not summing to 1).
    io.out(JSON.stringify(spec.task === 'multilabel' ? { task: 'multilabel', labels: spec.classes, probabilities: rows } : { classes: spec.classes, probabilities: rows }) + '\n');
    return 0;
  }
  if (spec.task === 'multilabel') {
    rows.forEach((row, i) => io.out(`${n > 1 ? `${i}: ` : ''}${presentLabels(row, spec.classes)}\n`));
    return 0;
  }
  rows.forEach((row, i) => {
    const order = row.map((p, j) => [p, j] as const).sort((a, b) => b[0] - a[0]);
    const top = order.slice(0, Math.min(3, k)).map(([p, j]) => `${spec.classes[j]} ${(100 * p).toFixed(1)}%`);
    io.out(`${n > 1 ? `${i}: ` : ''}${top.join('  ')}\n`);
  });
  return 0;
}

/** The labels above 0.5, most probable first; or that none is, with the most probable one. */
export function presentLabels(row: readonly number[], names: readonly string[]): string {
  const order = row.map((p, j) => [p, j] as const).sort((a, b) => b[0] - a[0]);
  const on = order.filter(([p]) => p > 0.5).map(([p, j]) => `${names[j]} ${(100 * p).toFixed(1)}%`);
  if (on.length) return on.join('  ');
  const [p, j] = order[0] ?? [0, 0];
  return `no label above 50% (highest: ${names[j]} ${(100 * p).toFixed(1)}%)`;
}
