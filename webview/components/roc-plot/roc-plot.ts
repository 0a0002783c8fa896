// <cnn-roc-plot>: ROC curves, one per class (one-vs-rest) or label, as an SVG plot over the unit square with the
// chance diagonal, axes and ticks; beside it the AUC table, which is the legend (each row's swatch is its
// curve's colour and dash). Hovering the plot names the nearest curve and its AUC; hovering or clicking a row
// picks its curve (the others fade).

import { html, LitElement, nothing, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { styleProps } from '../../directives/style-props';
import type { EvaluationMessage } from '../../../src/protocol/trainer';
import { aucRows, curveStyle, formatScore, nearestCurve, rocPlot } from '../../state/evaluation';
import { sharedStyles } from '../shared.styles';
import { rocPlotStyles } from './roc-plot.styles';

@customElement('cnn-roc-plot')
export class RocPlotView extends LitElement {
  static override styles = [sharedStyles, rocPlotStyles];

  @property({ attribute: false }) evaluation: EvaluationMessage | null = null;
  /** The picked curve (kept by the app's state), or null. */
  @property({ attribute: false }) picked: number | null = null;
  /** The plot square's side in CSS pixels. */
  @property({ type: Number }) side = 220;

  /** The curve under the pointer in the plot. */
  @state() private hover: number | null = null;

  private pick(index: number | null): void {
    this.dispatchEvent(new CustomEvent('cnn-roc-focus', { detail: { index }, bubbles: true, composed: true }));
  }

  private onMove(e: PointerEvent): void {
    const e2 = this.evaluation;
    const svgEl = e.currentTarget as SVGSVGElement;
    if (!e2) return;
    const r = svgEl.getBoundingClientRect();
    const plot = rocPlot(e2.roc, this.side);
    const fx = (e.clientX - r.left - plot.left) / plot.size;
    const ty = 1 - (e.clientY - r.top - plot.top) / plot.size;
    this.hover = fx < -0.05 || fx > 1.05 || ty < -0.05 || ty > 1.05 ? null : nearestCurve(e2.roc, fx, ty);
  }

  override render() {
    const e = this.evaluation;
    if (!e || !e.roc.length) return nothing;
    const plot = rocPlot(e.roc, this.side);
    const rows = aucRows(e);
    const lit = this.hover ?? this.picked;
    const multi = e.task === 'multilabel';
    const hovered = this.hover !== null ? rows[this.hover] : undefined;
    return html`<div class="wrap">
      <svg
        width=${plot.width}
        height=${plot.height}
        viewBox="0 0 ${plot.width} ${plot.height}"
        role="img"
        aria-label="ROC curves: true positive rate by false positive rate, one per ${multi ? 'label' : 'class'}"
        @pointermove=${this.onMove}
        @pointerleave=${() => (this.hover = null)}
        @click=${() => this.pick(this.hover === this.picked ? null : this.hover)}
      >
        ${plot.ticks.map(
          (t) => svg`<line class="grid" x1=${t.x} y1=${plot.top} x2=${t.x} y2=${plot.top + plot.size}></line>
            <line class="grid" x1=${plot.left} y1=${t.y} x2=${plot.left + plot.size} y2=${t.y}></line>
            <text x=${t.x} y=${plot.top + plot.size + 12} text-anchor="middle">${t.label}</text>
            <text x=${plot.left - 5} y=${t.y + 3} text-anchor="end">${t.label}</text>`,
        )}
        <path class="axis" d="M${plot.left},${plot.top}V${plot.top + plot.size}H${plot.left + plot.size}"></path>
        <path class="diagonal" d=${plot.diagonal}></path>
        ${plot.curves.map((c) => {
          const st = curveStyle(c.index);
          const cls = lit === null ? '' : lit === c.index ? 'focus' : 'dim';
          return c.path ? svg`<path class="curve ${cls}" data-curve=${c.index} d=${c.path} style=${styleProps({ stroke: st.color, strokeDasharray: st.dash })}><title>${rows[c.index]?.name}: AUC ${rows[c.index]?.auc}</title></path>` : nothing;
        })}
        <text x=${plot.left + plot.size / 2} y=${plot.height - 4} text-anchor="middle">false positive rate</text>
        <text transform="translate(10 ${plot.top + plot.size / 2}) rotate(-90)" text-anchor="middle">true positive rate</text>
        ${hovered ? svg`<text class="readout" x=${plot.left + plot.size - 4} y=${plot.top + plot.size - 6} text-anchor="end">${hovered.name}: AUC ${hovered.auc}</text>` : nothing}
      </svg>
      <table class="auc">
        <thead>
          <tr><th>${multi ? 'label' : 'class'}</th><th>AUC</th>${multi ? html`<th>accuracy</th>` : nothing}<th>positives</th></tr>
        </thead>
        <tbody>
          ${rows.map((r) => {
            const st = curveStyle(r.index);
            return html`<tr
              class=${lit === r.index ? 'focus' : ''}
              data-row=${r.index}
              @pointerenter=${() => (this.hover = r.index)}
              @pointerleave=${() => (this.hover = null)}
              @click=${() => this.pick(this.picked === r.index ? null : r.index)}
            >
              <td><span class="swatch" style=${styleProps({ borderTopColor: st.color, borderTopStyle: st.line })}></span>${r.name}</td>
              <td class="value">${r.auc}</td>
              ${multi ? html`<td>${r.accuracy ?? '–'}</td>` : nothing}
              <td>${r.support === null ? '–' : r.support.toLocaleString('en-US')}</td>
            </tr>`;
          })}
        </tbody>
        <tfoot>
          <tr><td>${multi ? 'mean' : 'macro mean'}</td><td class="mean">${formatScore(e.auc.mean)}</td>${multi ? html`<td></td>` : nothing}<td></td></tr>
        </tfoot>
      </table>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cnn-roc-plot': RocPlotView;
  }
  interface HTMLElementEventMap {
    'cnn-roc-focus': CustomEvent<{ index: number | null }>;
  }
}
