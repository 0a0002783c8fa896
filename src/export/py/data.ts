// data.py: the file's data source (shapes, idx, npz, folder) read the way CNN Studio's data layer reads it.
// The Python is templates/data.py; the export writes only its CONFIG constant.

import type { ModelSpec } from '../../language/model';
import { SHAPES_DEFAULT_SAMPLES } from '../../language/model';
import { fillTemplate } from './constants';
import { pyTemplate } from './pyTemplate';

export interface DataConfig {
  kind: 'shapes' | 'idx' | 'npz' | 'folder' | null;
  /** The path as the .cnn file writes it (relative to the .cnn file). */
  written: string | null;
  /** The path relative to the package folder (or absolute when no relative path exists). */
  path: string | null;
  samples: number | null;
  val: number | null;
}

export function dataConfig(spec: ModelSpec, relFromPackage: (p: string) => string): DataConfig {
  const d = spec.data;
  if (!d) return { kind: null, written: null, path: null, samples: null, val: null };
  if (d.kind === 'shapes') return { kind: 'shapes', written: null, path: null, samples: d.samples ?? SHAPES_DEFAULT_SAMPLES, val: d.val };
  return { kind: d.kind, written: d.path, path: relFromPackage(d.path), samples: d.samples, val: d.val };
}

/** data.py's CONFIG: the data statement, the model's input (H, W, C) and its classes. */
export function dataConstants(spec: ModelSpec, cfg: DataConfig): Record<string, unknown> {
  const { h, w, c } = spec.input;
  return {
    data: { kind: cfg.kind, path: cfg.path, samples: cfg.samples, val: cfg.val },
    written: cfg.written,
    input: [h, w, c],
    classes: spec.classes,
    task: spec.task ?? 'single',
  };
}

export function dataPy(spec: ModelSpec, cfg: DataConfig): string {
  return fillTemplate(pyTemplate('data.py'), 'CONFIG', dataConstants(spec, cfg));
}
