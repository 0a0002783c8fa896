// One image file as the model's input: decoded (PNG, JPEG or DICOM), converted to the model's channels and
// resized to its input, scaled to [0, 1], as H×W×C float32. Unreadable or undecodable files throw DataError
// with a one-line message that starts with the path as given.

import { host } from '../platform/host';
import { DataError } from '../data/dataset';
import { dicomToTensor, looksLikeDicom } from '../data/dicom';
import { decodeImage, rgbaToTensor } from '../data/image';
import type { ModelSpec } from '../language';

export async function readImageForModel(path: string, spec: Pick<ModelSpec, 'input'>): Promise<Float32Array> {
  const { h, w, c } = spec.input;
  let bytes: Uint8Array;
  try {
    bytes = host().files.readFile(path);
  } catch (err) {
    throw new DataError(`${path} cannot be read (${(err as { code?: string }).code ?? (err as Error).message})`);
  }
  const out = new Float32Array(h * w * c);
  try {
    if (looksLikeDicom(path, bytes)) dicomToTensor(bytes, h, w, c, out, 0);
    else rgbaToTensor(decodeImage(bytes), h, w, c, out, 0);
  } catch (err) {
    if (err instanceof DataError) throw new DataError(`${path} ${err.message}`);
    throw err;
  }
  return out;
}
