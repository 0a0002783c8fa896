// Issue 9 (Done when): a small multi-label network on a generated ChestMNIST-shaped NPZ (uint8 N×28×28 images,
// N×14 labels of 0/1, MedMNIST's train/val/test keys), with an `augment` line and `class_weights=balanced`.
// The inspector's Training tab shows the augmentation grid of a training sample and the training split's
// positives per label before any run; an edit of the augment line in the editor changes the grid; CNN: Train
// Model trains it (2 epochs), the Training tab shows the weights in effect (pos_weight), and the Prediction tab
// the per-label AUC table, the ROC plot (a curve per label, the diagonal) and a sample's per-label bars.

import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { chestMnistNpz, FINDINGS } from '../lib/chestmnist.mjs';

export const name = 'Medical: multi-label ChestMNIST-shaped data, augmentation grid, class counts, per-label AUC and ROC curves';
export const timeout = 300_000;
// Also in the browser's web worker extension host (training in a Web Worker), behind the cross-origin-isolating proxy.
export const hosts = ['node', 'web'];
export const isolated = ['web'];

const LABELS = 'atelectasis cardiomegaly effusion infiltration mass nodule pneumonia pneumothorax consolidation edema emphysema fibrosis pleural hernia';
const AUGMENT_LINE = 4; // 1-based
const MODEL = [
  'network Chest',
  'input 28x28x1',
  `classes ${LABELS}`,
  'augment flip=horizontal rotate=10 shift=2 brightness=0.1',
  'conv filters=8 size=3 pad=1 activation=relu',
  'pool max size=2',
  'conv filters=16 size=3 pad=1 activation=relu',
  'pool max size=2',
  'dense units=14',
  'sigmoid',
  'data npz chestmnist.npz',
  'train epochs=2 batch=32 lr=0.003 class_weights=balanced',
  '',
].join('\n');

/** Per canvas: painted pixels and the sum of its red channel (to tell two pictures apart). */
const canvases = (locator) =>
  locator.evaluateAll((cs) =>
    cs.map((c) => {
      if (!c.width || !c.height) return { painted: 0, sum: 0 };
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      let sum = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] > 0) painted++;
        sum += d[i];
      }
      return { painted, sum };
    }),
  );

export default async function (t) {
  const ws = t.workspace({ 'chest.cnn': MODEL, 'chestmnist.npz': chestMnistNpz() });
  const wb = await t.step('open chest.cnn', () => t.open({ folder: ws, file: join(ws, 'chest.cnn') }));
  await t.step('the extension is loaded and the file is clean', async () => {
    await wb.languageMode({ expect: 'CNN' });
    await wb.waitForErrorCount(0);
  });
  await t.step('close the side bar, to give the inspector room', async () => {
    if (await wb.page.locator('#workbench\\.parts\\.sidebar').isVisible()) {
      await wb.page.keyboard.press('Control+B');
      await wb.page.locator('#workbench\\.parts\\.sidebar').waitFor({ state: 'hidden' });
    }
  });
  await t.step('run CNN: Open Inspector', () => wb.runCommand('CNN: Open Inspector'));
  const frame = wb.inspectorFrame();
  await frame.locator('cnn-architecture g.box').first().waitFor({ timeout: 30_000 });

  const grid = frame.locator('cnn-augment-grid canvas[data-image]');
  await t.step('the Training tab: the augmentation grid of training sample 0 and the positives per label, before any run', async () => {
    await frame.locator('cnn-inspector [role=tab][data-tab=training]').click();
    await frame.locator('cnn-augment-grid canvas[data-image="8"]').waitFor({ timeout: 60_000 });
    await frame.locator('cnn-augment-grid .grid:not(.stale)').waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('cnn-augment-grid .settings').textContent(), 'flip horizontal · rotate ±10° · shift ±2 px · brightness ±10%');
    const tiles = await canvases(grid);
    assert.equal(tiles.length, 9, 'the sample and 8 augmented versions');
    assert.ok(tiles.every((c) => c.painted === 28 * 28), `every tile painted: ${JSON.stringify(tiles)}`);
    assert.ok(new Set(tiles.map((c) => c.sum)).size >= 6, 'the augmented versions differ');
    await frame.locator(`cnn-training-data .fill[data-class="${FINDINGS - 1}"]`).waitFor({ timeout: 30_000 });
    assert.match(await frame.locator('cnn-training-data p.caption').textContent(), /positives per label among 800 training samples; weights: pos_weight/);
    assert.equal(await frame.locator('cnn-training-data .counts .count').count(), FINDINGS);
  });
  const before = (await canvases(grid)).map((c) => c.sum);
  t.publish(await t.screenshot('medical-augmentation'), 'medical-augmentation.png');

  await t.step('edit the augment line in the editor: rotate=10 becomes rotate=20 with zoom', async () => {
    await wb.focusWorkbench();
    await wb.goTo(AUGMENT_LINE, 1);
    await wb.page.keyboard.press('Shift+End');
    await wb.typeLikeAPerson('augment flip=horizontal rotate=20 shift=2 zoom=0.9-1.1 brightness=0.1', { minDelay: 20, maxDelay: 40, seed: 3 });
    await wb.waitForErrorCount(0);
    // Back to the start of the line: the editor scrolls back to show the whole file.
    await wb.page.keyboard.press('Home');
  });
  await t.step('the grid follows the edit: new settings, new images', async () => {
    await frame.locator('cnn-augment-grid .settings', { hasText: 'rotate ±20° · shift ±2 px · zoom 0.9–1.1' }).waitFor({ timeout: 30_000 });
    await frame.locator('cnn-augment-grid .grid:not(.stale)').waitFor({ timeout: 30_000 });
    const after = (await canvases(grid)).map((c) => c.sum);
    assert.equal(after[0], before[0], 'the sample itself is the same');
    assert.ok(after.slice(1).some((s, i) => s !== before[i + 1]), 'the augmented versions changed');
  });
  t.publish(await t.screenshot('medical-augmentation-edited'), 'medical-augmentation-edited.png');
  await t.step('save the file', () => wb.save());

  await t.step('run CNN: Train Model from the palette', async () => {
    await wb.focusWorkbench();
    await wb.goTo(1, 1);
    await wb.runCommand('CNN: Train Model');
  });
  await t.step('the run finishes', async () => {
    await wb.page.locator('.notification-toast', { hasText: /Finished training chest\.cnn after 2 epochs/ }).waitFor({ timeout: 240_000 });
    const runs = join(ws, 'runs');
    const dirs = readdirSync(runs).filter((d) => d.startsWith('Chest-'));
    assert.equal(dirs.length, 1, `one run folder: ${dirs}`);
    assert.ok(existsSync(join(runs, dirs[0], 'model.safetensors')), 'model.safetensors written');
    // The toast would cover the pictures below.
    await wb.runCommand('Notifications: Clear All Notifications');
    await wb.page.locator('.notification-toast').first().waitFor({ state: 'detached', timeout: 20_000 });
  });
  await t.step('the Training tab shows the weights in effect (pos_weight per label)', async () => {
    await frame.locator('cnn-training-data .weight').first().waitFor({ timeout: 10_000 });
    const weights = await frame.locator('cnn-training-data .weight').allTextContents();
    assert.equal(weights.length, FINDINGS);
    assert.ok(weights.every((w) => Number(w) > 1), `negatives / positives > 1 for every label: ${weights}`);
  });

  await t.step('the Prediction tab: per-label AUC, the ROC plot and the per-label table of the trained network', async () => {
    await frame.locator('cnn-inspector [role=tab][data-tab=prediction]').click();
    await frame.locator('cnn-roc-plot table.auc').waitFor({ timeout: 60_000 });
    const rows = await frame.locator('cnn-roc-plot table.auc tbody tr').allTextContents();
    assert.equal(rows.length, FINDINGS, 'an AUC per label');
    const aucs = await frame.locator('cnn-roc-plot table.auc tbody td.value').allTextContents();
    assert.ok(aucs.every((a) => /^(0|1)\.\d{3}$/.test(a)), `every label has positives in the split: ${aucs}`);
    const mean = Number(await frame.locator('cnn-roc-plot td.mean').textContent());
    assert.ok(mean > 0.65, `the network learned something in 2 epochs: mean AUC ${mean}`);
    assert.equal(await frame.locator('cnn-roc-plot path.curve').count(), FINDINGS, 'a ROC curve per label');
    assert.equal(await frame.locator('cnn-roc-plot path.diagonal').count(), 1);
    assert.equal(await frame.locator('cnn-confusion table.scores tbody tr').count(), FINDINGS, 'precision, recall and F1 per label');
    assert.match(await frame.locator('cnn-prediction h3 .figures').textContent(), /mean AUC 0\.\d{3}/);
  });
  await t.step('a validation sample: a bar per label with the 0.5 mark and its truth', async () => {
    // The run's last snapshot may already be there; else predict the chosen sample.
    const load = frame.locator('cnn-prediction button.load');
    if (await load.isVisible()) await load.click();
    await frame.locator(`cnn-prediction .fill[data-label="${FINDINGS - 1}"]`).waitFor({ timeout: 60_000 });
    assert.equal(await frame.locator('cnn-prediction .threshold').count(), FINDINGS);
    const truth = await frame.locator('cnn-prediction .mark').evaluateAll((ms) => ms.map((m) => m.dataset.truth));
    assert.ok(truth.every((v) => v === '0' || v === '1'), `the sample's truth per label: ${truth}`);
  });
  t.publish(await t.screenshot('medical-label-bars'), 'medical-label-bars.png');
  await t.step('the ROC plot in view, a curve picked from the AUC table', async () => {
    await frame.locator('cnn-roc-plot').evaluate((el) => {
      el.style.scrollMarginTop = '120px';
      el.scrollIntoView({ block: 'start' });
    });
    await frame.locator('cnn-roc-plot tr[data-row="1"]').click();
    // The pointer off the plot and its table: the picked curve stays lit, the others faded.
    await wb.page.mouse.move(1, 1);
    await frame.locator('cnn-roc-plot path.curve.focus[data-curve="1"]').waitFor({ timeout: 10_000 });
    assert.equal(await frame.locator('cnn-roc-plot path.curve.dim').count(), FINDINGS - 1);
  });
  t.publish(await t.screenshot('medical-roc'), 'medical-roc.png');
}
