// Issue 4: CNN: Open Inspector shows the network's architecture beside the editor; clicking a layer moves the
// editor's cursor to its line, and moving the cursor highlights its layer; the feature maps of a validation
// sample come from an inspect-only trainer when nothing is training; the panel is rebuilt from its state when
// hidden and shown, and revived by its serializer after a reload. (Training is in training.mjs.)

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const name = 'Inspector: architecture of lecture.cnn, click a layer to move the cursor, the cursor highlights its layer, state survives hiding and a reload';
export const timeout = 180_000;
// Also in the browser's web worker extension host (training in a Web Worker), behind the cross-origin-isolating proxy.
export const hosts = ['node', 'web'];
export const isolated = ['web'];

const LECTURE = readFileSync(fileURLToPath(new URL('../../../examples/lecture.cnn', import.meta.url)), 'utf8');
const lines = LECTURE.split('\n');
/** 1-based line of the n-th statement starting with `keyword`. */
const lineOf = (keyword, n = 1) => {
  let seen = 0;
  for (let i = 0; i < lines.length; i++) if (lines[i].trimStart().startsWith(`${keyword} `) || lines[i].trim() === keyword) if (++seen === n) return i + 1;
  throw new Error(`no ${keyword} #${n} in lecture.cnn`);
};

export default async function (t) {
  const ws = t.workspace({ 'lecture.cnn': LECTURE });
  const wb = await t.step('open lecture.cnn', () => t.open({ folder: ws, file: join(ws, 'lecture.cnn') }));
  // The language mode reads CNN once the extension's contributions are loaded (so the command is in the palette).
  await t.step('the extension is loaded', () => wb.languageMode({ expect: 'CNN' }));
  await t.step('run CNN: Open Inspector', () => wb.runCommand('CNN: Open Inspector'));

  // (Made again after the window reloads: they belong to a page.)
  let frame = wb.inspectorFrame();
  let boxes = frame.locator('cnn-architecture g.box');
  await t.step('the architecture shows every layer with its shape', async () => {
    await frame.locator('cnn-architecture g.box[data-key="layer-7"]').waitFor({ timeout: 30_000 });
    assert.equal(await boxes.count(), 9, 'input and 8 layers');
    const texts = await boxes.allTextContents();
    assert.match(texts[0], /32×32×3/);
    assert.match(texts[1], /conv[\s\S]*32×32×16[\s\S]*448 params/);
    assert.match(texts[3], /pool[\s\S]*16×16×16/);
    assert.match(texts[8], /softmax/);
  });
  await t.screenshot('inspector-architecture');

  const poolLine = lineOf('pool', 1);
  await t.step(`clicking the first pool moves the cursor to line ${poolLine}`, async () => {
    await frame.locator('cnn-architecture g.box[data-key="layer-2"] path.front').click();
    await wb.waitForCursorLine('lecture.cnn', poolLine);
  });

  const convLine = lineOf('conv', 2);
  await t.step(`moving the cursor to line ${convLine} highlights the second conv`, async () => {
    await wb.focusWorkbench();
    await wb.goTo(convLine, 1);
    await frame.locator('cnn-architecture g.box.current[data-key="layer-3"]').waitFor({ timeout: 20_000 });
    assert.equal(await frame.locator('cnn-architecture g.box.current').count(), 1);
  });
  const shot = await t.screenshot('inspector-cursor');
  t.publish(shot, 'inspector-editor.png');

  // Not training: Show starts an inspect-only trainer (fresh weights, no checkpoint yet) for the feature maps.
  await t.step('feature maps of validation sample 0 from an inspect-only trainer', async () => {
    await frame.locator('cnn-inspector [role=tab][data-tab=features]').click();
    await frame.locator('cnn-feature-maps button.show').click();
    await frame.locator('cnn-feature-maps canvas.tiles[data-layer="7"]').waitFor({ timeout: 60_000 });
    const painted = await frame.locator('cnn-feature-maps canvas[data-layer]').evaluateAll((cs) =>
      cs.map((c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
      }),
    );
    assert.equal(painted.length, 9, 'the input and 8 layers');
    assert.ok(painted.every((n) => n > 0), `every map has pixels: ${painted}`);
    assert.match(await frame.locator('cnn-feature-maps .controls .note').textContent(), /untrained/);
  });
  await t.screenshot('inspector-feature-maps');

  // The panel keeps no context while hidden (retainContextWhenHidden is off): its state comes back from
  // getState() when shown, and from the serializer after a window reload.
  const filtersTab = frame.locator('cnn-inspector [role=tab][data-tab=filters][aria-selected=true]');
  await t.step('choose the Filters tab', async () => {
    await frame.locator('cnn-inspector [role=tab][data-tab=filters]').click();
    await filtersTab.waitFor({ timeout: 20_000 });
  });
  await t.step('hidden and shown again, the panel is rebuilt on the Filters tab', async () => {
    // A mark in the panel's page: gone after showing again means the page was rebuilt, not merely shown.
    await frame.locator('cnn-inspector').evaluate(() => (window.cnnMark = true));
    // Hide it behind another editor in its own group, then click its tab.
    await wb.focusWorkbench();
    await wb.page.keyboard.press('Control+2'); // View: Focus Second Editor Group
    // (The keyboard now belongs to the panel's page, so the file is opened from the explorer, into that group.)
    await wb.page.locator('.explorer-folders-view .monaco-list-row[aria-label*="lecture.cnn"]').click();
    await wb.page.waitForFunction(() => !document.querySelector('.tab.active[aria-label*="CNN Inspector"]'), null, { timeout: 20_000 });
    await wb.page.locator('.tab[aria-label*="CNN Inspector"]').click();
    await filtersTab.waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('cnn-inspector').evaluate(() => window.cnnMark ?? null), null, 'the panel was rebuilt from its state');
  });
  await t.step('after a window reload the serializer brings it back, following lecture.cnn', async () => {
    const held = await wb.waitForStoredState(/tab\\*"\s*:\s*\\*"filters/);
    t.log(`  stored in ${held.join(', ')}`);
    await wb.reload();
    frame = wb.inspectorFrame();
    boxes = frame.locator('cnn-architecture g.box');
    // The serializer revives the panel with the state the webview saved: the tab the user chose, not the
    // default Architecture.
    // (Its tab may come back behind the other editor of its group, as it was a moment before; bring it forward.)
    await wb.page.locator('.tab[aria-label*="CNN Inspector"]').click({ timeout: 60_000 });
    const chosen = frame.locator('cnn-inspector [role=tab][aria-selected=true]');
    await chosen.waitFor({ timeout: 60_000 });
    const tab = await chosen.getAttribute('data-tab');
    t.log(`  restored on the ${tab} tab`);
    if (tab !== 'filters') {
      const stored = await wb.storedKeys(/tab\\*"\s*:\s*\\*"(architecture|features|filters)/);
      assert.fail(`the panel comes back on a tab the user chose, not ${tab} (before the reload the state was in ${held.join(', ')}; now tabs are stored in ${stored.join(', ') || 'no key'})`);
    }
    await frame.locator('cnn-inspector [role=tab][data-tab=architecture]').click();
    await frame.locator('cnn-architecture g.box[data-key="layer-7"]').waitFor({ timeout: 30_000 });
    assert.equal(await boxes.count(), 9, 'input and 8 layers, after the reload');
  });
  await t.screenshot('inspector-after-reload');
}
