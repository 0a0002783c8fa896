// Issue 10, the Explain tab in a real browser (inspectorPage.ts): it asks the host for the three maps of the
// chosen sample at the default layer; an explanation paints three overlays (the map upsampled over the input)
// with their colour scales; the opacity slider (by keyboard) repaints them; the class dropdown, a misclassified
// sample and the editor's cursor on a conv line ask again; a reason from the trainer shows in the tab.
// Screenshot: test/browser/screenshots/inspector-explain.png (media/screenshots/ with CNN_E2E_PUBLISH=1).

import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { modelView } from '../../../src/features/modelView';
import { check } from '../../../src/language';
import type { ExplanationMessage } from '../../../src/protocol/explain';
import type { HostToWebview } from '../../../src/protocol/webview';
import { doorImage, LECTURE_SOURCE, lectureEvaluation } from './fixtures';
import { chromiumAvailable, type InspectorPage, openInspectorPage, SHOTS } from './inspectorPage';

const FILE = '/w/lecture.cnn';

/** A map of h×w: a bump at (cy, cx) of the unit square, plus a fainter second one. */
function bump(h: number, w: number, cy: number, cx: number, spread: number): Float32Array {
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const d = Math.hypot((y + 0.5) / h - cy, (x + 0.5) / w - cx);
      const d2 = Math.hypot((y + 0.5) / h - 0.3, (x + 0.5) / w - 0.45);
      out[y * w + x] = Math.exp(-(d * d) / spread) + 0.35 * Math.exp(-(d2 * d2) / spread);
    }
  return out;
}

/** The lecture's door picture explained for `door`: Grad-CAM at 8×8 on line 11, saliency and occlusion at 32×32. */
function doorExplanation(over: Partial<ExplanationMessage> = {}): ExplanationMessage {
  return {
    type: 'explanation',
    source: 'validation sample 0',
    sample: 0,
    imagePath: null,
    label: 0,
    input: doorImage(),
    classIndex: 0,
    predicted: true,
    probabilities: [0.81, 0.12, 0.07],
    classes: ['door', 'stair', 'sign'],
    maps: [
      { method: 'gradcam', line: 10, h: 8, w: 8, map: bump(8, 8, 0.6, 0.6, 0.03).map((v) => v * 0.02) },
      { method: 'saliency', line: null, h: 32, w: 32, map: bump(32, 32, 0.6, 0.62, 0.01).map((v) => v * 0.5) },
      { method: 'occlusion', line: null, h: 32, w: 32, map: bump(32, 32, 0.55, 0.5, 0.05).map((v) => v * 0.3 - 0.02) },
    ],
    error: null,
    ...over,
  };
}

describe.skipIf(!chromiumAvailable)('the Explain tab, in chromium', () => {
  let inspector: InspectorPage;
  let page: Page;
  const model = modelView(check(LECTURE_SOURCE), FILE, 1);
  const post = (m: HostToWebview) => inspector.post(m);
  const explains = async () => (await inspector.posted()).filter((m) => m.type === 'explain') as unknown as { sample: number; cls: number | null; line: number | null; methods: string[]; imagePath: string | null; pickImage?: boolean }[];
  /** Per overlay canvas: its size, its painted pixels' count and the sum of its red channel. */
  const overlays = async () =>
    page.locator('cnn-explain canvas.overlay').evaluateAll((canvases) =>
      (canvases as HTMLCanvasElement[]).map((c) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        let red = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (d[i + 3]! > 0) painted++;
          red += d[i]!;
        }
        return { method: c.dataset.method, w: c.width, h: c.height, painted, red };
      }),
    );

  beforeAll(async () => {
    inspector = await openInspectorPage('cnn-inspector-explain-', { width: 760, height: 560 });
    page = inspector.page;
  });

  afterAll(async () => {
    await inspector?.close();
  });

  it('asks for the three maps of the sample at the last pool, then draws three overlays with their scales', async () => {
    await post({ type: 'model', model });
    await inspector.tab('explain');
    await expect.poll(explains).toHaveLength(1);
    expect((await explains())[0]).toMatchObject({ sample: 0, cls: null, line: 10, imagePath: null, methods: ['gradcam', 'saliency', 'occlusion'] });
    // The layer dropdown offers the conv and pool lines, the last pool chosen.
    const options = await page.locator('cnn-explain select.layer option').allTextContents();
    expect(options.map((o) => o.replace(/:.*/, ''))).toEqual(['line 6', 'line 8', 'line 9', 'line 11']);
    expect(await page.locator('cnn-explain select.layer').inputValue()).toBe('10');

    await post({ type: 'trainer', file: FILE, message: lectureEvaluation() });
    await post({ type: 'trainer', file: FILE, message: doorExplanation() });
    await page.locator('cnn-explain canvas.overlay[data-method=occlusion]').waitFor();
    const drawn = await overlays();
    expect(drawn.map((o) => [o.method, o.w, o.h, o.painted])).toEqual([
      ['gradcam', 32, 32, 1024],
      ['saliency', 32, 32, 1024],
      ['occlusion', 32, 32, 1024],
    ]);
    const captions = await page.locator('cnn-explain figcaption').allTextContents();
    expect(captions.map((c) => c.replace(/\s+/g, ' ').trim())).toEqual(['Grad-CAM line 11, 8×8', 'Saliency 32×32', 'Occlusion 32×32']);
    expect(await page.locator('cnn-explain .colorbar .bar').count()).toBe(3);
    expect(await page.locator('cnn-explain .about').textContent()).toMatch(/validation sample 0\s*· truth door\s*· explaining door \(predicted, 81%\)/);
    await page.screenshot({ path: join(SHOTS, 'inspector-explain.png') });
  });

  it('the opacity slider, by keyboard, repaints the overlays', async () => {
    const before = await overlays();
    const slider = page.locator('cnn-explain input.opacity');
    expect(await slider.inputValue()).toBe('60');
    await slider.focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    expect(await slider.inputValue()).toBe('50');
    await expect.poll(async () => (await overlays())[0]!.red).not.toBe(before[0]!.red);
    await slider.focus();
    await page.keyboard.press('Home');
    // Opacity 0: the input alone, in grey, the same under every method.
    await expect.poll(async () => new Set((await overlays()).map((o) => o.red)).size).toBe(1);
    await page.keyboard.press('End');
    await expect.poll(async () => new Set((await overlays()).map((o) => o.red)).size).toBe(3);
  });

  it('a class, a misclassified sample and the cursor on a conv line ask again', async () => {
    const n = (await explains()).length;
    await page.locator('cnn-explain select.class').selectOption({ label: 'stair' });
    await expect.poll(async () => (await explains()).length).toBe(n + 1);
    expect((await explains())[n]).toMatchObject({ cls: 1, line: 10, sample: 0 });
    const missed = lectureEvaluation().misclassified[0]!;
    await page.locator('cnn-explain select.missed').selectOption(String(missed.index));
    await expect.poll(async () => (await explains()).length).toBe(n + 2);
    expect((await explains())[n + 1]).toMatchObject({ cls: 1, sample: missed.index });
    await post({ type: 'cursor', file: FILE, line: 5 });
    await expect.poll(async () => (await explains()).length).toBe(n + 3);
    expect((await explains())[n + 2]).toMatchObject({ line: 5 });
    expect(await page.locator('cnn-explain select.layer').inputValue()).toBe('5');
    // A relu line leaves the layer as it was: no new request.
    await post({ type: 'cursor', file: FILE, line: 6 });
    await page.locator('cnn-explain select.layer').waitFor();
    expect((await explains()).length).toBe(n + 3);
    await page.locator('cnn-explain button.pick').click();
    await expect.poll(async () => (await explains()).length).toBe(n + 4);
    expect((await explains())[n + 3]).toMatchObject({ pickImage: true });
  });

  it('the misclassified gallery’s Grad-CAM toggle asks for its samples’ maps and paints them', async () => {
    await inspector.tab('prediction');
    const evaluation = lectureEvaluation();
    const toggle = page.locator('cnn-prediction button.cam-toggle');
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('true');
    const asked = async () => (await inspector.posted()).filter((m) => m.type === 'explainGallery') as unknown as { samples: number[]; line: number | null }[];
    await expect.poll(asked).toHaveLength(1);
    expect((await asked())[0]).toEqual({ type: 'explainGallery', file: FILE, samples: evaluation.misclassified.map((m) => m.index), line: 5 });
    await post({
      type: 'trainer',
      file: FILE,
      message: {
        type: 'galleryExplanation',
        line: 5,
        items: evaluation.misclassified.map((m, k) => ({ sample: m.index, classIndex: m.predicted, h: 8, w: 8, map: bump(8, 8, 0.3 + 0.1 * k, 0.7 - 0.1 * k, 0.02) })),
        error: null,
      },
    });
    await expect.poll(() => page.locator('cnn-prediction canvas[data-cam=on]').count()).toBe(evaluation.misclassified.length);
    await page.locator('cnn-prediction .gallery').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'inspector-gallery-gradcam.png') });
    // Off: the plain inputs again.
    await toggle.click();
    await expect.poll(() => page.locator('cnn-prediction canvas[data-cam=on]').count()).toBe(0);
    await inspector.tab('explain');
  });

  it('the trainer’s reason shows in the tab; the host’s note only while no run trains', async () => {
    await post({ type: 'trainer', file: FILE, message: doorExplanation({ maps: [], classIndex: -1, error: 'line 12 is a dense layer: its output is a vector of 3, and Grad-CAM needs rows and columns' }) });
    await expect.poll(() => page.locator('cnn-explain [role=alert]').textContent()).toMatch(/line 12 is a dense layer/);
    expect(await page.locator('cnn-explain canvas.overlay').count()).toBe(0);
    // The host's note about the inspector's own trainer shows while idle, not while a run trains.
    const note = 'No checkpoint yet: these are untrained (random) weights. Train the model to see learned features.';
    const status = (phase: 'none' | 'running') => ({ training: phase === 'running', run: { phase, epochsRun: 0, epochs: phase === 'running' ? 2 : null, message: null }, inspecting: true, checkpoint: null, note });
    await post({ type: 'status', file: FILE, status: status('none') });
    await expect.poll(() => page.locator('cnn-explain .status-note').textContent()).toBe(note);
    await post({ type: 'status', file: FILE, status: status('running') });
    await expect.poll(() => page.locator('cnn-explain .status-note').count()).toBe(0);
    expect(inspector.errors).toEqual([]);
  });
});
