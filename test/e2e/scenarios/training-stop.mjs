// Issue 3: CNN: Train Model refuses a file with errors and points to the Problems panel (issue 12: and offers the I202 fixes for a missing data line); CNN: Stop Training stops
// a run at the next step, and the stopped run still leaves its checkpoint.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const name = 'Training: a file with errors is refused with a pointer to the Problems panel; CNN: Stop Training stops a run';
export const timeout = 240_000;
// Also in the browser's web worker extension host (training in a Web Worker), behind the cross-origin-isolating proxy.
export const hosts = ['node', 'web'];
export const isolated = ['web'];

const LECTURE = readFileSync(fileURLToPath(new URL('../../../examples/lecture.cnn', import.meta.url)), 'utf8');
// Long enough that it is still running when the stop arrives.
const LONG = LECTURE.replace(/^train epochs=\d+/m, 'train epochs=40');
// 32×32 with a 3×3 filter at stride 2 and no padding: (32 − 3 + 0)/2 + 1 = 15.5: one E020, and the shapes after
// it are unknown (no rounded-down 15 that would make the pools below report errors of their own).
const BROKEN = LECTURE.replace('conv filters=16 size=3 stride=1 pad=1', 'conv filters=16 size=3 stride=2 pad=0');
assert.notEqual(BROKEN, LECTURE);
// The data line commented out: I202, and CNN: Train Model offers to bring it back before it trains.
const NO_DATA = LONG.replace(/^data shapes/m, '# data shapes');
assert.notEqual(NO_DATA, LONG);

export default async function (t) {
  const ws = t.workspace({ 'lecture.cnn': BROKEN });
  const file = join(ws, 'lecture.cnn');
  const wb = await t.step('open a lecture.cnn with E020 errors', () => t.open({ folder: ws, file }));
  await t.step('the extension is loaded', () => wb.languageMode({ expect: 'CNN' }));
  await t.step('one error is in the Problems panel', () => wb.waitForErrorCount(1, { timeout: 30_000 }));

  await t.step('CNN: Train Model refuses it and points to the Problems panel', async () => {
    await wb.runCommand('CNN: Train Model');
    const toast = wb.page.locator('.notification-toast', { hasText: /lecture\.cnn has 1 error \(first: line 7, E020\)\. Fix them in the Problems panel/ });
    await toast.waitFor({ timeout: 30_000 });
    await toast.locator('a.monaco-button, .monaco-button', { hasText: 'Show Problems' }).first().click();
    await wb.page.locator('.markers-panel').first().waitFor({ timeout: 10_000 });
  });
  assert.ok(!existsSync(join(ws, 'runs')), 'nothing was trained');

  // Fix the error on disk but comment out the data line; the editor reloads it (no unsaved changes).
  writeFileSync(file, NO_DATA);
  await t.step('after the fix on disk, no errors remain', () => wb.waitForErrorCount(0, { timeout: 30_000 }));
  await t.step('focus the editor', async () => {
    await wb.focusWorkbench();
    await wb.goTo(1, 1);
  });
  await t.step('CNN: Train Model says there is no data line and offers its fixes instead of failing', async () => {
    await wb.runCommand('CNN: Train Model');
    const toast = wb.page.locator('.notification-toast', { hasText: /lecture\.cnn has no data line, so there is nothing to train on yet/ });
    await toast.waitFor({ timeout: 30_000 });
    assert.ok(!existsSync(join(ws, 'runs')), 'nothing was started');
    await toast.locator('a.monaco-button, .monaco-button', { hasText: /^Uncomment line 16/ }).first().click();
  });
  await t.step('the fix uncomments the line and a 40-epoch run starts', async () => {
    await wb.waitForStatusBarItem(/epoch \d+\/40 · /, { timeout: 60_000 });
  });
  await t.step('CNN: Stop Training stops it at the next step, with a notification', async () => {
    await wb.runCommand('CNN: Stop Training');
    await wb.page.locator('.notification-toast', { hasText: /Stopped training lecture\.cnn in epoch \d+, at step \d+ of 85 \(\d+ epochs? complete.*\)\. The checkpoint is saved\./ }).waitFor({ timeout: 30_000 });
  });
  await t.screenshot('training-stopped');
  await t.step('the stopped run left its checkpoint, with fewer than 40 epochs of metrics', () => {
    const runs = join(ws, 'runs');
    const dirs = readdirSync(runs);
    assert.equal(dirs.length, 1, `one run folder: ${dirs}`);
    assert.ok(existsSync(join(runs, dirs[0], 'model.safetensors')), 'model.safetensors');
    const metrics = join(runs, dirs[0], 'metrics.jsonl');
    // Epoch lines only: training-health records ({"health": …}) share the file.
    const lines = existsSync(metrics) ? readFileSync(metrics, 'utf8').trim().split('\n').filter(Boolean).filter((l) => JSON.parse(l).epoch !== undefined) : [];
    assert.ok(lines.length < 40, `${lines.length} epochs`);
  });
  await t.step('the status bar item of the run is gone', async () => {
    const items = await wb.statusBarItems();
    assert.ok(!items.some((i) => /epoch \d+\/40/.test(i.text)), JSON.stringify(items.map((i) => i.text)));
  });
}
