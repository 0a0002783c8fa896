// The inspector's augmentation grid and training-data section, host side: the trainer request for a grid,
// made from the editor's text now (so every edit of the `augment` line shows), and the training split's class
// counts that the inspector's own trainer reports before any run. No `vscode` here: inspector.ts wires it.

import { type CheckResult, toModelSpec } from '../language';
import type { AugmentPreviewRequest, StartedMessage, TrainerMessage } from '../protocol/trainer';
import type { AugmentPreviewRequestMessage } from '../protocol/webview';

/**
 * The trainer request for the panel's grid, with the file's `augment` settings as the editor has them now; null
 * when there are none to show (no `augment` line: the panel says how to add one; or errors: it keeps its grid).
 */
export function augmentPreviewRequest(result: CheckResult, m: AugmentPreviewRequestMessage): AugmentPreviewRequest | null {
  const augment = toModelSpec(result)?.augment ?? null;
  if (!augment) return null;
  return { type: 'augmentPreview', sample: m.sample, count: m.count, augment, ...(m.seed !== undefined ? { seed: m.seed } : {}) };
}

/** Trainer messages of the inspector's own trainer (inspect mode) that the panel is sent, besides its errors. */
export function forwardedFromInspect(m: TrainerMessage): boolean {
  return m.type === 'snapshot' || m.type === 'evaluation' || m.type === 'augmentPreview' || m.type === 'explanation' || m.type === 'galleryExplanation';
}

/** The training split of each file as its latest trainer (a run's or the inspector's) reported it. */
export class TrainingDataStore {
  private readonly byFile = new Map<string, StartedMessage>();

  /** Remembers a `started` message; true when it was one (the panel is then sent it). */
  take(file: string, m: TrainerMessage): m is StartedMessage {
    if (m.type !== 'started') return false;
    this.byFile.set(file, m);
    return true;
  }

  get(file: string): StartedMessage | null {
    return this.byFile.get(file) ?? null;
  }
}
