// `cnn check` and `cnn summary`.

import { check, type CheckResult, LineIndex, summaryJson, summaryTable } from '../language';
import { type ParsedArgs, UsageError } from './args';
import { fileHost, readSource } from './source';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export function diagnosticsJson(result: CheckResult) {
  const lines = new LineIndex(result.text);
  return result.diagnostics.map((d) => {
    const start = lines.positionAt(d.offset);
    const end = lines.positionAt(d.offset + d.length);
    return {
      code: d.code,
      severity: d.severity,
      line: start.line + 1,
      column: start.character + 1,
      endLine: end.line + 1,
      endColumn: end.character + 1,
      message: d.message,
    };
  });
}

export function checkFile(file: string): CheckResult {
  return check(readSource(file), fileHost(file));
}

export function runCheck(args: ParsedArgs, io: Io): number {
  const files = args.positional;
  if (files.length === 0) throw new UsageError('check needs at least one .cnn file');
  const json = args.flags.has('json');
  // Read every file first, so a missing one is a usage error before anything is printed.
  const results = files.map((f) => ({ file: f, result: checkFile(f) }));
  let failed = false;
  if (json) {
    const objs = results.map(({ file, result }) => {
      if (result.hasErrors) failed = true;
      return { file, diagnostics: diagnosticsJson(result) };
    });
    io.out(JSON.stringify(objs.length === 1 ? { diagnostics: objs[0]!.diagnostics } : { files: objs }) + '\n');
    return failed ? 1 : 0;
  }
  let errors = 0;
  let warnings = 0;
  for (const { file, result } of results) {
    if (result.hasErrors) failed = true;
    for (const d of diagnosticsJson(result)) {
      if (d.severity === 'error') errors++;
      else if (d.severity === 'warning') warnings++;
      io.out(`${file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}\n`);
    }
  }
  if (!json && files.length > 0 && (errors || warnings)) {
    io.err(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}\n`);
  }
  return failed ? 1 : 0;
}

export function runSummary(args: ParsedArgs, io: Io): number {
  if (args.positional.length !== 1) throw new UsageError('summary needs exactly one .cnn file');
  const file = args.positional[0]!;
  const result = checkFile(file);
  if (args.flags.has('json')) {
    io.out(JSON.stringify(summaryJson(result)) + '\n');
  } else {
    io.out(summaryTable(result) + '\n');
    const errors = diagnosticsJson(result).filter((d) => d.severity === 'error');
    if (errors.length) {
      const one = errors.length === 1;
      io.err(`${file} has ${errors.length} error${one ? '' : 's'}; shapes after ${one ? 'it' : 'them'} may be unknown (?). Run: cnn check ${file}\n`);
    }
  }
  return result.hasErrors ? 1 : 0;
}
