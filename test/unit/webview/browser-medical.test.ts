// The inspector on medical tasks (issue 9, items 2, 3 and 5), in a real browser (inspectorPage.ts): a multi-label
// sample's per-label bars against the 0.5 threshold and its truth; the per-label AUC table and the ROC plot (one
// curve per label, the diagonal, a hover that names the curve); the confusion matrix normalised per row with
// precision, recall and F1 under it; the training split's class counts and weights; the augmentation grid asking
// again on every edit of the augment line. Screenshots go to test/browser/screenshots/ (media/screenshots/ with
// CNN_E2E_PUBLISH=1).

import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { modelView } from '../../../src/features/modelView';
import { check } from '../../../src/language';
import type { HostToWebview } from '../../../src/protocol/webview';
import { chromiumAvailable, type InspectorPage, openInspectorPage, SHOTS } from './inspectorPage';
import { LECTURE_SOURCE, lectureEvaluation, lectureSnapshot } from './fixtures';
import { CHEST_LABELS, chestEvaluation, chestPreview, chestSnapshot, chestSource, chestStarted } from './medical-fixtures';

const CHEST = '/w/chest.cnn';
const LECTURE = '/w/lecture.cnn';

describe.skipIf(!chromiumAvailable)('inspector on medical tasks, in chromium', () => {
  let inspector: InspectorPage;
  let page: Page;
  const chest = modelView(check(chestSource()), CHEST, 1);

  const post = (m: HostToWebview) => inspector.post(m);
  const posted = () => inspector.posted();
  const tab = (name: string) => inspector.tab(name);
  /** How many pixels of each canvas are painted, and how many distinct colours it has. */
  const pixels = async (selector: string) =>
    page.locator(selector).evaluateAll((canvases) =>
      (canvases as HTMLCanvasElement[]).map((c) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        let sum = 0;
        const colours = new Set<number>();
        for (let i = 0; i < d.length; i += 4) {
          if (d[i + 3]! > 0) painted++;
          sum += d[i]!;
          colours.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
        }
        return { painted, colours: colours.size, sum };
      }),
    );

  beforeAll(async () => {
    inspector = await openInspectorPage('cnn-inspector-medical-', { width: 1000, height: 900 });
    page = inspector.page;
  });

  afterAll(async () => {
    await inspector?.close();
  });

  it('the model says multi-label, and a sample shows a bar per label with the 0.5 mark and its truth', async () => {
    expect(chest.task).toBe('multilabel');
    expect(chest.augment).toMatchObject({ flip: 'horizontal', rotate: 10 });
    await post({ type: 'model', model: chest });
    await tab('prediction');
    await post({ type: 'trainer', file: CHEST, message: chestSnapshot() });
    await page.locator('cnn-prediction .fill[data-label="13"]').waitFor();
    const snap = chestSnapshot();
    const ratios = await page.locator('cnn-prediction .fill[data-label]').evaluateAll((fills) => fills.map((f) => f.getBoundingClientRect().width / f.parentElement!.clientWidth));
    expect(ratios).toHaveLength(14);
    ratios.forEach((r, i) => expect(r).toBeCloseTo(snap.probabilities[i]!, 2));
    // The threshold mark halfway along every track.
    const marks = await page.locator('cnn-prediction .threshold').evaluateAll((ts) => ts.map((t) => (t.getBoundingClientRect().left - t.parentElement!.getBoundingClientRect().left) / t.parentElement!.clientWidth));
    expect(marks).toHaveLength(14);
    for (const m of marks) expect(m).toBeCloseTo(0.5, 1);
    // Truth per label; effusion right, infiltration missed (0.42 < 0.5), pleural a false alarm (0.58).
    const truth = await page.locator('cnn-prediction .mark').evaluateAll((ms) => ms.map((m) => (m as HTMLElement).dataset.truth));
    expect(truth).toEqual(snap.truth!.map(String));
    expect(await page.locator('cnn-prediction .fill.wrong').count()).toBe(2);
    expect(await page.locator('cnn-prediction .fill.top').count()).toBe(1);
    const note = await page.locator('cnn-prediction p.note').first().textContent();
    expect(note).toMatch(/true\s+effusion, infiltration/);
    expect(note).toMatch(/predicted\s+effusion, pleural/);
    expect(note).toContain('2 of 14 labels wrong at 0.5');
    await page.screenshot({ path: join(SHOTS, 'inspector-multilabel-bars.png'), fullPage: true });
  });

  it('shows the per-label AUC table and the ROC plot: a curve per label, the diagonal, a hover that names the label', async () => {
    await post({ type: 'trainer', file: CHEST, message: chestEvaluation() });
    await page.locator('cnn-roc-plot table.auc').waitFor();
    const e = chestEvaluation();
    expect(await page.locator('cnn-prediction h3 .figures').textContent()).toContain(`mean AUC ${e.auc.mean!.toFixed(3)}`);
    const rows = await page.locator('cnn-roc-plot table.auc tbody tr').allTextContents();
    expect(rows).toHaveLength(14);
    expect(rows[1]).toMatch(/cardiomegaly\s*0\.873/);
    expect(rows[13]).toMatch(/hernia\s*–/);
    expect(await page.locator('cnn-roc-plot td.mean').textContent()).toBe(e.auc.mean!.toFixed(3));
    // 13 curves (hernia has none), the dashed diagonal, axes with their names.
    expect(await page.locator('cnn-roc-plot path.curve').count()).toBe(13);
    expect(await page.locator('cnn-roc-plot path.diagonal').count()).toBe(1);
    expect(await page.locator('cnn-roc-plot svg').textContent()).toMatch(/false positive rate[\s\S]*true positive rate/);
    // No confusion matrix for multi-label, but the per-label table at 0.5.
    expect(await page.locator('cnn-confusion table.confusion').count()).toBe(0);
    expect(await page.locator('cnn-confusion table.scores tbody tr').count()).toBe(14);
    // Hover on cardiomegaly's curve: its name and AUC in the plot, the other curves faded.
    await page.locator('cnn-roc-plot svg').scrollIntoViewIfNeeded();
    const svgBox = (await page.locator('cnn-roc-plot svg').boundingBox())!;
    const point = await page.locator('cnn-roc-plot path.curve[data-curve="1"]').evaluate((p) => {
      const path = p as SVGPathElement;
      const pt = path.getPointAtLength(path.getTotalLength() * 0.12);
      return { x: pt.x, y: pt.y };
    });
    await page.mouse.move(svgBox.x + point.x, svgBox.y + point.y);
    await page.locator('cnn-roc-plot text.readout').waitFor();
    expect(await page.locator('cnn-roc-plot text.readout').textContent()).toMatch(/^[a-z]+: AUC 0\.\d{3}$/);
    expect(await page.locator('cnn-roc-plot path.curve.focus').count()).toBe(1);
    expect(await page.locator('cnn-roc-plot path.curve.dim').count()).toBe(12);
    // The viewport as it is (a full-page picture would move the pointer off the curve).
    await page.screenshot({ path: join(SHOTS, 'inspector-multilabel-roc.png') });
    await page.mouse.move(0, 0);
    // A click on a row picks its curve, and it stays picked.
    await page.locator('cnn-roc-plot tr[data-row="2"]').click();
    await page.mouse.move(0, 0);
    await page.locator('cnn-roc-plot path.curve.focus[data-curve="2"]').waitFor();
    expect(await page.locator('cnn-roc-plot tr.focus').textContent()).toContain('effusion');
    // Misclassified samples say which labels were missed or false.
    expect(await page.locator('cnn-prediction figcaption.labels').first().textContent()).toMatch(/missed|false/);
  });

  it('normalises the confusion matrix per row on a toggle, with precision, recall and F1 under it', async () => {
    const lecture = modelView(check(LECTURE_SOURCE), LECTURE, 1);
    await post({ type: 'model', model: lecture });
    await post({ type: 'trainer', file: LECTURE, message: lectureSnapshot() });
    await post({ type: 'trainer', file: LECTURE, message: lectureEvaluation() });
    await page.locator('cnn-confusion table.confusion').waitFor();
    const cells = () => page.locator('cnn-confusion table.confusion td').allTextContents();
    expect((await cells()).slice(0, 3)).toEqual(['92', '5', '3']);
    await page.locator('cnn-confusion input.normalise').check();
    await page.locator('cnn-confusion table.confusion.normalised').waitFor();
    // Row 2 of the fixture: 7, 88, 5 of 100.
    expect((await cells()).slice(3, 6)).toEqual(['7.0%', '88%', '5.0%']);
    const scores = await page.locator('cnn-confusion table.scores tbody tr').allTextContents();
    expect(scores).toHaveLength(3);
    expect(scores[0]).toMatch(/door\s*0\.911\s*0\.920\s*0\.915\s*100/);
    expect(await page.locator('cnn-confusion table.scores tfoot').textContent()).toMatch(/macro mean[\s\S]*300/);
    // The ROC curves of a single-label network: one class against the rest, three of them.
    expect(await page.locator('cnn-roc-plot path.curve').count()).toBe(3);
    expect(await page.locator('cnn-prediction h3 .figures').textContent()).toMatch(/accuracy 91\.3%, macro AUC 0\.960/);
    await page.screenshot({ path: join(SHOTS, 'inspector-confusion-normalised.png'), fullPage: true });
    // The toggle is the app's state: it stays on when the evaluation comes again.
    await post({ type: 'trainer', file: LECTURE, message: lectureEvaluation() });
    expect(await page.locator('cnn-confusion input.normalise').isChecked()).toBe(true);
    await page.locator('cnn-confusion input.normalise').uncheck();
    await expect.poll(async () => (await cells())[0]).toBe('92');
  });

  it('shows the training split’s class counts, the weights in effect and the imbalance warning', async () => {
    await post({ type: 'model', model: chest });
    await tab('training');
    await page.evaluate(() => window.scrollTo(0, 0));
    await post({ type: 'trainingData', file: CHEST, data: chestStarted(false) });
    await page.locator('cnn-training-data .fill[data-class="13"]').waitFor();
    const counts = chestStarted(false).classCounts;
    const max = Math.max(...counts);
    const widths = await page.locator('cnn-training-data .fill').evaluateAll((fs) => fs.map((f) => f.getBoundingClientRect().width / f.parentElement!.clientWidth));
    widths.forEach((w, i) => expect(w).toBeCloseTo(counts[i]! / max, 2));
    // Under 10% of infiltration's 354: cardiomegaly (50)… and hernia (4) are marked rare.
    expect(await page.locator('cnn-training-data .fill.rare').count()).toBe(counts.filter((c) => c < 35.4).length);
    expect(await page.locator('cnn-training-data ul.warnings').textContent()).toContain('Class imbalance');
    expect(await page.locator('cnn-training-data .weight').allTextContents()).toEqual(new Array(14).fill(''));
    await post({ type: 'trainingData', file: CHEST, data: chestStarted(true) });
    await expect.poll(() => page.locator('cnn-training-data .weight').first().textContent()).toBe('8.71');
    expect(await page.locator('cnn-training-data p.caption').textContent()).toContain('pos_weight per label');
    expect(await page.locator('cnn-training-data ul.warnings').count()).toBe(0);
    // A run that ends with the test split's figures shows them with the last epoch's.
    await post({ type: 'trainer', file: CHEST, message: { ...chestStarted(true), epochs: 2, stepsPerEpoch: 63 } });
    await post({ type: 'trainer', file: CHEST, message: { type: 'epoch', epoch: 1, epochs: 1, trainLoss: 1.1, trainAccuracy: 0.6, valLoss: 1, valAccuracy: 0.7, valAuc: 0.81, seconds: 2 } });
    await post({
      type: 'trainer',
      file: CHEST,
      message: { type: 'done', checkpoint: '/w/runs/C/model.safetensors', metricsFile: '/w/runs/C/metrics.jsonl', stopped: false, epochsRun: 1, final: null, test: { samples: 400, loss: 1, accuracy: 0.712, auc: 0.8034 }, best: null },
    });
    await page.locator('cnn-training .test').waitFor();
    // The epoch's validation AUC gets a chart of its own beside loss and accuracy.
    expect(await page.locator('cnn-training cnn-line-chart.auc').count()).toBe(1);
    expect(await page.locator('cnn-training .test').textContent()).toMatch(/71\.2%[\s\S]*test accuracy \(400 samples\)[\s\S]*0\.803[\s\S]*test AUC/);
  });

  it('asks for the augmentation grid, paints it, and asks again on every edit of the augment line', async () => {
    // On the Training tab with an augment line, the app asked for 8 images of training sample 0.
    await expect.poll(async () => (await posted()).filter((m) => m.type === 'augmentPreview').length).toBeGreaterThan(0);
    const asks = async () => (await posted()).filter((m) => m.type === 'augmentPreview') as unknown as { sample: number; count: number; seed?: number }[];
    expect((await asks()).at(-1)).toEqual({ type: 'augmentPreview', file: CHEST, sample: 0, count: 8 });
    const first = await asks();
    await post({ type: 'trainer', file: CHEST, message: chestPreview(chest.augment!) });
    await page.locator('cnn-augment-grid canvas[data-image="8"]').waitFor();
    const tiles = await pixels('cnn-augment-grid canvas[data-image]');
    expect(tiles).toHaveLength(9);
    for (const t of tiles) expect(t.painted).toBe(28 * 28);
    // The augmented tiles differ from the sample.
    expect(new Set(tiles.map((t) => t.sum)).size).toBeGreaterThan(5);
    expect(await page.locator('cnn-augment-grid .settings').textContent()).toBe('flip horizontal · rotate ±10° · shift ±2 px · zoom 0.9–1.1 · brightness ±10%');
    expect(await page.locator('cnn-augment-grid .labels').textContent()).toBe('labels: effusion, infiltration');
    expect(await page.locator('cnn-augment-grid .grid.stale').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'inspector-augmentation.png'), fullPage: true });
    // The user edits the augment line: a new model with rotate=45 asks again; the old grid is shown faded until the answer.
    const edited = modelView(check(chestSource('augment flip=horizontal rotate=45 shift=2 zoom=0.9-1.1 brightness=0.1')), CHEST, 2);
    await post({ type: 'model', model: edited });
    await expect.poll(async () => (await asks()).length).toBe(first.length + 1);
    await page.locator('cnn-augment-grid .grid.stale').waitFor();
    await post({ type: 'trainer', file: CHEST, message: chestPreview(edited.augment!) });
    await page.locator('cnn-augment-grid .grid:not(.stale)').waitFor();
    expect(await page.locator('cnn-augment-grid .settings').textContent()).toContain('rotate ±45°');
    // Typing elsewhere in the file (the same settings) asks nothing.
    await post({ type: 'model', model: { ...edited, version: 3 } });
    // Another sample and new draws ask again.
    await page.locator('cnn-augment-grid input.sample').fill('7');
    await page.locator('cnn-augment-grid input.sample').dispatchEvent('change');
    await expect.poll(async () => (await asks()).at(-1)?.sample).toBe(7);
    expect((await asks()).length).toBe(first.length + 2);
    await page.locator('cnn-augment-grid button.redraw').click();
    await expect.poll(async () => (await asks()).at(-1)?.seed).toBe(2);
    // No trainer can answer (the data is missing): the grid says why instead of "updating…".
    await post({ type: 'model', model: modelView(check(chestSource('augment rotate=60')), CHEST, 4) });
    await page.locator('cnn-augment-grid .busy').waitFor();
    const note = 'Could not compute the feature maps (data): E040 chestmnist.npz: no such file';
    await post({ type: 'status', file: CHEST, status: { training: false, run: { phase: 'none', epochsRun: 0, epochs: null, message: null }, inspecting: false, checkpoint: null, note } });
    expect(await page.locator('cnn-augment-grid .problem').textContent()).toBe(note);
    // A file with errors keeps the last grid and says so; no augment line says how to add one.
    await post({ type: 'model', model: { ...edited, errorCount: 1, augment: null } });
    await page.locator('cnn-augment-grid').getByText('The file has errors').waitFor();
    expect(await page.locator('cnn-augment-grid canvas[data-image]').count()).toBe(9);
    await post({ type: 'model', model: modelView(check(chestSource('')), CHEST, 5) });
    await page.locator('cnn-augment-grid p.none').waitFor();
    expect(await page.locator('cnn-augment-grid p.none').textContent()).toContain('augment flip=horizontal rotate=10');
  });

  it('ran without page errors or content security policy violations', async () => {
    const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
    expect(violations).toEqual([]);
    expect(inspector.errors).toEqual([]);
    expect(CHEST_LABELS).toHaveLength(14);
  });
});
