// Issue 12, item 8: the Getting Started walkthrough and `CNN: New Network…`. The walkthrough opens with its six
// steps; its first step's button creates the lecture's network, which shows its shapes, and the step ticks; a
// stride mistake made and fixed with the quick fix ticks the third step (a context key the extension sets);
// the palette's New Network… offers the templates with their facts and never overwrites a file; Open Inspector's
// keybinding opens the inspector, whose convolution explorer at the lecture's stride 3 ticks the last step;
// Show Model Summary then opens below lecture.cnn rather than over the inspector beside it; the
// keybindings of Train and Open Inspector are the only bindings of their keys. In a window with no folder,
// New Network… opens an untitled tinyvgg.cnn.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Workbench } from '../lib/workbench.mjs';

export const name = 'Walkthrough: its steps, New Network… from it and from the palette, steps ticking, keybindings';
export const timeout = 240_000;

const ROOT = join(fileURLToPath(import.meta.url), '../../../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const LECTURE = readFileSync(join(ROOT, 'examples/lecture.cnn'), 'utf8');
const walkthrough = manifest.contributes.walkthroughs[0];
const CONV_LINE = LECTURE.split('\n').findIndex((l) => l.startsWith('conv filters=16')) + 1;
const STRIDE_COL = LECTURE.split('\n')[CONV_LINE - 1].indexOf('stride=1') + 'stride='.length + 1; // on the "1"

const hasE020 = `rows.some((r) => /E020/.test(r.text + ' ' + r.label))`;

/** The walkthrough's checkbox of a step: aria-checked says whether it is done. */
const checkbox = (page, stepId) => page.locator(`[data-done-step-id$="#${stepId}"]`).first();

async function waitForDone(page, stepId, done = true) {
  await checkbox(page, stepId).waitFor({ state: 'attached', timeout: 20_000 });
  await page.waitForFunction(
    ([id, want]) => document.querySelector(`[data-done-step-id$="#${id}"]`)?.getAttribute('aria-checked') === String(want),
    [stepId, done],
    { timeout: 20_000 },
  );
}

async function openWalkthrough(wb) {
  await wb.runCommand('Welcome: Open Walkthrough');
  const input = wb.page.locator('.quick-input-widget .quick-input-box input');
  await input.fill('CNN Studio');
  const row = wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: walkthrough.title }).first();
  await row.waitFor({ state: 'visible', timeout: 20_000 });
  await wb.page.waitForFunction(
    (title) => document.querySelector('.quick-input-widget .monaco-list-row.focused')?.textContent?.includes(title),
    walkthrough.title,
    { timeout: 20_000 },
  );
  await wb.page.keyboard.press('Enter');
  await wb.page.locator('.getting-started-step').first().waitFor({ state: 'visible', timeout: 20_000 });
}

/** The input box of `CNN: New Network…`: its value and, after typing, its validation message. */
const inputBox = (wb) => wb.page.locator('.quick-input-widget .quick-input-box input');

export default async function (t) {
  const ws = t.workspace({ 'notes.txt': 'A folder for the lecture.\n' });
  const wb = await t.step('open an empty workspace', () => t.open({ folder: ws }));
  const page = wb.page;
  // The walkthrough's progress outlives a window (a retry would find the first try's steps ticked): start from none.
  await t.step('start from no walkthrough progress', () => wb.runCommand('Reset Welcome Page Walkthrough Progress'));

  await t.step('the walkthrough opens from Welcome: Open Walkthrough…', () => openWalkthrough(wb));
  const titles = await page.locator('.getting-started-step .step-title').allInnerTexts();
  t.log(`  steps: ${JSON.stringify(titles)}`);
  assert.deepEqual(titles.map((s) => s.trim()), walkthrough.steps.map((s) => s.title), 'every step shows, in order');
  assert.equal(await checkbox(page, 'newNetwork').getAttribute('aria-checked'), 'false', 'the first step starts unchecked');
  await t.screenshot('walkthrough-open');

  await t.step('its first step’s button runs CNN: New Network… for the lecture', async () => {
    await page.locator('.getting-started-step.expanded').getByText('Create lecture.cnn').click();
    await inputBox(wb).waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await inputBox(wb).inputValue(), 'lecture.cnn');
    await page.keyboard.press('Enter');
    await wb.waitForActiveEditor('lecture.cnn');
  });
  assert.equal(readFileSync(join(ws, 'lecture.cnn'), 'utf8'), LECTURE, 'the file is the lecture’s network');
  await t.step('language mode is CNN', () => wb.languageMode({ expect: 'CNN' }));
  await t.step('its shapes show as inlay hints', () => wb.waitForInlayHint(/→\s*32×32×16/));
  const hints = await wb.inlayHints();
  t.log(`  inlay hints: ${JSON.stringify(hints)}`);
  assert.ok(hints.some((h) => /8×8×32/.test(h)), 'the second pool’s 8×8×32 shows');
  await t.step('a hover on conv works the shape rule out', () => wb.hover(CONV_LINE, 2, { expect: /\(32 − 3 \+ 2·1\) \/ 1 \+ 1 = 32/ }));
  t.publish(await t.screenshot('walkthrough-shapes'), 'walkthrough-shapes.png');
  await wb.dismiss();

  await t.step('the palette’s New Network… offers the templates with their facts', async () => {
    await wb.runCommand('CNN: New Network');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'TinyVGG' }).first().waitFor({ state: 'visible', timeout: 20_000 });
  });
  const rows = await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts();
  t.log(`  templates: ${JSON.stringify(rows.map((r) => r.replace(/\s+/g, ' ')))}`);
  assert.ok(rows.some((r) => r.includes('lecture') && r.includes('32×32×3 input · 8 layers · 11,235 parameters')), 'the lecture with its facts');
  assert.ok(rows.some((r) => r.includes('LeNet-5') && r.includes('28×28×1 input')), 'LeNet-5');
  assert.ok(rows.some((r) => r.includes('TinyVGG') && r.includes('64×64×3 input')), 'TinyVGG');
  t.publish(await t.screenshot('walkthrough-new-network'), 'walkthrough-new-network.png');

  await t.step('choosing the lecture again offers a free name and refuses to overwrite', async () => {
    await inputBox(wb).fill('lecture');
    await page.waitForFunction(() => document.querySelector('.quick-input-widget .monaco-list-row.focused')?.textContent?.includes('lecture'), null, { timeout: 20_000 });
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('.quick-input-widget .quick-input-box input')?.value === 'lecture-2.cnn', null, { timeout: 20_000 });
    await inputBox(wb).fill('lecture.cnn');
    await page.locator('.quick-input-widget', { hasText: 'already exists' }).waitFor({ state: 'visible', timeout: 20_000 });
    await page.keyboard.press('Enter'); // refused while the message shows
    await page.keyboard.press('Escape');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 20_000 });
  });
  assert.equal(readFileSync(join(ws, 'lecture.cnn'), 'utf8'), LECTURE, 'lecture.cnn is untouched');
  assert.ok(!existsSync(join(ws, 'lecture-2.cnn')), 'nothing else was created');

  await t.step('a stride mistake: stride=4 on the first conv gives E020 (stride=2 rounds down to 16 as PyTorch does: no error)', async () => {
    await wb.goTo(CONV_LINE, STRIDE_COL);
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.type('4');
    await wb.openProblems();
    await wb.waitForProblems('an E020 row', hasE020);
  });
  await t.step('…fixed with the quick fix', async () => {
    // (32 − 3 + 2·1)/4 + 1 = 8.75: strides that see every pixel first, each with its map; stride=2 halves the map.
    const offered = await wb.quickFix(CONV_LINE, STRIDE_COL - 'stride='.length, { pick: /stride=2 \(gives 16×16\)/ });
    t.log(`  offered: ${JSON.stringify(offered)}`);
    assert.ok(offered.includes('Change to pad=2 (gives 9×9)'), 'the padding that keeps stride 4 is offered too');
    await wb.waitForProblems('no E020 row', `!(${hasE020})`);
    assert.match((await wb.editorLines())[CONV_LINE - 1], /stride=2\b/);
    await wb.save();
  });

  await t.step('the walkthrough ticks: the network made, its shapes seen, the mistake fixed', async () => {
    await openWalkthrough(wb);
    await waitForDone(page, 'newNetwork');
    await waitForDone(page, 'shapes');
    await waitForDone(page, 'strideMistake');
  });
  assert.equal(await checkbox(page, 'train').getAttribute('aria-checked'), 'false', 'training is still to do');
  await t.screenshot('walkthrough-ticked');

  await t.step('Ctrl+K Ctrl+Shift+I in lecture.cnn opens the inspector', async () => {
    await page.locator('.editor-group-container.active .tab', { hasText: 'lecture.cnn' }).click();
    await wb.waitForActiveEditor('lecture.cnn');
    await wb.focusWorkbench();
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+Shift+I');
    const frame = wb.inspectorFrame();
    await frame.locator('[role=tab][data-tab=explorer]').click({ timeout: 30_000 });
    await frame.locator('button.preset[data-stride="3"]').click({ timeout: 20_000 });
    await frame.getByText('does not fit').first().waitFor({ timeout: 20_000 });
  });
  await t.step('the explorer at stride 3 and the inspector tick their steps', async () => {
    await openWalkthrough(wb);
    await waitForDone(page, 'featureMaps');
    await waitForDone(page, 'convolution');
  });

  await t.step('Show Model Summary with the inspector beside opens below lecture.cnn, at its width', async () => {
    // The walkthrough opened over the inspector: bring the inspector back, then work in lecture.cnn.
    await page.locator('.editor-group-container .tab', { hasText: 'CNN Inspector' }).first().click();
    await page.locator('.editor-group-container .tab[data-resource-name="lecture.cnn"]').first().click();
    await wb.waitForActiveEditor('lecture.cnn');
    await wb.runCommand('CNN: Show Model Summary');
    const groupWith = (tab) => page.locator('.editor-group-container').filter({ has: page.locator('.tab', tab) });
    const summary = groupWith({ hasText: 'summary' }).first();
    await summary.locator('.view-line', { hasText: 'Output shape' }).waitFor({ timeout: 20_000 });
    const cnn = groupWith({ hasText: 'lecture.cnn', hasNotText: 'summary' }).first();
    const inspector = groupWith({ hasText: 'CNN Inspector' }).first();
    const [s, c, i] = [await summary.boundingBox(), await cnn.boundingBox(), await inspector.boundingBox()];
    t.log(`  lecture.cnn ${JSON.stringify(c)}, summary ${JSON.stringify(s)}, inspector ${JSON.stringify(i)}`);
    assert.ok(s.y >= c.y + c.height - 2, 'the summary is below lecture.cnn');
    assert.ok(Math.abs(s.x - c.x) <= 2 && Math.abs(s.width - c.width) <= 2, 'with the width of lecture.cnn');
    assert.ok(i.x >= c.x + c.width - 2, 'the inspector stays beside it');
    await page.locator('iframe.webview.ready').first().waitFor({ state: 'visible', timeout: 10_000 });
  });
  await t.screenshot('summary-below');

  await t.step('the keybindings of Train and Open Inspector clash with no other binding', async () => {
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+S');
    const search = page.locator('.keybindings-editor input[placeholder*="search in keybindings"]').first();
    await search.waitFor({ state: 'visible', timeout: 20_000 });
    for (const kb of manifest.contributes.keybindings) {
      await search.fill(`"${kb.key}"`);
      // Wait for the table to show our command for this key, then read every row it lists for the key.
      await page.locator('.keybindings-editor .monaco-list-row', { hasText: kb.command === 'cnnStudio.train' ? 'Train Model' : 'Open Inspector' }).first().waitFor({ timeout: 20_000 });
      const found = await page.locator('.keybindings-editor .monaco-list-row').allInnerTexts();
      t.log(`  ${kb.key}: ${JSON.stringify(found.map((r) => r.replace(/\s+/g, ' ')))}`);
      assert.equal(found.length, 1, `${kb.key} is bound to nothing else`);
    }
  });

  await t.step('in a window with no folder, New Network… opens an untitled tinyvgg.cnn with its shapes', async () => {
    const bare = new Workbench(await t.browser.newPage(), t.server);
    await bare.page.goto(`${t.server.url}/?ew=true`, { waitUntil: 'domcontentloaded' });
    await bare.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await bare.focusWorkbench();
    // The palette lists the commands known when it opens: a new window's extensions may register a moment later.
    for (let attempt = 1; ; attempt++) {
      try {
        await bare.runCommand('CNN: New Network', { timeout: 10_000 });
        break;
      } catch (err) {
        if (attempt === 3) {
          await t.screenshot('walkthrough-no-folder-failed', bare);
          throw err;
        }
        await bare.page.keyboard.press('Escape');
        await bare.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
      }
    }
    await inputBox(bare).fill('TinyVGG');
    await bare.page.waitForFunction(() => document.querySelector('.quick-input-widget .monaco-list-row.focused')?.textContent?.includes('TinyVGG'), null, { timeout: 20_000 });
    await bare.page.keyboard.press('Enter');
    await bare.waitForActiveEditor('tinyvgg.cnn');
    await bare.languageMode({ expect: 'CNN' });
    await bare.waitForInlayHint(/→\s*62×62×10/);
    const tab = await bare.page.locator('.editor-group-container.active .tab.active').getAttribute('aria-label');
    t.log(`  tab: ${tab}`);
    await bare.page.close();
  });
}
