// Issue 12, item 6: in a side-panel-width inspector the lecture's whole network shows at once, its ending
// (FC → softmax) included: every layer's box lies inside the panel and nothing scrolls sideways, at the panel's
// width and in a narrower window. The boxes stay linked to the code both ways.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const name = 'Inspector fits a side panel: every layer of lecture.cnn, softmax included, within the visible width';
export const timeout = 180_000;

const LECTURE = readFileSync(fileURLToPath(new URL('../../../examples/lecture.cnn', import.meta.url)), 'utf8');
const lines = LECTURE.split('\n');
const lineOf = (keyword) => lines.findIndex((l) => l.trimStart().startsWith(keyword)) + 1;

export default async function (t) {
  const ws = t.workspace({ 'lecture.cnn': LECTURE });
  const wb = await t.step('open lecture.cnn', () => t.open({ folder: ws, file: join(ws, 'lecture.cnn') }));
  await t.step('the extension is loaded', () => wb.languageMode({ expect: 'CNN' }));
  await t.step('run CNN: Open Inspector (beside the editor)', () => wb.runCommand('CNN: Open Inspector'));
  const frame = wb.inspectorFrame();
  await frame.locator('cnn-architecture g.box[data-key="layer-7"]').waitFor({ timeout: 30_000 });

  /** Every box's bounding box against the panel's visible width, and the scroll widths, measured in the page. */
  const measure = () =>
    frame.locator('cnn-inspector').evaluate((app) => {
      const arch = app.shadowRoot.querySelector('cnn-architecture');
      const root = arch.shadowRoot;
      const view = document.documentElement.clientWidth;
      const fit = root.querySelector('.fit');
      return {
        view,
        doc: { scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth },
        fit: { scrollWidth: fit.scrollWidth, clientWidth: fit.clientWidth },
        boxes: [...root.querySelectorAll('g.box')].map((g) => {
          const r = g.getBoundingClientRect();
          return { key: g.dataset.key, kind: g.querySelector('text.kind').textContent.trim(), left: r.left, right: r.right, top: r.top };
        }),
      };
    });
  const expectFits = async (when) => {
    // The drawing follows the panel's width once it has been measured: wait for the fit, then check every box.
    await frame.locator('cnn-inspector').evaluate(
      (app) =>
        new Promise((resolve, reject) => {
          const until = performance.now() + 20_000;
          const tick = () => {
            const root = app.shadowRoot.querySelector('cnn-architecture').shadowRoot;
            const fit = root.querySelector('.fit');
            if (fit && fit.scrollWidth <= fit.clientWidth) resolve();
            else if (performance.now() > until) reject(new Error(`still ${fit?.scrollWidth} > ${fit?.clientWidth}`));
            else requestAnimationFrame(tick);
          };
          tick();
        }),
    );
    const m = await measure();
    t.log(`  ${when}: panel ${m.view} px wide, boxes ${m.boxes.map((b) => `${b.kind} ${Math.round(b.left)}–${Math.round(b.right)}`).join(', ')}`);
    assert.ok(m.view < 700, `${when}: a side panel, ${m.view} px`);
    assert.equal(m.boxes.length, 9, `${when}: input and 8 layers`);
    assert.equal(m.boxes.at(-1).kind, 'softmax', `${when}: the last box is the softmax`);
    assert.ok(m.boxes.some((b) => b.kind === 'dense'), `${when}: the FC layer is drawn`);
    for (const b of m.boxes) assert.ok(b.left >= 0 && b.right <= m.view, `${when}: ${b.kind} (${b.key}) spans ${b.left}–${b.right} of ${m.view}`);
    assert.ok(m.fit.scrollWidth <= m.fit.clientWidth, `${when}: the drawing scrolls sideways: ${JSON.stringify(m.fit)}`);
    assert.ok(m.doc.scrollWidth <= m.doc.clientWidth, `${when}: the panel scrolls sideways: ${JSON.stringify(m.doc)}`);
    assert.ok(new Set(m.boxes.map((b) => Math.round(b.top))).size > 1, `${when}: wrapped onto more than one row`);
  };

  await t.step('at the side panel’s width every layer is within the visible width', () => expectFits('side panel'));
  const shot = await t.screenshot('inspector-architecture-fit');
  t.publish(shot, 'inspector-architecture-fit.png');

  const softmaxLine = lineOf('softmax');
  await t.step(`clicking the softmax moves the cursor to line ${softmaxLine}`, async () => {
    await frame.locator('cnn-architecture g.box[data-key="layer-7"] path.front').click();
    await wb.waitForCursorLine('lecture.cnn', softmaxLine);
  });
  const denseLine = lineOf('dense');
  await t.step(`moving the cursor to line ${denseLine} highlights the FC layer`, async () => {
    await wb.focusWorkbench();
    await wb.goTo(denseLine, 1);
    await frame.locator('cnn-architecture g.box.current[data-key="layer-6"]').waitFor({ timeout: 20_000 });
  });

  await t.step('in a narrower window the drawing fits the narrower panel', async () => {
    await wb.page.setViewportSize({ width: 1000, height: 860 });
    await expectFits('narrow window');
  });
  await t.screenshot('inspector-architecture-fit-narrow');
}
