// The misclassified gallery's Grad-CAM toggle (on the Prediction tab): each sample's canvas repainted with its
// Grad-CAM map for the class it was wrongly predicted as, over its input (state/explain.ts's overlay).

import { html, nothing } from 'lit';
import type { GalleryExplanationMessage } from '../../../src/protocol/explain';
import type { Misclassified } from '../../../src/protocol/trainer';
import { overlayPixels } from '../../state/explain';

/** The gallery's overlay opacity. */
const GALLERY_OPACITY = 0.6;

/** Paints the Grad-CAM overlay into each `canvas[data-miss=i]` whose sample has a map; true when any was painted. */
export function paintGalleryCams(root: ParentNode, list: readonly Misclassified[], cams: GalleryExplanationMessage | null): boolean {
  if (!cams) return false;
  let painted = false;
  root.querySelectorAll<HTMLCanvasElement>('canvas[data-miss]').forEach((canvas) => {
    const m = list[Number(canvas.dataset.miss)];
    const cam = m && cams.items.find((x) => x.sample === m.index);
    if (!m || !cam || m.input.shape.length !== 3) return;
    const { width, height, rgba } = overlayPixels(m.input, { method: 'gradcam', line: cams.line, h: cam.h, w: cam.w, map: cam.map }, GALLERY_OPACITY);
    canvas.width = width;
    canvas.height = height;
    canvas.getContext('2d')?.putImageData(new ImageData(rgba, width, height), 0, 0);
    canvas.dataset.cam = 'on';
    painted = true;
  });
  return painted;
}

/** The toggle beside the gallery's heading, and the trainer's reason when it has no maps. */
export function galleryCamToggle(on: boolean, cams: GalleryExplanationMessage | null, toggle: (on: boolean) => void) {
  return html`<button class="secondary cam-toggle" aria-pressed=${on ? 'true' : 'false'} title="Show where the network looked (Grad-CAM, for the class it predicted)" @click=${() => toggle(!on)}>
      Grad-CAM ${on ? 'on' : 'off'}</button
    >${on && cams?.error ? html` <span class="error cam-error">${cams.error}</span>` : on && cams ? html` <span class="note">line ${(cams.line ?? 0) + 1}, the predicted class</span>` : nothing}`;
}
