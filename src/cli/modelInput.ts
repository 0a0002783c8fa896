// The samples a command runs a trained network on (`cnn predict`, `cnn explain`): an .npy array (N×H×W×C or
// one H×W×C; uint8 scaled to [0, 1], float32/64 used as they are, as the data loaders do) or an image file
// (PNG/JPEG, resized to the input, scaled to [0, 1]). Every failure is one UserError line.

import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { DataError, npyPixels, readNpy } from '../data';
import type { ModelSpec } from '../language';
import { readImageForModel } from '../trainer/image';
import { UserError } from './errors';

/** The samples of `input` (a path as typed) as N×H×W×C floats for `spec`'s input. */
export async function readModelInput(input: string, spec: ModelSpec): Promise<{ x: Float32Array; n: number }> {
  const { h, w, c } = spec.input;
  let x: Float32Array;
  let n: number;
  try {
    if (extname(input).toLowerCase() === '.npy') {
      const arr = readNpy(readFileSync(input), input);
      const shape = arr.shape;
      // Grey images may come without their channel axis, as MedMNIST stores them: N×H×W (or one H×W).
      const grey = c === 1 && shape.length <= 3 && shape.at(-1) === w && shape.at(-2) === h;
      const dims = grey ? (shape.length === 2 ? [1, h, w, 1] : [shape[0]!, h, w, 1]) : shape.length === 3 ? [1, ...shape] : shape;
      if (dims.length !== 4 || dims[1] !== h || dims[2] !== w || dims[3] !== c) {
        const without = c === 1 ? `, N×${h}×${w}` : '';
        throw new UserError(`${input} has shape [${shape.join(', ')}], but the model takes N×${h}×${w}×${c}${without} (or one ${h}×${w}×${c}).`);
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
  if (x.length !== n * h * w * c) throw new UserError(`${input}: expected ${n * h * w * c} values, found ${x.length}.`);
  return { x, n };
}
