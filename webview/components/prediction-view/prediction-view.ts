// <cnn-prediction>: the chosen sample's prediction — class probabilities as bars (the lecture's [.1 .1 .8] for
// door / stair / sign), or for a multi-label network each label's sigmoid output against the 0.5 threshold and
// its truth — then the validation set's evaluation: accuracy and AUC, the confusion matrix with its per-class
// table (<cnn-confusion>), the ROC curves with the AUC table (<cnn-roc-plot>) and misclassified samples.

import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { styleProps } from '../../directives/style-props';
import type { EvaluationMessage, Misclassified, SnapshotMessage } from '../../../src/protocol/trainer';
import { lut, valueRange } from '../../state/colors';
import { accuracyOf, formatScore, labelBars, labelSummary, THRESHOLD } from '../../state/evaluation';
import { paintChannel, paintImage } from '../../state/tiles';
import '../confusion-view/confusion-view';
import { galleryCamToggle, paintGalleryCams } from '../explain-view/gallery-cam';
import type { GalleryExplanationMessage } from '../../../src/protocol/explain';
import '../roc-plot/roc-plot';
import { sharedStyles } from '../shared.styles';
import { predictionStyles } from './prediction-view.styles';

@customElement('cnn-prediction')
export class PredictionView extends LitElement {
  static override styles = [sharedStyles, predictionStyles];

  /** The sample's snapshot: probabilities, classes and label. */
  @property({ attribute: false }) snapshot: SnapshotMessage | null = null;
  /** The validation evaluation: figures, confusion matrix, ROC curves and misclassified samples. */
  @property({ attribute: false }) evaluation: EvaluationMessage | null = null;
  /** The validation sample index chosen on the Feature maps tab. */
  @property({ type: Number }) sample = 0;
  /** The network's task (from the model): multi-label draws per-label bars. */
  @property() task: 'single' | 'multilabel' = 'single';
  /** The confusion matrix in percent of each true class. */
  @property({ type: Boolean }) normalise = false;
  /** The picked ROC curve. */
  @property({ attribute: false }) rocFocus: number | null = null;
  /** The gallery's Grad-CAM toggle, and the maps the trainer sent for it. */
  @property({ type: Boolean }) cam = false;
  @property({ attribute: false }) cams: GalleryExplanationMessage | null = null;

  override updated(changed: PropertyValues): void {
    super.updated(changed);
    if (!(changed.has('evaluation') || changed.has('cam') || changed.has('cams')) || !this.evaluation) return;
    const list = this.evaluation.misclassified;
    this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas[data-miss]').forEach((canvas) => {
      const m = list[Number(canvas.dataset.miss)];
      if (!m || m.input.shape.length !== 3) return;
      const [h, w, c] = m.input.shape as [number, number, number];
      canvas.width = w;
      canvas.height = h;
      const g = canvas.getContext('2d');
      if (!g) return;
      const img = g.createImageData(w, h);
      const out = new Uint32Array(img.data.buffer);
      if (c === 3 || c === 1) paintImage(out, m.input.data, h, w, c, valueRange(m.input.data));
      else paintChannel(out, m.input.data, h, w, c, 0, lut('gray'), valueRange(m.input.data, 0, c, h * w));
      g.putImageData(img, 0, 0);
      delete canvas.dataset.cam;
    });
    if (this.cam) paintGalleryCams(this.renderRoot, list, this.cams);
  }

  override render() {
    return html`${this.renderBars()}${this.renderEvaluation()}`;
  }

  private renderBars() {
    const s = this.snapshot;
    if (!s || !s.probabilities.length)
      return html`<div class="row">
        <button class="load" @click=${() => this.dispatchEvent(new CustomEvent('cnn-snapshot', { detail: { sample: this.sample }, bubbles: true, composed: true }))}>Predict sample ${this.sample}</button>
        <span class="note">or choose a sample or an image on the Feature maps tab.</span>
      </div>`;
    return s.truth !== undefined || this.task === 'multilabel' ? this.labelBars(s) : this.classBars(s);
  }

  private classBars(s: SnapshotMessage) {
    const probs = s.probabilities;
    const top = probs.indexOf(Math.max(...probs));
    const wrong = s.label !== null && top !== s.label;
    const name = (i: number) => s.classes[i] ?? String(i);
    return html`<h3>Class probabilities</h3>
      <p class="note">${s.source}${s.label !== null ? html` · true class <span class="truth">${name(s.label)}</span>` : nothing} · predicted <strong>${name(top)}</strong>
        · [${probs.map((p) => p.toFixed(2).replace(/^0\./, '.')).join(' ')}]</p>
      <div class="bars" role="list">
        ${probs.map(
          (p, i) => html`<span class=${i === s.label ? 'truth' : ''}>${name(i)}</span>
            <div class="track" role="listitem" aria-label="${name(i)} ${(100 * p).toFixed(1)}%">
              <div class="fill ${i === top ? (wrong ? 'wrong' : 'top') : ''}" data-class=${i} style=${styleProps({ width: `${(100 * Math.min(1, Math.max(0, p))).toFixed(2)}%` })}></div>
            </div>
            <span class="value">${(100 * p).toFixed(1)}%</span>`,
        )}
      </div>`;
  }

  /** Multi-label: one bar per label (its sigmoid), the 0.5 threshold marked, the truth beside it. */
  private labelBars(s: SnapshotMessage) {
    const bars = labelBars(s.classes, s.probabilities, s.truth);
    const summary = labelSummary(bars);
    const predicted = bars.filter((b) => b.predicted).map((b) => b.name);
    const truth = bars.filter((b) => b.truth === 1).map((b) => b.name);
    return html`<h3>Label probabilities <span class="note">(sigmoid per label; predicted at ${THRESHOLD})</span></h3>
      <p class="note">${s.source}${s.truth !== undefined ? html` · true <span class="truth">${truth.length ? truth.join(', ') : 'none'}</span>` : nothing} · predicted
        <strong>${predicted.length ? predicted.join(', ') : 'none'}</strong>${summary ? ` · ${summary}` : ''}</p>
      <div class="bars labels" role="list">
        <span class="head"></span><span class="head threshold-label" style=${styleProps({ paddingLeft: `${100 * THRESHOLD}%` })}>${THRESHOLD}</span><span class="head">p</span><span class="head">truth</span>
        ${bars.map(
          (b) => html`<span class=${b.truth === 1 ? 'truth' : ''}>${b.name}</span>
            <div class="track" role="listitem" aria-label="${b.name} ${(100 * b.p).toFixed(1)}%${b.truth !== null ? `, truth ${b.truth}` : ''}">
              <div class="fill ${b.wrong ? 'wrong' : b.predicted ? 'top' : ''}" data-label=${b.index} style=${styleProps({ width: `${(100 * b.p).toFixed(2)}%` })}></div>
              <div class="threshold" style=${styleProps({ left: `${100 * THRESHOLD}%` })}></div>
            </div>
            <span class="value">${(100 * b.p).toFixed(1)}%</span>
            <span class="mark ${b.wrong ? 'error' : ''}" data-truth=${b.truth ?? ''} title=${b.truth === null ? 'truth unknown' : b.wrong ? (b.truth ? 'missed: present, predicted absent' : 'false alarm: absent, predicted present') : 'right at 0.5'}
              >${b.truth === null ? '' : b.truth ? '● 1' : '○ 0'}</span
            >`,
        )}
      </div>`;
  }

  private renderEvaluation() {
    const e = this.evaluation;
    const button = html`<button class="secondary evaluate" @click=${() => this.dispatchEvent(new CustomEvent('cnn-evaluate', { bubbles: true, composed: true }))}>Evaluate ${e ? 'again' : 'validation set'}</button>`;
    if (!e) return html`<h3>Evaluation</h3><div class="row">${button}<span class="note">Not evaluated yet.</span></div>`;
    const multi = e.task === 'multilabel';
    const acc = multi ? meanOf(e.labelAccuracy) : accuracyOf(e.confusion);
    const figures = [acc !== null ? `${multi ? 'accuracy at 0.5 over labels' : 'accuracy'} ${(100 * acc).toFixed(1)}%` : '', `${multi ? 'mean AUC' : 'macro AUC'} ${formatScore(e.auc.mean)}`].filter(Boolean).join(', ');
    return html`<h3>Evaluation <span class="note figures">(${e.split} set: ${figures})</span></h3>
      <div class="row">${button}</div>
      ${multi ? html`<h3>Per label <span class="note">(at the 0.5 threshold)</span></h3>` : html`<h3>Confusion matrix <span class="note">(rows: true class, columns: predicted)</span></h3>`}
      <cnn-confusion .evaluation=${e} ?normalise=${this.normalise}></cnn-confusion>
      ${e.roc.length
        ? html`<h3>ROC curves <span class="note">(${multi ? 'one per label' : 'one class against the rest'}; the dashed diagonal is chance)</span></h3>
            <cnn-roc-plot .evaluation=${e} .picked=${this.rocFocus}></cnn-roc-plot>`
        : nothing}
      <h3>Misclassified <span class="note">(${e.misclassified.length} shown${multi ? '; any label wrong at 0.5' : ''})</span></h3>
      ${e.misclassified.length ? html`<div class="row cam">${galleryCamToggle(this.cam, this.cams, (on) => this.dispatchEvent(new CustomEvent('cnn-gallery-cam', { detail: { on }, bubbles: true, composed: true })))}</div>` : nothing}
      ${e.misclassified.length
        ? html`<div class="gallery">${e.misclassified.map((m, i) => (multi ? this.missedLabels(e, m, i) : this.missedClass(e, m, i)))}</div>`
        : html`<p class="note">None.</p>`}`;
  }

  private missedClass(e: EvaluationMessage, m: Misclassified, i: number) {
    const name = (k: number) => e.classes[k] ?? String(k);
    return html`<figure title="sample ${m.index}: ${m.probabilities.map((p, j) => `${name(j)} ${(100 * p).toFixed(0)}%`).join(', ')}">
      <canvas class="pixels" data-miss=${i}></canvas>
      <figcaption>${name(m.label)} → <span class="error">${name(m.predicted)}</span> ${(100 * (m.probabilities[m.predicted] ?? 0)).toFixed(0)}%</figcaption>
    </figure>`;
  }

  private missedLabels(e: EvaluationMessage, m: Misclassified, i: number) {
    const bars = labelBars(e.classes, m.probabilities, m.truth);
    const missed = bars.filter((b) => b.wrong && b.truth === 1).map((b) => b.name);
    const alarms = bars.filter((b) => b.wrong && b.truth === 0).map((b) => b.name);
    const caption = [missed.length ? `missed ${missed.join(', ')}` : '', alarms.length ? `false ${alarms.join(', ')}` : ''].filter(Boolean).join('; ');
    return html`<figure title="sample ${m.index}: ${bars.map((b) => `${b.name} ${(100 * b.p).toFixed(0)}%${b.truth ? ' (true)' : ''}`).join(', ')}">
      <canvas class="pixels" data-miss=${i}></canvas>
      <figcaption class="labels"><span class="error">${caption}</span></figcaption>
    </figure>`;
  }
}

function meanOf(xs: readonly number[] | null): number | null {
  return xs && xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

declare global {
  interface HTMLElementTagNameMap {
    'cnn-prediction': PredictionView;
  }
  interface HTMLElementEventMap {
    'cnn-evaluate': CustomEvent<void>;
    'cnn-gallery-cam': CustomEvent<{ on: boolean }>;
  }
}
