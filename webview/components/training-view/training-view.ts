// <cnn-training>: live loss and accuracy curves for training and validation while a run goes on (epoch, step,
// samples per second, time left, a stop button), and when idle the last run's curves and how it ended; under
// them the training data (class counts, weights, warnings) and the augmentation grid.

import { html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { AugmentPreviewMessage } from '../../../src/protocol/trainer';
import type { ModelView, RunStatus } from '../../../src/protocol/webview';
import type { GridPhase } from '../../state/augment';
import type { TrainingData } from '../../state/trainingData';
import '../augment-grid/augment-grid';
import '../gradient-flow/gradient-flow';
import '../training-data/training-data';
import { ThemeController } from '../../controllers/theme';
import { formatDuration, formatPercent } from '../../state/format';
import { curves, type RunState } from '../../state/inspector';
import { runHeadline } from '../../state/run';
import '../line-chart/line-chart';
import type { ChartSeries } from '../line-chart/line-chart';
import { sharedStyles } from '../shared.styles';
import { trainingStyles } from './training-view.styles';

@customElement('cnn-training')
export class TrainingView extends LitElement {
  /** Resolves the curves' theme colours again when the colour theme changes. */
  protected readonly theme = new ThemeController(this);

  static override styles = [sharedStyles, trainingStyles];

  /** The run's state from the reducer. */
  @property({ attribute: false }) run: RunState | null = null;
  /** The host's status for the file (training, checkpoint…). */
  @property({ attribute: false }) status: RunStatus | null = null;
  /** True while a run is going on: shows the stop button and live figures. */
  @property({ type: Boolean }) live = false;
  /** The .cnn file: the last run's path is shown relative to its folder. */
  @property({ attribute: false }) file: string | null = null;
  /** True when the file has errors (training cannot start). */
  @property({ type: Boolean }) hasErrors = false;
  /** The training split's class counts, weights and warnings. */
  @property({ attribute: false }) data: TrainingData | null = null;
  /** The model (its `augment` settings and task). */
  @property({ attribute: false }) model: ModelView | null = null;
  /** The augmentation grid: its images, where they stand against the editor's text, and its sample. */
  @property({ attribute: false }) augmentPreview: AugmentPreviewMessage | null = null;
  @property() augmentPhase: GridPhase = 'waiting';
  @property({ type: Number }) augmentSample = 0;

  private fire(name: 'cnn-stop' | 'cnn-train'): void {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true }));
  }

  override render() {
    const run = this.run;
    if (!run) return nothing;
    const c = curves(run);
    const colors = ['var(--vscode-charts-blue, #3794ff)', 'var(--vscode-charts-blue, #3794ff)', 'var(--vscode-charts-orange, #d18616)'];
    const toSeries = (list: typeof c.loss): ChartSeries[] =>
      list.map((s) => ({ ...s, color: resolveColor(this, s.label === 'validation' ? colors[2]! : colors[0]!), alpha: s.label === 'train (running)' ? 0.45 : 1 }));
    const p = run.progress;
    const last = run.rows[run.rows.length - 1];
    return html`
      ${this.live ? this.liveHeader() : this.idleHeader()}
      <div class="stats">
        ${p && this.live
          ? html`
              ${stat('epoch', `${p.epoch} / ${p.epochs}`)} ${stat('step', `${p.step} / ${p.steps}`)} ${stat('loss (running)', p.loss.toFixed(4))}
              ${stat('accuracy (running)', formatPercent(p.accuracy))} ${stat('samples/s', Math.round(p.samplesPerSec).toLocaleString('en-US'))}
              ${stat('time left', formatDuration(p.etaSec))}
            `
          : nothing}
        ${last
          ? html`${stat(`epoch ${last.epoch} train loss`, last.trainLoss.toFixed(4))} ${stat('train accuracy', formatPercent(last.trainAccuracy))}
            ${stat('validation loss', last.valLoss === null ? '–' : last.valLoss.toFixed(4))} ${stat('validation accuracy', formatPercent(last.valAccuracy))}`
          : nothing}
        ${run.done?.test
          ? html`<span class="test">${stat(`test accuracy (${run.done.test.samples.toLocaleString('en-US')} samples)`, formatPercent(run.done.test.accuracy))}
            ${run.done.test.auc !== null ? stat('test AUC', run.done.test.auc.toFixed(3)) : nothing}</span>`
          : nothing}
      </div>
      ${this.live && p ? html`<progress max="1" value=${((p.epoch - 1) * p.steps + p.step) / Math.max(1, p.epochs * p.steps)}></progress>` : nothing}
      ${run.rows.length || run.points.length
        ? html`<div class="charts">
            <cnn-line-chart class="loss" yLabel="loss" .series=${toSeries(c.loss)}></cnn-line-chart>
            <cnn-line-chart class="accuracy" yLabel="accuracy" percent .yMin=${0} .yMax=${1} .series=${toSeries(c.accuracy)}></cnn-line-chart>
            ${c.auc.length
              ? html`<cnn-line-chart class="auc" yLabel="AUC" .yMin=${0} .yMax=${1} .series=${toSeries([{ label: 'validation', points: c.auc, kind: 'line' as const }])}></cnn-line-chart>`
              : nothing}
          </div>`
        : nothing}
      <cnn-gradient-flow .health=${run.health}></cnn-gradient-flow>
      ${run.error ? html`<p class="error">Training failed (${run.error.stage}): ${run.error.message}</p>` : nothing}
      <cnn-training-data .data=${this.data}></cnn-training-data>
      <cnn-augment-grid
        .augment=${this.model?.augment ?? null}
        .preview=${this.augmentPreview}
        .phase=${this.augmentPhase}
        .sample=${this.augmentSample}
        .trainSize=${this.data?.trainSize ?? null}
        .task=${this.model?.task ?? 'single'}
        .problem=${this.status && !this.status.inspecting && !this.status.training ? this.status.note : null}
      ></cnn-augment-grid>
    `;
  }

  private liveHeader() {
    const s = this.run?.started;
    return html`<div class="row">
      <strong>Training…</strong>
      ${s ? html`<span class="note">${s.trainSize.toLocaleString('en-US')} training / ${s.valSize.toLocaleString('en-US')} validation samples, ${s.params.toLocaleString('en-US')} parameters, ${s.backend} engine</span>` : nothing}
      <button class="stop" @click=${() => this.fire('cnn-stop')} title="CNN: Stop Training">Stop</button>
    </div>`;
  }

  private idleHeader() {
    const h = runHeadline(this.run!, this.status, this.file);
    return html`<div class="row">
      <span class="note"
        ><span class="phase" data-phase=${h.phase}>${h.text}</span>${h.path
          ? html` Last run: <span class="path" title=${h.fullPath ?? ''}>${h.path}</span>`
          : nothing}</span
      >
      <button class="train" ?disabled=${this.hasErrors} title=${this.hasErrors ? 'Fix the errors first' : 'CNN: Train Model'} @click=${() => this.fire('cnn-train')}>Train</button>
    </div>`;
  }
}

function stat(name: string, value: string) {
  return html`<div class="stat"><div class="value">${value}</div><div class="name">${name}</div></div>`;
}

/** Canvas cannot read `var(...)`: resolve it against an element. */
function resolveColor(el: Element, cssVar: string): string {
  const m = /var\((--[\w-]+),\s*([^)]+)\)/.exec(cssVar);
  return m ? getComputedStyle(el).getPropertyValue(m[1]!).trim() || m[2]!.trim() : cssVar;
}

declare global {
  interface HTMLElementTagNameMap {
    'cnn-training': TrainingView;
  }
  interface HTMLElementEventMap {
    'cnn-stop': CustomEvent<void>;
    'cnn-train': CustomEvent<void>;
  }
}
