// <cnn-prediction>: the chosen sample's class probabilities as bars (the lecture's [.1 .1 .8] for door / stair /
// sign), the validation set's confusion matrix and a gallery of misclassified examples.

import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { styleProps } from '../../directives/style-props';
import type { EvaluationMessage, SnapshotMessage } from '../../../src/protocol/trainer';
import { valueRange } from '../../state/colors';
import { paintChannel, paintImage } from '../../state/tiles';
import { lut } from '../../state/colors';
import { sharedStyles } from '../shared.styles';
import { predictionStyles } from './prediction-view.styles';

/** Cell shading of a confusion matrix: the share of its row (true class), 0…1. */
export function confusionShares(confusion: number[][]): number[][] {
  return confusion.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total ? v / total : 0));
  });
}

/** Accuracy from a confusion matrix (the diagonal over the total). */
export function accuracyOf(confusion: number[][]): number | null {
  let right = 0;
  let all = 0;
  confusion.forEach((row, i) => row.forEach((v, j) => ((all += v), i === j && (right += v))));
  return all ? right / all : null;
}

@customElement('cnn-prediction')
export class PredictionView extends LitElement {
  static override styles = [sharedStyles, predictionStyles];

  /** The sample's snapshot: probabilities, classes and label. */
  @property({ attribute: false }) snapshot: SnapshotMessage | null = null;
  /** The validation evaluation: confusion matrix and misclassified samples. */
  @property({ attribute: false }) evaluation: EvaluationMessage | null = null;
  /** The validation sample index chosen on the Feature maps tab. */
  @property({ type: Number }) sample = 0;

  override updated(changed: PropertyValues): void {
    super.updated(changed);
    if (!changed.has('evaluation') || !this.evaluation) return;
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
    });
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

  private renderEvaluation() {
    const e = this.evaluation;
    const button = html`<button class="secondary evaluate" @click=${() => this.dispatchEvent(new CustomEvent('cnn-evaluate', { bubbles: true, composed: true }))}>Evaluate ${e ? 'again' : 'validation set'}</button>`;
    if (!e) return html`<h3>Confusion matrix</h3><div class="row">${button}<span class="note">Not evaluated yet.</span></div>`;
    const shares = confusionShares(e.confusion);
    const acc = accuracyOf(e.confusion);
    const name = (i: number) => e.classes[i] ?? String(i);
    return html`<h3>Confusion matrix <span class="note">(${e.split} set${acc !== null ? `, accuracy ${(100 * acc).toFixed(1)}%` : ''}; rows: true class, columns: predicted)</span></h3>
      <div class="row">${button}</div>
      <table class="confusion">
        <tr><th></th>${e.classes.map((c) => html`<th>${c}</th>`)}</tr>
        ${e.confusion.map(
          (row, i) => html`<tr>
            <th>${name(i)}</th>
            ${row.map(
              (v, j) => html`<td
                title="true ${name(i)}, predicted ${name(j)}: ${v}"
                style=${styleProps({
                  background: `color-mix(in srgb, ${i === j ? 'var(--vscode-charts-green, #89d185)' : 'var(--vscode-charts-red, #f14c4c)'} ${Math.round(100 * shares[i]![j]!)}%, transparent)`,
                })}
              >${v}</td>`,
            )}
          </tr>`,
        )}
      </table>
      <h3>Misclassified <span class="note">(${e.misclassified.length} shown)</span></h3>
      ${e.misclassified.length
        ? html`<div class="gallery">
            ${e.misclassified.map(
              (m, i) => html`<figure title="sample ${m.index}: ${m.probabilities.map((p, j) => `${name(j)} ${(100 * p).toFixed(0)}%`).join(', ')}">
                <canvas class="pixels" data-miss=${i}></canvas>
                <figcaption>${name(m.label)} → <span class="error">${name(m.predicted)}</span> ${(100 * (m.probabilities[m.predicted] ?? 0)).toFixed(0)}%</figcaption>
              </figure>`,
            )}
          </div>`
        : html`<p class="note">None.</p>`}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cnn-prediction': PredictionView;
  }
  interface HTMLElementEventMap {
    'cnn-evaluate': CustomEvent<void>;
  }
}
