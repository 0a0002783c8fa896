// <cnn-explain>: where the network looked. A sample (a validation index, a misclassified one from the last
// evaluation, or an image file), a class (the predicted one by default) and Grad-CAM's layer (the conv line
// under the editor's cursor, or the dropdown); the three maps side by side, each upsampled (bilinear) over the
// input in grey with its colour scale, under one opacity slider. The maps come from the trainer (state/explain.ts).

import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { styleProps } from '../../directives/style-props';
import type { EvaluationMessage } from '../../../src/protocol/trainer';
import type { ExplanationMap } from '../../../src/protocol/explain';
import type { ModelView, RunStatus } from '../../../src/protocol/webview';
import { cssGradient } from '../../state/colors';
import { classPhrase, EXPLAIN_TAB_METHODS, explainLayers, explainLine, type ExplainState, mapMax, METHOD_TITLES, overlayPixels } from '../../state/explain';
import { formatValue } from '../../state/format';
import { colorbarStyles, sharedStyles } from '../shared.styles';
import { explainViewStyles } from './explain-view.styles';

/** What each method's map says, under its title. */
const METHOD_HINTS = {
  gradcam: 'the layer’s features that raise the class’s score',
  saliency: 'the pixels the score is most sensitive to',
  occlusion: 'where hiding a square costs the class probability',
} as const;

@customElement('cnn-explain')
export class ExplainView extends LitElement {
  static override styles = [sharedStyles, colorbarStyles, explainViewStyles];

  @property({ attribute: false }) explain: ExplainState | null = null;
  @property({ attribute: false }) model: ModelView | null = null;
  /** The last evaluation, for its misclassified samples. */
  @property({ attribute: false }) evaluation: EvaluationMessage | null = null;
  @property({ attribute: false }) status: RunStatus | null = null;
  @property({ type: Boolean }) live = false;

  private emit<T>(name: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(name, { detail, bubbles: true, composed: true }));
  }

  override updated(changed: PropertyValues): void {
    super.updated(changed);
    this.paint();
  }

  /** Paints each method's overlay at the input's size (the canvas is scaled up by CSS). */
  private paint(): void {
    const e = this.explain?.explanation;
    if (!e) return;
    for (const canvas of this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas[data-method]')) {
      const m = e.maps.find((x) => x.method === canvas.dataset.method);
      if (!m) continue;
      const { width, height, rgba } = overlayPixels(e.input, m, this.explain!.opacity);
      canvas.width = width;
      canvas.height = height;
      canvas.getContext('2d')?.putImageData(new ImageData(rgba, width, height), 0, 0);
    }
  }

  override render() {
    const s = this.explain;
    if (!s) return nothing;
    const e = s.explanation;
    // The host's note (no checkpoint, errors to fix) is about the inspector's own trainer, not a running one.
    const note = this.live ? null : this.status?.note;
    return html`
      ${this.renderControls(s)}
      ${note ? html`<p class="note status-note">${note}</p>` : nothing}
      ${e
        ? html`<p class="about">
              <span class="source">${e.source}</span>${e.label !== null && e.classes[e.label] !== undefined ? html` · truth <b>${e.classes[e.label]}</b>` : nothing}${e.classIndex >= 0
                ? html` · explaining <b class="explained">${classPhrase(e)}</b>`
                : nothing}${s.waiting ? html` <span class="note">· updating…</span>` : nothing}
            </p>
            ${e.error ? html`<p class="error" role="alert">${e.error}</p>` : nothing}
            <div class="maps">${EXPLAIN_TAB_METHODS.map((method) => e.maps.find((m) => m.method === method)).filter((m): m is ExplanationMap => !!m).map((m) => this.renderMap(m))}</div>`
        : note
        ? nothing
        : html`<p class="note">${s.waiting ? 'Computing the explanations…' : this.status?.training ? 'They follow the running network.' : 'Choose a sample: the latest checkpoint is loaded to explain it.'}</p>`}
    `;
  }

  private renderControls(s: ExplainState) {
    const classes = this.model?.classes ?? s.explanation?.classes ?? [];
    const layers = explainLayers(this.model);
    const line = explainLine(this.model, s.line);
    const misses = this.evaluation?.misclassified ?? [];
    const evalClasses = this.evaluation?.classes ?? classes;
    const sample = s.source.kind === 'sample' ? s.source.sample : null;
    return html`<div class="row controls">
      <label>Validation sample <input class="sample" type="number" min="0" .value=${String(sample ?? 0)} @change=${(ev: Event) => this.emit('cnn-explain-sample', { sample: Number((ev.target as HTMLInputElement).value) })} /></label>
      ${misses.length
        ? html`<label
            >Misclassified
            <select class="missed" @change=${(ev: Event) => {
              const v = (ev.target as HTMLSelectElement).value;
              if (v !== '') this.emit('cnn-explain-sample', { sample: Number(v) });
            }}>
              <option value="" ?selected=${!misses.some((m) => m.index === sample)}>—</option>
              ${misses.map(
                (m) => html`<option value=${String(m.index)} ?selected=${m.index === sample}>#${m.index}${m.label >= 0 ? `: ${evalClasses[m.label] ?? m.label} as ${evalClasses[m.predicted] ?? m.predicted}` : ''}</option>`,
              )}
            </select></label
          >`
        : nothing}
      <button class="secondary pick" @click=${() => this.emit('cnn-explain-pick', {})}>Image file…</button>
      <label
        >Class
        <select class="class" @change=${(ev: Event) => {
          const v = (ev.target as HTMLSelectElement).value;
          this.emit('cnn-explain-class', { cls: v === '' ? null : Number(v) });
        }}>
          <option value="" ?selected=${s.cls === null}>predicted</option>
          ${classes.map((c, i) => html`<option value=${String(i)} ?selected=${s.cls === i}>${c}</option>`)}
        </select></label
      >
      <label
        >Grad-CAM layer
        <select class="layer" ?disabled=${layers.length === 0} @change=${(ev: Event) => this.emit('cnn-explain-line', { line: Number((ev.target as HTMLSelectElement).value) })}>
          ${layers.length === 0 ? html`<option>no conv, pool or merge layer with rows and columns</option>` : nothing}
          ${layers.map((l) => html`<option value=${String(l.line)} ?selected=${l.line === line}>line ${l.line + 1}: ${l.label}${l.output?.kind === 'volume' ? ` (${l.output.h}×${l.output.w}×${l.output.c})` : ''}</option>`)}
        </select></label
      >
      <label
        >Opacity
        <input
          class="opacity"
          type="range"
          min="0"
          max="100"
          step="5"
          aria-valuetext=${`${Math.round(s.opacity * 100)}%`}
          .value=${String(Math.round(s.opacity * 100))}
          @input=${(ev: Event) => this.emit('cnn-explain-opacity', { opacity: Number((ev.target as HTMLInputElement).value) / 100 })}
        />
        <span class="note">${Math.round(s.opacity * 100)}%</span></label
      >
    </div>`;
  }

  private renderMap(m: ExplanationMap) {
    const max = mapMax(m);
    const where = m.method === 'gradcam' && m.line !== null ? `line ${m.line + 1}, ` : '';
    return html`<figure data-figure=${m.method}>
      <figcaption>${METHOD_TITLES[m.method]} <span class="note">${where}${m.h}×${m.w}</span></figcaption>
      <canvas class="overlay pixels" data-method=${m.method} role="img" aria-label=${`${METHOD_TITLES[m.method]}: ${METHOD_HINTS[m.method]}`}></canvas>
      <span class="colorbar" title="The map scaled from 0 to its largest value; negative values show as 0"
        >0 <span class="bar" style=${styleProps({ background: cssGradient('viridis') })}></span> ${formatValue(max)}</span
      >
      <span class="note hint">${METHOD_HINTS[m.method]}</span>
    </figure>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cnn-explain': ExplainView;
  }
  interface HTMLElementEventMap {
    'cnn-explain-sample': CustomEvent<{ sample: number }>;
    'cnn-explain-class': CustomEvent<{ cls: number | null }>;
    'cnn-explain-line': CustomEvent<{ line: number }>;
    'cnn-explain-opacity': CustomEvent<{ opacity: number }>;
    'cnn-explain-pick': CustomEvent<Record<string, never>>;
  }
}
