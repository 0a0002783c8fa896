// The package's modules that hold no constants: the export writes them exactly as templates/ ships them. Those
// with constants (model.py, data.py, train.py) have generators of their own (model.ts, data.ts, train.ts).

import ARRAYS_PY from './templates/arrays.py';
import AUGMENT_PY from './templates/augment.py';
import CONTROL_PY from './templates/control.py';
import DATASETS_PY from './templates/datasets.py';
import DICOM_PY from './templates/dicom.py';
import DISTRIBUTED_PY from './templates/distributed.py';
import IMAGES_PY from './templates/images.py';
import INSPECTION_PY from './templates/inspection.py';
import METRICS_PY from './templates/metrics.py';
import OBJECTIVE_PY from './templates/objective.py';
import REPORT_PY from './templates/report.py';
import RUNS_PY from './templates/runs.py';
import SAFETENSORS_IO_PY from './templates/safetensors_io.py';
import SHAPES_PY from './templates/shapes.py';

export interface PlainModule {
  name: string;
  text: string;
}

/** What data.py reads the sources with: the datasets, the shapes generator, IDX/NPZ arrays, image folders (DICOM too). */
export const DATA_MODULES: readonly PlainModule[] = [
  { name: 'datasets.py', text: DATASETS_PY },
  { name: 'shapes.py', text: SHAPES_PY },
  { name: 'arrays.py', text: ARRAYS_PY },
  { name: 'images.py', text: IMAGES_PY },
  { name: 'dicom.py', text: DICOM_PY },
];

/**
 * What train.py trains with: the loss and class weights, the augmentation, the run folder, the messages, the
 * inspector's views and their figures, Ctrl+C and the editor's requests, the device and processes.
 */
export const TRAIN_MODULES: readonly PlainModule[] = [
  { name: 'objective.py', text: OBJECTIVE_PY },
  { name: 'augment.py', text: AUGMENT_PY },
  { name: 'runs.py', text: RUNS_PY },
  { name: 'report.py', text: REPORT_PY },
  { name: 'inspection.py', text: INSPECTION_PY },
  { name: 'metrics.py', text: METRICS_PY },
  { name: 'control.py', text: CONTROL_PY },
  { name: 'distributed.py', text: DISTRIBUTED_PY },
];

/** safetensors_io.py: a tiny pure-Python safetensors reader and writer (json header + raw little-endian
 * bytes), so the package needs neither the `safetensors` pip package nor network access. */
export const SAFETENSORS_MODULE: PlainModule = { name: 'safetensors_io.py', text: SAFETENSORS_IO_PY };
