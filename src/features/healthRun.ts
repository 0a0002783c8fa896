// The training-health diagnostics (W301–W304) a run leaves on the file it trained, as pure state: each epoch's
// end replaces the list; a new run of the file clears it; a change of the file's network clears it — its layer
// signature (the input and each layer statement's kind, settings and inputs, not its line), so typing in a
// comment or moving a layer down by a blank line keeps them, on the layer's new line. healthDiagnostics.ts wires
// it to VS Code.

import type { CheckResult } from '../language';
import type { HealthDiagnostic, TrainerMessage } from '../protocol/trainer';

export interface FileHealth {
  /** The network they are about: its signature when they arrived (null: the file was not open then). */
  signature: string | null;
  diagnostics: HealthDiagnostic[];
}

/** The network of a checked file, without lines and comments; null when it does not check. */
export function layerSignature(r: Pick<CheckResult, 'input' | 'layers'>): string | null {
  if (!r.input || r.layers.length === 0) return null;
  return JSON.stringify([r.input, r.layers.map((l) => [l.index, l.spec, l.inputs])]);
}

/**
 * A trainer message of the file's run: `started` clears, an epoch's health message replaces (with `signature`,
 * the file's network now, or null when it is not open), anything else leaves the state as it is.
 */
export function onRunMessage(h: FileHealth | null, m: TrainerMessage, signature: string | null): FileHealth | null {
  if (m.type === 'started') return null;
  if (m.type === 'health' && m.diagnostics !== null) return { signature, diagnostics: m.diagnostics };
  return h;
}

/**
 * The file's network is now `signature` (checked after an edit, or opened): cleared when it differs from the
 * one the diagnostics are about; adopted when that was unknown. A file that does not check (null) keeps them
 * until it checks again.
 */
export function onNetwork(h: FileHealth | null, signature: string | null): FileHealth | null {
  if (!h || signature === null) return h;
  if (h.signature === null) return { ...h, signature };
  return h.signature === signature ? h : null;
}

export interface Placed {
  line: number;
  code: string;
  message: string;
}

/**
 * Where the diagnostics go: each on its layer statement's current line (`layers`: the file's layers now; none:
 * the lines the run reported), with the layer's index looked up so a moved statement carries its warning.
 */
export function place(h: FileHealth | null, layers: CheckResult['layers'] | null): Placed[] {
  if (!h) return [];
  const lineOf = new Map((layers ?? []).map((l) => [l.index, l.line]));
  return h.diagnostics.map((d) => ({ line: layers ? (lineOf.get(d.index) ?? d.line) : d.line, code: d.code, message: d.message }));
}
