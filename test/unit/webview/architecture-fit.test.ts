// Issue 12, item 6: the architecture drawing fits the panel's width (rows wrap like lines of text) instead of
// running past it, every volume keeping its size, and the flow still goes from each box to the next.

import { describe, expect, it } from 'vitest';

import { modelView } from '../../../src/features/modelView';
import { check } from '../../../src/language';
import { fitScale, layoutArchitecture } from '../../../webview/state/architecture';
import { LECTURE_SOURCE } from './fixtures';

const model = modelView(check(LECTURE_SOURCE), '/w/lecture.cnn', 1);

/** The rectangle every box's drawing and text occupies. */
const extentOf = (b: ReturnType<typeof layoutArchitecture>['boxes'][number]) => ({
  left: Math.min(b.x, b.fx),
  right: Math.max(b.x + b.width, b.fx + b.size.front + b.size.depth),
  top: b.top,
  bottom: b.textY + 14 * b.lines.length,
});

describe('architecture fitted to a width', () => {
  const wide = layoutArchitecture(model);

  it('without a width: one row, as before', () => {
    expect(wide.rows).toBe(1);
    expect(wide.width).toBeGreaterThan(600);
  });

  for (const maxWidth of [560, 420, 300, 200]) {
    it(`in ${maxWidth} px: every box, the softmax included, lies inside the width, in reading order`, () => {
      const layout = layoutArchitecture(model, { maxWidth });
      expect(layout.width).toBeLessThanOrEqual(maxWidth);
      expect(layout.rows).toBeGreaterThan(1);
      expect(layout.boxes.map((b) => b.key)).toEqual(['input', 0, 1, 2, 3, 4, 5, 6, 7]);
      expect(layout.boxes.at(-1)!.kind).toBe('softmax');
      for (const b of layout.boxes) {
        const e = extentOf(b);
        expect(e.left).toBeGreaterThanOrEqual(0);
        expect(e.right).toBeLessThanOrEqual(maxWidth);
        expect(e.bottom).toBeLessThanOrEqual(layout.height);
      }
      // Reading order: left to right on a row, rows top to bottom, no two boxes overlapping.
      for (let i = 1; i < layout.boxes.length; i++) {
        const a = layout.boxes[i - 1]!;
        const b = layout.boxes[i]!;
        if (a.row === b.row) expect(b.x).toBeGreaterThanOrEqual(a.x + a.width);
        else {
          expect(b.row).toBe(a.row + 1);
          expect(b.top).toBeGreaterThan(extentOf(a).bottom);
        }
      }
      expect(fitScale(layout.width, maxWidth)).toBe(1);
    });
  }

  it('keeps every volume at the same scale as on one row (sizes compare across rows)', () => {
    const narrow = layoutArchitecture(model, { maxWidth: 300 });
    expect(narrow.boxes.map((b) => b.size)).toEqual(wide.boxes.map((b) => b.size));
    // Bottom-aligned per row.
    for (let r = 0; r < narrow.rows; r++) {
      const bottoms = narrow.boxes.filter((b) => b.row === r).map((b) => b.fy + b.size.height);
      expect(new Set(bottoms).size).toBe(1);
    }
  });

  it('uses the width it has: a row takes a box while it fits', () => {
    const layout = layoutArchitecture(model, { maxWidth: 560 });
    for (let r = 0; r + 1 < layout.rows; r++) {
      const row = layout.boxes.filter((b) => b.row === r);
      const next = layout.boxes.find((b) => b.row === r + 1)!;
      const last = row.at(-1)!;
      // The next row's first box would not have fitted after this row's last one.
      expect(last.x + last.width + 14 + next.width + 12).toBeGreaterThan(560);
    }
  });

  it('draws an arrow from each box to the next; between rows it goes down, back left and into the next row', () => {
    const layout = layoutArchitecture(model, { maxWidth: 300 });
    expect(layout.edges).toHaveLength(layout.boxes.length - 1);
    layout.boxes.slice(1).forEach((b, i) => {
      const a = layout.boxes[i]!;
      const d = layout.edges[i]!.d;
      if (a.row === b.row) expect(d).toMatch(/^M[\d.]+,[\d.]+L[\d.]+,[\d.]+$/);
      else expect(d).toMatch(/^M[\d.]+,[\d.]+V[\d.]+H[\d.]+V[\d.]+H[\d.]+$/);
      // Every coordinate is inside the drawing.
      for (const n of d.match(/[\d.]+/g)!.map(Number)) expect(n).toBeLessThanOrEqual(Math.max(layout.width, layout.height));
    });
  });

  it('scales down only what cannot fit even one column to a row', () => {
    expect(fitScale(400, 500)).toBe(1);
    expect(fitScale(400, 200)).toBe(0.5);
    expect(fitScale(400, 0)).toBe(1);
    const tiny = layoutArchitecture(model, { maxWidth: 60 });
    expect(tiny.rows).toBe(9); // one column a row
    expect(tiny.width * fitScale(tiny.width, 60)).toBeLessThanOrEqual(60);
  });
});
