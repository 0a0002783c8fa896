// Issue 11: a stop names the run it means. The inspector's Stop for a file that is not training used to stop
// whatever single run there was (another file's); now it says that file is not training and the other run goes on.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const name = "Training: the inspector's Stop for a file that is not training leaves another file's run alone";
export const timeout = 240_000;

const LECTURE = readFileSync(fileURLToPath(new URL('../../../examples/lecture.cnn', import.meta.url)), 'utf8');
// Long enough that it is still running while the rest happens.
const BUSY = LECTURE.replace(/^train epochs=\d+/m, 'train epochs=40');
assert.notEqual(BUSY, LECTURE);

/** The epoch the status bar shows for the 40-epoch run. */
async function shownEpoch(wb) {
  const text = await wb.waitForStatusBarItem(/epoch \d+\/40 · /, { timeout: 60_000 });
  return Number(/epoch (\d+)\/40/.exec(text)[1]);
}

export default async function (t) {
  const ws = t.workspace({ 'busy.cnn': BUSY, 'idle.cnn': LECTURE });
  const wb = await t.step('open busy.cnn', () => t.open({ folder: ws, file: join(ws, 'busy.cnn') }));
  await t.step('the extension is loaded', () => wb.languageMode({ expect: 'CNN' }));
  await t.step('CNN: Train Model starts busy.cnn on a 40-epoch run', async () => {
    await wb.focusWorkbench();
    await wb.goTo(1, 1);
    await wb.runCommand('CNN: Train Model');
    await shownEpoch(wb);
  });

  await t.step('open idle.cnn and the inspector on it', async () => {
    await wb.openFile('idle.cnn');
    await wb.runCommand('CNN: Open Inspector');
  });
  const frame = wb.inspectorFrame();
  await t.step("the inspector's Training tab shows idle.cnn, not training", async () => {
    await frame.locator('cnn-inspector [role=tab][data-tab=training]').click({ timeout: 30_000 });
    await frame.locator('cnn-training button.train').waitFor({ timeout: 30_000 });
  });

  const before = await shownEpoch(wb);
  await t.step('a Stop from the panel for idle.cnn says it is not training', async () => {
    // What the panel's Stop button sends ({ type: 'stopTraining', file: <the panel's file> }), for a file that is
    // not training: a panel that had not caught up yet, or a message from a file that is closed by now.
    await frame.locator('cnn-training').evaluate((el) => el.dispatchEvent(new CustomEvent('cnn-stop', { bubbles: true, composed: true })));
    await wb.page.locator('.notification-toast', { hasText: 'idle.cnn is not training.' }).waitFor({ timeout: 30_000 });
  });
  await t.step("busy.cnn's run goes on: the status bar reaches a later epoch, and no stop was announced", async () => {
    await wb.page.waitForFunction(
      (n) =>
        [...document.querySelectorAll('#workbench\\.parts\\.statusbar .statusbar-item')].some((e) => {
          const m = /epoch (\d+)\/40/.exec(e.textContent ?? '');
          return m && Number(m[1]) > n;
        }),
      before,
      { timeout: 60_000 },
    );
    assert.equal(await wb.page.locator('.notification-toast', { hasText: /Stopped training busy\.cnn/ }).count(), 0);
  });

  await t.step('CNN: Stop Training from the palette stops the only run, busy.cnn', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('CNN: Stop Training');
    await wb.page.locator('.notification-toast', { hasText: /Stopped training busy\.cnn/ }).waitFor({ timeout: 30_000 });
  });
}
