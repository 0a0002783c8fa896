// train.py: the training loop, with the file's hyperparameters as defaults; CPU, CUDA and torchrun (DDP).
// The Python is templates/train.py; the export writes only its CONFIG constant.

import type { ModelSpec } from '../../language/model';
import { safeName } from './common';
import { fillTemplate } from './constants';
import TRAIN_PY from './templates/train.py';

/** train.py's CONFIG: the train line's settings (train.py's defaults) and the run folder's name. */
export function trainConstants(spec: ModelSpec): Record<string, unknown> {
  const t = spec.train;
  return {
    defaults: { epochs: t.epochs, batch: t.batch, optimizer: t.optimizer, lr: t.lr, momentum: t.momentum, weight_decay: t.weightDecay, seed: t.seed, val: t.val },
    safe_name: safeName(spec.name),
  };
}

export function trainPy(spec: ModelSpec): string {
  return fillTemplate(TRAIN_PY, 'CONFIG', trainConstants(spec));
}
