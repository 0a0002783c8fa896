// Issue 2, bad input: a 10 MB .cnn file (109,000 layers) opens, is checked, and stays editable. Typing in it
// never waits for a whole check (the views keep the last one and the file is checked again in a pause),
// the outline stops after 5,000 entries with one that counts the rest, and an error typed into it shows up
// in the Problems panel and goes away with undo.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { largeModel } from '../bench-keystroke.mjs';

export const name = 'A 10 MB file: opens, params in the status bar, capped outline, an error typed in is found and undone';
export const timeout = 180_000;

const CONV_LINE = 5; // conv filters=8 size=3 pad=1

export default async function (t) {
  const text = largeModel(10 * 1024 * 1024);
  const ws = t.workspace({ 'large.cnn': text });
  const lines = text.split('\n');
  assert.equal(lines[CONV_LINE - 1], 'conv filters=8 size=3 pad=1');
  const wb = await t.step('open large.cnn (10 MB)', () => t.open({ folder: ws, file: join(ws, 'large.cnn') }));
  await t.step('language mode is CNN', () => wb.languageMode({ expect: 'CNN', timeout: 60_000 }));
  // conv 8·(3·3·3) + 8 = 224, dense 16·16·8·3 + 3 = 6,147: 6,371 parameters, whatever the 100,000 ReLUs.
  const params = await t.step('the status bar counts its parameters', () => wb.waitForStatusBarItem(/\bparams\b/, { timeout: 60_000 }));
  t.log(`  status bar: "${params}"`);
  assert.match(params, /6[,.]?371|6\.4\s*K/);
  await t.step('no errors', () => wb.waitForErrorCount(0, { timeout: 60_000 }));

  await t.step('Go to Symbol lists the first 5,000 statements, then one entry for the rest', async () => {
    await wb.page.keyboard.press('Control+Shift+O');
    const input = wb.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill('@more');
    const row = wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: /more/ }).first();
    await row.waitFor({ timeout: 60_000 });
    const label = await row.innerText();
    t.log(`  ${label.replace(/\s+/g, ' ')}`);
    // input, classes, conv, the ReLUs, pool, dense and softmax, less the 5,000 listed.
    const more = (lines.filter((l) => l.startsWith('relu')).length + 6 - 5000).toLocaleString('en-US');
    assert.ok(label.includes(`… ${more} more`), `the last entry counts ${more} more: ${label}`);
    await wb.page.keyboard.press('Escape');
  });

  await t.step('stride=4 typed on the conv line: E020 in the Problems panel, the status bar follows', async () => {
    await wb.goTo(CONV_LINE, lines[CONV_LINE - 1].length + 1);
    await wb.page.keyboard.type(' stride=4');
    // (32 − 3 + 2·1)/4 + 1 = 8.75: not a whole number.
    await wb.waitForErrorCount(1, { timeout: 60_000 });
    await wb.openProblems();
    await wb.waitForProblems('an E020 row', `rows.some((r) => /E020/.test(r.text + ' ' + r.label) && r.text.includes('8.75'))`, { timeout: 30_000 });
    // The views follow: the conv's output is no size (8.75×8.75×8), so the dense layer's parameters are unknown
    // and the total is at least the conv's own 224 (never a count made from a rounded-down 8×8×8).
    await wb.waitForStatusBarItem(/≥224 params/, { timeout: 30_000 });
  });
  await t.step('undo: the error goes away, the status bar follows', async () => {
    await wb.focusWorkbench();
    await wb.goTo(CONV_LINE, 1);
    await wb.page.keyboard.press('Control+Z');
    await wb.waitForErrorCount(0, { timeout: 60_000 });
    assert.equal((await wb.editorLines())[CONV_LINE - 1], 'conv filters=8 size=3 pad=1');
    await wb.waitForStatusBarItem(/6,371 params/, { timeout: 30_000 });
  });
  await t.screenshot('large-file');
}
