// <cnn-filters>: every conv layer's kernels (K×C×F_h×F_w). The first layer of a colour network as one colour
// patch per filter; the others as a grid of (filter, input channel) tiles on a diverging scale, with the
// weight range.

import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { styleProps } from '../../directives/style-props';
import type { SnapshotMessage, Tensor } from '../../../src/protocol/trainer';
import type { ModelView } from '../../../src/protocol/webview';
import { cssGradient, lut, mappedRange, type Range, valueRange } from '../../state/colors';
import { formatValue } from '../../state/format';
import { displayScale, type GridLayout, gridLayout, paintFilters } from '../../state/tiles';
import { sharedStyles } from '../shared.styles';
import { filtersStyles } from './filters-view.styles';

type FilterTensor = Tensor & { index: number; line: number };

/** Rows (filters) and columns (input channels) drawn at most. */
export const MAX_FILTER_ROWS = 64;
export const MAX_FILTER_COLS = 32;

export interface FilterView {
  k: number;
  c: number;
  fh: number;
  fw: number;
  rgb: boolean;
  layout: GridLayout;
  range: Range;
  mapped: Range;
  px: number;
}

/** How a conv layer's filters are drawn: colour patches for the first layer of a 3-channel input, else a K×C grid. */
export function filterView(t: FilterTensor, first: boolean, inputChannels: number | null): FilterView {
  const [k, c, fh, fw] = t.shape as [number, number, number, number];
  const rgb = first && c === 3 && inputChannels === 3;
  const range = valueRange(t.data);
  const mapped = mappedRange(range, 'diverging');
  const px = displayScale(Math.max(fh, fw), rgb ? 30 : 14, 12);
  const layout = rgb ? gridLayout(k, fw, fh, 16) : { ...gridLayout(Math.min(c, MAX_FILTER_COLS) * Math.min(k, MAX_FILTER_ROWS), fw, fh, Math.min(c, MAX_FILTER_COLS)) };
  return { k, c, fh, fw, rgb, layout, range, mapped, px };
}

@customElement('cnn-filters')
export class FiltersView extends LitElement {
  static override styles = [sharedStyles, filtersStyles];

  /** The snapshot whose `filters` are drawn. */
  @property({ attribute: false }) snapshot: SnapshotMessage | null = null;
  /** The model, for layer names; optional. */
  @property({ attribute: false }) model: ModelView | null = null;

  private views: FilterView[] = [];

  override willUpdate(changed: PropertyValues): void {
    if (changed.has('snapshot')) {
      const s = this.snapshot;
      const inC = s && s.input.shape.length === 3 ? s.input.shape[2]! : null;
      const firstIndex = s ? Math.min(...s.filters.map((f) => f.index)) : -1;
      this.views = s ? s.filters.filter((f) => f.shape.length === 4).map((f) => filterView(f, f.index === firstIndex, inC)) : [];
    }
  }

  override updated(changed: PropertyValues): void {
    super.updated(changed);
    if (!changed.has('snapshot') || !this.snapshot) return;
    const list = this.snapshot.filters.filter((f) => f.shape.length === 4);
    this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas[data-filter]').forEach((canvas) => {
      const i = Number(canvas.dataset.filter);
      const t = list[i];
      const v = this.views[i];
      if (!t || !v) return;
      canvas.width = Math.max(1, v.layout.width);
      canvas.height = Math.max(1, v.layout.height);
      const g = canvas.getContext('2d');
      if (!g) return;
      const img = g.createImageData(canvas.width, canvas.height);
      const out = new Uint32Array(img.data.buffer);
      paintFilters(out, v.layout, t.data, v.k, v.c, v.fh, v.fw, v.rgb ? { rgb: true } : { rgb: false, table: lut('diverging'), range: v.mapped, kMax: MAX_FILTER_ROWS, cMax: MAX_FILTER_COLS });
      g.putImageData(img, 0, 0);
    });
  }

  override render() {
    const s = this.snapshot;
    if (!s)
      return html`<div class="row">
        <button class="load" @click=${() => this.dispatchEvent(new CustomEvent('cnn-snapshot', { detail: { sample: 0 }, bubbles: true, composed: true }))}>Load filters</button>
        <span class="note">from the latest checkpoint (or the running training); they come with every snapshot.</span>
      </div>`;
    const list = s.filters.filter((f) => f.shape.length === 4);
    if (!list.length) return html`<p class="note">This network has no conv layers.</p>`;
    return html`${list.map((f, i) => {
      const v = this.views[i]!;
      const name = this.model?.layers.find((l) => l.index === f.index)?.label ?? `conv (layer ${f.index})`;
      const clipped = v.k > MAX_FILTER_ROWS || v.c > MAX_FILTER_COLS;
      return html`<section class="filters" data-index=${f.index}>
        <div class="head">
          <span class="title">${name}</span>
          <span class="note">line ${f.line + 1} · ${v.k}×${v.c}×${v.fh}×${v.fw}${v.rgb ? ' · one colour patch per filter (R, G, B = its 3 input channels)' : ' · rows: filters, columns: input channels'}</span>
          <span class="colorbar">
            ${v.rgb ? nothing : html`${formatValue(v.mapped.min)}<span class="bar" style=${styleProps({ background: cssGradient('diverging') })}></span>${formatValue(v.mapped.max)}`}
            <span>weights ${formatValue(v.range.min)} … ${formatValue(v.range.max)}</span>
          </span>
          ${clipped ? html`<span class="note">showing the first ${Math.min(v.k, MAX_FILTER_ROWS)} filters × ${Math.min(v.c, MAX_FILTER_COLS)} channels</span>` : nothing}
        </div>
        <canvas class="pixels" data-filter=${i} style=${styleProps({ width: `${v.layout.width * v.px}px` })}></canvas>
      </section>`;
    })}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cnn-filters': FiltersView;
  }
}
