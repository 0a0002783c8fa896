// <cnn-training-data>: the training split as the trainer found it — samples per class (multi-label: positives
// per label) as bars, the rare ones (under 10% of the most common) marked, the loss weights in effect from
// `train class_weights`, and the trainer's warnings (the class-imbalance warning among them).

import { html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { styleProps } from '../../directives/style-props';
import { countRows, countsCaption, type TrainingData } from '../../state/trainingData';
import { sharedStyles } from '../shared.styles';
import { trainingDataStyles } from './training-data.styles';

@customElement('cnn-training-data')
export class TrainingDataView extends LitElement {
  static override styles = [sharedStyles, trainingDataStyles];

  @property({ attribute: false }) data: TrainingData | null = null;

  override render() {
    const d = this.data;
    const heading = html`<h3>Training data</h3>`;
    if (!d) return html`${heading}<p class="note">The class counts show once a trainer has opened the data: when training starts, or with the augmentation grid below.</p>`;
    const rows = countRows(d);
    const weights = d.classWeights !== null;
    const multi = d.task === 'multilabel';
    return html`${heading}
      <p class="note caption">${countsCaption(d)}</p>
      ${rows.length
        ? html`<div class="counts" role="list">
            <span class="head">${multi ? 'label' : 'class'}</span><span class="head">${multi ? 'positives' : 'samples'}</span><span class="head num"></span
            ><span class="head num">${weights ? (multi ? 'pos_weight' : 'weight') : ''}</span>
            ${rows.map(
              (r) => html`<span class=${r.rare ? 'rare-name' : ''}>${r.name}</span>
                <div class="track" role="listitem" aria-label="${r.name}: ${r.text}"><div class="fill ${r.rare ? 'rare' : ''}" data-class=${r.index} style=${styleProps({ width: `${(100 * r.share).toFixed(2)}%` })}></div></div>
                <span class="num count">${r.text}</span>
                <span class="num weight">${r.weight ?? ''}</span>`,
            )}
          </div>`
        : nothing}
      ${d.warnings.length ? html`<ul class="warnings">${d.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cnn-training-data': TrainingDataView;
  }
}
