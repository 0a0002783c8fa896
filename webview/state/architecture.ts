// The architecture drawing's geometry: each layer's output volume as a box in oblique perspective, sized on a
// log scale so that 224 and 7 both read, laid out in a row with its figures under it. Pure.

import type { LayerView, ModelView, ShapeView } from '../../src/protocol/webview';
import { formatCompact, formatShape } from './format';

export interface BoxSize {
  /** Front face: thickness (channels) across, height (H) up. */
  front: number;
  height: number;
  /** The receding side (W), drawn at 45° and foreshortened. */
  depth: number;
}

/** Pixels for a spatial side: logarithmic, so 7 and 224 are both readable (1 → 8 px, 7 → 53, 224 → 133). */
export function sideSize(n: number): number {
  return Math.round(8 + 16 * Math.log2(Math.max(1, n)));
}

/** Pixels for a channel count: 1 → 3 px, 3 → 11, 64 → 33, 512 → 48. */
export function channelSize(c: number): number {
  return Math.round(3 + 5 * Math.log2(Math.max(1, c)));
}

const DEPTH = 0.45;

export function boxSize(shape: ShapeView | null): BoxSize {
  if (!shape) return { front: 10, height: 30, depth: 0 };
  if (shape.kind === 'vector') return { front: 8, height: Math.min(160, Math.round(8 + 10 * Math.log2(Math.max(1, shape.n)))), depth: 0 };
  return { front: channelSize(shape.c), height: sideSize(shape.h), depth: Math.round(DEPTH * sideSize(shape.w)) };
}

export interface BoxLayout {
  /** `input` or the layer index. */
  key: 'input' | number;
  line: number | null;
  kind: string;
  title: string;
  shape: ShapeView | null;
  /** Lines under the box: shape, params, MACs. */
  lines: string[];
  /** Column: left edge and width. */
  x: number;
  width: number;
  /** Front face's top-left corner. */
  fx: number;
  fy: number;
  size: BoxSize;
  hasError: boolean;
  errors: string[];
}

export interface ArchitectureLayout {
  boxes: BoxLayout[];
  width: number;
  height: number;
  /** Where the text under the boxes starts. */
  textY: number;
}

export interface LayoutOptions {
  /** Smallest column width (room for the text under the box). */
  minColumn?: number;
  gap?: number;
  padding?: number;
}

export function layoutArchitecture(model: ModelView, opts: LayoutOptions = {}): ArchitectureLayout {
  const minColumn = opts.minColumn ?? 84;
  const gap = opts.gap ?? 14;
  const pad = opts.padding ?? 12;
  const items: Omit<BoxLayout, 'x' | 'width' | 'fx' | 'fy'>[] = [];
  if (model.input) {
    const shape: ShapeView = { kind: 'volume', ...model.input };
    items.push({ key: 'input', line: model.inputLine, kind: 'input', title: 'input', shape, lines: [formatShape(shape)], size: boxSize(shape), hasError: false, errors: [] });
  }
  for (const l of model.layers) items.push(layerItem(l));
  const tallest = Math.max(40, ...items.map((i) => i.size.height + i.size.depth));
  const baseline = pad + 18 + tallest; // room for the kind label above
  let x = pad;
  const boxes: BoxLayout[] = items.map((it) => {
    const w = it.size.front + it.size.depth;
    const width = Math.max(minColumn, w + 16);
    const fx = x + Math.round((width - w) / 2);
    // Bottom-aligned on a common baseline, the way the lecture draws them.
    const fy = baseline - it.size.height;
    const b: BoxLayout = { ...it, x, width, fx, fy };
    x += width + gap;
    return b;
  });
  const textY = baseline + 16;
  const maxLines = Math.max(1, ...boxes.map((b) => b.lines.length));
  return { boxes, width: Math.max(x - gap + pad, 2 * pad), height: textY + 14 * maxLines + pad, textY };
}

function layerItem(l: LayerView): Omit<BoxLayout, 'x' | 'width' | 'fx' | 'fy'> {
  const lines = [formatShape(l.output)];
  if (l.params !== null && l.params > 0) lines.push(`${formatCompact(l.params)} params`);
  if (l.macs !== null && l.macs > 0) lines.push(`${formatCompact(l.macs)} MACs`);
  return { key: l.index, line: l.line, kind: l.kind, title: l.label, shape: l.output, lines, size: boxSize(l.output), hasError: l.hasError, errors: l.errors };
}

/** The three faces of a box as SVG path data: front, top and side. */
export function boxFaces(b: Pick<BoxLayout, 'fx' | 'fy' | 'size'>): { front: string; top: string; side: string } {
  const { fx, fy } = b;
  const { front: w, height: h, depth: d } = b.size;
  return {
    front: `M${fx},${fy}h${w}v${h}h${-w}Z`,
    top: `M${fx},${fy}l${d},${-d}h${w}l${-d},${d}Z`,
    side: `M${fx + w},${fy}l${d},${-d}v${h}l${-d},${d}Z`,
  };
}

/** The box of the layer on a line (the input statement counts), or null. */
export function boxForLine(layout: ArchitectureLayout, line: number | null): BoxLayout | null {
  if (line === null) return null;
  return layout.boxes.find((b) => b.line === line) ?? null;
}
