// <cnn-confusion>: the validation set's confusion matrix (rows: true class, columns: predicted) as counts, or
// with "Normalise per row" as each true class's percentages; under it precision, recall, F1 and support per
// class and their macro mean. For a multi-label network (no single prediction to confuse) only the table,
// per label at the 0.5 threshold.

import { html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { styleProps } from '../../directives/style-props';
import type { EvaluationMessage } from '../../../src/protocol/trainer';
import { cellText, rowShares, scoreRows } from '../../state/evaluation';
import { sharedStyles } from '../shared.styles';
import { confusionStyles } from './confusion-view.styles';

@customElement('cnn-confusion')
export class ConfusionView extends LitElement {
  static override styles = [sharedStyles, confusionStyles];

  @property({ attribute: false }) evaluation: EvaluationMessage | null = null;
  /** Show each true class's percentages instead of counts. */
  @property({ type: Boolean }) normalise = false;

  private toggle(e: Event): void {
    this.dispatchEvent(new CustomEvent('cnn-normalise', { detail: { on: (e.target as HTMLInputElement).checked }, bubbles: true, composed: true }));
  }

  override render() {
    const e = this.evaluation;
    if (!e) return nothing;
    return html`${e.task === 'single' && e.confusion.length ? this.matrix(e) : nothing}${this.scores(e)}`;
  }

  private matrix(e: EvaluationMessage) {
    const shares = rowShares(e.confusion);
    const name = (i: number) => e.classes[i] ?? String(i);
    return html`<div class="row">
        <label class="toggle"><input type="checkbox" class="normalise" .checked=${this.normalise} @change=${this.toggle} />Normalise per row</label>
        <span class="note">${this.normalise ? 'percent of each true class (each row sums to 100%)' : 'counts'}</span>
      </div>
      <table class="confusion ${this.normalise ? 'normalised' : ''}">
        <tr><th title="rows: true class, columns: predicted">true \\ predicted</th>${e.classes.map((c) => html`<th>${c}</th>`)}</tr>
        ${e.confusion.map(
          (row, i) => html`<tr>
            <th>${name(i)}</th>
            ${row.map(
              (v, j) => html`<td
                title="true ${name(i)}, predicted ${name(j)}: ${v} (${(100 * shares[i]![j]!).toFixed(1)}% of ${name(i)})"
                style=${styleProps({
                  background: `color-mix(in srgb, ${i === j ? 'var(--vscode-charts-green, #89d185)' : 'var(--vscode-charts-red, #f14c4c)'} ${Math.round(100 * shares[i]![j]!)}%, transparent)`,
                })}
              >${cellText(v, shares[i]![j]!, this.normalise)}</td>`,
            )}
          </tr>`,
        )}
      </table>`;
  }

  private scores(e: EvaluationMessage) {
    if (!e.perClass.length) return nothing;
    const { rows, macro } = scoreRows(e.classes, e.perClass);
    const what = e.task === 'multilabel' ? 'label' : 'class';
    return html`<table class="scores">
      <thead>
        <tr><th>${what}</th><th>precision</th><th>recall</th><th>F1</th><th title="${e.task === 'multilabel' ? 'positives of the label' : 'samples of the class'} in the ${e.split} set">support</th></tr>
      </thead>
      <tbody>
        ${rows.map((r) => html`<tr><td>${r.name}</td><td>${r.precision}</td><td>${r.recall}</td><td>${r.f1}</td><td>${r.support}</td></tr>`)}
      </tbody>
      ${macro ? html`<tfoot><tr><td>${macro.name}</td><td>${macro.precision}</td><td>${macro.recall}</td><td>${macro.f1}</td><td>${macro.support}</td></tr></tfoot>` : nothing}
    </table>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cnn-confusion': ConfusionView;
  }
  interface HTMLElementEventMap {
    'cnn-normalise': CustomEvent<{ on: boolean }>;
  }
}
