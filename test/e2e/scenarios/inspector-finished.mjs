// Issue 12, item 2: the inspector opened after a run ended says so. Train the lecture's network to the end with
// the inspector open, close the inspector, open it again: no "training" badge, no Stop button, the run's curves,
// "Finished after 2 epochs" and its metrics.jsonl relative to the file (item 5; the full path in the tooltip).
// Then reload the window (a new extension host that ran nothing: the run folder on disk decides) and check the
// revived panel the same way.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const name = 'Inspector after a finished run: reopened and reloaded, it shows the finished run, not a live one';
export const timeout = 300_000;

const LECTURE = readFileSync(fileURLToPath(new URL('../../../examples/lecture.cnn', import.meta.url)), 'utf8');
// A short run: 2 epochs of 600 samples.
const MODEL = LECTURE.replace(/^train epochs=\d+/m, 'train epochs=2').replace(/^data shapes samples=\d+/m, 'data shapes samples=600');
assert.notEqual(MODEL.indexOf('samples=600'), -1, 'lecture.cnn has a `data shapes samples=` line');
assert.notEqual(MODEL.indexOf('epochs=2'), -1, 'lecture.cnn has a `train epochs=` line');

export default async function (t) {
  const ws = t.workspace({ 'lecture.cnn': MODEL });
  const wb = await t.step('open lecture.cnn', () => t.open({ folder: ws, file: join(ws, 'lecture.cnn') }));
  await t.step('the extension is loaded', () => wb.languageMode({ expect: 'CNN' }));
  // (Made again after the window reloads: they belong to a page.)
  let frame = wb.inspectorFrame();
  let inspectorTab = wb.page.locator('.tab[aria-label*="CNN Inspector"]');

  await t.step('open the inspector on its Training tab', async () => {
    await wb.runCommand('CNN: Open Inspector');
    await frame.locator('cnn-inspector [role=tab][data-tab=training]').click({ timeout: 30_000 });
    await frame.locator('cnn-training button.train').waitFor({ timeout: 20_000 });
  });
  await t.step('train to the end', async () => {
    await wb.focusWorkbench();
    await wb.goTo(1, 1);
    await wb.runCommand('CNN: Train Model');
    await frame.locator('cnn-training button.stop').waitFor({ timeout: 60_000 });
    await wb.page.locator('.notification-toast', { hasText: /Finished training lecture\.cnn after 2 epochs/ }).waitFor({ timeout: 180_000 });
  });

  /** The Training tab of a panel that was opened (or revived) after the run: the finished run, nothing live. */
  const expectFinished = async (when) => {
    const phase = frame.locator('cnn-training .phase[data-phase=finished]');
    await phase.waitFor({ timeout: 30_000 });
    assert.match(await phase.textContent(), /Finished after 2 epochs/, when);
    assert.equal(await frame.locator('cnn-inspector header .live').count(), 0, `${when}: no "● training" badge`);
    assert.equal(await frame.locator('cnn-training button.stop').count(), 0, `${when}: no Stop button`);
    assert.equal(await frame.locator('cnn-training', { hasText: 'Training…' }).count(), 0, `${when}: no "Training…"`);
    await frame.locator('cnn-training button.train').waitFor({ timeout: 5_000 });
    const points = await frame.locator('cnn-training cnn-line-chart.loss').evaluate((el) => (el.series ?? []).map((s) => s.points.length));
    assert.ok(points.some((n) => n === 2), `${when}: the loss chart has the run's 2 epochs: ${points}`);
    // Item 5: the metrics file relative to the .cnn file's folder, the whole path in the tooltip.
    const path = frame.locator('cnn-training .path');
    assert.match(await path.textContent(), /^runs\/DoorStairSign-[^/]+\/metrics\.jsonl$/, `${when}: relative path`);
    const title = await path.getAttribute('title');
    assert.ok(title.startsWith(ws) && title.endsWith('/metrics.jsonl'), `${when}: full path in the tooltip: ${title}`);
  };

  await t.step('close the inspector', async () => {
    await inspectorTab.click();
    await inspectorTab.locator('.codicon-close').click();
    await inspectorTab.waitFor({ state: 'detached', timeout: 20_000 });
  });
  await t.step('open it again: the finished run, not a live one', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('CNN: Open Inspector');
    await frame.locator('cnn-inspector [role=tab][data-tab=training]').click({ timeout: 30_000 });
    await expectFinished('reopened');
  });
  const shot = await t.screenshot('inspector-finished');
  t.publish(shot, 'inspector-finished.png');

  await t.step('after a window reload the revived panel shows the finished run from its run folder', async () => {
    await wb.waitForStoredState(/tab\\*"\s*:\s*\\*"training/);
    await wb.reload();
    frame = wb.inspectorFrame();
    inspectorTab = wb.page.locator('.tab[aria-label*="CNN Inspector"]');
    await inspectorTab.click({ timeout: 60_000 });
    await frame.locator('cnn-inspector [role=tab][data-tab=training]').click({ timeout: 60_000 });
    await expectFinished('after the reload');
  });
  await t.screenshot('inspector-finished-reloaded');
}
