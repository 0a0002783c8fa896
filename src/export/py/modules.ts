// The package's modules that hold no constants: the export writes them exactly as templates/ ships them. Those
// with constants (model.py, data.py, train.py) have generators of their own (model.ts, data.ts, train.ts).


import { pyTemplate } from './pyTemplate';

export interface PlainModule {
  name: string;
  /** The file's text, read from templates/ when first asked for. */
  readonly text: string;
}

function plain(name: string): PlainModule {
  return {
    name,
    get text() {
      return pyTemplate(name);
    },
  };
}

/** What data.py reads the sources with: the datasets, the shapes generator, IDX/NPZ arrays, image folders (DICOM too). */
export const DATA_MODULES: readonly PlainModule[] = [
  plain('datasets.py'),
  plain('shapes.py'),
  plain('arrays.py'),
  plain('images.py'),
  plain('dicom.py'),
];

/**
 * What train.py trains with: the loss and class weights, the augmentation, the run folder, the messages, the
 * inspector's views and their figures, the training health, Ctrl+C and the editor's requests, the device and
 * processes.
 */
export const TRAIN_MODULES: readonly PlainModule[] = [
  plain('objective.py'),
  plain('augment.py'),
  plain('runs.py'),
  plain('report.py'),
  plain('inspection.py'),
  plain('metrics.py'),
  plain('health.py'),
  plain('control.py'),
  plain('distributed.py'),
];

/** safetensors_io.py: a tiny pure-Python safetensors reader and writer (json header + raw little-endian
 * bytes), so the package needs neither the `safetensors` pip package nor network access. */
export const SAFETENSORS_MODULE: PlainModule = plain('safetensors_io.py');
