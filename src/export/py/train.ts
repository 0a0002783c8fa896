// train.py: the training loop, with the file's hyperparameters as defaults; CPU, CUDA and torchrun (DDP).
// The Python is templates/train.py; the export writes only its CONFIG constant.

import type { AugmentSpec, ModelSpec } from '../../language/model';
import { safeName } from './common';
import { fillTemplate } from './constants';
import { pyTemplate } from './pyTemplate';

/** augment.py's settings (the augment statement without its line), or null. */
function augmentConstants(a: AugmentSpec | null): Record<string, unknown> | null {
  if (!a) return null;
  return { flip: a.flip, rotate: a.rotate, shift: a.shift, zoom: a.zoom, brightness: a.brightness, contrast: a.contrast };
}

/**
 * train.py's CONFIG: the train line's settings (train.py's defaults), the run folder's name, the task, the class
 * weights setting and the augment statement.
 */
export function trainConstants(spec: ModelSpec): Record<string, unknown> {
  const t = spec.train;
  return {
    defaults: { epochs: t.epochs, batch: t.batch, optimizer: t.optimizer, lr: t.lr, momentum: t.momentum, weight_decay: t.weightDecay, seed: t.seed, val: t.val },
    safe_name: safeName(spec.name),
    task: spec.task ?? 'single',
    class_weights: t.classWeights ?? null,
    augment: augmentConstants(spec.augment ?? null),
  };
}

export function trainPy(spec: ModelSpec): string {
  return fillTemplate(pyTemplate('train.py'), 'CONFIG', trainConstants(spec));
}
