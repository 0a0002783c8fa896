// `cnn check` and `cnn summary`.

import { check, type CheckResult, LineIndex, summaryJson, summaryTable } from '../language';
import { type ParsedArgs, UsageError } from './args';
import { readSource } from './source';
import { trainingHost } from '../trainer/trainingHost';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Aborted when the output's reader went away (`cnn … | head -1`); writes are dropped from then on. */
  closed?: AbortSignal;
}

/**
 * Diagnostic lines printed per command (a random 5 MB file has 1.6 million diagnostics): the first ones, then
 * one line counting the rest. `--json` lists up to MAX_JSON_DIAGNOSTICS per file and says how many it left out.
 */
export const MAX_PRINTED_DIAGNOSTICS = 100;
export const MAX_JSON_DIAGNOSTICS = 10_000;

export type DiagnosticJson = ReturnType<typeof diagnosticsJson>[number];

/** Prints `file:line:col: severity CODE: message` lines up to MAX_PRINTED_DIAGNOSTICS, counting the rest. */
export class DiagnosticPrinter {
  private printed = 0;
  private held = 0;
  constructor(private readonly write: (text: string) => void) {}

  print(file: string, d: DiagnosticJson, message = d.message, severity: string = d.severity): void {
    if (this.printed >= MAX_PRINTED_DIAGNOSTICS) {
      this.held++;
      return;
    }
    this.printed++;
    this.write(`${file}:${d.line}:${d.column}: ${severity} ${d.code}: ${message}\n`);
  }

  /** Counts diagnostics that are not even offered to print() (past the limit already). */
  holdBack(n: number): void {
    this.held += n;
  }

  /** The line that counts what was not printed, if anything. */
  finish(): void {
    if (this.held) this.write(`… and ${this.held.toLocaleString('en-US')} more (only the first ${MAX_PRINTED_DIAGNOSTICS} are printed; --json lists up to ${MAX_JSON_DIAGNOSTICS.toLocaleString('en-US')} per file)\n`);
  }
}

export function diagnosticsJson(result: CheckResult, limit = Infinity) {
  const lines = new LineIndex(result.text);
  const shown = result.diagnostics.length > limit ? result.diagnostics.slice(0, limit) : result.diagnostics;
  return shown.map((d) => {
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
  return check(readSource(file), trainingHost(file));
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
      const omitted = Math.max(0, result.diagnostics.length - MAX_JSON_DIAGNOSTICS);
      // `omitted` only when some were left out, so the usual output keeps its shape.
      return { file, diagnostics: diagnosticsJson(result, MAX_JSON_DIAGNOSTICS), ...(omitted ? { omitted } : {}) };
    });
    const one = objs[0]!;
    io.out(JSON.stringify(objs.length === 1 ? { diagnostics: one.diagnostics, ...(one.omitted ? { omitted: one.omitted } : {}) } : { files: objs }) + '\n');
    return failed ? 1 : 0;
  }
  let errors = 0;
  let warnings = 0;
  const printer = new DiagnosticPrinter(io.out);
  for (const { file, result } of results) {
    if (result.hasErrors) failed = true;
    for (const d of result.diagnostics) {
      // Hints (I201: a dense layer flattens) are notes, not problems: in --json, and in the editor's hover.
      if (d.severity === 'hint') continue;
      if (d.severity === 'error') errors++;
      else if (d.severity === 'warning') warnings++;
    }
    // Positions are worked out only for the lines printed.
    const printable = result.diagnostics.filter((d) => d.severity !== 'hint');
    const shown = diagnosticsJson({ ...result, diagnostics: printable }, MAX_PRINTED_DIAGNOSTICS);
    for (const d of shown) printer.print(file, d);
    printer.holdBack(printable.length - shown.length);
  }
  printer.finish();
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
