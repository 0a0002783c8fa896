// The architecture drawing's geometry: each layer's output volume as a box in oblique perspective, sized on a
// log scale so that 224 and 7 both read, laid out in a row with its figures under it, wrapped onto further rows
// to fit a given width (a side panel shows the whole network at once). Pure.

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
  /** Which row of the drawing the box is on (0 when it fits on one line). */
  row: number;
  /** The row's top (the kind label sits just under it) and where the text under its boxes starts. */
  top: number;
  textY: number;
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
  /** Number of rows the boxes were wrapped into. */
  rows: number;
  /** SVG path data of the arrows from each box to the next (an elbow from the end of a row to the next row's start). */
  arrows: string[];
}

export interface LayoutOptions {
  /** Smallest column width (room for the text under the box). */
  minColumn?: number;
  gap?: number;
  padding?: number;
  /** The width to fit: boxes wrap onto further rows rather than run past it (default: one row, however long). */
  maxWidth?: number;
}

/** Vertical room between two rows, for the arrow that carries the flow from one row to the next. */
const ROW_GAP = 22;
/** Height of one line of figures under a box. */
const LINE = 14;

type Item = Omit<BoxLayout, 'x' | 'width' | 'row' | 'top' | 'textY' | 'fx' | 'fy'>;

/**
 * Columns left to right, wrapped onto rows that fit `maxWidth` (in reading order, like lines of text), every box
 * at its own scale (the same scale in every row, so volumes compare across rows), bottom-aligned on its row's baseline.
 */
export function layoutArchitecture(model: ModelView, opts: LayoutOptions = {}): ArchitectureLayout {
  const minColumn = opts.minColumn ?? 84;
  const gap = opts.gap ?? 14;
  const pad = opts.padding ?? 12;
  const maxWidth = opts.maxWidth ?? Infinity;
  const items: Item[] = [];
  if (model.input) {
    const shape: ShapeView = { kind: 'volume', ...model.input };
    items.push({ key: 'input', line: model.inputLine, kind: 'input', title: 'input', shape, lines: [formatShape(shape)], size: boxSize(shape), hasError: false, errors: [] });
  }
  for (const l of model.layers) items.push(layerItem(l));
  const widthOf = (it: Item) => Math.max(minColumn, it.size.front + it.size.depth + 16);

  // Greedy rows: a column goes on the current row when the row still fits, else it starts the next one.
  const rows: Item[][] = [];
  let used = Infinity;
  for (const it of items) {
    const w = widthOf(it);
    if (rows.length && used + gap + w + pad <= maxWidth) {
      rows[rows.length - 1]!.push(it);
      used += gap + w;
    } else {
      rows.push([it]);
      used = pad + w;
    }
  }

  const boxes: BoxLayout[] = [];
  let top = pad;
  let right = 2 * pad;
  rows.forEach((rowItems, row) => {
    const tallest = Math.max(40, ...rowItems.map((i) => i.size.height + i.size.depth));
    const baseline = top + 18 + tallest; // room for the kind label above
    const textY = baseline + 16;
    let x = pad;
    for (const it of rowItems) {
      const w = it.size.front + it.size.depth;
      const width = widthOf(it);
      const fx = x + Math.round((width - w) / 2);
      // Bottom-aligned on a common baseline, the way the lecture draws them.
      boxes.push({ ...it, x, width, row, top, textY, fx, fy: baseline - it.size.height });
      x += width + gap;
    }
    right = Math.max(right, x - gap + pad);
    const maxLines = Math.max(1, ...rowItems.map((i) => i.lines.length));
    top = textY + LINE * maxLines + ROW_GAP;
  });
  const height = rows.length ? top - ROW_GAP + pad : 2 * pad;
  const arrows = boxes.slice(1).map((b, i) => arrowPath(boxes[i]!, b));
  return { boxes, width: right, height, rows: rows.length, arrows };
}

/** The factor that fits a drawing `width` wide into `available` pixels: 1 when it fits (never enlarged). */
export function fitScale(width: number, available: number): number {
  return available > 0 && width > available ? available / width : 1;
}

/** Middle of a box's front face, its right end (behind the receding side) and its left edge. */
function anchor(b: BoxLayout): { y: number; right: number; left: number } {
  return { y: b.fy + b.size.height / 2, right: b.fx + b.size.front + b.size.depth + 2, left: b.fx - 3 };
}

/** A straight arrow on a row; from one row to the next, down from under the last box, back left, and into the first. */
export function arrowPath(a: BoxLayout, b: BoxLayout): string {
  const p = anchor(a);
  const q = anchor(b);
  if (a.row === b.row) return `M${p.right},${p.y}L${q.left},${q.y}`;
  // Between the rows: below the figures of row a, above the kind labels of row b.
  const lane = b.top - ROW_GAP / 2;
  const out = Math.round(a.x + a.width / 2);
  const entry = Math.max(2, b.x - 6);
  return `M${out},${a.textY + LINE * (a.lines.length - 1) + 5}V${lane}H${entry}V${q.y}H${q.left}`;
}

function layerItem(l: LayerView): Item {
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
