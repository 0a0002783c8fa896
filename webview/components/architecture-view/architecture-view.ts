// <cnn-architecture>: the network as volumes drawn to scale (log scale), with shape, parameters and
// multiply-adds under each; branches side by side in lanes, a connector from every input into each layer (merges
// joined, `from` jumps and skips drawn), wrapped onto further rows to fit the panel's width (never a horizontal
// scroll). Click a layer to move the editor's cursor to it; the layer on the cursor's line (on a `from NAME` line:
// the layer NAME names) is highlighted; layers with errors are outlined in the error colour.

import { html, LitElement, nothing, type PropertyValues, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ModelView } from '../../../src/protocol/webview';
import { type BoxLayout, boxFaces, boxForCursor, fitScale, layoutArchitecture } from '../../state/architecture';
import { formatCompact } from '../../state/format';
import { sharedStyles } from '../shared.styles';
import { architectureStyles } from './architecture-view.styles';

export interface RevealDetail {
  line: number;
}

@customElement('cnn-architecture')
export class ArchitectureView extends LitElement {
  static override styles = [sharedStyles, architectureStyles];

  /** The checked model to draw. */
  @property({ attribute: false }) model: ModelView | null = null;

  /** The editor cursor's 0-based line: the layer on it is highlighted. */
  @property({ attribute: false }) cursorLine: number | null = null;

  /** The width there is to fit (the panel's), measured; 0 until first measured. */
  @state() private available = 0;
  private readonly resize = new ResizeObserver((entries) => {
    const w = Math.floor(entries[0]?.contentRect.width ?? 0);
    if (w > 0 && w !== this.available) this.available = w;
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.resize.observe(this);
  }

  override disconnectedCallback(): void {
    this.resize.disconnect();
    super.disconnectedCallback();
  }

  /** Keeps the layer on the cursor's line in view when the cursor moves (rows wrap, so it may be further down). */
  override updated(changed: PropertyValues): void {
    super.updated(changed);
    if (changed.has('cursorLine')) this.renderRoot.querySelector<SVGGElement>('g.box.current')?.scrollIntoView({ block: 'nearest' });
  }

  private reveal(line: number | null): void {
    if (line === null) return;
    this.dispatchEvent(new CustomEvent<RevealDetail>('cnn-reveal', { detail: { line }, bubbles: true, composed: true }));
  }

  private onKey(e: KeyboardEvent, line: number | null): void {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.reveal(line);
    }
  }

  override render() {
    const m = this.model;
    if (!m) return html`<p class="note">No model.</p>`;
    const available = this.available || this.clientWidth;
    const layout = layoutArchitecture(m, available > 0 ? { maxWidth: available } : {});
    // Wrapped to the panel's width; a single column wider than a very narrow panel scales the drawing down.
    const scale = fitScale(layout.width, available);
    const errors = m.layers.filter((l) => l.hasError);
    const current = boxForCursor(layout, m, this.cursorLine);
    return html`
      <div class="summary">
        <strong>${m.name ?? m.fileName}</strong>
        <span class="note">
          · ${m.layers.length} layers · ${formatCompact(m.params)}${m.incomplete ? '+' : ''} params · ${formatCompact(m.macs)}${m.incomplete ? '+' : ''} MACs
          per sample${m.errorCount ? html` · <span class="error">${m.errorCount} error${m.errorCount === 1 ? '' : 's'}</span>` : nothing}
        </span>
      </div>
      <div class="fit">
        <svg width=${Math.floor(layout.width * scale)} height=${Math.ceil(layout.height * scale)} viewBox="0 0 ${layout.width} ${layout.height}" role="list" aria-label="Network architecture">
          <defs>
            <marker id="arrowhead" viewBox="0 0 6 6" refX="5" refY="3" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L6,3L0,6Z"></path></marker>
          </defs>
          ${layout.edges.map((e) => svg`<path class="arrow route-${e.route}" data-from=${String(e.from)} data-to=${String(e.to)} d=${e.d}></path>`)} ${layout.boxes.map((b) => this.box(b, b === current))}
        </svg>
      </div>
      ${errors.length
        ? html`<ul class="errors">
            ${errors.map((l) => html`<li class="error">line ${l.line + 1}, ${l.label}: ${l.errors.join('; ') || 'error'}</li>`)}
          </ul>`
        : nothing}
    `;
  }

  private box(b: BoxLayout, current: boolean) {
    const faces = boxFaces(b);
    const cx = b.x + b.width / 2;
    const cls = `box${current ? ' current' : ''}${b.hasError ? ' error' : ''}`;
    const key = b.key === 'input' ? 'input' : `layer-${b.key}`;
    const title = `${b.name ? `${b.name}: ` : ''}${b.title}${b.line !== null ? ` (line ${b.line + 1})` : ''}${b.errors.length ? `\n${b.errors.join('\n')}` : ''}`;
    return svg`<g class=${cls} data-key=${key} data-line=${b.line ?? ''} role="listitem" tabindex="0" aria-label=${title}
        @click=${() => this.reveal(b.line)} @keydown=${(e: KeyboardEvent) => this.onKey(e, b.line)}>
      <title>${title}</title>
      <rect class="hit" x=${b.x} y=${b.top - 8} width=${b.width} height=${b.textY + 14 * b.lines.length - (b.top - 8)} rx="4"></rect>
      <path class="front kind-${b.kind}" d=${faces.front}></path>
      ${b.size.depth ? svg`<path class="top kind-${b.kind}" d=${faces.top}></path><path class="side kind-${b.kind}" d=${faces.side}></path>` : nothing}
      ${b.name ? svg`<text class="name" x=${cx} y=${b.nameY}>${b.name}:</text>` : nothing}
      <text class="kind" x=${cx} y=${b.kindY}>${b.hasError ? '⚠ ' : ''}${b.kindText}</text>
      ${b.lines.map((t, i) => svg`<text class=${i === 0 ? 'shape' : 'figure'} x=${cx} y=${b.textY + 14 * i}>${t}</text>`)}
    </g>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cnn-architecture': ArchitectureView;
  }
  interface HTMLElementEventMap {
    'cnn-reveal': CustomEvent<RevealDetail>;
  }
}
