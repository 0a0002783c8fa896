// <cnn-conv-explorer>: the filter of the conv or pool layer under the cursor sliding over its input with its
// own F, S and P; zero padding drawn; play, pause and step; and the output size worked out as
// (N − F + 2P)/S + 1, as in the lecture's 7×7 examples. A large input is drawn with a small N, and says so.

import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { LayerView } from '../../../src/protocol/webview';
import { type ConvSetting, convGeometry } from '../../state/conv';
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
    const count = convGeometry(e.setting).positions.length;
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

  private draw(): void {
    const e = this.explorer;
    const c = this.canvas;
    if (!e || !c) return;
    const geo = convGeometry(e.setting);
    const cs = this.cell(geo.padded);
    const gap = 48;
    const inW = geo.padded * cs;
    const outCs = Math.max(12, Math.min(30, cs));
    const outW = geo.out * outCs;
    const width = inW + gap + Math.max(outW, 40) + 2;
    const height = Math.max(inW, geo.out * outCs) + 22;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(width * dpr);
    c.height = Math.round(height * dpr);
    c.style.width = `${width}px`;
    c.style.height = `${height}px`;
    const g = c.getContext('2d');
    if (!g) return;
    const t = themeColors(this);
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, height);
    g.font = `${Math.max(9, Math.floor(cs * 0.45))}px sans-serif`;
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    const top = 18;
    // Input: padding cells in grey with 0, real cells plain, never-covered cells tinted in the error colour.
    for (let y = 0; y < geo.padded; y++) {
      for (let x = 0; x < geo.padded; x++) {
        const pad = x < geo.p || y < geo.p || x >= geo.p + geo.n || y >= geo.p + geo.n;
        const uncovered = geo.uncovered > 0 && (x >= geo.padded - geo.uncovered || y >= geo.padded - geo.uncovered);
        g.fillStyle = pad ? 'rgba(128,128,128,0.35)' : 'rgba(128,128,128,0.12)';
        g.fillRect(x * cs, top + y * cs, cs, cs);
        if (uncovered) {
          g.fillStyle = t.error;
          g.globalAlpha = 0.25;
          g.fillRect(x * cs, top + y * cs, cs, cs);
          g.globalAlpha = 1;
        }
        g.strokeStyle = t.grid;
        g.strokeRect(x * cs + 0.5, top + y * cs + 0.5, cs - 1, cs - 1);
        if (pad) {
          g.fillStyle = t.muted;
          g.fillText('0', x * cs + cs / 2, top + y * cs + cs / 2);
        }
      }
    }
    g.fillStyle = t.muted;
    g.textAlign = 'left';
    g.font = '11px sans-serif';
    g.fillText(`input ${geo.n}×${geo.n}${geo.p ? ` + padding ${geo.p}` : ''}`, 0, 8);
    g.fillText(`output ${geo.out}×${geo.out}`, inW + gap, 8);
    // Output grid.
    const step = Math.min(e.step, Math.max(0, geo.positions.length - 1));
    const ox = inW + gap;
    for (let i = 0; i < geo.positions.length; i++) {
      const p = geo.positions[i]!;
      g.fillStyle = i < step ? t.accent : i === step ? t.accent : 'rgba(128,128,128,0.12)';
      g.globalAlpha = i < step ? 0.35 : 1;
      g.fillRect(ox + p.col * outCs, top + p.row * outCs, outCs, outCs);
      g.globalAlpha = 1;
      g.strokeStyle = t.grid;
      g.strokeRect(ox + p.col * outCs + 0.5, top + p.row * outCs + 0.5, outCs - 1, outCs - 1);
    }
    // The window at the current step, and a line to its output cell.
    const cur = geo.positions[step];
    if (cur) {
      g.fillStyle = t.accent;
      g.globalAlpha = 0.25;
      g.fillRect(cur.x * cs, top + cur.y * cs, geo.f * cs, geo.f * cs);
      g.globalAlpha = 1;
      g.strokeStyle = t.accent;
      g.lineWidth = 2.5;
      g.strokeRect(cur.x * cs + 1, top + cur.y * cs + 1, geo.f * cs - 2, geo.f * cs - 2);
      g.lineWidth = 1;
      g.setLineDash([4, 3]);
      g.beginPath();
      g.moveTo((cur.x + geo.f) * cs, top + (cur.y + geo.f / 2) * cs);
      g.lineTo(ox + cur.col * outCs, top + (cur.row + 0.5) * outCs);
      g.stroke();
      g.setLineDash([]);
    }
  }

  override render() {
    const e = this.explorer;
    if (!e) return nothing;
    const geo = convGeometry(e.setting);
    const count = geo.positions.length;
    const step = Math.min(e.step, Math.max(0, count - 1));
    const cur = geo.positions[step];
    const l = this.layer;
    const num = (name: keyof ConvSetting, label: string, min: number, max: number) =>
      html`<label title=${label}>${name.toUpperCase()}
        <input type="number" name=${name} min=${min} max=${max} .value=${String(e.setting[name])} @change=${(ev: Event) => this.emitSetting({ [name]: Number((ev.target as HTMLInputElement).value) })} />
      </label>`;
    return html`
      <p class="note">
        ${l
          ? html`${l.label} on line ${l.line + 1}${l.arithmetic[0] ? html` · real input: <span class="mono">${l.arithmetic[0].text}</span>` : nothing}`
          : 'No conv or pool layer in the file: showing the lecture\u2019s 7×7 example.'}
        ${e.capped && e.realN !== null ? html`<br />The real input is ${e.realN}×${e.realN}; drawn with N = ${e.setting.n} so the cells stay visible (change N to try others).` : nothing}
      </p>
      <div class="row controls">
        ${num('n', 'input size N', 1, 32)} ${num('f', 'filter size F', 1, 11)} ${num('s', 'stride S', 1, 8)} ${num('p', 'zero padding P', 0, 5)}
        <span class="note">lecture:</span>
        ${[1, 2, 3].map((s) => html`<button class="secondary preset" data-stride=${s} @click=${() => this.emitSetting({ n: 7, f: 3, s, p: 0 })}>7×7, F 3, S ${s}</button>`)}
      </div>
      <div class="formula mono ${geo.fits ? 'good' : 'bad'}">
        ${geo.text}${geo.fits ? html` → output ${geo.out}×${geo.out}` : html` → does not fit: ${geo.out > 0 ? `only ${geo.out}×${geo.out} positions, the last ${geo.uncovered} row${geo.uncovered === 1 ? '' : 's'} and column${geo.uncovered === 1 ? '' : 's'} never covered` : 'the filter is larger than the padded input'}`}
      </div>
      <div class="row">
        <button class="secondary prev" title="Step back" ?disabled=${count === 0} @click=${() => this.go(step - 1)}>◀ Step</button>
        <button class="play" ?disabled=${count === 0} @click=${this.toggle}>${this.playing ? '⏸ Pause' : '▶ Play'}</button>
        <button class="secondary next" title="Step" ?disabled=${count === 0} @click=${() => this.go(step + 1)}>Step ▶</button>
        <span class="note position">${count ? `position ${step + 1} of ${count}${cur ? ` · window at row ${cur.y - geo.p}, column ${cur.x - geo.p} (input coordinates)` : ''}` : ''}</span>
      </div>
      <canvas role="img" aria-label="Filter sliding over the input"></canvas>
    `;
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
