// <cnn-feature-maps>: the chosen sample's input, then every layer's activation maps as a grid of tiles on one
// canvas per layer (ImageData, one pixel per value, scaled up without smoothing), with the colour scale and
// value range; click a tile to enlarge it. Refreshed whenever a new snapshot arrives.

import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { styleProps } from '../../directives/style-props';
import type { LayerActivation, SnapshotMessage, Tensor } from '../../../src/protocol/trainer';
import type { ModelView, RunStatus } from '../../../src/protocol/webview';
import { cssGradient, lut, mappedRange, type Range, type ScaleName, scaleFor, valueRange } from '../../state/colors';
import { formatValue } from '../../state/format';
import { ACTIVATION_LAYOUT, channelRange, displayScale, type GridLayout, gridLayout, paintChannel, paintChannels, paintImage, paintVector, tileAt, volumeDims, type VolumeLayout } from '../../state/tiles';
import { colorbarStyles, sharedStyles } from '../shared.styles';
import { featureMapsStyles } from './feature-maps.styles';

export interface EnlargeDetail {
  layer: number;
  channel: number;
}

/** How one tensor is drawn: its grid, colour scale and ranges. */
export interface MapView {
  kind: 'volume' | 'vector';
  h: number;
  w: number;
  c: number;
  layout: GridLayout;
  range: Range;
  scale: ScaleName;
  mapped: Range;
  /** CSS pixels per tensor pixel. */
  px: number;
}

/** Grid, scale and range of an activation (H×W×C volume or N vector). */
export function mapView(t: Tensor, maxWidth = 1024, order: VolumeLayout = ACTIVATION_LAYOUT): MapView {
  const range = valueRange(t.data);
  const scale = scaleFor(range);
  const mapped = mappedRange(range, scale);
  if (t.shape.length === 3) {
    const { h, w, c } = volumeDims(t.shape, order);
    const px = displayScale(Math.max(h, w), 48, 12);
    const maxCols = Math.max(1, Math.floor((maxWidth / px + 1) / (w + 1)));
    return { kind: 'volume', h, w, c, layout: gridLayout(c, w, h, Math.min(maxCols, Math.max(8, Math.ceil(Math.sqrt(c))))), range, scale, mapped, px };
  }
  const n = t.data.length;
  const cols = Math.min(n, 32);
  return { kind: 'vector', h: 1, w: n, c: 1, layout: gridLayout(n, 1, 1, cols, 0), range, scale, mapped, px: 12 };
}

@customElement('cnn-feature-maps')
export class FeatureMaps extends LitElement {
  static override styles = [sharedStyles, colorbarStyles, featureMapsStyles];

  /** The latest snapshot: input, activations, probabilities. */
  @property({ attribute: false }) snapshot: SnapshotMessage | null = null;
  /** The model, for layer names; optional. */
  @property({ attribute: false }) model: ModelView | null = null;
  /** The host's run status (notes such as "untrained weights"). */
  @property({ attribute: false }) status: RunStatus | null = null;
  /** The enlarged tile, if any: layer -1 is the input. */
  @property({ attribute: false }) enlarged: EnlargeDetail | null = null;
  /** The validation sample index in the chooser. */
  @property({ type: Number }) sample = 0;
  /** Widest canvas in tensor pixels × scale (CSS pixels), for the grid's column count. */
  @property({ type: Number }) maxWidth = 720;

  private views: MapView[] = [];
  private inputView: MapView | null = null;
  private readonly images = new Map<HTMLCanvasElement, ImageData>();

  override willUpdate(changed: PropertyValues): void {
    if (changed.has('snapshot') || changed.has('maxWidth')) {
      const s = this.snapshot;
      this.views = s ? s.activations.map((a) => mapView(a, this.maxWidth)) : [];
      this.inputView = s ? mapView(s.input, this.maxWidth, 'hwc') : null;
    }
  }

  private emit<T>(name: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(name, { detail, bubbles: true, composed: true }));
  }

  private imageFor(canvas: HTMLCanvasElement, w: number, h: number): ImageData {
    let img = this.images.get(canvas);
    if (!img || img.width !== w || img.height !== h) {
      img = new ImageData(Math.max(1, w), Math.max(1, h));
      this.images.set(canvas, img);
    }
    if (canvas.width !== img.width) canvas.width = img.width;
    if (canvas.height !== img.height) canvas.height = img.height;
    return img;
  }

  override updated(changed: PropertyValues): void {
    super.updated(changed);
    if (changed.has('snapshot') || changed.has('maxWidth')) this.paintAll();
    if (changed.has('enlarged') || (changed.has('snapshot') && this.enlarged)) this.paintEnlarged();
  }

  /** Paints every layer's canvas from the snapshot. */
  private paintAll(): void {
    const s = this.snapshot;
    if (!s || !this.renderRoot) return;
    const input = this.renderRoot.querySelector<HTMLCanvasElement>('canvas[data-layer="-1"]');
    if (input && this.inputView) this.paintTensor(input, s.input, this.inputView, true);
    for (const canvas of this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas.tiles[data-layer]')) {
      const i = Number(canvas.dataset.layer);
      const a = s.activations[i];
      const v = this.views[i];
      if (a && v) this.paintTensor(canvas, a, v, false);
    }
  }

  private paintTensor(canvas: HTMLCanvasElement, t: Tensor, v: MapView, asImage: boolean): void {
    const g = canvas.getContext('2d');
    if (!g) return;
    const rgbOrGray = asImage && v.kind === 'volume' && (v.c === 3 || v.c === 1);
    const w = rgbOrGray ? v.w : v.layout.width;
    const h = rgbOrGray ? v.h : v.layout.height;
    const img = this.imageFor(canvas, w, h);
    const out = new Uint32Array(img.data.buffer);
    if (rgbOrGray) paintImage(out, t.data, v.h, v.w, v.c, v.range);
    else if (v.kind === 'volume') paintChannels(out, v.layout, t.data, v.h, v.w, v.c, lut(v.scale), v.mapped, v.c, asImage ? 'hwc' : ACTIVATION_LAYOUT);
    else paintVector(out, v.layout.cols, t.data, lut(v.scale), v.mapped);
    g.putImageData(img, 0, 0);
  }

  private paintEnlarged(): void {
    const e = this.enlarged;
    const s = this.snapshot;
    const canvas = this.renderRoot?.querySelector<HTMLCanvasElement>('.enlarged canvas');
    if (!e || !s || !canvas) return;
    const t = e.layer === -1 ? s.input : s.activations[e.layer];
    if (!t || t.shape.length !== 3) return;
    const order = e.layer === -1 ? 'hwc' : ACTIVATION_LAYOUT;
    const { h, w, c } = volumeDims(t.shape, order);
    const range = channelRange(t.data, h, w, c, e.channel, order);
    const scale = scaleFor(range);
    const img = this.imageFor(canvas, w, h);
    paintChannel(new Uint32Array(img.data.buffer), t.data, h, w, c, e.channel, lut(scale), mappedRange(range, scale), order);
    canvas.getContext('2d')?.putImageData(img, 0, 0);
  }

  private onTileClick(e: MouseEvent, layer: number): void {
    const v = layer === -1 ? this.inputView : this.views[layer];
    if (!v || v.kind !== 'volume') return;
    const canvas = e.currentTarget as HTMLCanvasElement;
    const r = canvas.getBoundingClientRect();
    const px = ((e.clientX - r.left) / r.width) * canvas.width;
    const py = ((e.clientY - r.top) / r.height) * canvas.height;
    const k = tileAt(v.layout, px, py, v.c);
    if (k !== null) this.emit<EnlargeDetail>('cnn-enlarge', { layer, channel: k });
  }

  private layerName(a: LayerActivation): string {
    const l = this.model?.layers.find((x) => x.index === a.index);
    return l ? `${l.name ? `${l.name}: ` : ''}${l.label}` : a.kind;
  }

  /** Where a layer's input comes from when that is not simply the layer above: a merge's inputs, a `from` jump. */
  private sources(a: LayerActivation, previous: number | null): string {
    const layers = this.model?.layers ?? [];
    const l = layers.find((x) => x.index === a.index);
    if (!l || (l.inputs.length === 1 && l.inputs[0] === (previous ?? -1))) return '';
    const say = (i: number) => {
      if (i === -1) return 'the input';
      const src = layers.find((x) => x.index === i);
      return src ? (src.name ?? `line ${src.line + 1}`) : `layer ${i}`;
    };
    return ` · from ${l.inputs.map(say).join(l.kind === 'add' ? ' + ' : ', ')}`;
  }

  override render() {
    const s = this.snapshot;
    return html`
      <div class="row controls">
        <label>Validation sample <input type="number" min="0" .value=${String(this.sample)} @change=${(e: Event) => this.emit('cnn-sample', { sample: Number((e.target as HTMLInputElement).value) })} /></label>
        <button class="show" @click=${() => this.emit('cnn-snapshot', { sample: this.sample })}>Show</button>
        <button class="secondary pick" @click=${() => this.emit('cnn-pick-image', {})}>Image file…</button>
        ${this.status?.note ? html`<span class="note">${this.status.note}</span>` : nothing}
      </div>
      ${s ? this.renderSnapshot(s) : html`<p class="note">No feature maps yet. ${this.status?.training ? 'They appear during training.' : 'Choose a sample and press Show: the latest checkpoint is loaded to compute them.'}</p>`}
      ${this.enlarged && s ? this.renderEnlarged(s, this.enlarged) : nothing}
    `;
  }

  private renderSnapshot(s: SnapshotMessage) {
    const label = s.label !== null ? (s.classes[s.label] ?? String(s.label)) : null;
    const iv = this.inputView!;
    const inputIsImage = iv.kind === 'volume' && (iv.c === 3 || iv.c === 1);
    return html`
      <section>
        <div class="head">
          <span class="title">input</span><span class="note">${s.source}${label !== null ? ` · label: ${label}` : ''} · ${s.input.shape.join('×')}</span>
          ${inputIsImage ? html`<span class="colorbar">range ${formatValue(iv.range.min)} … ${formatValue(iv.range.max)}</span>` : colorbar(iv)}
        </div>
        <canvas
          class="pixels ${inputIsImage ? 'input' : 'tiles'}"
          data-layer="-1"
          style=${styleProps(sizeOf(inputIsImage ? iv.w : iv.layout.width, inputIsImage ? iv.h : iv.layout.height, displayScale(Math.max(iv.h, iv.w), 128, 8)))}
          @click=${(e: MouseEvent) => (inputIsImage ? this.emit<EnlargeDetail>('cnn-enlarge', { layer: -1, channel: 0 }) : this.onTileClick(e, -1))}
        ></canvas>
      </section>
      ${s.activations.map((a, i) => {
        const v = this.views[i]!;
        return html`<section class="layer" data-index=${a.index}>
          <div class="head">
            <span class="title">${this.layerName(a)}</span>
            <span class="note">line ${a.line + 1} · ${a.shape.join('×')}${v.kind === 'volume' ? ` · ${v.c} map${v.c === 1 ? '' : 's'}` : ''}${this.sources(a, i > 0 ? s.activations[i - 1]!.index : null)}</span>
            ${colorbar(v)}
          </div>
          <canvas
            class="pixels tiles"
            data-layer=${i}
            title="Click a map to enlarge it"
            style=${styleProps(sizeOf(v.layout.width, v.layout.height, v.px))}
            @click=${(e: MouseEvent) => this.onTileClick(e, i)}
          ></canvas>
        </section>`;
      })}
    `;
  }

  private renderEnlarged(s: SnapshotMessage, e: EnlargeDetail) {
    const t = e.layer === -1 ? s.input : s.activations[e.layer];
    if (!t || t.shape.length !== 3) return nothing;
    const order = e.layer === -1 ? 'hwc' : ACTIVATION_LAYOUT;
    const { h, w, c } = volumeDims(t.shape, order);
    const range = channelRange(t.data, h, w, c, e.channel, order);
    const name = e.layer === -1 ? 'input' : this.layerName(s.activations[e.layer]!);
    const v = { range, scale: scaleFor(range), mapped: mappedRange(range, scaleFor(range)) };
    return html`<div class="enlarged" role="dialog" aria-label="Enlarged feature map" @keydown=${(ev: KeyboardEvent) => ev.key === 'Escape' && this.emit('cnn-close-enlarged', {})}>
      <div class="row">
        <strong>${name}, map ${e.channel + 1} of ${c}</strong>
        <span class="note">${h}×${w}</span>
        ${colorbar(v)}
        <button class="secondary close" @click=${() => this.emit('cnn-close-enlarged', {})}>Close</button>
      </div>
      <canvas class="pixels"></canvas>
    </div>`;
  }
}

function sizeOf(w: number, h: number, px: number): Record<string, string> {
  return { width: `${w * px}px`, aspectRatio: `${Math.max(1, w)} / ${Math.max(1, h)}` };
}

function colorbar(v: Pick<MapView, 'range' | 'scale' | 'mapped'>) {
  return html`<span class="colorbar" title=${v.scale === 'diverging' ? 'diverging scale: blue negative, white zero, red positive' : 'viridis scale'}>
    ${formatValue(v.scale === 'diverging' ? v.mapped.min : v.range.min)}
    <span class="bar" style=${styleProps({ background: cssGradient(v.scale) })}></span>
    ${formatValue(v.scale === 'diverging' ? v.mapped.max : v.range.max)}
    <span>(values ${formatValue(v.range.min)} … ${formatValue(v.range.max)})</span>
  </span>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'cnn-feature-maps': FeatureMaps;
  }
  interface HTMLElementEventMap {
    'cnn-enlarge': CustomEvent<EnlargeDetail>;
    'cnn-close-enlarged': CustomEvent<Record<string, never>>;
    'cnn-sample': CustomEvent<{ sample: number }>;
    'cnn-snapshot': CustomEvent<{ sample: number }>;
    'cnn-pick-image': CustomEvent<Record<string, never>>;
  }
}
