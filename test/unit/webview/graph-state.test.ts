// Issue 8, item 5, the inspector's pure parts besides the drawing: the protocol's new fields (inputs, names,
// dilation, transposed windows, groups) checked at run time; the filters of grouped, depthwise and transposed
// convs read with the right axes and painted in place; the convolution explorer's dilated taps and transposed
// stamps.

import { describe, expect, it } from 'vitest';

import { modelView } from '../../../src/features/modelView';
import { check } from '../../../src/language';
import { isHostToWebview, isModelView, type LayerView } from '../../../src/protocol/webview';
import { convGeometry, demoN, settingFor, stampCounts, stepCount, transposedGeometry } from '../../../webview/state/conv';
import { filterAxes, filterCaption, filterGrid } from '../../../webview/state/filters';
import { initialState, reduce } from '../../../webview/state/inspector';
import { gridLayout, paintFilters } from '../../../webview/state/tiles';
import { RESBLOCK_SOURCE, resblockModel, UNET_SOURCE, unetModel } from './graph-fixtures';

describe('protocol: graph fields', () => {
  const fields = (l: LayerView) => ({ index: l.index, line: l.line, inputs: l.inputs, name: l.name, kind: l.kind, label: l.label, output: l.output, params: l.params, window: l.window, filters: l.filters, groups: l.groups });
  it.each([
    ['residual block', RESBLOCK_SOURCE, resblockModel()],
    ['U-Net', UNET_SOURCE, unetModel()],
  ])('the host’s model view of the %s carries inputs, names, `from` jumps, dilation, groups and transposed windows', (_, source, expected) => {
    const m = modelView(check(source), expected.file, 1);
    expect(m.errorCount).toBe(0);
    expect(isModelView(m)).toBe(true);
    expect(m.layers.map(fields)).toEqual(expected.layers.map(fields));
    expect(m.jumps).toEqual(expected.jumps);
  });

  it('accepts a graph with inputs, names, dilation, groups and a transposed window', () => {
    expect(isModelView(resblockModel())).toBe(true);
    expect(isModelView(unetModel())).toBe(true);
    expect(isHostToWebview({ type: 'model', model: unetModel() })).toBe(true);
  });

  const withLayer = (i: number, patch: Partial<LayerView> | Record<string, unknown>) => {
    const m = unetModel();
    return { type: 'model', model: { ...m, layers: m.layers.map((l, k) => (k === i ? { ...l, ...patch } : l)) } };
  };
  const window = unetModel().layers[4]!.window!;
  it.each([
    ['a layer without inputs', withLayer(3, { inputs: undefined })],
    ['an input below -1', withLayer(3, { inputs: [-2] })],
    ['a fractional input', withLayer(3, { inputs: [1.5] })],
    ['an input from a later layer', withLayer(6, { inputs: [5, 9] })],
    ['an input from itself', withLayer(6, { inputs: [6] })],
    ['an input that is not a layer', withLayer(6, { inputs: [5, 40] })],
    ['a numeric name', withLayer(0, { name: 3 })],
    ['a window without dilation', withLayer(4, { window: { ...window, dh: undefined } })],
    ['a zero dilation', withLayer(4, { window: { ...window, dw: 0 } })],
    ['a window without the transposed flag', withLayer(5, { window: { ...window, transposed: 'yes' } })],
    ['a negative output padding', withLayer(5, { window: { ...window, oph: -1 } })],
    ['zero groups', withLayer(7, { groups: 0 })],
    ['a jump to a layer that does not exist', { type: 'model', model: { ...unetModel(), jumps: [{ line: 3, target: 99 }] } }],
    ['a jump without a line', { type: 'model', model: { ...unetModel(), jumps: [{ target: 1 }] } }],
  ])('rejects %s', (_, m) => {
    expect(isHostToWebview(m)).toBe(false);
  });
});

describe('filters of grouped, depthwise and transposed convs', () => {
  const conv = (patch: Partial<LayerView>): LayerView => ({ ...unetModel().layers[7]!, ...patch });

  it('reads an ordinary conv as [K, C, F, F]', () => {
    const ax = filterAxes([16, 32, 3, 3], conv({ groups: 1 }));
    expect(ax).toMatchObject({ k: 16, c: 32, order: 'kc', groups: 1, depthwise: false, transposed: false });
    expect(filterCaption(ax)).toBe('rows: filters, columns: input channels');
  });

  it('reads a grouped conv as [K, C/G, F, F]: each filter shows its group\u2019s channels', () => {
    const ax = filterAxes([16, 16, 3, 3], conv({}));
    expect(ax).toMatchObject({ k: 16, c: 16, groups: 2, depthwise: false });
    expect(filterCaption(ax)).toMatch(/2 groups.*the 16 input channels of the filter.s group/);
  });

  it('reads a depthwise conv as one filter per channel', () => {
    const dw = conv({ groups: 32, filters: 32, input: { kind: 'volume', h: 16, w: 16, c: 32 } });
    const ax = filterAxes([32, 1, 3, 3], dw);
    expect(ax).toMatchObject({ k: 32, c: 1, groups: 32, depthwise: true });
    expect(filterCaption(ax)).toMatch(/depthwise: one 3×3 filter per input channel/);
  });

  it('reads a transposed conv\u2019s [C_in, K, F, F] with output maps as rows', () => {
    const deconv = unetModel().layers[5]!; // 32 in, 16 out, 2×2
    const ax = filterAxes([32, 16, 2, 2], deconv);
    expect(ax).toMatchObject({ k: 16, c: 32, order: 'ck', transposed: true });
    expect(filterCaption(ax)).toMatch(/transposed conv, weights 32×16×2×2/);
  });

  it('falls back to [K, C, F, F] when the tensor does not match its layer', () => {
    expect(filterAxes([32, 16, 2, 2], null)).toMatchObject({ k: 32, c: 16, order: 'kc', groups: 1 });
    expect(filterAxes([8, 8, 2, 2], unetModel().layers[5]!)).toMatchObject({ k: 8, c: 8, order: 'kc', transposed: false });
    expect(filterAxes([16, 5, 3, 3], conv({}))).toMatchObject({ groups: 1 }); // 5 × 2 is not the 32 input channels
  });

  it('lays the tiles out: output maps as rows, a depthwise conv in rows of 16, a 1×1 conv as one matrix', () => {
    const deconv = filterGrid(filterAxes([32, 16, 2, 2], unetModel().layers[5]!), false);
    expect(deconv).toMatchObject({ cols: 32, rows: 16, width: 32 * 3 - 1, height: 16 * 3 - 1 });
    const dw = filterGrid(filterAxes([32, 1, 3, 3], conv({ groups: 32, filters: 32, input: { kind: 'volume', h: 8, w: 8, c: 32 } })), false);
    expect(dw).toMatchObject({ cols: 16, rows: 2, width: 16 * 4 - 1 });
    const pointwise = filterGrid(filterAxes([64, 32, 1, 1], null), false);
    expect(pointwise).toMatchObject({ cols: 32, rows: 64, gap: 0, width: 32, height: 64 });
    expect(filterGrid(filterAxes([16, 3, 3, 3], null), true)).toMatchObject({ cols: 16, rows: 1 });
  });

  it('paints a transposed conv\u2019s weights with rows = output maps', () => {
    // C_in = 2, K = 3, 1×1: weight[c][k] = 10·c + k.
    const data = new Float32Array([0, 1, 2, 10, 11, 12]);
    const layout = gridLayout(2 * 3, 1, 1, 2, 0);
    const table = new Uint32Array(256).map((_, i) => i);
    const out = new Uint32Array(layout.width * layout.height);
    paintFilters(out, layout, data, 3, 2, 1, 1, { rgb: false, table, range: { min: 0, max: 12 }, kMax: 64, cMax: 32, order: 'ck' });
    // Row k, column c holds weight[c][k].
    const v = (k: number, c: number) => Math.round((out[k * layout.width + c]! / 255.999) * 12);
    expect([v(0, 0), v(0, 1), v(1, 0), v(1, 1), v(2, 0), v(2, 1)]).toEqual([0, 10, 1, 11, 2, 12]);
  });

  it('wraps depthwise filters in rows instead of one long column', () => {
    const layout = gridLayout(6, 1, 1, 3, 0);
    const table = new Uint32Array(256).map((_, i) => i + 1);
    const out = new Uint32Array(layout.width * layout.height);
    paintFilters(out, layout, new Float32Array([0, 1, 2, 3, 4, 5]), 6, 1, 1, 1, { rgb: false, table, range: { min: 0, max: 5 }, kMax: 64, cMax: 32 });
    expect([layout.width, layout.height]).toEqual([3, 2]);
    expect([...out].every((p) => p > 0)).toBe(true);
  });
});

describe('convolution explorer: dilation and transposed stride', () => {
  it('a dilated 3×3 (D 2) spans 5×5 with its taps 2 apart: (7 − 5)/1 + 1 = 3', () => {
    const g = convGeometry({ n: 7, f: 3, s: 1, p: 0, d: 2 });
    expect(g).toMatchObject({ span: 5, out: 3, fits: true, uncovered: 0 });
    expect(g.taps).toEqual([0, 2, 4]);
    expect(g.text).toBe('(7 − (2·(3 − 1) + 1) + 2·0) / 1 + 1 = 3');
    expect(g.positions.slice(0, 3).map((p) => p.x)).toEqual([0, 1, 2]);
    // Without dilation nothing changes.
    expect(convGeometry({ n: 7, f: 3, s: 1, p: 0 })).toMatchObject({ span: 3, out: 5, taps: [0, 1, 2], text: '(7 − 3 + 2·0) / 1 + 1 = 5' });
  });

  it('padding 2 keeps a dilated 3×3 the same size, as the U-Net\u2019s bottleneck does', () => {
    expect(convGeometry({ n: 8, f: 3, s: 1, p: 2, d: 2 })).toMatchObject({ out: 8, fits: true });
    expect(demoN(64, 5, 1, 2)).toBe(7);
  });

  it('rounds down where the checker does (only padding left over, or a 1×1 window): no "does not fit" for a clean layer', () => {
    // A stride-2 pad-1 3×3 conv on 32 checks clean (16×16); drawn on N = 8: ⌊7/2⌋ + 1 = 4, the last row is padding.
    const g = convGeometry({ n: 8, f: 3, s: 2, p: 1 });
    expect(g).toMatchObject({ fits: false, floored: true, out: 4, uncovered: 1, text: '⌊(8 − 3 + 2·1) / 2⌋ + 1 = 4' });
    expect(convGeometry({ n: 8, f: 1, s: 2, p: 0 })).toMatchObject({ fits: false, floored: true, out: 4 });
    expect(convGeometry({ n: 7, f: 3, s: 3, p: 0 })).toMatchObject({ fits: false, floored: false, text: '(7 − 3 + 2·0) / 3 + 1 = 2.33' }); // an E020
    expect(convGeometry({ n: 8, f: 3, s: 2, p: 1, d: 2 })).toMatchObject({ floored: true, text: '⌊(8 − (2·(3 − 1) + 1) + 2·1) / 2⌋ + 1 = 3' });
  });

  it('a transposed 3×3 at stride 2 on a 3×3 input: stamps 2 apart on a 7×7 output, overlapping in between', () => {
    const g = transposedGeometry({ n: 3, f: 3, s: 2, p: 0, transposed: true });
    expect(g).toMatchObject({ full: 7, out: 7, text: '(3 − 1)·2 − 2·0 + 3 = 7' });
    expect(g.stamps.map((s) => [s.x, s.y]).slice(0, 4)).toEqual([
      [0, 0],
      [2, 0],
      [4, 0],
      [0, 2],
    ]);
    // After the first two stamps, column 2 of the top rows is covered twice.
    const c = stampCounts(g, 1);
    expect([c[0], c[2], c[4], c[5]]).toEqual([1, 2, 1, 0]);
    // All nine: the centre cell of every overlap of four stamps counts 4.
    expect(stampCounts(g, 8)[2 * 7 + 2]).toBe(4);
    expect(stepCount({ n: 3, f: 3, s: 2, p: 0, transposed: true })).toBe(9);
  });

  it('padding crops the transposed output; outpad adds to it (the U-Net\u2019s 2×2 stride 2 doubles the side)', () => {
    expect(transposedGeometry({ n: 4, f: 3, s: 2, p: 1, op: 1, transposed: true })).toMatchObject({ full: 10, out: 8, text: '(4 − 1)·2 − 2·1 + 3 + 1 = 8' });
    expect(transposedGeometry({ n: 8, f: 2, s: 2, p: 0, transposed: true }).out).toBe(16);
  });

  it('starts from the layer under the cursor: its dilation, or its transposed stride', () => {
    const u = unetModel();
    expect(settingFor(u.layers[4]!).setting).toMatchObject({ n: 8, f: 3, s: 1, p: 2, d: 2, transposed: false });
    const t = settingFor(u.layers[5]!);
    expect(t.setting).toMatchObject({ f: 2, s: 2, p: 0, transposed: true, op: 0 });
    expect(t).toMatchObject({ realN: 8, capped: true });
    let s = reduce(initialState(), { type: 'model', model: u });
    s = reduce(s, { type: 'cursor', file: u.file, line: 7 });
    expect(s.explorer.setting).toMatchObject({ transposed: true, s: 2 });
    s = reduce(s, { type: 'cursor', file: u.file, line: 6 });
    expect(s.explorer.setting).toMatchObject({ transposed: false, d: 2 });
  });

  it('clamps dilation and output padding (less than the stride)', () => {
    let s = reduce(initialState(), { type: 'ui/explorer', setting: { d: 9 } });
    expect(s.explorer.setting.d).toBe(4);
    s = reduce(s, { type: 'ui/explorer', setting: { transposed: true, s: 2, op: 5, n: 30 } });
    expect(s.explorer.setting).toMatchObject({ transposed: true, op: 1, d: 1, n: 8 });
  });
});
