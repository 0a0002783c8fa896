// <cnn-gradient-flow>: the Training tab's gradient-flow chart — one line per parameterised layer statement, its
// weight-gradient norm over the run's steps on a log scale — and, under it, the latest epoch's training-health
// diagnostics (W301–W304) with their lines. Fed by the trainer's health messages (state/health.ts).

import { html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { HealthState } from '../../state/health';
import '../line-chart/line-chart';
import type { ChartSeries } from '../line-chart/line-chart';
import { sharedStyles } from '../shared.styles';
import { gradientFlowStyles } from './gradient-flow.styles';

@customElement('cnn-gradient-flow')
export class GradientFlow extends LitElement {
  static override styles = [sharedStyles, gradientFlowStyles];

  /** The run's health series and latest epoch-end message; nothing is shown before the first. */
  @property({ attribute: false }) health: HealthState | null = null;

  override render() {
    const h = this.health;
    if (!h || h.series.length === 0) return nothing;
    const series: ChartSeries[] = h.series.map((s) => ({ label: `line ${s.line + 1} ${s.kind}`, kind: 'line', points: s.points.map((p) => [p.x, p.y] as [number, number]) }));
    const diagnostics = h.latest?.diagnostics ?? [];
    return html`
      <h3>Gradient flow</h3>
      <cnn-line-chart class="gradient-flow" log xLabel="step" yLabel="‖∂L/∂w‖ per layer (log scale)" .series=${series}></cnn-line-chart>
      ${h.latest
        ? diagnostics.length
          ? html`<ul class="health-diagnostics">
              ${diagnostics.map((d) => html`<li><span class="code">${d.code}</span> line ${d.line + 1}: ${d.message}</li>`)}
            </ul>`
          : html`<p class="note">Epoch ${h.latest.epoch}: no training-health warnings.</p>`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cnn-gradient-flow': GradientFlow;
  }
}
