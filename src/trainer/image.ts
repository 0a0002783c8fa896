// One image file as the model's input: decoded (PNG or JPEG), converted to the model's channels and
// resized to its input, scaled to [0, 1], as H×W×C float32.

import { readFileSync } from 'node:fs';
import { decodeImage, rgbaToTensor } from '../data/image';
import type { ModelSpec } from '../language';

export async function readImageForModel(path: string, spec: Pick<ModelSpec, 'input'>): Promise<Float32Array> {
  const { h, w, c } = spec.input;
  const out = new Float32Array(h * w * c);
  rgbaToTensor(decodeImage(readFileSync(path)), h, w, c, out, 0);
  return out;
}
