// Diagnostic codes, severities and the plain-data shapes of diagnostics and quick fixes.

import { escapeInvisible } from './printable';

/** `hint` is a note, not a problem: the editor shows it as dots under the text and in the hover, not in the Problems panel. */
export type Severity = 'error' | 'warning' | 'information' | 'hint';

export const CODES = {
  E001: { severity: 'error', title: 'unknown statement keyword' },
  E002: { severity: 'error', title: 'unknown parameter' },
  E003: { severity: 'error', title: 'bad value' },
  E004: { severity: 'error', title: 'missing required parameter' },
  E005: { severity: 'error', title: 'given twice' },
  E010: { severity: 'error', title: 'input missing, repeated or misplaced' },
  E011: { severity: 'error', title: 'network misplaced or repeated' },
  E020: { severity: 'error', title: 'output size is not a whole number' },
  E021: { severity: 'error', title: 'filter larger than the padded input' },
  E022: { severity: 'error', title: 'pad=same needs stride 1 and an odd filter' },
  E030: { severity: 'error', title: 'conv or pool after flattening' },
  E031: { severity: 'error', title: 'classes do not match the last dense layer' },
  E032: { severity: 'error', title: 'softmax is not the last layer' },
  E040: { severity: 'error', title: 'data source cannot be used' },
  E050: { severity: 'error', title: 'add of different shapes' },
  E051: { severity: 'error', title: 'concat of different heights or widths' },
  E052: { severity: 'error', title: 'name not defined above' },
  E053: { severity: 'error', title: 'label defined twice' },
  E054: { severity: 'error', title: 'groups do not divide the channels' },
  E055: { severity: 'error', title: 'the task does not fit the labels' },
  W101: { severity: 'warning', title: 'very large layer' },
  W102: { severity: 'warning', title: 'stride larger than the filter' },
  W103: { severity: 'warning', title: 'no class scores at the end' },
  W104: { severity: 'warning', title: 'output never used' },
  W105: { severity: 'warning', title: 'class names are not the class folders' },
  I201: { severity: 'hint', title: 'implicit flatten' },
  I202: { severity: 'information', title: 'no data line' },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type Code = keyof typeof CODES;

/** A replacement of `length` characters at `offset` by `newText`. */
export interface TextEdit {
  offset: number;
  length: number;
  newText: string;
}

/** A quick fix as plain data: the editor turns it into a code action, the CLI could apply it. */
export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix most likely meant; the editor marks it preferred. */
  preferred?: boolean;
}

export interface Diagnostic {
  code: Code;
  severity: Severity;
  /** Offset of the smallest span at fault (UTF-16 code units, like the editor). */
  offset: number;
  length: number;
  message: string;
  fixes: Fix[];
}

/** A diagnostic; text quoted from the file into its message or its fixes' titles is made printable (printable.ts). */
export function makeDiagnostic(code: Code, offset: number, length: number, message: string, fixes: Fix[] = []): Diagnostic {
  return {
    code,
    severity: CODES[code].severity,
    offset,
    length,
    message: escapeInvisible(message),
    fixes: fixes.map((f) => (f.title === escapeInvisible(f.title) ? f : { ...f, title: escapeInvisible(f.title) })),
  };
}
