// What `cnn train` says about training health: each epoch's new W301–W304 diagnostics as they appear (a
// warning line each, `FILE:LINE: CODE message`, the way compilers point at a line), and at the end of the run
// the last epoch's list. Pure: the printer passes the trainer's messages in and writes the lines out.

import type { HealthDiagnostic, TrainerMessage } from '../protocol/trainer';

export class HealthReport {
  private last: HealthDiagnostic[] | null = null;
  private epoch = 0;

  /** `file`: the .cnn file as the user named it. */
  constructor(private readonly file: string) {}

  private where(d: HealthDiagnostic): string {
    return `${this.file}:${d.line + 1}: ${d.code} ${d.message}`;
  }

  /** The lines to show now for a message: the epoch's diagnostics not already shown for the epoch before. */
  take(m: TrainerMessage): string[] {
    if (m.type !== 'health' || m.diagnostics === null) return [];
    const key = (d: HealthDiagnostic) => `${d.code}:${d.index}`;
    const before = new Set((this.last ?? []).map(key));
    this.last = m.diagnostics;
    this.epoch = m.epoch;
    return m.diagnostics.filter((d) => !before.has(key(d))).map((d) => `warning: ${this.where(d)}\n`);
  }

  /** The end-of-run list: the last epoch's diagnostics (nothing when no epoch was measured). */
  summary(): string {
    if (this.last === null) return '';
    if (this.last.length === 0) return `Training health (epoch ${this.epoch}): no warnings.\n`;
    const n = this.last.length;
    return `Training health (epoch ${this.epoch}): ${n} warning${n === 1 ? '' : 's'}\n${this.last.map((d) => `  ${this.where(d)}\n`).join('')}`;
  }
}
