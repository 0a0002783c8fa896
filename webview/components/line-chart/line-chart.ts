// <cnn-line-chart>: a small canvas line chart with nice-number axes and ticks, a legend and a hover readout
// (crosshair on the nearest x, each series' value there). Redraws on data, size and theme changes.

import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { styleProps } from '../../directives/style-props';
import { extent, linear, nearestIndex, niceTicks, type Point, tickLabel } from '../../state/chart';
import { logLabel, logTicks, positive } from '../../state/logScale';
import { ThemeController, themeColors } from '../../controllers/theme';
import { lineChartStyles } from './line-chart.styles';

export interface ChartSeries {
  label: string;
  points: Point[];
  /** `line` joins the points; `markers` draws a dot at each. */
  kind: 'line' | 'markers';
  /** A CSS colour; by default the theme's chart colours in order. */
  color?: string;
  /** Opacity, for a fainter series (default 1). */
  alpha?: number;
}

const PAD = { left: 44, right: 10, top: 8, bottom: 26 };

@customElement('cnn-line-chart')
export class LineChart extends LitElement {
  /** Repaints the canvas when the colour theme changes. */
  protected readonly theme = new ThemeController(this);

  static override styles = lineChartStyles;

  /** The series to draw. */
  @property({ attribute: false }) series: ChartSeries[] = [];
  /** Axis titles. */
  @property() xLabel = 'epoch';
  @property() yLabel = '';
  /** Fixed y range (e.g. 0…1 for accuracy); by default the data's, widened to nice ticks. */
  @property({ type: Number }) yMin: number | null = null;
  @property({ type: Number }) yMax: number | null = null;
  /** Show y values as percentages. */
  @property({ type: Boolean }) percent = false;
  /** A log-10 y axis (ticks at powers of ten; points with y ≤ 0 are left out; yMin/yMax are ignored). */
  @property({ type: Boolean }) log = false;
  /** Canvas height in CSS pixels. */
  @property({ type: Number }) height = 170;

  @state() private hoverX: number | null = null;
  @state() private width = 320;
  @query('canvas') private canvas!: HTMLCanvasElement;
  private observer: ResizeObserver | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.observer = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (w > 0 && w !== this.width) this.width = w;
    });
    this.observer.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer?.disconnect();
    this.observer = null;
  }

  private colors(): string[] {
    const t = themeColors(this);
    return this.series.map((s, i) => s.color ?? t.series[i % t.series.length]!);
  }

  /** A series' points as drawn (on a log axis, the positive ones). */
  private shown(s: ChartSeries): Point[] {
    return this.log ? positive(s.points) : s.points;
  }

  private scales() {
    const ext = extent(this.series.map((s) => this.shown(s)));
    const xs = niceTicks(ext ? Math.min(0, ext.x[0]) : 0, ext ? Math.max(1, ext.x[1]) : 1, Math.max(2, Math.floor(this.width / 70)));
    if (this.log) {
      const ys = logTicks(ext ? ext.y[0] : NaN, ext ? ext.y[1] : NaN);
      const ly = linear(Math.log10(ys.min), Math.log10(ys.max), this.height - PAD.bottom, PAD.top);
      return { xs, ys: { ...ys, step: 1 }, sx: linear(xs.min, xs.max, PAD.left, this.width - PAD.right), sy: (v: number) => ly(Math.log10(v)) };
    }
    const ys = niceTicks(this.yMin ?? (ext ? ext.y[0] : 0), this.yMax ?? (ext ? ext.y[1] : 1), 4);
    const lo = this.yMin ?? ys.min;
    const hi = this.yMax ?? ys.max;
    const sx = linear(xs.min, xs.max, PAD.left, this.width - PAD.right);
    const sy = linear(lo, hi, this.height - PAD.bottom, PAD.top);
    return { xs, ys: { ...ys, values: ys.values.filter((v) => v >= lo - 1e-9 && v <= hi + 1e-9) }, sx, sy };
  }

  private fmt(v: number): string {
    return this.percent ? `${(100 * v).toFixed(1)}%` : v.toPrecision(4);
  }

  override updated(changed: PropertyValues): void {
    super.updated(changed);
    this.draw();
  }

  private draw(): void {
    const c = this.canvas;
    if (!c) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(this.width * dpr);
    c.height = Math.round(this.height * dpr);
    const g = c.getContext('2d');
    if (!g) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, this.width, this.height);
    const theme = themeColors(this);
    const colors = this.colors();
    const { xs, ys, sx, sy } = this.scales();
    g.font = '10px sans-serif';
    g.lineWidth = 1;
    // Grid and ticks.
    g.strokeStyle = theme.grid;
    g.fillStyle = theme.muted;
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (const v of ys.values) {
      const y = Math.round(sy(v)) + 0.5;
      g.globalAlpha = 0.5;
      g.beginPath();
      g.moveTo(PAD.left, y);
      g.lineTo(this.width - PAD.right, y);
      g.stroke();
      g.globalAlpha = 1;
      g.fillText(this.percent ? `${Math.round(100 * v)}%` : this.log ? logLabel(v) : tickLabel(v, ys.step), PAD.left - 4, y);
    }
    g.textAlign = 'center';
    g.textBaseline = 'top';
    for (const v of xs.values) {
      const x = Math.round(sx(v)) + 0.5;
      g.beginPath();
      g.moveTo(x, this.height - PAD.bottom);
      g.lineTo(x, this.height - PAD.bottom + 4);
      g.stroke();
      g.fillText(tickLabel(v, xs.step), x, this.height - PAD.bottom + 5);
    }
    // Axes.
    g.strokeStyle = theme.muted;
    g.beginPath();
    g.moveTo(PAD.left + 0.5, PAD.top);
    g.lineTo(PAD.left + 0.5, this.height - PAD.bottom + 0.5);
    g.lineTo(this.width - PAD.right, this.height - PAD.bottom + 0.5);
    g.stroke();
    g.fillStyle = theme.muted;
    g.textAlign = 'right';
    g.textBaseline = 'bottom';
    g.fillText(this.xLabel, this.width - PAD.right, this.height - 1);
    // Series, clipped to the plot.
    g.save();
    g.beginPath();
    g.rect(PAD.left, PAD.top - 4, this.width - PAD.left - PAD.right + 4, this.height - PAD.top - PAD.bottom + 8);
    g.clip();
    this.series.forEach((s, i) => {
      g.strokeStyle = g.fillStyle = colors[i]!;
      g.globalAlpha = s.alpha ?? 1;
      const points = this.shown(s);
      if (s.kind === 'line') {
        g.lineWidth = 1.5;
        g.beginPath();
        points.forEach(([x, y], j) => (j ? g.lineTo(sx(x), sy(y)) : g.moveTo(sx(x), sy(y))));
        g.stroke();
        if (points.length === 1) {
          g.beginPath();
          g.arc(sx(points[0]![0]), sy(points[0]![1]), 2.5, 0, 2 * Math.PI);
          g.fill();
        }
      } else {
        for (const [x, y] of points) {
          g.beginPath();
          g.arc(sx(x), sy(y), 3, 0, 2 * Math.PI);
          g.fill();
        }
      }
    });
    g.globalAlpha = 1;
    g.restore();
    // Hover crosshair.
    if (this.hoverX !== null) {
      g.strokeStyle = theme.foreground;
      g.globalAlpha = 0.5;
      g.setLineDash([3, 3]);
      g.beginPath();
      const x = Math.round(sx(this.hoverX)) + 0.5;
      g.moveTo(x, PAD.top);
      g.lineTo(x, this.height - PAD.bottom);
      g.stroke();
      g.setLineDash([]);
      g.globalAlpha = 1;
      this.series.forEach((s, i) => {
        const points = this.shown(s);
        const j = nearestIndex(points, this.hoverX!);
        if (j < 0) return;
        const [px, py] = points[j]!;
        g.fillStyle = colors[i]!;
        g.beginPath();
        g.arc(sx(px), sy(py), 4, 0, 2 * Math.PI);
        g.fill();
      });
    }
  }

  private onMove(e: PointerEvent): void {
    const r = this.canvas.getBoundingClientRect();
    const { sx } = this.scales();
    const px = e.clientX - r.left;
    if (px < PAD.left || px > this.width - PAD.right) {
      this.hoverX = null;
      return;
    }
    // Invert the x scale, then snap to the nearest point of any series.
    const x0 = sx(0);
    const x1 = sx(1);
    const x = (px - x0) / (x1 - x0 || 1);
    let best: number | null = null;
    for (const s of this.series) {
      const j = nearestIndex(s.points, x);
      if (j >= 0 && (best === null || Math.abs(s.points[j]![0] - x) < Math.abs(best - x))) best = s.points[j]![0];
    }
    this.hoverX = best;
  }

  private readout() {
    if (this.hoverX === null) return nothing;
    const hx = this.hoverX;
    const colors = this.colors();
    const { sx } = this.scales();
    const rows = this.series
      .map((s, i) => {
        const j = nearestIndex(s.points, hx);
        return j >= 0 && Math.abs(s.points[j]![0] - hx) < 0.51 ? { label: s.label, y: s.points[j]![1], color: colors[i]! } : null;
      })
      .filter((r) => r !== null);
    const left = sx(hx) > this.width / 2 ? sx(hx) - 150 : sx(hx) + 10;
    return html`<div class="readout" style=${styleProps({ left: `${Math.max(0, left)}px`, top: `${PAD.top}px` })}>
      <div>${this.xLabel} ${Number(hx.toFixed(2))}</div>
      ${rows.map((r) => html`<div><span class="swatch" style=${styleProps({ background: r.color })}></span>${r.label}: ${this.fmt(r.y)}</div>`)}
    </div>`;
  }

  override render() {
    const colors = this.colors();
    return html`
      <canvas
        style=${styleProps({ height: `${this.height}px` })}
        role="img"
        aria-label=${`${this.yLabel} by ${this.xLabel}`}
        @pointermove=${this.onMove}
        @pointerleave=${() => (this.hoverX = null)}
      ></canvas>
      ${this.readout()}
      <div class="legend">
        <span class="note">${this.yLabel}</span>
        ${this.series.map((s, i) => html`<span><span class="swatch ${s.kind}" style=${styleProps({ background: colors[i] ?? null })}></span>${s.label}</span>`)}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cnn-line-chart': LineChart;
  }
}
