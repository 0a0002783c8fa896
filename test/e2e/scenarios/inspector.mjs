// Issue 4: CNN: Open Inspector shows the network's architecture beside the editor; clicking a layer moves the
// editor's cursor to its line, and moving the cursor highlights its layer; the feature maps of a validation
// sample come from an inspect-only trainer when nothing is training. (Training checks come later.)

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const name = 'Inspector: architecture of lecture.cnn, click a layer to move the cursor, the cursor highlights its layer';
export const timeout = 180_000;

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

  const frame = wb.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const boxes = frame.locator('cnn-architecture g.box');
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
    await wb.waitForCursor(poolLine, 1);
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
}
