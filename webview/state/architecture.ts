// The architecture drawing's geometry: each layer's output volume as a box in oblique perspective, sized on a
// log scale so that 224 and 7 both read, laid out in columns with its figures under it, branches in lanes one
// under another, connectors from every input, wrapped onto further rows to fit a given width (a side panel shows
// the whole network at once). Pure.

import type { LayerView, ModelView, ShapeView } from '../../src/protocol/webview';
import { assignTracks, type EdgeGeometry, edgePath, type EdgeRoute, type Pending, TRACK } from './edges';
import { formatCompact, formatShape } from './format';
import { placeGraph } from './graph';

export type { EdgeRoute } from './edges';

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
  /** The label that names the layer's output (`stem`), drawn above its kind. */
  name: string | null;
  /** The kind in words, drawn above the box (`batch norm`, `dw conv`). */
  kindText: string;
  title: string;
  shape: ShapeView | null;
  /** Lines under the box: shape, params, MACs. */
  lines: string[];
  /** The graph's column and lane (branches side by side: lane 0 on top). */
  column: number;
  lane: number;
  /** Column: left edge and width. */
  x: number;
  width: number;
  /** Which row of the drawing the box is on (0 when it fits on one line). */
  row: number;
  /** The lane's top (the labels above the boxes start there) and where the text under its boxes starts. */
  top: number;
  textY: number;
  /** Baselines of the name and kind labels above the box. */
  nameY: number;
  kindY: number;
  /** Front face's top-left corner. */
  fx: number;
  fy: number;
  size: BoxSize;
  hasError: boolean;
  errors: string[];
}

export interface EdgeLayout {
  /** Keys of the boxes it joins: an input of `to` flows out of `from`. */
  from: 'input' | number;
  to: 'input' | number;
  route: EdgeRoute;
  /** SVG path data, ending at the left of `to`'s box (an arrowhead goes there). */
  d: string;
}

export interface ArchitectureLayout {
  boxes: BoxLayout[];
  width: number;
  height: number;
  /** Number of rows the boxes were wrapped into. */
  rows: number;
  /** One connector per input of every layer, in the layers' order (a chain: from each box to the next). */
  edges: EdgeLayout[];
}

export interface LayoutOptions {
  /** Smallest column width (room for the text under the box). */
  minColumn?: number;
  gap?: number;
  padding?: number;
  /** The width to fit: boxes wrap onto further rows rather than run past it (default: one row, however long). */
  maxWidth?: number;
}

/** Vertical room between two rows or lanes, for the connectors that run between them. */
const ROW_GAP = 22;
/** Height of one line of figures under a box. */
const LINE = 14;
/** Room for the kind label above the boxes, and for a name above it. */
const KIND_ROOM = 18;
const NAME_ROOM = 13;
/** Room kept at the right for the connectors of a run cut between rows. */
const MARGIN = 24;

type Item = Omit<BoxLayout, 'x' | 'width' | 'row' | 'top' | 'textY' | 'nameY' | 'kindY' | 'fx' | 'fy' | 'column' | 'lane'> & { inputs: number[] };

/**
 * The graph's columns left to right and its branches in lanes one under another, wrapped onto rows that fit
 * `maxWidth` (in reading order, like lines of text, between blocks; a block wider than a row is cut between its
 * columns, and its connectors run along the gaps between rows and down the right margin), every box at its own scale
 * (the same scale in every row, so volumes compare across rows), bottom-aligned on its lane's baseline. A
 * straight chain is one lane, one column per layer.
 */
export function layoutArchitecture(model: ModelView, opts: LayoutOptions = {}): ArchitectureLayout {
  const minColumn = opts.minColumn ?? 84;
  const gap = opts.gap ?? 14;
  const pad = opts.padding ?? 12;
  const maxWidth = opts.maxWidth ?? Infinity;
  const items: Item[] = [];
  if (model.input) {
    const shape: ShapeView = { kind: 'volume', ...model.input };
    items.push({ key: 'input', line: model.inputLine, kind: 'input', kindText: 'input', name: null, title: 'input', shape, lines: [formatShape(shape)], size: boxSize(shape), hasError: false, errors: [], inputs: [] });
  }
  const position = new Map<number, number>();
  if (model.input) position.set(-1, 0);
  for (const l of model.layers) {
    const inputs = l.inputs.map((i) => position.get(i)).filter((p): p is number => p !== undefined);
    position.set(l.index, items.length);
    items.push({ ...layerItem(l), inputs });
  }
  const place = placeGraph(items.map((it) => it.inputs));
  const widthOf = (it: Item) => Math.max(minColumn, it.size.front + it.size.depth + 16);
  const colWidth = new Array<number>(place.columns).fill(minColumn);
  items.forEach((it, i) => (colWidth[place.column[i]!] = Math.max(colWidth[place.column[i]!]!, widthOf(it))));

  // Unbreakable runs of columns (a chain: one column each), packed greedily onto rows: a run goes on the current
  // row when the row still fits, else it starts the next one. A run wider than any row (a U-Net's skips span
  // most of it) is cut between columns; the connectors cut then run down the right margin.
  const runs: number[][] = [];
  for (let c = 0; c < place.columns; c++) {
    if (c === 0 || place.breakAfter[c - 1]) runs.push([]);
    runs[runs.length - 1]!.push(c);
  }
  const runWidth = (cols: number[]) => cols.reduce((a, c) => a + colWidth[c]!, 0) + gap * (cols.length - 1);
  const pieces: number[][] = [];
  for (const run of runs) {
    if (run.length === 1 || 2 * pad + runWidth(run) <= maxWidth) {
      pieces.push(run);
      continue;
    }
    let piece: number[] = [];
    for (const c of run) {
      if (piece.length && 2 * pad + MARGIN + runWidth([...piece, c]) > maxWidth) {
        pieces.push(piece);
        piece = [];
      }
      piece.push(c);
    }
    pieces.push(piece);
  }
  const rowOf = new Array<number>(place.columns).fill(0);
  const colX = new Array<number>(place.columns).fill(0);
  let rows = 0;
  let used = Infinity;
  let right = 2 * pad;
  for (const run of pieces) {
    const w = runWidth(run);
    let x: number;
    if (rows && used + gap + w + pad <= maxWidth) {
      x = used + gap;
      used += gap + w;
    } else {
      rows++;
      x = pad;
      used = pad + w;
    }
    for (const c of run) {
      rowOf[c] = rows - 1;
      colX[c] = x;
      x += colWidth[c]! + gap;
    }
    right = Math.max(right, used + pad);
  }
  const contentRight = Math.max(0, ...colX.map((x, c) => x + colWidth[c]!));
  const lastInRow = (c: number) => c === place.columns - 1 || rowOf[c + 1] !== rowOf[c];
  const row = (i: number) => rowOf[place.column[i]!]!;
  const left = (i: number) => colX[place.column[i]!]!;
  const after = (i: number) => left(i) + colWidth[place.column[i]!]! + gap / 2;
  const before = (i: number) => left(i) - gap / 2;

  // Lanes of each row, numbered from 0 there (a row without branches has one).
  const laneIds: number[][] = Array.from({ length: rows }, () => []);
  items.forEach((_, i) => laneIds[row(i)]!.includes(place.lane[i]!) || laneIds[row(i)]!.push(place.lane[i]!));
  laneIds.forEach((l) => l.sort((a, b) => a - b));
  const laneOf = (i: number) => laneIds[row(i)]!.indexOf(place.lane[i]!);
  /** Is lane `lane` of a row empty strictly between two columns? */
  const clear = (r: number, lane: number, c0: number, c1: number) => !items.some((_, k) => row(k) === r && laneOf(k) === lane && place.column[k]! > c0 && place.column[k]! < c1);

  // Routes; the runs above lanes get tracks per channel (interval colouring, the shortest run nearest the
  // boxes, so nested skips do not cross and parallel runs do not merge).
  const pending: Pending[] = [];
  const marginX = (t: number) => contentRight + gap / 2 + TRACK * (t + 1);
  const longFrom = new Array<number>(rows).fill(0);
  let longs = 0;
  items.forEach((it, b) => {
    for (const a of it.inputs) {
      const [ca, cb, la, lb] = [place.column[a]!, place.column[b]!, laneOf(a), laneOf(b)];
      let route: EdgeRoute;
      let channel: Pending['channel'] = null;
      let long: Pending['long'] = null;
      if (row(a) !== row(b)) {
        // From the one node at the end of a row, down from under it into the next row; into the next row from a
        // run cut between rows, down the gap after its column and along the gap under its row; further down,
        // by the right margin.
        if (row(b) === row(a) + 1 && place.breakAfter[ca] && lastInRow(ca)) route = 'wrap';
        else if (row(b) === row(a) + 1) {
          route = 'wrap';
          long = { gapTrack: longFrom[row(a)]!++, margin: null };
        } else {
          route = 'long';
          const margin = longs++;
          long = { gapTrack: longFrom[row(a)]!++, margin };
          channel = { row: row(b), lane: lb, track: 0, x0: before(b), x1: marginX(margin) };
        }
      } else if (la === lb && clear(row(b), lb, ca, cb)) route = 'next';
      else if (lb > la && clear(row(b), lb, ca, cb)) route = 'branch';
      else if (lb < la && clear(row(a), la, ca, cb)) route = 'merge';
      else {
        route = la === lb ? 'skip' : lb > la ? 'branch' : 'merge';
        channel = { row: row(b), lane: la === lb ? lb : Math.max(la, lb), track: 0, x0: after(a), x1: before(b) };
      }
      pending.push({ from: a, to: b, route, channel, long });
    }
  });
  if (longs) right = Math.max(right, marginX(longs - 1) + pad / 2);
  const tracks = assignTracks(pending.flatMap((e) => (e.channel ? [e.channel] : [])));

  // Rows top to bottom, lanes one under another in each: the runs above a lane, the labels, the boxes on the
  // lane's baseline, the figures under them.
  const placed: BoxLayout[] = [];
  const rowTop: number[] = [];
  const rowBottom: number[] = [];
  const channelY = new Map<string, number>();
  let top = pad;
  for (let r = 0; r < rows; r++) {
    rowTop.push(top);
    laneIds[r]!.forEach((_, lane) => {
      const members = items.map((it, i) => ({ it, i })).filter(({ i }) => row(i) === r && laneOf(i) === lane);
      const runsAbove = tracks.get(`${r}:${lane}`) ?? 0;
      if (runsAbove) channelY.set(`${r}:${lane}`, top + 4 + (runsAbove - 1) * TRACK);
      const labelTop = top + (runsAbove ? runsAbove * TRACK + 6 : 0);
      const nameRoom = members.some(({ it }) => it.name) ? NAME_ROOM : 0;
      const tallest = Math.max(40, ...members.map(({ it }) => it.size.height + it.size.depth));
      const baseline = labelTop + KIND_ROOM + nameRoom + tallest;
      const textY = baseline + 16;
      for (const { it, i } of members) {
        const width = colWidth[place.column[i]!]!;
        const w = it.size.front + it.size.depth;
        const x = left(i);
        // Bottom-aligned on a common baseline, the way the lecture draws them.
        const { inputs: _inputs, ...box } = it;
        placed[i] = { ...box, column: place.column[i]!, lane, x, width, row: r, top: labelTop, textY, nameY: labelTop + 4, kindY: labelTop + 4 + nameRoom, fx: x + Math.round((width - w) / 2), fy: baseline - it.size.height };
      }
      const maxLines = Math.max(1, ...members.map(({ it }) => it.lines.length));
      rowBottom[r] = textY + LINE * maxLines;
      top = rowBottom[r]! + ROW_GAP;
    });
    // Room under the row for the connectors that leave it for the right margin.
    top += longFrom[r]! * TRACK;
  }
  const height = rows ? top - ROW_GAP + pad : 2 * pad;

  const edges: EdgeLayout[] = pending.map((e) => {
    const a = placed[e.from]!;
    const b = placed[e.to]!;
    const chanY = e.channel ? channelY.get(`${e.channel.row}:${e.channel.lane}`)! - e.channel.track * TRACK : null;
    const geometry: EdgeGeometry = {
      after: after(e.from),
      before: before(e.to),
      gapY: rowTop[b.row]! - ROW_GAP / 2,
      under: a.textY + LINE * (a.lines.length - 1) + 5,
      channelY: chanY,
      long: e.long ? { y: rowBottom[a.row]! + 6 + e.long.gapTrack * TRACK, x: e.long.margin === null ? null : marginX(e.long.margin) } : null,
    };
    return { from: a.key, to: b.key, route: e.route, d: edgePath(e.route, a, b, geometry) };
  });
  return { boxes: placed, width: right, height, rows, edges };
}

/** The factor that fits a drawing `width` wide into `available` pixels: 1 when it fits (never enlarged). */
export function fitScale(width: number, available: number): number {
  return available > 0 && width > available ? available / width : 1;
}

/** The kind as the drawing names it above a box, short enough for a column: a conv says when it is depthwise, grouped or dilated. */
export function kindLabel(kind: string, layer?: Pick<LayerView, 'groups' | 'window' | 'input'>): string {
  if (kind === 'conv' && layer) {
    const g = layer.groups ?? 1;
    const c = layer.input?.kind === 'volume' ? layer.input.c : null;
    const base = g > 1 ? (g === c ? 'dw conv' : 'group conv') : 'conv';
    const dilated = (layer.window?.dh ?? 1) > 1 || (layer.window?.dw ?? 1) > 1;
    return dilated ? `dilated ${base}` : base;
  }
  return KIND_LABELS[kind] ?? kind;
}
const KIND_LABELS: Record<string, string> = { globalpool: 'global pool', batchnorm: 'batch norm', deconv: 'deconv', upsample: 'upsample', add: '+ add', concat: '‖ concat' };

function layerItem(l: LayerView): Omit<Item, 'inputs'> {
  const lines = [formatShape(l.output)];
  if (l.params !== null && l.params > 0) lines.push(`${formatCompact(l.params)} params`);
  if (l.macs !== null && l.macs > 0) lines.push(`${formatCompact(l.macs)} MACs`);
  return { key: l.index, line: l.line, kind: l.kind, kindText: kindLabel(l.kind, l), name: l.name, title: l.label, shape: l.output, lines, size: boxSize(l.output), hasError: l.hasError, errors: l.errors };
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

/** The box the cursor's line points at: the layer on it, or on a `from NAME` line the layer NAME names. */
export function boxForCursor(layout: ArchitectureLayout, model: Pick<ModelView, 'jumps'>, line: number | null): BoxLayout | null {
  const own = boxForLine(layout, line);
  if (own || line === null) return own;
  const jump = model.jumps.find((j) => j.line === line);
  if (!jump) return null;
  return layout.boxes.find((b) => b.key === (jump.target === -1 ? 'input' : jump.target)) ?? null;
}
