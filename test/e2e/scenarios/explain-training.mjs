// Issue 10: the Explain tab follows training live (the running trainer explains between steps, after every new
// snapshot), and after the run the misclassified gallery's Grad-CAM toggle paints each misclassified sample with
// where the trained network looked for the class it wrongly predicted.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const name = 'Explain tab while training: the maps follow the running network; Grad-CAM over the misclassified gallery after the run';
export const timeout = 300_000;

const LECTURE = readFileSync(fileURLToPath(new URL('../../../examples/lecture.cnn', import.meta.url)), 'utf8');
const MODEL = LECTURE.replace(/^train epochs=\d+/m, 'train epochs=2');
assert.notEqual(MODEL, LECTURE, 'lecture.cnn has a `train epochs=` line');

/** A checksum of the Grad-CAM overlay's pixels (changes when the map does). */
const gradcamSum = (frame) =>
  frame.locator('cnn-explain canvas.overlay[data-method=gradcam]').evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let s = 0;
    for (let i = 0; i < d.length; i++) s = (s * 31 + d[i]) % 1_000_000_007;
    return s;
  });

export default async function (t) {
  const ws = t.workspace({ 'lecture.cnn': MODEL });
  const wb = await t.step('open lecture.cnn', () => t.open({ folder: ws, file: join(ws, 'lecture.cnn') }));
  await t.step('the extension is loaded', () => wb.languageMode({ expect: 'CNN' }));
  await t.step('run CNN: Open Inspector', () => wb.runCommand('CNN: Open Inspector'));
  const frame = wb.inspectorFrame();

  let before = 0;
  await t.step('the Explain tab explains sample 0 with the untrained weights', async () => {
    await frame.locator('cnn-inspector [role=tab][data-tab=explain]').click({ timeout: 30_000 });
    await frame.locator('cnn-explain canvas.overlay[data-method=gradcam]').waitFor({ timeout: 90_000 });
    before = await gradcamSum(frame);
  });

  await t.step('run CNN: Train Model (from the editor)', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('CNN: Train Model');
  });
  await t.step('while training, the maps follow the running network', async () => {
    await frame.locator('cnn-inspector .live').waitFor({ timeout: 60_000 });
    // In the panel, on every animation frame: the Grad-CAM overlay's checksum, until it has shown two maps
    // after the untrained one (each asked after a new snapshot, answered between steps).
    const changes = await frame.locator('cnn-explain').evaluate(
      (el, first) =>
        new Promise((resolve) => {
          const seen = new Set([first]);
          const end = performance.now() + 120_000;
          const tick = () => {
            const c = el.shadowRoot.querySelector('canvas.overlay[data-method=gradcam]');
            if (c) {
              const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              let s = 0;
              for (let i = 0; i < d.length; i++) s = (s * 31 + d[i]) % 1_000_000_007;
              seen.add(s);
            }
            if (seen.size >= 3 || performance.now() > end) resolve(seen.size - 1);
            else requestAnimationFrame(tick);
          };
          tick();
        }),
      before,
    );
    assert.ok(changes >= 2, `the Grad-CAM overlay changed twice while training (${changes} changes)`);
  });
  await t.screenshot('explain-training-live');

  await t.step('the run finishes', async () => {
    await wb.page.locator('.notification-toast', { hasText: /Finished training lecture.cnn after 2 epochs/ }).waitFor({ timeout: 240_000 });
  });
  await t.step('the misclassified gallery with Grad-CAM on: every sample painted with its map', async () => {
    await frame.locator('cnn-inspector [role=tab][data-tab=prediction]').click();
    await frame.locator('cnn-prediction .gallery canvas[data-miss]').first().waitFor({ timeout: 60_000 });
    const misses = await frame.locator('cnn-prediction .gallery canvas[data-miss]').count();
    assert.ok(misses > 0, 'some validation samples are misclassified after 2 epochs');
    await frame.locator('cnn-prediction button.cam-toggle').click();
    await frame.locator('cnn-prediction button.cam-toggle[aria-pressed=true]').waitFor({ timeout: 10_000 });
    await frame.locator(`cnn-prediction canvas[data-cam=on] >> nth=${misses - 1}`).waitFor({ timeout: 60_000 });
    assert.equal(await frame.locator('cnn-prediction canvas[data-cam=on]').count(), misses);
    await frame.locator('cnn-prediction .gallery').scrollIntoViewIfNeeded();
  });
  await t.screenshot('explain-gallery-gradcam');
}
