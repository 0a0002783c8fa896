// <cnn-filters>: every conv and deconv layer's kernels (K×C/G×F_h×F_w; a deconv's C×K×F_h×F_w). The first layer
// of a colour network as one colour patch per filter; a depthwise conv's one filter per channel; the others as a
// grid of (output map, input channel) tiles on a diverging scale, with the weight range.

import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { styleProps } from '../../directives/style-props';
import type { SnapshotMessage, Tensor } from '../../../src/protocol/trainer';
import type { LayerView, ModelView } from '../../../src/protocol/webview';
import { cssGradient, lut, mappedRange, type Range, valueRange } from '../../state/colors';
import { DEPTHWISE_MAX, filterAxes, type FilterAxes, filterCaption, filterGrid, MAX_FILTER_COLS, MAX_FILTER_ROWS } from '../../state/filters';
import { formatValue } from '../../state/format';
import { displayScale, type GridLayout, paintFilters } from '../../state/tiles';
import { colorbarStyles, sharedStyles } from '../shared.styles';
import { filtersStyles } from './filters-view.styles';

type FilterTensor = Tensor & { index: number; line: number };

export interface FilterView {
  k: number;
  c: number;
  fh: number;
  fw: number;
  rgb: boolean;
  /** The tensor's axes read with its layer: grouped, depthwise and transposed convs included. */
  axes: FilterAxes;
  layout: GridLayout;
  range: Range;
  mapped: Range;
  px: number;
}

/**
 * How a conv layer's filters are drawn: colour patches for the first layer of a 3-channel input; a depthwise
 * conv's one filter per channel in rows of 16; else a grid of output maps (rows) × the input channels they read.
 */
export function filterView(t: FilterTensor, first: boolean, inputChannels: number | null, layer: LayerView | null = null): FilterView {
  const axes = filterAxes(t.shape, layer);
  const { k, c, fh, fw } = axes;
  const rgb = first && axes.order === 'kc' && axes.groups === 1 && c === 3 && inputChannels === 3;
  const range = valueRange(t.data);
  const mapped = mappedRange(range, 'diverging');
  const px = displayScale(Math.max(fh, fw), rgb ? 30 : 14, 12);
  return { k, c, fh, fw, rgb, axes, layout: filterGrid(axes, rgb), range, mapped, px };
}

@customElement('cnn-filters')
export class FiltersView extends LitElement {
  static override styles = [sharedStyles, colorbarStyles, filtersStyles];

  /** The snapshot whose `filters` are drawn. */
  @property({ attribute: false }) snapshot: SnapshotMessage | null = null;
  /** The model, for layer names; optional. */
  @property({ attribute: false }) model: ModelView | null = null;

  private views: FilterView[] = [];

  private layer(index: number): LayerView | null {
    return this.model?.layers.find((l) => l.index === index) ?? null;
  }

  override willUpdate(changed: PropertyValues): void {
    if (changed.has('snapshot') || changed.has('model')) {
      const s = this.snapshot;
      const inC = s && s.input.shape.length === 3 ? s.input.shape[2]! : null;
      const firstIndex = s ? Math.min(...s.filters.map((f) => f.index)) : -1;
      this.views = s ? s.filters.filter((f) => f.shape.length === 4).map((f) => filterView(f, f.index === firstIndex, inC, this.layer(f.index))) : [];
    }
  }

  override updated(changed: PropertyValues): void {
    super.updated(changed);
    if (!(changed.has('snapshot') || changed.has('model')) || !this.snapshot) return;
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
      paintFilters(out, v.layout, t.data, v.k, v.c, v.fh, v.fw, v.rgb ? { rgb: true } : { rgb: false, table: lut('diverging'), range: v.mapped, kMax: MAX_FILTER_ROWS, cMax: MAX_FILTER_COLS, order: v.axes.order });
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
      const layer = this.layer(f.index);
      const name = layer ? `${layer.name ? `${layer.name}: ` : ''}${layer.label}` : `conv (layer ${f.index})`;
      const depthwise = v.c === 1 && v.k > 1;
      const clipped = depthwise ? v.k > DEPTHWISE_MAX : v.k > MAX_FILTER_ROWS || v.c > MAX_FILTER_COLS;
      return html`<section class="filters" data-index=${f.index}>
        <div class="head">
          <span class="title">${name}</span>
          <span class="note">line ${f.line + 1} · ${f.shape.join('×')} · ${v.rgb ? 'one colour patch per filter (R, G, B = its 3 input channels)' : filterCaption(v.axes)}</span>
          <span class="colorbar">
            ${v.rgb ? nothing : html`${formatValue(v.mapped.min)}<span class="bar" style=${styleProps({ background: cssGradient('diverging') })}></span>${formatValue(v.mapped.max)}`}
            <span>weights ${formatValue(v.range.min)} … ${formatValue(v.range.max)}</span>
          </span>
          ${clipped ? html`<span class="note">showing the first ${depthwise ? `${DEPTHWISE_MAX} filters` : `${Math.min(v.k, MAX_FILTER_ROWS)} filters × ${Math.min(v.c, MAX_FILTER_COLS)} channels`}</span>` : nothing}
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
