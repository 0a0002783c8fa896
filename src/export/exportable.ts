// Which files can be exported. A file with errors cannot, with one exception: a data path that does not exist
// on this machine (E040 from the file-system check). The data often lives where the exported package will run
// (a GPU server), and train.py takes `--data PATH`, so those errors become warnings for the export.

import { check, type CheckResult, type Diagnostic, type ModelSpec, toModelSpec } from '../language';

export type Exportable =
  | { ok: true; spec: ModelSpec; /** E040 errors about data paths missing here, to show as warnings. */ missingData: Diagnostic[] }
  | { ok: false; errors: Diagnostic[] };

/** `checked` is the file checked with its file-system host; `name` the fallback network name (the file's). */
export function exportable(checked: CheckResult, name: string): Exportable {
  const errors = checked.diagnostics.filter((d) => d.severity === 'error');
  const spec = toModelSpec(checked, name);
  if (spec) return { ok: true, spec, missingData: [] };
  // The same text without the file system: only path checks can differ.
  const loose = check(checked.text);
  const looseSpec = toModelSpec(loose, name);
  if (!looseSpec) return { ok: false, errors: errors.length ? errors : loose.diagnostics.filter((d) => d.severity === 'error') };
  return { ok: true, spec: looseSpec, missingData: errors.filter((d) => d.code === 'E040') };
}

/**
 * Why a network cannot be exported to be trained on classes, or null: it has no layers, or what flows out of
 * its last layer (before a softmax) is not a vector of class scores. The engine refuses such a network with the
 * same words when it builds it (src/engine/network.ts), so the ONNX export (which builds it) and the PyTorch
 * export (which does not, and the editor's never loads the engine) refuse alike.
 */
export function noClassScores(spec: ModelSpec): string | null {
  const layers = spec.layers;
  if (layers.length === 0) return 'the model has no layers';
  const end = layers[layers.length - 1]!.spec.kind === 'softmax' ? layers.length - 2 : layers.length - 1;
  const out = end >= 0 ? layers[end]!.output : null;
  if (out?.kind !== 'vector') return 'the network must end in a vector (a dense layer) to be trained on classes';
  return null;
}
