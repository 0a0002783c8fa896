// <cnn-conv-explorer>: the filter of the conv, deconv or pool layer under the cursor sliding over its input with
// its own F, S, P and dilation D (the taps D apart, the gaps between them skipped); zero padding drawn; play, pause
// and step; and the output size worked out as (N − D·(F − 1) − 1 + 2P)/S + 1, as in the lecture's 7×7 examples.
// A transposed convolution is drawn as it computes: each input value stamps the F×F kernel onto the output, S
// apart, the stamps summed where they overlap, P cropped from each side: (N − 1)·S − 2P + F + outpad. A large
// input is drawn with a small N, and says so.

import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { LayerView } from '../../../src/protocol/webview';
import { type ConvGeometry, type ConvSetting, convGeometry, stampCounts, stepCount, type TransposedGeometry, transposedGeometry } from '../../state/conv';
import type { ExplorerState } from '../../state/inspector';
import { ThemeController, themeColors } from '../../controllers/theme';
import { sharedStyles } from '../shared.styles';
import { convExplorerStyles } from './conv-explorer.styles';

/** Milliseconds between steps while playing. */
const PLAY_MS = 650;

@customElement('cnn-conv-explorer')
export class ConvExplorer extends LitElement {
  /** Repaints the canvas when the colour theme changes. */
  protected readonly theme = new ThemeController(this);

  static override styles = [sharedStyles, convExplorerStyles];

  /** The explorer's setting and current step, from the reducer. */
  @property({ attribute: false }) explorer: ExplorerState | null = null;
  /** The conv or pool layer it was made for (null: the lecture's default). */
  @property({ attribute: false }) layer: LayerView | null = null;
  /** True while the window moves by itself. */
  @property({ type: Boolean, reflect: true }) playing = false;

  @query('canvas') private canvas!: HTMLCanvasElement;
  private timer: ReturnType<typeof setInterval> | null = null;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private emitSetting(setting: Partial<ConvSetting>): void {
    this.dispatchEvent(new CustomEvent('cnn-explorer', { detail: { setting }, bubbles: true, composed: true }));
  }

  private go(step: number): void {
    const e = this.explorer;
    if (!e) return;
    const count = stepCount(e.setting);
    if (count === 0) return;
    const s = ((step % count) + count) % count;
    this.dispatchEvent(new CustomEvent('cnn-explorer-step', { detail: { step: s }, bubbles: true, composed: true }));
  }

  private toggle(): void {
    this.playing = !this.playing;
  }

  override updated(changed: PropertyValues): void {
    super.updated(changed);
    if (changed.has('playing')) {
      this.stopTimer();
      if (this.playing) this.timer = setInterval(() => this.go((this.explorer?.step ?? 0) + 1), PLAY_MS);
    }
    this.draw();
  }

  /** Cell size in CSS pixels for a padded side. */
  private cell(padded: number): number {
    return Math.max(12, Math.min(30, Math.floor(300 / Math.max(1, padded))));
  }

  /** Sizes the canvas in CSS pixels and returns its context, cleared, with the theme's colours. */
  private canvasFor(width: number, height: number): { g: CanvasRenderingContext2D; t: ReturnType<typeof themeColors> } | null {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(width * dpr);
    c.height = Math.round(height * dpr);
    c.style.width = `${width}px`;
    c.style.height = `${height}px`;
    const g = c.getContext('2d');
    if (!g) return null;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, height);
    return { g, t: themeColors(this) };
  }

  /** One grid cell: fill, border and an optional centred text. */
  private cellAt(g: CanvasRenderingContext2D, grid: string, x: number, y: number, cs: number, fill: string, text?: string, textColour?: string): void {
    g.fillStyle = fill;
    g.fillRect(x, y, cs, cs);
    g.strokeStyle = grid;
    g.strokeRect(x + 0.5, y + 0.5, cs - 1, cs - 1);
    if (text && textColour) {
      g.fillStyle = textColour;
      g.fillText(text, x + cs / 2, y + cs / 2);
    }
  }

  private draw(): void {
    const e = this.explorer;
    if (!e || !this.canvas) return;
    if (e.setting.transposed) this.drawTransposed(transposedGeometry(e.setting), e.step);
    else this.drawConv(convGeometry(e.setting), e.step);
  }

  private drawConv(geo: ConvGeometry, stepIn: number): void {
    const cs = this.cell(geo.padded);
    const gap = 48;
    const inW = geo.padded * cs;
    const outCs = Math.max(12, Math.min(30, cs));
    const outW = geo.out * outCs;
    const width = inW + gap + Math.max(outW, 40) + 2;
    const height = Math.max(inW, geo.out * outCs) + 22;
    const ctx = this.canvasFor(width, height);
    if (!ctx) return;
    const { g, t } = ctx;
    g.font = `${Math.max(9, Math.floor(cs * 0.45))}px sans-serif`;
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    const top = 18;
    // Input: padding cells in grey with 0, real cells plain, never-covered cells tinted in the error colour
    // (not when rounding down leaves only padding over: that is no mistake).
    for (let y = 0; y < geo.padded; y++) {
      for (let x = 0; x < geo.padded; x++) {
        const pad = x < geo.p || y < geo.p || x >= geo.p + geo.n || y >= geo.p + geo.n;
        this.cellAt(g, t.grid, x * cs, top + y * cs, cs, pad ? 'rgba(128,128,128,0.35)' : 'rgba(128,128,128,0.12)', pad ? '0' : undefined, t.muted);
        if (!geo.floored && geo.uncovered > 0 && (x >= geo.padded - geo.uncovered || y >= geo.padded - geo.uncovered)) {
          g.fillStyle = t.error;
          g.globalAlpha = 0.25;
          g.fillRect(x * cs, top + y * cs, cs, cs);
          g.globalAlpha = 1;
        }
      }
    }
    g.fillStyle = t.muted;
    g.textAlign = 'left';
    g.font = '11px sans-serif';
    g.fillText(`input ${geo.n}×${geo.n}${geo.p ? ` + padding ${geo.p}` : ''}${(geo.d ?? 1) > 1 ? ` · dilation ${geo.d}: taps ${geo.d} apart` : ''}`, 0, 8);
    g.fillText(`output ${geo.out}×${geo.out}`, inW + gap, 8);
    // Output grid.
    const step = Math.min(stepIn, Math.max(0, geo.positions.length - 1));
    const ox = inW + gap;
    for (let i = 0; i < geo.positions.length; i++) {
      const p = geo.positions[i]!;
      g.globalAlpha = i < step ? 0.35 : 1;
      this.cellAt(g, t.grid, ox + p.col * outCs, top + p.row * outCs, outCs, i <= step ? t.accent : 'rgba(128,128,128,0.12)');
      g.globalAlpha = 1;
    }
    // The window at the current step: its taps filled (a dilated window skips the cells between them), its span
    // outlined, and a line to its output cell.
    const cur = geo.positions[step];
    if (cur) {
      g.fillStyle = t.accent;
      g.globalAlpha = 0.3;
      for (const ty of geo.taps) for (const tx of geo.taps) g.fillRect((cur.x + tx) * cs + 2, top + (cur.y + ty) * cs + 2, cs - 4, cs - 4);
      g.globalAlpha = 1;
      g.strokeStyle = t.accent;
      g.lineWidth = 2.5;
      if (geo.span > geo.f) {
        g.setLineDash([5, 3]);
        g.strokeRect(cur.x * cs + 1, top + cur.y * cs + 1, geo.span * cs - 2, geo.span * cs - 2);
        g.setLineDash([]);
        g.lineWidth = 1.5;
        for (const ty of geo.taps) for (const tx of geo.taps) g.strokeRect((cur.x + tx) * cs + 2, top + (cur.y + ty) * cs + 2, cs - 4, cs - 4);
      } else g.strokeRect(cur.x * cs + 1, top + cur.y * cs + 1, geo.span * cs - 2, geo.span * cs - 2);
      g.lineWidth = 1;
      g.setLineDash([4, 3]);
      g.beginPath();
      g.moveTo((cur.x + geo.span) * cs, top + (cur.y + geo.span / 2) * cs);
      g.lineTo(ox + cur.col * outCs, top + (cur.row + 0.5) * outCs);
      g.stroke();
      g.setLineDash([]);
    }
  }

  /**
   * Input on the left, the value at this step outlined; on the right the full output: each stamp so far shaded
   * (darker where stamps overlap and add up), the current one outlined, the P cropped rows and columns greyed.
   */
  private drawTransposed(geo: TransposedGeometry, stepIn: number): void {
    const cs = Math.max(10, Math.min(30, Math.floor(300 / Math.max(1, geo.full))));
    const inCs = Math.max(14, Math.min(36, cs * geo.s));
    const gap = 48;
    const inW = geo.n * inCs;
    const outW = geo.full * cs;
    const width = inW + gap + outW + 2;
    const height = Math.max(inW, outW) + 22;
    const ctx = this.canvasFor(width, height);
    if (!ctx) return;
    const { g, t } = ctx;
    const top = 18;
    const step = Math.min(stepIn, Math.max(0, geo.stamps.length - 1));
    const cur = geo.stamps[step];
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.font = `${Math.max(9, Math.floor(inCs * 0.4))}px sans-serif`;
    for (const st of geo.stamps) {
      const i = st.row * geo.n + st.col;
      this.cellAt(g, t.grid, st.col * inCs, top + st.row * inCs, inCs, i < step ? 'rgba(128,128,128,0.3)' : 'rgba(128,128,128,0.12)');
    }
    if (cur) {
      g.strokeStyle = t.accent;
      g.lineWidth = 2.5;
      g.strokeRect(cur.col * inCs + 1, top + cur.row * inCs + 1, inCs - 2, inCs - 2);
      g.lineWidth = 1;
    }
    const ox = inW + gap;
    const counts = stampCounts(geo, step);
    const most = Math.max(1, ...counts);
    g.font = `${Math.max(8, Math.floor(cs * 0.45))}px sans-serif`;
    for (let y = 0; y < geo.full; y++) {
      for (let x = 0; x < geo.full; x++) {
        const k = counts[y * geo.full + x]!;
        const cropped = x < geo.p || y < geo.p || x >= geo.full - geo.p || y >= geo.full - geo.p;
        this.cellAt(g, t.grid, ox + x * cs, top + y * cs, cs, 'rgba(128,128,128,0.12)');
        if (k) {
          g.fillStyle = t.accent;
          g.globalAlpha = 0.2 + (0.6 * k) / most;
          g.fillRect(ox + x * cs + 1, top + y * cs + 1, cs - 2, cs - 2);
          g.globalAlpha = 1;
          if (k > 1 && cs >= 14) {
            g.fillStyle = t.foreground;
            g.fillText(`${k}`, ox + x * cs + cs / 2, top + y * cs + cs / 2);
          }
        }
        if (cropped) {
          g.fillStyle = 'rgba(128,128,128,0.45)';
          g.fillRect(ox + x * cs, top + y * cs, cs, cs);
        }
      }
    }
    if (cur) {
      g.strokeStyle = t.accent;
      g.lineWidth = 2.5;
      g.strokeRect(ox + cur.x * cs + 1, top + cur.y * cs + 1, geo.f * cs - 2, geo.f * cs - 2);
      g.lineWidth = 1;
      g.setLineDash([4, 3]);
      g.beginPath();
      g.moveTo((cur.col + 1) * inCs, top + (cur.row + 0.5) * inCs);
      g.lineTo(ox + cur.x * cs, top + (cur.y + geo.f / 2) * cs);
      g.stroke();
      g.setLineDash([]);
    }
    g.fillStyle = t.muted;
    g.textAlign = 'left';
    g.font = '11px sans-serif';
    g.fillText(`input ${geo.n}×${geo.n}`, 0, 8);
    g.fillText(`output ${geo.out}×${geo.out}${geo.p ? ` (${geo.full}×${geo.full}, ${geo.p} cropped each side)` : ''} · stamps ${geo.s} apart`, ox, 8);
  }

  override render() {
    const e = this.explorer;
    if (!e) return nothing;
    const set = e.setting;
    const l = this.layer;
    const num = (name: 'n' | 'f' | 's' | 'p' | 'd' | 'op', label: string, min: number, max: number) =>
      html`<label title=${label}>${name === 'op' ? 'outpad' : name.toUpperCase()}
        <input type="number" name=${name} min=${min} max=${max} .value=${String(set[name] ?? (name === 'd' ? 1 : 0))} @change=${(ev: Event) => this.emitSetting({ [name]: Number((ev.target as HTMLInputElement).value) })} />
      </label>`;
    const plain = { d: 1, transposed: false, op: 0 };
    return html`
      <p class="note">
        ${l
          ? html`${l.name ? `${l.name}: ` : ''}${l.label} on line ${l.line + 1}${l.arithmetic[0] ? html` · real input: <span class="mono">${l.arithmetic[0].text}</span>` : nothing}`
          : 'No conv or pool layer in the file: showing the lecture’s 7×7 example.'}
        ${e.capped && e.realN !== null ? html`<br />The real input is ${e.realN}×${e.realN}; drawn with N = ${set.n} so the cells stay visible (change N to try others).` : nothing}
      </p>
      <div class="row controls">
        <label title="an ordinary (strided, dilated) convolution, or a transposed one (deconv)"
          >mode
          <select name="mode" .value=${set.transposed ? 'transposed' : 'conv'} @change=${(ev: Event) => this.emitSetting({ transposed: (ev.target as HTMLSelectElement).value === 'transposed' })}>
            <option value="conv" ?selected=${!set.transposed}>convolution</option>
            <option value="transposed" ?selected=${!!set.transposed}>transposed</option>
          </select>
        </label>
        ${num('n', 'input size N', 1, set.transposed ? 8 : 32)} ${num('f', 'filter size F', 1, 11)} ${num('s', 'stride S', 1, 8)} ${num('p', 'zero padding P', 0, 5)}
        ${set.transposed ? num('op', 'output padding (less than S)', 0, Math.max(0, set.s - 1)) : num('d', 'dilation D: the filter’s taps are D apart', 1, 4)}
      </div>
      <div class="row controls">
        <span class="note">lecture:</span>
        ${[1, 2, 3].map((s) => html`<button class="secondary preset" data-stride=${s} @click=${() => this.emitSetting({ n: 7, f: 3, s, p: 0, ...plain })}>7×7, F 3, S ${s}</button>`)}
        <button class="secondary preset" data-preset="dilated" @click=${() => this.emitSetting({ n: 7, f: 3, s: 1, p: 0, ...plain, d: 2 })}>7×7, F 3, D 2</button>
        <button class="secondary preset" data-preset="transposed" @click=${() => this.emitSetting({ n: 3, f: 3, s: 2, p: 0, ...plain, transposed: true })}>transposed 3×3, F 3, S 2</button>
      </div>
      ${set.transposed ? this.transposedText(transposedGeometry(set), e.step) : this.convText(convGeometry(set), e.step)}
      <canvas role="img" aria-label=${set.transposed ? 'Each input value stamping the filter onto the output' : 'Filter sliding over the input'}></canvas>
    `;
  }

  private steps(count: number, step: number, where: string) {
    return html`<div class="row">
      <button class="secondary prev" title="Step back" ?disabled=${count === 0} @click=${() => this.go(step - 1)}>◀ Step</button>
      <button class="play" ?disabled=${count === 0} @click=${this.toggle}>${this.playing ? '⏸ Pause' : '▶ Play'}</button>
      <button class="secondary next" title="Step" ?disabled=${count === 0} @click=${() => this.go(step + 1)}>Step ▶</button>
      <span class="note position">${count ? `position ${step + 1} of ${count}${where}` : ''}</span>
    </div>`;
  }

  private convText(geo: ConvGeometry, stepIn: number) {
    const count = geo.positions.length;
    const step = Math.min(stepIn, Math.max(0, count - 1));
    const cur = geo.positions[step];
    return html`<div class="formula mono ${geo.fits || geo.floored ? 'good' : 'bad'}">
        ${geo.text}${geo.fits ? html` → output ${geo.out}×${geo.out}` : geo.floored ? html` → output ${geo.out}×${geo.out}, rounded down as PyTorch does: ${geo.span === 1 ? 'a 1×1 window skips the pixels between its samples anyway' : 'what is left over is only padding'}` : html` → does not fit: ${geo.out > 0 ? `only ${geo.out}×${geo.out} positions, the last ${geo.uncovered} row${geo.uncovered === 1 ? '' : 's'} and column${geo.uncovered === 1 ? '' : 's'} never covered` : 'the filter is larger than the padded input'}`}
      </div>
      ${geo.span > geo.f ? html`<p class="note dilation">Dilation ${geo.d}: the ${geo.f}×${geo.f} filter’s taps are ${geo.d} apart, so it spans ${geo.span}×${geo.span} cells with the same ${geo.f * geo.f} weights.</p>` : nothing}
      ${this.steps(count, step, cur ? ` · window at row ${cur.y - geo.p}, column ${cur.x - geo.p} (input coordinates)` : '')}`;
  }

  private transposedText(geo: TransposedGeometry, stepIn: number) {
    const count = geo.stamps.length;
    const step = Math.min(stepIn, Math.max(0, count - 1));
    const cur = geo.stamps[step];
    const good = geo.out > 0;
    return html`<div class="formula mono ${good ? 'good' : 'bad'}">${geo.text}${good ? html` → output ${geo.out}×${geo.out}` : ' → nothing left after cropping'}</div>
      <p class="note transposed">
        Transposed convolution: every input value adds the ${geo.f}×${geo.f} filter, times itself, onto the output, ${geo.s} cell${geo.s === 1 ? '' : 's'} further for each
        step in the input (the input spread out by the stride); where the stamps overlap the sums add up${geo.p ? `; then ${geo.p} row${geo.p === 1 ? '' : 's'} and column${geo.p === 1 ? '' : 's'} are cropped from each side` : ''}${geo.op ? `, and ${geo.op} added at the bottom and right (outpad)` : ''}.
      </p>
      ${this.steps(count, step, cur ? ` · input value at row ${cur.row}, column ${cur.col} → output rows ${cur.y - geo.p}…${cur.y - geo.p + geo.f - 1}, columns ${cur.x - geo.p}…${cur.x - geo.p + geo.f - 1}` : '')}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cnn-conv-explorer': ConvExplorer;
  }
  interface HTMLElementEventMap {
    'cnn-explorer': CustomEvent<{ setting: Partial<ConvSetting> }>;
    'cnn-explorer-step': CustomEvent<{ step: number }>;
  }
}
