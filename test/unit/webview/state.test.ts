// The inspector's pure state: the reducer, colour scales, tile painting, the architecture layout, the
// convolution explorer's positions and the chart's ticks.

import { describe, expect, it } from 'vitest';

import { modelView, snapshotToHwc } from '../../../src/features/modelView';
import { check } from '../../../src/language';
import type { HostToWebview } from '../../../src/protocol/webview';
import { boxForLine, boxSize, channelSize, layoutArchitecture, sideSize } from '../../../webview/state/architecture';
import { decimate, extent, nearestIndex, niceTicks, tickLabel } from '../../../webview/state/chart';
import { indexOf, lut, mappedRange, scaleFor, unpack, valueRange } from '../../../webview/state/colors';
import { convGeometry, demoN, explorerLayer } from '../../../webview/state/conv';
import { formatCompact, formatDuration, formatShape, formatValue } from '../../../webview/state/format';
import { curves, initialState, isLive, MAX_POINTS, persisted, reduce } from '../../../webview/state/inspector';
import { channelRange, gridLayout, paintChannel, paintChannels, paintFilters, paintImage, tileAt, volumeDims } from '../../../webview/state/tiles';
import { lectureSnapshot, LECTURE_SOURCE } from './fixtures';

const FILE = '/w/lecture.cnn';
const model = modelView(check(LECTURE_SOURCE), FILE, 1);
const progress = (epoch: number, step: number, loss = 1, accuracy = 0.5) => ({ type: 'trainer', file: FILE, message: { type: 'progress', epoch, epochs: 3, step, steps: 10, loss, accuracy, samplesPerSec: 100, etaSec: 30 } }) as HostToWebview;

describe('reducer', () => {
  const withModel = reduce(initialState(), { type: 'model', model });

  it('takes a model and follows the cursor', () => {
    expect(withModel.file).toBe(FILE);
    expect(withModel.model?.layers).toHaveLength(8);
    const s = reduce(withModel, { type: 'cursor', file: FILE, line: 8 });
    expect(s.cursorLine).toBe(8);
    // The explorer follows the conv on the cursor's line (line 8 is the second conv: 0-based).
    expect(s.explorer.key).toContain(':3:');
  });

  it('ignores messages for another file and returns the same state object', () => {
    expect(reduce(withModel, { type: 'cursor', file: '/other.cnn', line: 2 })).toBe(withModel);
    expect(reduce(withModel, progress(1, 1) && { ...(progress(1, 1) as object), file: '/other.cnn' } as HostToWebview)).toBe(withModel);
  });

  it('resets run data when the followed file changes, keeps it when the same file is re-checked', () => {
    let s = reduce(withModel, { type: 'trainer', file: FILE, message: lectureSnapshot() });
    expect(s.snapshot).not.toBeNull();
    s = reduce(s, { type: 'model', model: { ...model, version: 2 } });
    expect(s.snapshot).not.toBeNull();
    s = reduce(s, { type: 'model', model: { ...model, file: '/w/other.cnn' } });
    expect(s.snapshot).toBeNull();
    expect(s.run.points).toEqual([]);
  });

  it('builds live curves from progress and epochs, and restarts on a new run', () => {
    let s = reduce(withModel, { type: 'trainer', file: FILE, message: { type: 'started', epochs: 3, stepsPerEpoch: 10, trainSize: 300, valSize: 30, classes: ['a'], params: 10, backend: 'builtin', warnings: [], task: 'single', classCounts: [300], classWeights: null } });
    expect(s.run.source).toBe('live');
    s = reduce(s, progress(1, 5, 1.0, 0.4));
    s = reduce(s, progress(1, 10, 0.9, 0.5));
    s = reduce(s, { type: 'trainer', file: FILE, message: { type: 'epoch', epoch: 1, epochs: 3, trainLoss: 0.9, trainAccuracy: 0.5, valLoss: 0.95, valAccuracy: 0.45, valAuc: null, seconds: 2 } });
    expect(s.run.points.map((p) => p.x)).toEqual([0.5, 1]);
    expect(s.run.rows).toHaveLength(1);
    expect(isLive(s)).toBe(true);
    const c = curves(s.run);
    expect(c.loss.map((x) => x.label)).toEqual(['train (running)', 'train', 'validation']);
    expect(c.loss[2]!.points).toEqual([[1, 0.95]]);
    s = reduce(s, { type: 'trainer', file: FILE, message: { type: 'done', checkpoint: '/r/model.safetensors', metricsFile: '/r/metrics.jsonl', stopped: false, epochsRun: 1, final: null, test: null, best: null } });
    expect(isLive(s)).toBe(false);
    // Progress that goes back in time (a new run without started) starts the curve again.
    s = reduce(s, progress(1, 2));
    expect(s.run.points).toHaveLength(1);
  });

  it('caps the live points', () => {
    let s = withModel;
    for (let i = 1; i <= MAX_POINTS + 10; i++) s = reduce(s, progress(1 + Math.floor(i / 10), (i % 10) + 1));
    expect(s.run.points.length).toBeLessThanOrEqual(MAX_POINTS);
  });

  it('takes the last run from history when idle, not over a live run', () => {
    const rows = [{ epoch: 1, trainLoss: 1, trainAccuracy: 0.5, valLoss: 1.1, valAccuracy: 0.4, valAuc: null }];
    let s = reduce(withModel, { type: 'history', file: FILE, source: 'last', path: '/r/metrics.jsonl', rows });
    expect(s.run.rows).toEqual(rows);
    expect(s.run.source).toBe('last');
    expect(curves(s.run).loss[0]!.kind).toBe('line');
    s = reduce(s, { type: 'status', file: FILE, status: { training: true, run: { phase: 'running', epochsRun: 0, epochs: 3, message: null }, inspecting: false, checkpoint: null, note: null } });
    s = reduce(s, progress(1, 1));
    const t = reduce(s, { type: 'history', file: FILE, source: 'last', path: '/r/metrics.jsonl', rows: [] });
    expect(t).toBe(s);
  });

  it('enlarges a tile and keeps it across snapshots while it exists', () => {
    let s = reduce(withModel, { type: 'trainer', file: FILE, message: lectureSnapshot() });
    s = reduce(s, { type: 'ui/enlarge', layer: 3, channel: 31 });
    s = reduce(s, { type: 'trainer', file: FILE, message: lectureSnapshot(2) });
    expect(s.enlarged).toEqual({ layer: 3, channel: 31 });
    s = reduce(s, { type: 'ui/enlarge', layer: 0, channel: 15 });
    const small = lectureSnapshot();
    small.activations = small.activations.slice(0, 0);
    s = reduce(s, { type: 'trainer', file: FILE, message: small });
    expect(s.enlarged).toBeNull();
  });

  it('clamps the explorer setting and the sample, and persists tab and sample only', () => {
    let s = reduce(withModel, { type: 'ui/explorer', setting: { n: 1000, s: 0, p: -2 } });
    expect(s.explorer.setting).toMatchObject({ n: 32, s: 1, p: 0 });
    s = reduce(s, { type: 'ui/sample', sample: -4 });
    expect(s.sample).toBe(0);
    s = reduce(s, { type: 'ui/tab', tab: 'filters' });
    expect(persisted(s)).toEqual({ file: FILE, tab: 'filters', sample: 0 });
    expect(initialState(persisted(s)).tab).toBe('filters');
  });
});

describe('colour scales', () => {
  it('viridis runs from dark purple to yellow; the diverging scale is white at zero', () => {
    const v = lut('viridis');
    expect(v).toHaveLength(256);
    expect(unpack(v[0]!)).toEqual([0x44, 0x01, 0x54, 255]);
    expect(unpack(v[255]!)).toEqual([0xfd, 0xe7, 0x25, 255]);
    const d = lut('diverging');
    const mid = unpack(d[indexOf(0, mappedRange({ min: -3, max: 1 }, 'diverging'))]!);
    expect(mid[0]).toBeGreaterThan(240);
    expect(mid[1]).toBeGreaterThan(240);
    const neg = unpack(d[0]!);
    expect(neg[2]).toBeGreaterThan(neg[0]); // blue
  });

  it('viridis gets lighter monotonically (readable in grey)', () => {
    const v = lut('viridis');
    const lum = (i: number) => {
      const [r, g, b] = unpack(v[i]!);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    for (let i = 8; i < 256; i += 8) expect(lum(i)).toBeGreaterThan(lum(i - 8));
  });

  it('picks the scale from the sign of the values and maps ranges', () => {
    expect(scaleFor({ min: 0, max: 3 })).toBe('viridis');
    expect(scaleFor({ min: -1, max: 3 })).toBe('diverging');
    expect(mappedRange({ min: -1, max: 3 }, 'diverging')).toEqual({ min: -3, max: 3 });
    expect(mappedRange({ min: 2, max: 2 }, 'viridis')).toEqual({ min: 1.5, max: 2.5 });
    expect(indexOf(NaN, { min: 0, max: 1 })).toBe(0);
    expect(indexOf(5, { min: 0, max: 1 })).toBe(255);
    expect(indexOf(-5, { min: 0, max: 1 })).toBe(0);
    expect(valueRange(new Float32Array([3, -1, 2, 8]), 1, 2)).toEqual({ min: -1, max: 8 });
    expect(valueRange(new Float32Array(0))).toEqual({ min: 0, max: 0 });
  });
});

describe('tiles', () => {
  it('lays tiles out in a grid with one-pixel gaps and finds the tile under a pixel', () => {
    const g = gridLayout(64, 64, 64, 8);
    expect(g).toMatchObject({ cols: 8, rows: 8, width: 8 * 64 + 7, height: 8 * 64 + 7 });
    expect(tileAt(g, 0, 0, 64)).toBe(0);
    expect(tileAt(g, 65, 0, 64)).toBe(1);
    expect(tileAt(g, 64, 0, 64)).toBeNull(); // the gap
    expect(tileAt(g, 65 * 7 + 3, 65 * 7 + 3, 64)).toBe(63);
    expect(tileAt(gridLayout(5, 4, 4, 3), 6, 6, 5)).toBe(4);
    expect(tileAt(gridLayout(5, 4, 4, 3), 11, 6, 5)).toBeNull(); // past the last tile
    expect(gridLayout(0, 4, 4)).toMatchObject({ width: 0, height: 0 });
  });

  it('paints each channel of an H×W×C volume into its own tile', () => {
    // 2×2×2: channel 0 all 0, channel 1 all 1.
    const data = new Float32Array([0, 1, 0, 1, 0, 1, 0, 1]);
    const g = gridLayout(2, 2, 2, 2);
    const out = new Uint32Array(g.width * g.height);
    const t = lut('gray');
    paintChannels(out, g, data, 2, 2, 2, t, { min: 0, max: 1 });
    expect(unpack(out[0]!)).toEqual([0, 0, 0, 255]);
    expect(unpack(out[3]!)).toEqual([255, 255, 255, 255]);
    expect(out[2]).toBe(0); // gap stays transparent
  });

  it('reads channels-first volumes the same way', () => {
    // 2 channels of 1×2: channel 0 = [0, 1], channel 1 = [1, 1].
    const hwc = new Float32Array([0, 1, 1, 1]);
    const chw = new Float32Array([0, 1, 1, 1]);
    const g = gridLayout(2, 2, 1, 2);
    const a = new Uint32Array(g.width * g.height);
    const b = new Uint32Array(g.width * g.height);
    const t = lut('gray');
    paintChannels(a, g, hwc, 1, 2, 2, t, { min: 0, max: 1 });
    paintChannels(b, g, new Float32Array([0, 1, 1, 1].map((_, i) => chw[i]!)), 1, 2, 2, t, { min: 0, max: 1 }, 2, 'chw');
    // hwc: (x0: k0=0, k1=1), (x1: k0=1, k1=1) → channel 0 = [0, 1]; chw: channel 0 = [0, 1] too.
    expect(unpack(a[0]!)[0]).toBe(0);
    expect(unpack(a[1]!)[0]).toBe(255);
    expect(unpack(b[0]!)[0]).toBe(0);
    expect(unpack(b[1]!)[0]).toBe(255);
    expect(volumeDims([16, 32, 8], 'hwc')).toEqual({ h: 16, w: 32, c: 8 });
    expect(volumeDims([16, 32, 8], 'chw')).toEqual({ h: 32, w: 8, c: 16 });
    expect(channelRange(new Float32Array([0, 5, 1, 7]), 1, 2, 2, 1, 'hwc')).toEqual({ min: 5, max: 7 });
    expect(channelRange(new Float32Array([0, 5, 1, 7]), 1, 2, 2, 1, 'chw')).toEqual({ min: 1, max: 7 });
    const one = new Uint32Array(2);
    paintChannel(one, new Float32Array([0, 5, 1, 7]), 1, 2, 2, 1, t, { min: 0, max: 7 }, 'chw');
    expect(unpack(one[1]!)[0]).toBe(255);
  });

  it('paints a colour input and RGB filter patches', () => {
    const img = new Float32Array([1, 0, 0, 0, 0, 1]); // 1×2: red, blue
    const out = new Uint32Array(2);
    paintImage(out, img, 1, 2, 3, { min: 0, max: 1 });
    expect(unpack(out[0]!)).toEqual([255, 0, 0, 255]);
    expect(unpack(out[1]!)).toEqual([0, 0, 255, 255]);
    // One 1×1 filter with 3 channels: R high, G low, B middle.
    const f = new Float32Array([1, -1, 0]);
    const g = gridLayout(1, 1, 1);
    const o2 = new Uint32Array(1);
    paintFilters(o2, g, f, 1, 3, 1, 1, { rgb: true });
    expect(unpack(o2[0]!)).toEqual([255, 0, 128, 255]);
  });
});

describe('architecture layout', () => {
  it('uses a log scale: 224 and 7 both read, larger is larger', () => {
    expect(sideSize(224)).toBeGreaterThan(sideSize(32));
    expect(sideSize(32)).toBeGreaterThan(sideSize(7));
    expect(sideSize(7)).toBeGreaterThanOrEqual(40);
    expect(sideSize(224) / sideSize(7)).toBeLessThan(3); // 32× linear would be unreadable
    expect(sideSize(224)).toBeLessThanOrEqual(140);
    expect(channelSize(512)).toBeGreaterThan(channelSize(64));
    expect(channelSize(1)).toBeGreaterThanOrEqual(3);
    expect(boxSize({ kind: 'vector', n: 3 }).depth).toBe(0);
    expect(boxSize({ kind: 'volume', h: 32, w: 16, c: 3 }).height).toBeGreaterThan(boxSize({ kind: 'volume', h: 32, w: 16, c: 3 }).depth);
  });

  it('lays the lecture network out left to right on one baseline, with its figures', () => {
    const layout = layoutArchitecture(model);
    expect(layout.boxes.map((b) => b.key)).toEqual(['input', 0, 1, 2, 3, 4, 5, 6, 7]);
    for (let i = 1; i < layout.boxes.length; i++) expect(layout.boxes[i]!.x).toBeGreaterThan(layout.boxes[i - 1]!.x + layout.boxes[i - 1]!.width - 1);
    const bottoms = layout.boxes.map((b) => b.fy + b.size.height);
    expect(new Set(bottoms).size).toBe(1);
    const [input, conv, , pool] = layout.boxes;
    expect(conv!.size.front).toBeGreaterThan(input!.size.front); // 16 channels thicker than 3
    expect(pool!.size.height).toBeLessThan(conv!.size.height); // 16 high after pooling, lower than 32
    expect(conv!.lines).toEqual(['32×32×16', '448 params', '442.4K MACs']);
    expect(boxForLine(layout, 8)?.key).toBe(3);
    expect(boxForLine(layout, 2)?.key).toBe('input');
    expect(layout.width).toBeGreaterThan(layout.boxes.at(-1)!.x);
    for (const b of layout.boxes) expect(b.fy - b.size.depth).toBeGreaterThan(18); // room for the kind label
  });
});

describe('convolution explorer', () => {
  it('7×7 input, 3×3 filter at stride 1: 5×5 output, windows every cell', () => {
    const g = convGeometry({ n: 7, f: 3, s: 1, p: 0 });
    expect(g).toMatchObject({ out: 5, fits: true, exact: 5, padded: 7, uncovered: 0 });
    expect(g.text).toBe('(7 − 3 + 2·0) / 1 + 1 = 5');
    expect(g.positions).toHaveLength(25);
    expect(g.positions.slice(0, 5).map((p) => p.x)).toEqual([0, 1, 2, 3, 4]);
    expect(g.positions[5]).toEqual({ row: 1, col: 0, x: 0, y: 1 });
  });

  it('stride 2: 3×3 output, windows at 0, 2, 4', () => {
    const g = convGeometry({ n: 7, f: 3, s: 2, p: 0 });
    expect(g).toMatchObject({ out: 3, fits: true, exact: 3 });
    expect(g.positions.slice(0, 3).map((p) => p.x)).toEqual([0, 2, 4]);
    expect(g.positions.at(-1)).toEqual({ row: 2, col: 2, x: 4, y: 4 });
  });

  it('stride 3: does not fit, 2.33; two positions and one column never covered', () => {
    const g = convGeometry({ n: 7, f: 3, s: 3, p: 0 });
    expect(g.fits).toBe(false);
    expect(g.exact).toBeCloseTo(7 / 3);
    expect(g.text).toBe('(7 − 3 + 2·0) / 3 + 1 = 2.33');
    expect(g.out).toBe(2);
    expect(g.positions.map((p) => [p.x, p.y])).toEqual([
      [0, 0],
      [3, 0],
      [0, 3],
      [3, 3],
    ]);
    expect(g.uncovered).toBe(1);
  });

  it('padding 1 with stride 3 makes it fit: (7 − 3 + 2)/3 + 1 = 3', () => {
    const g = convGeometry({ n: 7, f: 3, s: 3, p: 1 });
    expect(g).toMatchObject({ padded: 9, fits: true, out: 3 });
    expect(g.positions.slice(0, 3).map((p) => p.x)).toEqual([0, 3, 6]);
  });

  it('a filter larger than the padded input has no position', () => {
    expect(convGeometry({ n: 2, f: 5, s: 1, p: 0 })).toMatchObject({ out: 0, fits: false, positions: [] });
  });

  it('draws a large input with a small N that fits when the real one fits (and not when not), and picks the layer under the cursor', () => {
    expect(demoN(5, 3, 1, 0)).toBe(5);
    expect(demoN(32, 3, 1, 1)).toBe(7);
    expect(demoN(224, 2, 2, 0)).toBe(8);
    // A layer that does not fit its real input evenly is drawn on an N with as many rows left over: 3×3, stride 2,
    // pad 1 on 32 (16.5: only a padding row is left over, which the checker and PyTorch round down, `floored`), and
    // 5×5, stride 2 on 32 (14.5, an E020).
    expect(demoN(32, 3, 2, 1)).toBe(8);
    expect(convGeometry({ n: 8, f: 3, s: 2, p: 1 })).toMatchObject({ fits: false, uncovered: 1 });
    expect(demoN(32, 5, 2, 0)).toBe(8); // (32 − 5)/2 + 1 = 14.5
    expect(convGeometry({ n: 8, f: 5, s: 2, p: 0 })).toMatchObject({ fits: false, uncovered: 1 });
    expect(demoN(32, 3, 3, 0)).toBe(8); // (32 − 3)/3 + 1 = 10.67: two rows over, as on 8×8
    expect(convGeometry({ n: 8, f: 3, s: 3, p: 0 })).toMatchObject({ fits: false, uncovered: 2 });
    expect(explorerLayer(model.layers, 8)?.index).toBe(3);
    expect(explorerLayer(model.layers, 6)?.index).toBe(0); // relu line: the first conv
    expect(explorerLayer(model.layers, 7)?.index).toBe(2); // the pool
    expect(explorerLayer([], 1)).toBeNull();
  });
});

describe('chart arithmetic', () => {
  it('makes 1-2-5 ticks that cover the data', () => {
    const t = niceTicks(0.13, 0.92, 4);
    expect(t.step).toBe(0.2);
    expect(t.min).toBeCloseTo(0);
    expect(t.max).toBeCloseTo(1);
    expect(t.values.map((v) => tickLabel(v, t.step))).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    expect(niceTicks(0, 10, 5).values).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(3, 3).values.length).toBeGreaterThan(1);
    expect(niceTicks(NaN, 1).values.length).toBeGreaterThan(1);
  });

  it('finds extents and the nearest point, and decimates long runs', () => {
    expect(extent([[[1, 2], [3, -1]], [[0, 5]]])).toEqual({ x: [0, 3], y: [-1, 5] });
    expect(extent([[]])).toBeNull();
    const pts: [number, number][] = [[0, 0], [1, 1], [2, 4], [3, 9]];
    expect(nearestIndex(pts, 1.4)).toBe(1);
    expect(nearestIndex(pts, 1.6)).toBe(2);
    expect(nearestIndex(pts, 99)).toBe(3);
    expect(nearestIndex([], 1)).toBe(-1);
    const many = Array.from({ length: 11 }, (_, i) => i);
    const d = decimate(many, 10);
    expect(d.length).toBeLessThanOrEqual(7);
    expect(d.at(-1)).toBe(10);
  });
});

describe('formatting', () => {
  it('formats shapes, counts and durations', () => {
    expect(formatShape({ kind: 'volume', h: 32, w: 32, c: 16 })).toBe('32×32×16');
    expect(formatShape({ kind: 'vector', n: 3 })).toBe('3');
    expect(formatCompact(1234)).toBe('1,234');
    expect(formatCompact(442368)).toBe('442.4K');
    expect(formatCompact(2_500_000)).toBe('2.5M');
    expect(formatDuration(75)).toBe('1 min 15 s');
  });

  it('writes values with the lecture\u2019s minus sign, as the editor\u2019s arithmetic does', () => {
    expect(formatValue(-0.5281)).toBe('\u22120.528');
    expect(formatValue(-1.97)).toBe('\u22121.97');
    expect(formatValue(0.000012)).toBe('1.20e\u22125');
    expect(formatValue(-Infinity)).toBe('\u2212\u221e');
    expect(formatValue(2)).toBe('2');
  });
});

describe('snapshot layout (host)', () => {
  it('transposes the trainer\u2019s C×H×W volumes to the webview\u2019s H×W×C, vectors untouched', () => {
    const hwc = lectureSnapshot();
    // Make the trainer's C×H×W copy by hand: value (y, x, k) at (k·H + y)·W + x.
    const chw = {
      ...hwc,
      activations: hwc.activations.map((a) => {
        if (a.shape.length !== 3) return a;
        const [h, w, c] = a.shape as [number, number, number];
        const data = new Float32Array(a.data.length);
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) data[(k * h + y) * w + x] = a.data[(y * w + x) * c + k]!;
        return { ...a, shape: [c, h, w], data };
      }),
    };
    const back = snapshotToHwc(chw);
    expect(back.activations.some((a) => a.shape.length === 1)).toBe(true);
    back.activations.forEach((a, i) => {
      expect(a.shape).toEqual(hwc.activations[i]!.shape);
      expect(Array.from(a.data)).toEqual(Array.from(hwc.activations[i]!.data));
    });
    expect(back.input).toBe(hwc.input);
  });
});
