// The inspector's components in a real browser: Debian's chromium through playwright-core, the real page
// template and content security policy, the bundled app and a stub host. Messages go in as the host would post
// them; the DOM, the canvas pixels and what the app posts back are checked. Screenshots go to
// test/browser/screenshots/ (media/screenshots/inspector-*.png for the README with CNN_E2E_PUBLISH=1). Skipped, visibly, when /usr/bin/chromium is missing.

import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { modelView } from '../../../src/features/modelView';
import { check } from '../../../src/language';
import type { HostToWebview } from '../../../src/protocol/webview';
import { chromiumAvailable, type InspectorPage, openInspectorPage, SHOTS } from './inspectorPage';
import { lectureEvaluation, lectureSnapshot, LECTURE_SOURCE } from './fixtures';

const FILE = '/work/examples/lecture.cnn';

describe.skipIf(!chromiumAvailable)('inspector webview in chromium', () => {
  let inspector: InspectorPage;
  let page: Page;
  const model = modelView(check(LECTURE_SOURCE), FILE, 1);

  const post = (m: HostToWebview) => inspector.post(m);
  const posted = () => inspector.posted();
  const tab = (name: string) => inspector.tab(name);
  /** Pixels of canvases: how many are painted (alpha > 0) and how many distinct colours. */
  const pixels = async (selector: string) =>
    page.locator(selector).evaluateAll((canvases) =>
      (canvases as HTMLCanvasElement[]).map((c) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        const colours = new Set<number>();
        for (let i = 0; i < d.length; i += 4) {
          if (d[i + 3]! > 0) painted++;
          if (i % 16 === 0) colours.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
        }
        return { width: c.width, height: c.height, painted, colours: colours.size };
      }),
    );

  beforeAll(async () => {
    inspector = await openInspectorPage('cnn-inspector-bundle-');
    page = inspector.page;
  });

  afterAll(async () => {
    await inspector?.close();
  });

  it('says ready to the host once it has loaded', async () => {
    expect((await posted())[0]).toEqual({ type: 'ready' });
  });

  it('draws the architecture: a box per layer with its shape, the highlighted layer follows the cursor', async () => {
    await post({ type: 'model', model });
    await page.locator('cnn-architecture g.box[data-key="layer-7"]').waitFor();
    const boxes = page.locator('cnn-architecture g.box');
    expect(await boxes.count()).toBe(9);
    const texts = await boxes.allTextContents();
    expect(texts[0]).toContain('32×32×3');
    expect(texts[1]).toContain('conv');
    expect(texts[1]).toContain('32×32×16');
    expect(texts[1]).toContain('448 params');
    expect(texts[3]).toContain('16×16×16');
    expect(texts[4]).toContain('16×16×32');
    expect(texts[8]).toContain('softmax');
    // Drawn to scale: the pooled volume is lower than the conv's.
    const heights = await boxes.locator('path.front').evaluateAll((ps) => ps.map((p) => (p as SVGPathElement).getBBox().height));
    expect(heights[3]).toBeLessThan(heights[1]!);
    await post({ type: 'cursor', file: FILE, line: 8 });
    await page.locator('cnn-architecture g.box.current[data-key="layer-3"]').waitFor();
    expect(await page.locator('cnn-architecture g.box.current').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'inspector-architecture.png') });
  });

  it('posts reveal with the layer\u2019s line when a layer is clicked', async () => {
    await page.locator('cnn-architecture g.box[data-key="layer-2"] path.front').click();
    const last = (await posted()).at(-1);
    expect(last).toEqual({ type: 'reveal', file: FILE, line: 7 });
    await page.locator('cnn-architecture g.box[data-key="input"] path.front').click();
    expect((await posted()).at(-1)).toEqual({ type: 'reveal', file: FILE, line: 2 });
  });

  it('marks layers with errors', async () => {
    const bad = modelView(check('input 7x7x1\nconv K=2 F=3 S=3\nrelu\n'), '/w/bad.cnn', 1);
    await post({ type: 'model', model: bad });
    await page.locator('cnn-architecture g.box.error[data-key="layer-0"]').waitFor();
    expect(await page.locator('cnn-architecture ul.errors li').first().textContent()).toMatch(/E020/);
    await post({ type: 'model', model });
    await page.locator('cnn-architecture g.box[data-key="layer-7"]').waitFor();
  });

  it('ignores malformed host messages', async () => {
    await page.evaluate(() => {
      window.postMessage({ type: 'model', model: { file: 3 } }, '*');
      window.postMessage({ type: 'cursor', file: '/work/examples/lecture.cnn', line: -5 }, '*');
      window.postMessage('hello', '*');
      window.postMessage({ type: 'trainer', file: '/work/examples/lecture.cnn', message: { type: 'snapshot', input: { shape: [2], data: [1, 2] } } }, '*');
    });
    await post({ type: 'cursor', file: FILE, line: 8 });
    await page.locator('cnn-architecture g.box.current[data-key="layer-3"]').waitFor();
    expect(await page.locator('cnn-architecture g.box').count()).toBe(9);
  });

  it('shows live curves while training, with a stop button that posts stopTraining', async () => {
    await tab('training');
    await post({ type: 'status', file: FILE, status: { training: true, run: { phase: 'running', epochsRun: 0, epochs: 8, message: null }, inspecting: false, checkpoint: null, note: null } });
    await post({ type: 'trainer', file: FILE, message: { type: 'started', epochs: 8, stepsPerEpoch: 85, trainSize: 2700, valSize: 300, classes: ['door', 'stair', 'sign'], params: 6243, backend: 'builtin', warnings: [], task: 'single', classCounts: [900, 900, 900], classWeights: null } });
    for (let e = 1; e <= 5; e++) {
      for (let s = 5; s <= 85; s += 10) {
        const t = e - 1 + s / 85;
        await post({ type: 'trainer', file: FILE, message: { type: 'progress', epoch: e, epochs: 8, step: s, steps: 85, loss: 1.1 * Math.exp(-0.45 * t) + 0.08 + 0.04 * Math.sin(7 * t), accuracy: Math.min(0.97, 0.33 + 0.6 * (1 - Math.exp(-0.7 * t))), samplesPerSec: 1830, etaSec: (8 - t) * 12 } });
      }
      if (e < 5) await post({ type: 'trainer', file: FILE, message: { type: 'epoch', epoch: e, epochs: 8, trainLoss: 1.1 * Math.exp(-0.45 * e) + 0.08, trainAccuracy: 0.33 + 0.6 * (1 - Math.exp(-0.7 * e)), valLoss: 1.1 * Math.exp(-0.4 * e) + 0.12, valAccuracy: 0.33 + 0.56 * (1 - Math.exp(-0.65 * e)), valAuc: null, seconds: 11.8 } });
    }
    await page.locator('cnn-training button.stop').waitFor();
    expect(await page.locator('cnn-training .stats').textContent()).toMatch(/5 \/ 8[\s\S]*85 \/ 85[\s\S]*1,830/);
    const charts = await pixels('cnn-line-chart canvas');
    expect(charts).toHaveLength(2);
    for (const c of charts) expect(c.painted).toBeGreaterThan(500);
    // Hover readout.
    const box = (await page.locator('cnn-line-chart.loss canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await page.locator('cnn-line-chart.loss .readout').waitFor();
    expect(await page.locator('cnn-line-chart.loss .readout').textContent()).toMatch(/epoch[\s\S]*train/);
    await page.screenshot({ path: join(SHOTS, 'inspector-training.png') });
    await page.mouse.move(0, 0);
    // A colour theme change repaints the curves in the new colours.
    const hasPure = (rgb: [number, number, number]) =>
      page.locator('cnn-line-chart.loss canvas').evaluate((c, [r, g, b]) => {
        const d = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height).data;
        for (let i = 0; i < d.length; i += 4) if (d[i] === r && d[i + 1] === g && d[i + 2] === b && d[i + 3] === 255) return true;
        return false;
      }, rgb);
    expect(await hasPure([0, 255, 0])).toBe(false);
    await page.evaluate(() => document.documentElement.style.setProperty('--vscode-charts-blue', '#00ff00'));
    await expect.poll(() => hasPure([0, 255, 0])).toBe(true);
    await page.evaluate(() => document.documentElement.style.setProperty('--vscode-charts-blue', '#3794ff'));
    await page.locator('cnn-training button.stop').click();
    expect((await posted()).at(-1)).toEqual({ type: 'stopTraining', file: FILE });
  });

  it('shows the last run when idle', async () => {
    await post({ type: 'trainer', file: FILE, message: { type: 'done', checkpoint: '/r/model.safetensors', metricsFile: '/r/metrics.jsonl', stopped: true, epochsRun: 4, final: null, test: null, best: null } });
    await post({ type: 'status', file: FILE, status: { training: false, run: { phase: 'stopped', epochsRun: 4, epochs: 8, message: null }, inspecting: false, checkpoint: '/r/model.safetensors', note: null } });
    await post({ type: 'history', file: FILE, source: 'last', path: '/r/metrics.jsonl', rows: [1, 2, 3, 4].map((epoch) => ({ epoch, trainLoss: 1 / epoch, trainAccuracy: 0.5 + epoch / 10, valLoss: 1.1 / epoch, valAccuracy: 0.45 + epoch / 10, valAuc: null })) });
    await page.locator('cnn-training button.train').waitFor();
    expect(await page.locator('cnn-training .row .note').textContent()).toContain('/r/metrics.jsonl');
    expect(await page.locator('cnn-training button.stop').count()).toBe(0);
    await page.locator('cnn-training button.train').click();
    expect((await posted()).at(-1)).toEqual({ type: 'train', file: FILE });
  });

  it('renders feature-map tiles with non-blank pixels, and enlarges a tile on click', async () => {
    await tab('features');
    await page.locator('cnn-feature-maps button.show').click();
    expect((await posted()).at(-1)).toEqual({ type: 'snapshot', file: FILE, sample: 0 });
    await post({ type: 'trainer', file: FILE, message: lectureSnapshot() });
    await page.locator('cnn-feature-maps canvas.tiles[data-layer="7"]').waitFor();
    const maps = await pixels('cnn-feature-maps canvas[data-layer]');
    expect(maps).toHaveLength(9);
    const input = maps[0]!;
    expect(input).toMatchObject({ width: 32, height: 32, painted: 32 * 32 });
    const conv1 = maps[1]!;
    // 16 maps of 32×32 in a grid with one-pixel gaps.
    expect(conv1.painted).toBe(16 * 32 * 32);
    expect(conv1.colours).toBeGreaterThan(20);
    for (const m of maps) expect(m.painted).toBeGreaterThan(0);
    expect(await page.locator('cnn-feature-maps section.layer').first().textContent()).toMatch(/conv 16 filters 3×3[\s\S]*32×32×16[\s\S]*16 maps/);
    await page.screenshot({ path: join(SHOTS, 'inspector-feature-maps.png') });
    // Click the second tile of the first conv layer.
    const c = (await page.locator('cnn-feature-maps canvas[data-layer="0"]').boundingBox())!;
    const scale = c.width / conv1.width;
    await page.mouse.click(c.x + (33 + 16) * scale, c.y + 16 * scale);
    await page.locator('cnn-feature-maps .enlarged canvas').waitFor();
    expect(await page.locator('cnn-feature-maps .enlarged').textContent()).toContain('map 2 of 16');
    const big = await pixels('cnn-feature-maps .enlarged canvas');
    expect(big[0]).toMatchObject({ width: 32, height: 32, painted: 1024 });
    await page.locator('cnn-feature-maps .enlarged button.close').click();
    expect(await page.locator('cnn-feature-maps .enlarged').count()).toBe(0);
  });

  it('renders filter patches: colour patches for the first layer, K×C tiles for the next', async () => {
    await tab('filters');
    await page.locator('cnn-filters canvas[data-filter="1"]').waitFor();
    const f = await pixels('cnn-filters canvas[data-filter]');
    expect(f).toHaveLength(2);
    expect(f[0]!.painted).toBe(16 * 9);
    expect(f[0]!.colours).toBeGreaterThan(5);
    expect(f[1]!.painted).toBe(32 * 16 * 9);
    const heads = await page.locator('cnn-filters section .head').allTextContents();
    expect(heads[0]).toMatch(/16×3×3×3[\s\S]*colour patch/);
    expect(heads[1]).toMatch(/32×16×3×3[\s\S]*rows: filters/);
    await page.screenshot({ path: join(SHOTS, 'inspector-filters.png') });
  });

  it('draws probability bars whose widths follow the numbers, a confusion matrix and misclassified samples', async () => {
    await tab('prediction');
    await page.locator('cnn-prediction .fill[data-class="2"]').waitFor();
    const snap = lectureSnapshot();
    const ratios = await page.locator('cnn-prediction .fill').evaluateAll((fills) => fills.map((f) => f.getBoundingClientRect().width / f.parentElement!.clientWidth));
    expect(ratios).toHaveLength(3);
    ratios.forEach((r, i) => expect(r).toBeCloseTo(snap.probabilities[i]!, 2));
    await page.locator('cnn-prediction button.evaluate').click();
    expect((await posted()).at(-1)).toEqual({ type: 'evaluate', file: FILE });
    await post({ type: 'trainer', file: FILE, message: lectureEvaluation() });
    await page.locator('cnn-prediction table.confusion').waitFor();
    expect(await page.locator('cnn-prediction table.confusion td').count()).toBe(9);
    expect(await page.locator('cnn-prediction h3').nth(1).textContent()).toContain('accuracy 91.3%');
    const gallery = await pixels('cnn-prediction canvas[data-miss]');
    expect(gallery).toHaveLength(5);
    for (const g of gallery) expect(g.painted).toBe(32 * 32);
    expect(await page.locator('cnn-prediction figcaption').first().textContent()).toMatch(/door → stair 61%/);
    await page.screenshot({ path: join(SHOTS, 'inspector-prediction.png'), fullPage: true });
  });

  it('slides the filter in the convolution explorer: 7×7 at strides 1, 2 and 3', async () => {
    await tab('explorer');
    await page.locator('cnn-conv-explorer .formula').waitFor();
    // The cursor is on the second conv (16×16 input): drawn with N = 7 and said so.
    expect(await page.locator('cnn-conv-explorer p.note').textContent()).toMatch(/real input is 16×16; drawn with N = 7/);
    expect(await page.locator('cnn-conv-explorer .formula').textContent()).toContain('(7 − 3 + 2·1) / 1 + 1 = 7');
    const expectations: [number, string, string][] = [
      [1, '(7 − 3 + 2·0) / 1 + 1 = 5', 'of 25'],
      [2, '(7 − 3 + 2·0) / 2 + 1 = 3', 'of 9'],
      [3, '(7 − 3 + 2·0) / 3 + 1 = 2.33', 'of 4'],
    ];
    for (const [s, formula, count] of expectations) {
      await page.locator(`cnn-conv-explorer button.preset[data-stride="${s}"]`).click();
      await expect.poll(() => page.locator('cnn-conv-explorer .formula').textContent()).toContain(formula);
      expect(await page.locator('cnn-conv-explorer .position').textContent()).toContain(count);
    }
    expect(await page.locator('cnn-conv-explorer .formula').textContent()).toContain('does not fit');
    await page.locator('cnn-conv-explorer button.preset[data-stride="2"]').click();
    await page.locator('cnn-conv-explorer button.next').click();
    await page.locator('cnn-conv-explorer button.next').click();
    await expect.poll(() => page.locator('cnn-conv-explorer .position').textContent()).toContain('position 3 of 9 · window at row 0, column 4');
    await page.locator('cnn-conv-explorer button.next').click();
    await expect.poll(() => page.locator('cnn-conv-explorer .position').textContent()).toContain('row 2, column 0');
    const [canvas] = await pixels('cnn-conv-explorer canvas');
    expect(canvas!.painted).toBeGreaterThan(1000);
    await page.screenshot({ path: join(SHOTS, 'inspector-convolution.png') });
    // Play advances by itself; pause stops it.
    await page.locator('cnn-conv-explorer button.play').click();
    await expect.poll(() => page.locator('cnn-conv-explorer .position').textContent(), { timeout: 5000 }).toContain('position 5 of 9');
    await page.locator('cnn-conv-explorer button.play').click();
  });

  it('remembers the tab in the webview state', async () => {
    const state = await page.evaluate(() => (window as unknown as { __state: unknown }).__state);
    expect(state).toEqual({ file: FILE, tab: 'explorer', sample: 0 });
  });

  it('in a narrow panel the whole network fits its width (no sideways scroll), the cursor’s layer in view', async () => {
    await page.setViewportSize({ width: 420, height: 600 });
    await tab('architecture');
    await post({ type: 'cursor', file: FILE, line: 12 });
    await page.locator('cnn-architecture g.box.current[data-key="layer-7"]').waitFor();
    await expect.poll(() => page.locator('cnn-architecture .fit').evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
    const view = await page.evaluate(() => document.documentElement.clientWidth);
    const rights = await page.locator('cnn-architecture g.box').evaluateAll((gs) => gs.map((g) => g.getBoundingClientRect().right));
    expect(rights).toHaveLength(9);
    for (const r of rights) expect(r).toBeLessThanOrEqual(view);
    await page.setViewportSize({ width: 980, height: 760 });
  });

  it('comes back after a reload (hidden panel, reloaded window) with the remembered tab, and asks for everything', async () => {
    const remembered = await page.evaluate(() => (window as unknown as { __state: unknown }).__state);
    expect(remembered).toEqual({ file: FILE, tab: 'architecture', sample: 0 });
    await page.goto(`${inspector.url}/?state=${encodeURIComponent(JSON.stringify({ file: FILE, tab: 'filters', sample: 7 }))}`);
    await page.locator('cnn-inspector [role=tab][data-tab=filters][aria-selected=true]').waitFor();
    expect(await posted()).toEqual([{ type: 'ready' }]);
    await post({ type: 'model', model });
    await post({ type: 'trainer', file: FILE, message: lectureSnapshot() });
    await page.locator('cnn-filters canvas[data-filter="1"]').waitFor();
    await tab('features');
    expect(await page.locator('cnn-feature-maps input[type=number]').inputValue()).toBe('7');
  });

  for (const theme of ['light', 'hc'] as const) {
    it(`is readable in the ${theme === 'hc' ? 'high contrast' : 'light'} theme`, async () => {
      await page.goto(`${inspector.url}/?theme=${theme}`);
      await page.locator('cnn-inspector [role=tablist]').waitFor();
      await post({ type: 'model', model });
      await post({ type: 'cursor', file: FILE, line: 5 });
      await page.locator('cnn-architecture g.box.current[data-key="layer-0"]').waitFor();
      // Text takes the theme's foreground: dark on light, white on black.
      const colour = await page.locator('cnn-architecture g.box[data-key="layer-0"] text.shape').evaluate((t) => getComputedStyle(t).fill);
      expect(colour).toBe(theme === 'light' ? 'rgb(59, 59, 59)' : 'rgb(255, 255, 255)');
      await page.screenshot({ path: join(SHOTS, `inspector-architecture-${theme === 'hc' ? 'high-contrast' : 'light'}.png`), clip: { x: 0, y: 0, width: 980, height: 330 } });
    });
  }

  it('ran without page errors or content security policy violations', async () => {
    const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
    expect(violations).toEqual([]);
    expect(inspector.errors.filter((e) => !/malformed/.test(e))).toEqual([]);
  });
});
