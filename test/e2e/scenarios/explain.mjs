// Issue 10: the inspector's Explain tab in a real VS Code: nothing training, so the inspect-only trainer explains
// validation sample 0 with the file's weights (fresh, no checkpoint yet) — Grad-CAM at the last pool, saliency and
// occlusion side by side over the input — and moving the editor's cursor onto the first conv line asks again at
// that layer. (The trained case, Grad-CAM on a misclassified sample, belongs to the training scenario.)

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const name = 'Explain tab: three maps of a validation sample from the inspect-only trainer; the cursor on a conv line picks its layer';
export const timeout = 180_000;

const LECTURE = readFileSync(fileURLToPath(new URL('../../../examples/lecture.cnn', import.meta.url)), 'utf8');
const lines = LECTURE.split('\n');
/** 1-based line of the n-th statement starting with `keyword`. */
const lineOf = (keyword, n = 1) => {
  let seen = 0;
  for (let i = 0; i < lines.length; i++) if (lines[i].trimStart().startsWith(`${keyword} `) || lines[i].trim() === keyword) if (++seen === n) return i + 1;
  throw new Error(`no ${keyword} #${n} in lecture.cnn`);
};

/** Per overlay canvas of the Explain tab: its method and how many of its pixels are painted. */
const overlays = (frame) =>
  frame.locator('cnn-explain canvas.overlay').evaluateAll((cs) =>
    cs.map((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return { method: c.dataset.method, w: c.width, h: c.height, painted: n };
    }),
  );

export default async function (t) {
  const ws = t.workspace({ 'lecture.cnn': LECTURE });
  const wb = await t.step('open lecture.cnn', () => t.open({ folder: ws, file: join(ws, 'lecture.cnn') }));
  await t.step('the extension is loaded', () => wb.languageMode({ expect: 'CNN' }));
  await t.step('run CNN: Open Inspector', () => wb.runCommand('CNN: Open Inspector'));
  const frame = wb.inspectorFrame();

  await t.step('the Explain tab shows Grad-CAM, saliency and occlusion of validation sample 0', async () => {
    await frame.locator('cnn-inspector [role=tab][data-tab=explain]').click({ timeout: 30_000 });
    await frame.locator('cnn-explain canvas.overlay[data-method=occlusion]').waitFor({ timeout: 90_000 });
    const drawn = await overlays(frame);
    assert.deepEqual(
      drawn.map((o) => [o.method, o.w, o.h]),
      [
        ['gradcam', 32, 32],
        ['saliency', 32, 32],
        ['occlusion', 32, 32],
      ],
    );
    assert.ok(drawn.every((o) => o.painted === 32 * 32), `every overlay is painted: ${JSON.stringify(drawn)}`);
    const caption = await frame.locator('cnn-explain figcaption').first().textContent();
    assert.match(caption, new RegExp(`Grad-CAM\\s+line ${lineOf('pool', 2)}, 8×8`));
    assert.match(await frame.locator('cnn-explain .about').textContent(), /validation sample 0[\s\S]*explaining \w+ \(predicted, \d+%\)/);
  });
  await t.screenshot('explain-tab');

  const conv = lineOf('conv', 1);
  await t.step(`the cursor on line ${conv} (the first conv) explains at that layer`, async () => {
    await wb.focusWorkbench();
    await wb.goTo(conv, 1);
    await frame.locator('cnn-explain figcaption', { hasText: `line ${conv}, 32×32` }).waitFor({ timeout: 60_000 });
    assert.equal(await frame.locator('cnn-explain select.layer').inputValue(), String(conv - 1));
  });
  await t.screenshot('explain-tab-conv');
}
