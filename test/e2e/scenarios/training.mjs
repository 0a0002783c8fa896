// Issues 3 and 4: CNN: Train Model from the command palette on the lecture's network, with the inspector open:
// the progress notification and the status bar follow the run, the panel's curves move, feature maps and
// filters of the running network appear, the run finishes with a notification and leaves its checkpoint and
// metrics in runs/ beside the file.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const name = 'Training: CNN: Train Model from the palette, progress, status bar, live curves, feature maps, filters, checkpoint';
export const timeout = 300_000;
// Also in the browser's web worker extension host, training in a Web Worker, behind the cross-origin-isolating
// proxy (threads may start there).
export const hosts = ['node', 'web'];
export const isolated = ['web'];

// The lecture's file, with a longer run (more epochs) so that there is time to watch it while it trains.
const LECTURE = readFileSync(fileURLToPath(new URL('../../../examples/lecture.cnn', import.meta.url)), 'utf8');
const EPOCHS = 5;
const MODEL = LECTURE.replace(/^train epochs=\d+/m, `train epochs=${EPOCHS}`);
assert.notEqual(MODEL, LECTURE, 'lecture.cnn has a `train epochs=` line');

/** Number of points in the inspector's loss chart (all series together). */
const chartPoints = (chart) => chart.evaluate((el) => (el.series ?? []).reduce((n, s) => n + s.points.length, 0));

/** Non-transparent pixels of each canvas matched. */
const paintedPixels = (canvases) =>
  canvases.evaluateAll((cs) =>
    cs.map((c) => {
      if (!c.width || !c.height) return 0;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    }),
  );

export default async function (t) {
  // Two threads: on Node worker_threads, in the browser Web Workers over shared memory (cross-origin isolated).
  const ws = t.workspace({ 'lecture.cnn': MODEL, '.vscode/settings.json': JSON.stringify({ 'cnnStudio.training.threads': 2 }) });
  const wb = await t.step('open lecture.cnn', () => t.open({ folder: ws, file: join(ws, 'lecture.cnn') }));
  await t.step('the extension is loaded', () => wb.languageMode({ expect: 'CNN' }));
  await t.step('run CNN: Open Inspector', () => wb.runCommand('CNN: Open Inspector'));
  const frame = wb.inspectorFrame();
  await frame.locator('cnn-architecture g.box[data-key="layer-7"]').waitFor({ timeout: 30_000 });
  await t.step('the Training tab is idle before the run', async () => {
    await frame.locator('cnn-inspector [role=tab][data-tab=training]').click();
    await frame.locator('cnn-training button.train').waitFor({ timeout: 10_000 });
  });

  // The palette acts on the active editor: give the editor the focus back from the panel first.
  await t.step('focus the editor of lecture.cnn', async () => {
    await wb.focusWorkbench();
    await wb.goTo(1, 1);
  });
  await t.step('run CNN: Train Model from the palette', () => wb.runCommand('CNN: Train Model'));

  await t.step('a progress notification names the network and shows the epoch', async () => {
    const toast = wb.page.locator('.notification-toast', { hasText: 'Training lecture.cnn' });
    await toast.waitFor({ timeout: 60_000 });
    await wb.page.locator('.notification-toast', { hasText: /epoch \d+\/5 · step \d+\/\d+ · loss/ }).waitFor({ timeout: 60_000 });
  });
  await t.step('the status bar shows epoch, loss and accuracy', () => wb.waitForStatusBarItem(/epoch \d\/5 · (loss \d|val acc)/, { timeout: 60_000 }));

  const lossChart = frame.locator('cnn-training cnn-line-chart.loss');
  await t.step('the inspector shows live stats and a stop button', async () => {
    await frame.locator('cnn-training button.stop').waitFor({ timeout: 30_000 });
    await lossChart.waitFor({ timeout: 30_000 });
  });
  await t.step('the loss curve moves: it gains points while the run goes on', async () => {
    const first = await chartPoints(lossChart);
    // Wait, frame by frame in the page, for the chart's next series (each progress message adds a point).
    const later = await lossChart.evaluate(
      (el, n) =>
        new Promise((resolve, reject) => {
          const points = () => (el.series ?? []).reduce((k, s) => k + s.points.length, 0);
          const until = performance.now() + 60_000;
          const tick = () => (points() > n ? resolve(points()) : performance.now() > until ? reject(new Error(`still ${points()} points`)) : requestAnimationFrame(tick));
          tick();
        }),
      first,
    );
    assert.ok(later > first, `loss chart points ${first} → ${later}`);
  });
  const curves = await t.screenshot('training-curves');
  t.publish(curves, 'editor-training.png');

  await t.step('feature maps of the training network appear (refreshed by the running trainer)', async () => {
    await frame.locator('cnn-inspector [role=tab][data-tab=features]').click();
    await frame.locator('cnn-feature-maps button.show').click();
    await frame.locator('cnn-feature-maps canvas.tiles[data-layer="7"]').waitFor({ timeout: 60_000 });
    const painted = await paintedPixels(frame.locator('cnn-feature-maps canvas[data-layer]'));
    assert.equal(painted.length, 9, 'the input and 8 layers');
    assert.ok(painted.every((n) => n > 0), `every map has pixels: ${painted}`);
  });
  await t.step('with snapshots streaming, the status bar still shows the epoch and loss', () => wb.waitForStatusBarItem(/epoch \d\/5 · (loss \d|val acc)/, { timeout: 30_000 }));
  const maps = await t.screenshot('training-feature-maps');
  t.publish(maps, 'editor-training-feature-maps.png');
  t.publish(maps, 'browser-training.png', { from: 'web' });

  await t.step('the filters of both conv layers appear', async () => {
    await frame.locator('cnn-inspector [role=tab][data-tab=filters]').click();
    await frame.locator('cnn-filters canvas[data-filter="1"]').waitFor({ timeout: 30_000 });
    const painted = await paintedPixels(frame.locator('cnn-filters canvas[data-filter]'));
    assert.equal(painted.length, 2, 'two conv layers');
    assert.ok(painted.every((n) => n > 0), `every filter canvas has pixels: ${painted}`);
  });
  await t.screenshot('training-filters');

  await t.step('the run finishes with a notification', async () => {
    await wb.page.locator('.notification-toast', { hasText: /Finished training lecture.cnn after 5 epochs: validation accuracy \d+(\.\d)?%/ }).waitFor({ timeout: 180_000 });
  });
  await t.step('the log names the engine and its two threads', async () => {
    await wb.runCommand('Output: Show Output Channels...');
    const input = wb.page.locator('.quick-input-widget input');
    await input.fill('CNN Studio');
    await wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'CNN Studio' }).first().click();
    // The start line is at the top of the log (Ctrl+Home: the editor renders only the lines in view); a long line
    // is wrapped over several view lines, so the text is read as one and matched across the wraps.
    const lines = wb.page.locator('[id="workbench.panel.output"] .view-lines');
    await lines.click();
    await wb.page.keyboard.press('Control+Home');
    const started = /\(builtin\s*engine,\s*(\d+)\s*threads?\)/;
    await wb.page.waitForFunction((source) => new RegExp(source).test(document.querySelector('[id="workbench.panel.output"] .view-lines')?.textContent ?? ''), started.source, { timeout: 20_000 });
    const threads = started.exec((await lines.textContent()) ?? '')?.[1];
    assert.equal(threads, '2', `the run trains with both threads in the ${t.host} host`);
  });
  await t.step('runs/ beside the file holds the checkpoint and five epochs of metrics', () => {
    const runs = join(ws, 'runs');
    const dirs = readdirSync(runs).filter((d) => d.startsWith('DoorStairSign-'));
    assert.equal(dirs.length, 1, `one run folder: ${dirs}`);
    const ckpt = join(runs, dirs[0], 'model.safetensors');
    assert.ok(existsSync(ckpt) && statSync(ckpt).size > 20_000, 'model.safetensors written');
    // Epoch lines, beside the training-health records ({"health": …}) of the same file.
    const records = readFileSync(join(runs, dirs[0], 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(records.filter((r) => r.epoch !== undefined).map((e) => e.epoch), [1, 2, 3, 4, 5], 'one metrics line per epoch');
    assert.ok(records.some((r) => r.health), 'training-health records in metrics.jsonl');
  });
  await t.step('the prediction tab: probabilities of a sample, the confusion matrix and misclassified samples of the trained network', async () => {
    await frame.locator('cnn-inspector [role=tab][data-tab=prediction]').click();
    // The sample's bars come from the snapshot; the matrix from the evaluation after the last epoch.
    const load = frame.locator('cnn-prediction button.load');
    if (await load.count()) await load.click();
    await frame.locator('cnn-prediction .bars .fill').first().waitFor({ timeout: 60_000 });
    assert.equal(await frame.locator('cnn-prediction .bars .fill').count(), 3, 'door, stair, sign');
    await frame.locator('cnn-prediction table.confusion').waitFor({ timeout: 60_000 });
    const cells = (await frame.locator('cnn-prediction table.confusion td').allTextContents()).map(Number).filter((n) => Number.isFinite(n));
    assert.equal(cells.reduce((a, b) => a + b, 0), 300, `the 300 validation samples: ${cells}`);
  });
  const prediction = await t.screenshot('training-prediction');
  t.publish(prediction, 'editor-prediction.png');

  await t.step('the convolution explorer follows the conv layer under the cursor', async () => {
    await wb.focusWorkbench();
    await wb.goTo(10, 1);
    await frame.locator('cnn-inspector [role=tab][data-tab=explorer]').click();
    await frame.locator('cnn-conv-explorer .note', { hasText: /line 10/ }).waitFor({ timeout: 30_000 });
    await frame.locator('cnn-conv-explorer button.preset[data-stride="2"]').click();
    await frame.locator('cnn-conv-explorer', { hasText: /\(7 − 3 \+ 2·0\) \/ 2 \+ 1 = 3/ }).waitFor({ timeout: 10_000 });
  });
  const conv = await t.screenshot('training-convolution');
  t.publish(conv, 'editor-convolution.png');

  await t.step('the training tab shows the finished run with its Train button back', async () => {
    await frame.locator('cnn-inspector [role=tab][data-tab=training]').click();
    await frame.locator('cnn-training button.train').waitFor({ timeout: 30_000 });
  });
  await t.step('the status bar item of the run is gone', async () => {
    const items = await wb.statusBarItems();
    assert.ok(!items.some((i) => /epoch \d\/5/.test(i.text)), JSON.stringify(items.map((i) => i.text)));
  });
}
