// `cnn predict FILE --weights CKPT --input X [--json]`: class probabilities for an .npy array (N×H×W×C or
// one H×W×C; uint8 scaled to [0, 1], float32/64 used as they are, as the data loaders do) or an image file
// (PNG/JPEG, resized to the input, scaled to [0, 1]).

import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { DataError, npyPixels, readNpy } from '../data';
import { readImageForModel } from '../trainer/image';
import { type ParsedArgs, stringFlag, UsageError } from './args';
import type { Io } from './check';
import { UserError } from './errors';
import { checkedModel, trainedNetwork } from './trained';

export async function runPredict(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positional.length !== 1) throw new UsageError('predict needs exactly one .cnn file');
  const weights = stringFlag(args, 'weights');
  const input = stringFlag(args, 'input');
  if (!weights) throw new UsageError('predict needs --weights CKPT (a .safetensors checkpoint from cnn train)');
  if (!input) throw new UsageError('predict needs --input X (an .npy array or an image file)');
  const spec = checkedModel(args.positional[0]!);
  const { h, w, c } = spec.input;
  const per = h * w * c;
  let x: Float32Array;
  let n: number;
  const ext = extname(input).toLowerCase();
  try {
    if (ext === '.npy') {
      const arr = readNpy(readFileSync(input), input);
      const shape = arr.shape;
      const dims = shape.length === 3 ? [1, ...shape] : shape;
      if (dims.length !== 4 || dims[1] !== h || dims[2] !== w || dims[3] !== c) {
        throw new UserError(`${input} has shape [${shape.join(', ')}], but the model takes N×${h}×${w}×${c} (or one ${h}×${w}×${c}).`);
      }
      x = npyPixels(arr, input); // scaled exactly as the data loaders scale pixels
      n = dims[0]!;
    } else {
      x = await readImageForModel(input, spec);
      n = 1;
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    // DataError messages name the file already ("x.png cannot be decoded as a PNG image (…)").
    if (err instanceof DataError) throw new UserError(err.message);
    throw new UserError(`cannot read ${input}: ${(err as Error).message}`);
  }
  if (x.length !== n * per) throw new UserError(`${input}: expected ${n * per} values, found ${x.length}.`);
  // Buffers for the samples at hand, not a training batch: a very deep network needs far less memory.
  const net = trainedNetwork(spec, args.positional[0]!, weights, Math.min(n, spec.train.batch), 'predict with');
  const probs = net.predict(x, n);
  const k = spec.classes.length;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(probs.subarray(i * k, (i + 1) * k)));
  if (args.flags.has('json')) {
    io.out(JSON.stringify({ classes: spec.classes, probabilities: rows }) + '\n');
    return 0;
  }
  rows.forEach((row, i) => {
    const order = row.map((p, j) => [p, j] as const).sort((a, b) => b[0] - a[0]);
    const top = order.slice(0, Math.min(3, k)).map(([p, j]) => `${spec.classes[j]} ${(100 * p).toFixed(1)}%`);
    io.out(`${n > 1 ? `${i}: ` : ''}${top.join('  ')}\n`);
  });
  return 0;
}
