// <cnn-augment-grid>: what training shows the network of one training sample — the sample, then augmented
// versions of it under the file's `augment` line as the editor has it now (the app asks the host again on
// every edit of the line, on another sample and on new draws). Without an `augment` line it says how to add one.

import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { AugmentPreviewMessage, AugmentSpec } from '../../../src/protocol/trainer';
import { lut } from '../../state/colors';
import { AUGMENT_EXAMPLE, augmentText, type GridPhase, gridRange, labelsText } from '../../state/augment';
import { paintChannel, paintImage } from '../../state/tiles';
import { sharedStyles } from '../shared.styles';
import { augmentGridStyles } from './augment-grid.styles';

@customElement('cnn-augment-grid')
export class AugmentGrid extends LitElement {
  static override styles = [sharedStyles, augmentGridStyles];

  /** The file's `augment` settings now (null: none, or the file has errors). */
  @property({ attribute: false }) augment: AugmentSpec | null = null;
  @property({ attribute: false }) preview: AugmentPreviewMessage | null = null;
  @property() phase: GridPhase = 'waiting';
  /** The training sample asked for. */
  @property({ type: Number }) sample = 0;
  /** Training samples, when known (the picker's range). */
  @property({ attribute: false }) trainSize: number | null = null;
  @property() task: 'single' | 'multilabel' = 'single';
  /** Why no trainer answers (the host's note when none runs for the file), shown instead of "updating…". */
  @property({ attribute: false }) problem: string | null = null;

  private fire(name: 'cnn-augment-sample' | 'cnn-augment-redraw', detail: { sample?: number }): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  override updated(changed: PropertyValues): void {
    super.updated(changed);
    if (!changed.has('preview') || !this.preview) return;
    const p = this.preview;
    const images = [p.input, ...p.images];
    const range = gridRange(images.map((t) => t.data));
    this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas[data-image]').forEach((canvas) => {
      const t = images[Number(canvas.dataset.image)];
      if (!t || t.shape.length !== 3) return;
      const [h, w, c] = t.shape as [number, number, number];
      canvas.width = w;
      canvas.height = h;
      const g = canvas.getContext('2d');
      if (!g) return;
      const img = g.createImageData(w, h);
      const out = new Uint32Array(img.data.buffer);
      if (c === 3 || c === 1) paintImage(out, t.data, h, w, c, range);
      else paintChannel(out, t.data, h, w, c, 0, lut('gray'), range);
      g.putImageData(img, 0, 0);
    });
  }

  override render() {
    const heading = html`<h3>Augmentation <span class="note">(what training shows the network: training batches only)</span></h3>`;
    if (this.phase === 'none')
      return html`${heading}<p class="note none">No <code>augment</code> line: training sees every image as it is. Add one after the input line to see its effect here,
        e.g. <code>${AUGMENT_EXAMPLE}</code> (flips, rotation in degrees, shift in pixels, zoom, brightness and contrast).</p>`;
    const p = this.preview;
    const last = this.trainSize !== null ? Math.max(0, this.trainSize - 1) : undefined;
    return html`${heading}
      <div class="row">
        ${this.augment ? html`<span class="settings">${augmentText(this.augment)}</span>` : nothing}
        ${this.phase === 'errors' ? html`<span class="note">The file has errors: the last grid is shown.</span>` : nothing}
        ${this.phase === 'waiting' || this.phase === 'stale'
          ? this.problem
            ? html`<span class="error problem">${this.problem}</span>`
            : html`<span class="note busy">updating…</span>`
          : nothing}
      </div>
      <div class="row">
        <label>training sample <input type="number" class="sample" min="0" max=${last ?? ''} .value=${String(this.sample)}
          @change=${(e: Event) => this.fire('cnn-augment-sample', { sample: Number((e.target as HTMLInputElement).value) })} /></label>
        ${last !== undefined ? html`<span class="note">of ${(last + 1).toLocaleString('en-US')}</span>` : nothing}
        <button class="secondary redraw" title="Other random draws of the same settings" @click=${() => this.fire('cnn-augment-redraw', {})}>New draws</button>
        ${p ? html`<span class="note labels">${labelsText(p, this.task)}</span>` : nothing}
      </div>
      ${p
        ? html`<div class="grid ${this.phase === 'current' ? '' : 'stale'}" data-sample=${p.sample}>
            <figure class="original"><canvas class="pixels" data-image="0"></canvas><figcaption>sample ${p.sample}</figcaption></figure>
            ${p.images.map((_, i) => html`<figure title="augmented version ${i + 1}"><canvas class="pixels" data-image=${i + 1}></canvas><figcaption>#${i + 1}</figcaption></figure>`)}
          </div>`
        : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cnn-augment-grid': AugmentGrid;
  }
  interface HTMLElementEventMap {
    'cnn-augment-sample': CustomEvent<{ sample: number }>;
    'cnn-augment-redraw': CustomEvent<{ sample?: number }>;
  }
}
