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
