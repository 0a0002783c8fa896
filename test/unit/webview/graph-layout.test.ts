// Issue 8, item 5: the architecture drawn as a graph. The placement (columns, lanes, where rows may wrap) and the
// connectors' routes, on the spec's residual block, a U-Net and an Inception-style block, built by hand as the
// host's model view; a straight chain stays as it was.

import { describe, expect, it } from 'vitest';

import { modelView } from '../../../src/features/modelView';
import { check } from '../../../src/language';
import { type ArchitectureLayout, boxForCursor, kindLabel, layoutArchitecture } from '../../../webview/state/architecture';
import { placeGraph } from '../../../webview/state/graph';
import { LECTURE_SOURCE } from './fixtures';
import { inceptionModel, resblockModel, unetModel } from './graph-fixtures';

/** The nodes' inputs as the layout sees them: the input box first, then the layers. */
const nodes = (m: ReturnType<typeof resblockModel>) => [[], ...m.layers.map((l) => l.inputs.map((i) => i + 1))];
const box = (l: ArchitectureLayout, key: 'input' | number) => l.boxes.find((b) => b.key === key)!;
const edge = (l: ArchitectureLayout, from: 'input' | number, to: number) => l.edges.find((e) => e.from === from && e.to === to)!;
/** Every number in a path, as x,y pairs. */
const points = (d: string) => [...d.matchAll(/([MLHV])([\d.,-]+)/g)].map((m) => [m[1]!, m[2]!.split(',').map(Number)] as const);
/** Where a path ends. */
function end(d: string): [number, number] {
  let x = 0;
  let y = 0;
  for (const [op, v] of points(d)) {
    if (op === 'H') x = v[0]!;
    else if (op === 'V') y = v[0]!;
    else [x, y] = v as [number, number];
  }
  return [x, y];
}

describe('graph placement', () => {
  it('a straight chain: one column per node, one lane, may wrap anywhere', () => {
    const p = placeGraph([[], [0], [1], [2], [3]]);
    expect(p.column).toEqual([0, 1, 2, 3, 4]);
    expect(p.lane).toEqual([0, 0, 0, 0, 0]);
    expect(p.lanes).toBe(1);
    expect(p.breakAfter).toEqual([true, true, true, true, false]);
  });

  it('a residual block: the shortcut in a lane of its own beside the main path, the add back on the main lane', () => {
    const p = placeGraph(nodes(resblockModel()));
    // Nodes: 0 input, 1 conv, 2 bn, 3 stem relu, 4-8 main path, 9-10 shortcut, 11 add, 12.. tail.
    expect(p.column.slice(4, 9)).toEqual([4, 5, 6, 7, 8]);
    expect(p.column.slice(9, 11)).toEqual([4, 5]); // beside the main path's first two layers
    expect(p.lane.slice(4, 9)).toEqual([0, 0, 0, 0, 0]);
    expect(p.lane.slice(9, 11)).toEqual([1, 1]);
    expect(p.column[11]).toBe(9);
    expect(p.lane[11]).toBe(0);
    expect(p.lanes).toBe(2);
    // Wraps between blocks, never inside one: after the stem and the add, not between.
    expect(p.breakAfter.slice(0, 4)).toEqual([true, true, true, true]);
    expect(p.breakAfter.slice(4, 9)).toEqual([false, false, false, false, false]);
    expect(p.breakAfter[9]).toBe(true);
  });

  it('a U-Net: one lane (the skips jump over it), no wrap under a skip', () => {
    const p = placeGraph(nodes(unetModel()));
    expect(new Set(p.lane)).toEqual(new Set([0]));
    expect(p.column).toEqual([...p.column.keys()]);
    // e1 (node 1) reaches the second concat (node 10): no break from column 2 to 9; after e1 itself it may.
    expect(p.breakAfter[1]).toBe(true);
    for (let c = 2; c < 10; c++) expect(p.breakAfter[c]).toBe(false);
    expect(p.breakAfter[10]).toBe(true);
  });

  it('three branches from one label: three lanes, the concat back on the top one', () => {
    const p = placeGraph(nodes(inceptionModel()));
    // 1 x, 2 a (1×1), 3-4 the 3×3 pair, 5 the pool, 6 the concat.
    expect(p.lane.slice(1, 7)).toEqual([0, 0, 1, 1, 2, 0]);
    expect(p.column.slice(1, 7)).toEqual([1, 2, 2, 3, 2, 4]);
  });

  it('ignores inputs that are not earlier nodes (a broken file draws, never loops)', () => {
    const p = placeGraph([[], [0, 5], [2], [-1, 1.5]]);
    expect(p.column).toEqual([0, 1, 2, 3]);
    expect(p.lane).toEqual([0, 0, 0, 0]);
  });
});

describe('architecture drawn as a graph', () => {
  const res = layoutArchitecture(resblockModel());

  it('keeps a chain as it was: one lane, a straight arrow from each box to the next', () => {
    const chain = layoutArchitecture(modelView(check(LECTURE_SOURCE), '/w/l.cnn', 1));
    expect(new Set(chain.boxes.map((b) => b.lane))).toEqual(new Set([0]));
    expect(chain.boxes.map((b) => b.column)).toEqual([...chain.boxes.keys()]);
    expect(chain.edges.map((e) => e.route)).toEqual(new Array(8).fill('next'));
    expect(chain.edges.map((e) => [e.from, e.to])).toEqual(chain.boxes.slice(1).map((b, i) => [chain.boxes[i]!.key, b.key]));
  });

  it('puts the shortcut under the main path, in the same columns, and the add after both', () => {
    const [mainConv, mainBn, shortConv, shortBn, add] = [3, 4, 8, 9, 10].map((k) => box(res, k));
    expect(shortConv.x).toBe(mainConv.x);
    expect(shortBn.x).toBe(mainBn.x);
    expect(shortConv.top).toBeGreaterThan(mainConv.textY + 14 * mainConv.lines.length);
    expect(add.lane).toBe(0);
    expect(add.x).toBeGreaterThan(box(res, 7).x);
    // Every box of a lane on one baseline.
    const bottoms = res.boxes.filter((b) => b.lane === 1).map((b) => b.fy + b.size.height);
    expect(new Set(bottoms).size).toBe(1);
  });

  it('joins every input: the `from stem` jump branches down, the shortcut merges up into the add', () => {
    expect(res.edges).toHaveLength(resblockModel().layers.reduce((a, l) => a + l.inputs.length, 0));
    expect(edge(res, 2, 3).route).toBe('next');
    expect(edge(res, 2, 8).route).toBe('branch');
    expect(edge(res, 9, 10).route).toBe('merge');
    expect(edge(res, 7, 10).route).toBe('next');
    // Both connectors into the add end at its left edge, at its middle.
    const add = box(res, 10);
    const target: [number, number] = [add.fx - 3, Math.round((add.fy + add.size.height / 2) * 10) / 10];
    expect(end(edge(res, 9, 10).d)).toEqual(target);
    expect(end(edge(res, 7, 10).d)).toEqual(target);
    // The branch ends at the shortcut conv's left edge; it runs in straight runs only.
    const sc = box(res, 8);
    expect(end(edge(res, 2, 8).d)).toEqual([sc.fx - 3, sc.fy + sc.size.height / 2]);
    expect(edge(res, 2, 8).d).toMatch(/^M[\d.]+,[\d.]+H[\d.]+V[\d.]+H[\d.]+$/);
    for (const e of res.edges) for (const [, v] of points(e.d)) for (const n of v) expect(n).toBeGreaterThanOrEqual(0);
  });

  it('on a `from NAME` line, points at the layer NAME names', () => {
    const m = resblockModel();
    expect(boxForCursor(res, m, 10)?.key).toBe(2);
    expect(boxForCursor(res, m, 11)?.key).toBe(8);
    expect(boxForCursor(res, m, 1)?.key).toBe('input');
    expect(boxForCursor(res, m, 0)).toBeNull();
    expect(boxForCursor(res, { jumps: [{ line: 0, target: -1 }] }, 0)?.key).toBe('input');
  });

  it('names labelled layers above their kind, and new kinds in words', () => {
    const stem = box(res, 2);
    expect(stem.name).toBe('stem');
    expect(stem.nameY).toBeLessThan(stem.kindY);
    expect(stem.kindY).toBeLessThan(stem.fy - stem.size.depth);
    expect(box(res, 0).name).toBeNull();
    expect(kindLabel('globalpool')).toBe('global pool');
    expect(kindLabel('batchnorm')).toBe('batch norm');
    expect(kindLabel('conv')).toBe('conv');
    const u = layoutArchitecture(unetModel());
    expect(box(u, 4).kindText).toBe('dilated conv');
    expect(box(u, 7).kindText).toBe('group conv');
    expect(box(u, 0).kindText).toBe('conv');
    const dw = { groups: 32, window: null, input: { kind: 'volume', h: 8, w: 8, c: 32 } } as const;
    expect(kindLabel('conv', dw)).toBe('dw conv');
    expect(box(res, 12).kindText).toBe('global pool');
  });

  it('draws a U-Net\u2019s skips over the boxes, the longer above the shorter so they never cross', () => {
    const u = layoutArchitecture(unetModel());
    const inner = edge(u, 2, 6);
    const outer = edge(u, 0, 9);
    expect([inner.route, outer.route]).toEqual(['skip', 'skip']);
    const runY = (d: string) => points(d).filter(([op]) => op === 'V')[0]![1][0]!;
    const highest = Math.min(...u.boxes.map((b) => b.nameY - 10));
    expect(runY(outer.d)).toBeLessThan(runY(inner.d));
    expect(runY(inner.d)).toBeLessThan(highest);
    expect(runY(outer.d)).toBeGreaterThan(0);
  });

  it('wraps a narrow drawing between blocks only, each row within the width', () => {
    const narrow = layoutArchitecture(resblockModel(), { maxWidth: 640 });
    expect(narrow.rows).toBeGreaterThan(1);
    expect(narrow.width).toBeLessThanOrEqual(640);
    const block = [3, 4, 5, 6, 7, 8, 9, 10].map((k) => box(narrow, k).row);
    expect(new Set(block).size).toBe(1);
    // From the stem (the end of a row) both of its connectors wrap to the next row.
    expect(box(narrow, 2).row).toBeLessThan(block[0]!);
    expect(edge(narrow, 2, 3).route).toBe('wrap');
    expect(edge(narrow, 2, 8).route).toBe('wrap');
    for (const b of narrow.boxes) expect(b.x + b.width).toBeLessThanOrEqual(640);
    for (const e of narrow.edges) for (const [, v] of points(e.d)) for (const n of v) expect(n).toBeLessThanOrEqual(Math.max(narrow.width, narrow.height));
  });

  it('cuts a run wider than the panel between columns: the connectors cut run down the right margin into their box', () => {
    const u = layoutArchitecture(unetModel(), { maxWidth: 640 });
    expect(u.width).toBeLessThanOrEqual(640);
    for (const b of u.boxes) expect(b.x + b.width).toBeLessThanOrEqual(640);
    expect(u.rows).toBeGreaterThan(2);
    const rightmost = Math.max(...u.boxes.map((b) => b.fx + b.size.front + b.size.depth));
    const longs = u.edges.filter((e) => e.route === 'long');
    expect(longs.length).toBeGreaterThan(0);
    for (const e of u.edges) {
      const a = box(u, e.from);
      const b = box(u, e.to as number);
      // Across rows: a wrap from the one node at a row's end, or a long connector; never drawn through a box.
      expect(e.route === 'wrap' || e.route === 'long').toBe(a.row !== b.row);
      expect(end(e.d)).toEqual([b.fx - 3, Math.round((b.fy + b.size.height / 2) * 10) / 10]);
    }
    for (const e of longs) {
      const xs = points(e.d).filter(([op]) => op === 'H').map(([, v]) => v[0]!);
      expect(Math.max(...xs)).toBeGreaterThan(rightmost);
    }
    // The skip from e1 to the last concat is one of them, or runs within one row.
    const skip = edge(u, 0, 9);
    expect(['long', 'skip']).toContain(skip.route);
  });
});
