// The inspector on branching networks (issue 8), in a real browser (inspectorPage.ts): the
// architecture drawn as a graph (branches side by side, merges joined, skips over the top), still linked to the
// code both ways; the filters of grouped and transposed convolutions; the convolution explorer's dilation and
// transposed stride. Screenshots go to test/browser/screenshots/ (media/screenshots/ with CNN_E2E_PUBLISH=1).

import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostToWebview } from '../../../src/protocol/webview';
import { chromiumAvailable, type InspectorPage, openInspectorPage, SHOTS } from './inspectorPage';
import { resblockModel, unetModel, unetSnapshot } from './graph-fixtures';

const RES = '/w/resblock.cnn';
const UNET = '/w/unet.cnn';

describe.skipIf(!chromiumAvailable)('inspector on graphs, in chromium', () => {
  let inspector: InspectorPage;
  let page: Page;

  const post = (m: HostToWebview) => inspector.post(m);
  const posted = () => inspector.posted();
  const tab = (name: string) => inspector.tab(name);
  /** The bounding boxes of a box's front face, in page pixels. */
  const face = (key: string) => page.locator(`cnn-architecture g.box[data-key="${key}"] path.front`).boundingBox().then((b) => b!);

  beforeAll(async () => {
    inspector = await openInspectorPage('cnn-inspector-graph-', { width: 1400, height: 700 });
    page = inspector.page;
  });

  afterAll(async () => {
    await inspector?.close();
  });

  it('draws a residual block: the shortcut beside the main path, both joined into the add', async () => {
    await post({ type: 'model', model: resblockModel(RES) });
    await page.locator('cnn-architecture g.box[data-key="layer-14"]').waitFor();
    expect(await page.locator('cnn-architecture g.box').count()).toBe(16);
    // The shortcut (1×1 conv, batch norm) sits under the main path's conv and batch norm, not after them.
    const [mainConv, shortConv, shortBn, mainBn, add] = await Promise.all(['layer-3', 'layer-8', 'layer-9', 'layer-7', 'layer-10'].map(face));
    expect(shortConv.y).toBeGreaterThan(mainConv.y + mainConv.height);
    expect(Math.abs(shortConv.x + shortConv.width / 2 - (mainConv.x + mainConv.width / 2))).toBeLessThan(2);
    expect(shortBn.x).toBeGreaterThan(shortConv.x);
    expect(add.x).toBeGreaterThan(mainBn.x);
    // A connector from every input: two into the add, two out of the stem (the `from stem` jump).
    expect(await page.locator('cnn-architecture path.arrow').count()).toBe(16);
    expect(await page.locator('cnn-architecture path.arrow[data-to="10"]').count()).toBe(2);
    expect(await page.locator('cnn-architecture path.arrow[data-from="2"]').count()).toBe(2);
    expect(await page.locator('cnn-architecture path.arrow.route-merge[data-from="9"][data-to="10"]').count()).toBe(1);
    // Labels name their layers; new kinds read as words.
    expect(await page.locator('cnn-architecture g.box[data-key="layer-2"] text.name').textContent()).toBe('stem:');
    expect(await page.locator('cnn-architecture g.box[data-key="layer-7"] text.name').textContent()).toBe('main:');
    expect(await page.locator('cnn-architecture g.box[data-key="layer-12"] text.kind').textContent()).toBe('global pool');
    expect(await page.locator('cnn-architecture g.box[data-key="layer-10"] text.kind').textContent()).toContain('add');
    await page.screenshot({ path: join(SHOTS, 'inspector-architecture-resnet.png'), fullPage: true });
  });

  it('stays linked to the code both ways on a branch', async () => {
    await post({ type: 'cursor', file: RES, line: 11 });
    await page.locator('cnn-architecture g.box.current[data-key="layer-8"]').waitFor();
    expect(await page.locator('cnn-architecture g.box.current').count()).toBe(1);
    // On the `from stem` line: the stem is the layer it names.
    await post({ type: 'cursor', file: RES, line: 10 });
    await page.locator('cnn-architecture g.box.current[data-key="layer-2"]').waitFor();
    expect(await page.locator('cnn-architecture g.box.current').count()).toBe(1);
    await page.locator('cnn-architecture g.box[data-key="layer-9"] path.front').click();
    expect((await posted()).at(-1)).toEqual({ type: 'reveal', file: RES, line: 12 });
  });

  it('draws a U-Net\u2019s skips over the top, each into its concat, the volumes to scale', async () => {
    await post({ type: 'model', model: unetModel(UNET) });
    await page.locator('cnn-architecture g.box[data-key="layer-13"]').waitFor();
    expect(await page.locator('cnn-architecture path.arrow.route-skip').count()).toBe(2);
    expect(await page.locator('cnn-architecture path.arrow.route-skip[data-from="2"][data-to="6"]').count()).toBe(1);
    expect(await page.locator('cnn-architecture path.arrow.route-skip[data-from="0"][data-to="9"]').count()).toBe(1);
    // The skips run above every box's label, at different heights.
    const tops = await page.locator('cnn-architecture path.arrow.route-skip').evaluateAll((ps) => ps.map((p) => (p as SVGPathElement).getBoundingClientRect().top));
    const firstLabel = await page.locator('cnn-architecture g.box text.kind').first().boundingBox();
    for (const t of tops) expect(t).toBeLessThan(firstLabel!.y);
    expect(new Set(tops).size).toBe(2);
    const [bottleneck, up] = await Promise.all(['layer-4', 'layer-8'].map(face));
    expect(bottleneck.height).toBeLessThan(up.height); // 8×8 lower than 32×32
    await page.screenshot({ path: join(SHOTS, 'inspector-architecture-unet.png'), fullPage: true });
  });

  it('in a narrow panel wraps between blocks when they fit, cuts a U-Net that does not, and fits the width', async () => {
    await page.setViewportSize({ width: 640, height: 900 });
    await post({ type: 'model', model: resblockModel(RES) });
    await page.locator('cnn-architecture g.box[data-key="layer-14"]').waitFor();
    await expect.poll(() => page.locator('cnn-architecture .fit').evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
    const view = await page.evaluate(() => document.documentElement.clientWidth);
    const rights = await page.locator('cnn-architecture g.box').evaluateAll((gs) => gs.map((g) => g.getBoundingClientRect().right));
    for (const r of rights) expect(r).toBeLessThanOrEqual(view);
    // The block (main path, shortcut and add) on one row: the add's face level with the main path's.
    const [mainConv, add, shortConv] = await Promise.all(['layer-3', 'layer-10', 'layer-8'].map(face));
    expect(Math.abs(add.y + add.height - (mainConv.y + mainConv.height))).toBeLessThan(3);
    expect(shortConv.y).toBeGreaterThan(mainConv.y);
    await page.screenshot({ path: join(SHOTS, 'inspector-architecture-resnet-narrow.png'), fullPage: true });
    // A U-Net's skips span most of it: it is cut between columns, the skips run down the right margin.
    await post({ type: 'model', model: unetModel(UNET) });
    await page.locator('cnn-architecture g.box[data-key="layer-13"]').waitFor();
    await expect.poll(() => page.locator('cnn-architecture .fit').evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
    const scale = await page.locator('cnn-architecture svg').evaluate((svg) => svg.getBoundingClientRect().width / (svg as SVGSVGElement).viewBox.baseVal.width);
    expect(scale).toBe(1); // not shrunk to fit
    expect(await page.locator('cnn-architecture path.arrow.route-long').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'inspector-architecture-unet-narrow.png'), fullPage: true });
    await page.setViewportSize({ width: 1400, height: 700 });
  });

  /** Pixels of canvases: how many are painted (alpha > 0). */
  const painted = async (selector: string) =>
    page.locator(selector).evaluateAll((canvases) =>
      (canvases as HTMLCanvasElement[]).map((c) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
        return n;
      }),
    );

  it('shows the feature maps of every layer of a graph, merges saying where their inputs come from', async () => {
    await post({ type: 'model', model: unetModel(UNET) });
    await tab('features');
    await post({ type: 'trainer', file: UNET, message: unetSnapshot() });
    await page.locator('cnn-feature-maps canvas.tiles[data-layer="13"]').waitFor();
    const maps = await painted('cnn-feature-maps canvas[data-layer]');
    expect(maps).toHaveLength(15);
    for (const n of maps) expect(n).toBeGreaterThan(0);
    expect(maps[7]).toBe(32 * 16 * 16); // the concat: 32 maps of 16×16
    const heads = await page.locator('cnn-feature-maps section.layer .head').allTextContents();
    expect(heads[0]).toMatch(/e1: conv 8 filters/);
    expect(heads[6]).toMatch(/concat of 2[\s\S]*16×16×32[\s\S]*from line 8, e2/);
    expect(heads[9]).toMatch(/from line 11, e1/);
    expect(heads[1]).not.toMatch(/from/);
    await page.locator('cnn-feature-maps section.layer[data-index="6"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'inspector-feature-maps-unet.png') });
  });

  it('draws the filters of grouped and transposed convs with their own axes', async () => {
    await tab('filters');
    await page.locator('cnn-filters canvas[data-filter="5"]').waitFor();
    const heads = await page.locator('cnn-filters section .head').allTextContents();
    expect(heads).toHaveLength(6);
    expect(heads[0]).toMatch(/e1: conv 8 filters[\s\S]*8×3×3×3[\s\S]*colour patch/);
    expect(heads[2]).toMatch(/dilation 2[\s\S]*32×16×3×3[\s\S]*rows: filters, columns: input channels/);
    expect(heads[3]).toMatch(/deconv 16 filters 2×2[\s\S]*32×16×2×2[\s\S]*rows: output maps, columns: input channels/);
    expect(heads[4]).toMatch(/2 groups[\s\S]*16×16×3×3[\s\S]*2 groups: rows: filters, columns: the 16 input channels/);
    const px = await painted('cnn-filters canvas[data-filter]');
    expect(px[3]).toBe(16 * 32 * 4); // 16 output maps × 32 input channels of 2×2
    expect(px[4]).toBe(16 * 16 * 9); // 16 filters × the 16 channels of their group
    const size = await page.locator('cnn-filters canvas[data-filter="3"]').evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
    expect(size).toEqual([32 * 3 - 1, 16 * 3 - 1]); // columns: input channels; rows: output maps
    await page.locator('cnn-filters section[data-index="5"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'inspector-filters-graph.png') });
  });

  it('shows the dilated conv’s spread taps and the transposed conv’s stamps in the convolution explorer', async () => {
    await tab('explorer');
    await post({ type: 'cursor', file: UNET, line: 6 });
    await expect.poll(() => page.locator('cnn-conv-explorer .formula').textContent()).toContain('(8 − (2·(3 − 1) + 1) + 2·2) / 1 + 1 = 8');
    expect(await page.locator('cnn-conv-explorer p.dilation').textContent()).toMatch(/taps are 2 apart, so it spans 5×5 cells with the same 9 weights/);
    expect((await painted('cnn-conv-explorer canvas'))[0]).toBeGreaterThan(1000);
    await page.screenshot({ path: join(SHOTS, 'inspector-convolution-dilated.png') });
    await post({ type: 'cursor', file: UNET, line: 7 });
    await expect.poll(() => page.locator('cnn-conv-explorer .formula').textContent()).toContain('(4 − 1)·2 − 2·0 + 2 = 8');
    expect(await page.locator('cnn-conv-explorer p.note').first().textContent()).toMatch(/real input is 8×8; drawn with N = 4/);
    expect(await page.locator('cnn-conv-explorer .position').textContent()).toContain('position 1 of 16');
    await page.locator('cnn-conv-explorer button.next').click();
    await expect.poll(() => page.locator('cnn-conv-explorer .position').textContent()).toContain('input value at row 0, column 1 → output rows 0…1, columns 2…3');
    // The lecture's transposed example: 3×3 input, 3×3 filter, stride 2: overlapping stamps on a 7×7 output.
    await page.locator('cnn-conv-explorer button.preset[data-preset="transposed"]').click();
    await expect.poll(() => page.locator('cnn-conv-explorer .formula').textContent()).toContain('(3 − 1)·2 − 2·0 + 3 = 7');
    for (let i = 0; i < 4; i++) await page.locator('cnn-conv-explorer button.next').click();
    await expect.poll(() => page.locator('cnn-conv-explorer .position').textContent()).toContain('position 5 of 9');
    await page.screenshot({ path: join(SHOTS, 'inspector-convolution-transposed.png') });
    // The host hears of plain convolutions only (the walkthrough's stride-3 step is about those).
    expect((await posted()).filter((m) => m.type === 'explorer')).toEqual([]);
    // Back to an ordinary convolution from the mode menu.
    await page.locator('cnn-conv-explorer select[name=mode]').selectOption('conv');
    await expect.poll(() => page.locator('cnn-conv-explorer .formula').textContent()).toContain('(3 − 3 + 2·0) / 2 + 1 = 1');
    expect((await posted()).at(-1)).toEqual({ type: 'explorer', n: 3, f: 3, s: 2, p: 0 });
  });

  it('ran without page errors or content security policy violations', async () => {
    const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
    expect(violations).toEqual([]);
    expect(inspector.errors).toEqual([]);
  });
});
