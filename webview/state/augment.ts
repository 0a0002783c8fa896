// The augmentation grid's logic: the `augment` settings in words, whether the grid shows what the editor's text
// says now (or must ask the trainer again), and the sample's labels in words. Pure.

import type { AugmentPreviewMessage, AugmentSpec } from '../../src/protocol/trainer';
import type { ModelView } from '../../src/protocol/webview';

/** Augmented images the grid asks for (besides the sample itself). */
export const GRID_COUNT = 8;

/** What a student types to get a grid: shown when the file has no `augment` line. */
export const AUGMENT_EXAMPLE = 'augment flip=horizontal rotate=10 shift=2 zoom=0.9-1.1 brightness=0.1';

/** The settings in one phrase: `flip horizontal · rotate ±10° · shift ±2 px · zoom 0.9–1.1 · brightness ±10%`; "every setting off". */
export function augmentText(a: AugmentSpec): string {
  const parts: string[] = [];
  if (a.flip !== 'none') parts.push(a.flip === 'both' ? 'flip both ways' : `flip ${a.flip}`);
  if (a.rotate) parts.push(`rotate ±${a.rotate}°`);
  if (a.shift) parts.push(`shift ±${a.shift} px`);
  if (a.zoom) parts.push(`zoom ${a.zoom[0]}–${a.zoom[1]}`);
  if (a.brightness) parts.push(`brightness ±${Math.round(100 * a.brightness)}%`);
  if (a.contrast) parts.push(`contrast ±${Math.round(100 * a.contrast)}%`);
  return parts.length ? parts.join(' · ') : 'every setting off: the images are the sample itself';
}

/** The settings that change images (the statement's line is left out: moving it changes nothing). */
export function augmentKey(a: AugmentSpec | null): string {
  return a ? JSON.stringify([a.flip, a.rotate, a.shift, a.zoom, a.brightness, a.contrast]) : 'none';
}

/**
 * The request the grid needs now, as a key (file, sample and settings), or null when it needs none: no model, a
 * file with errors (the trainer cannot be built; the last grid stays), or no `augment` line.
 */
export function previewRequestKey(model: ModelView | null, sample: number, seed: number | null): string | null {
  if (!model || model.errorCount > 0 || !model.augment) return null;
  return `${model.file}|${sample}|${seed ?? 'file'}|${augmentKey(model.augment)}`;
}

/** Where the grid stands against the editor's text. */
export type GridPhase = 'none' | 'errors' | 'waiting' | 'current' | 'stale';

/** `seed` null: the file's own `train seed` (whatever the trainer answered with). */
export function gridPhase(model: ModelView | null, preview: AugmentPreviewMessage | null, sample: number, seed: number | null): GridPhase {
  if (!model) return 'waiting';
  if (model.errorCount > 0) return 'errors';
  if (!model.augment) return 'none';
  if (!preview) return 'waiting';
  return preview.sample === sample && (seed === null || preview.seed === seed) && augmentKey(preview.augment) === augmentKey(model.augment) ? 'current' : 'stale';
}

/** The sample's classes in words: `class sign`, `labels: Effusion, Mass`, `no finding` (multi-label, none set). */
export function labelsText(p: Pick<AugmentPreviewMessage, 'labels' | 'classes'>, task: 'single' | 'multilabel'): string {
  const names = p.labels.map((i) => p.classes[i] ?? String(i));
  if (task === 'single') return names.length ? `class ${names[0]}` : '';
  return names.length ? `labels: ${names.join(', ')}` : 'no label set';
}

/**
 * One value range for the whole grid, so brightness and contrast show as such (each tile stretched on its own
 * would hide them): [0, 1] for pixels scaled to it (uint8 data), else the range of every image together.
 */
export function gridRange(images: readonly Float32Array[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const img of images) {
    for (let i = 0; i < img.length; i++) {
      const v = img[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (min > max) return { min: 0, max: 1 };
  if (min >= 0 && max <= 1) return { min: 0, max: 1 };
  return max > min ? { min, max } : { min: min - 1, max: max + 1 };
}
