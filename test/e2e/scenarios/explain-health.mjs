// Issue 10, "Done when": train from the command palette a network whose ReLUs die (plain SGD at lr=0.05 is too
// fast for it: about three quarters of each conv's units never fire after its first epoch, and stay so), see W301 on the conv
// layers' own lines (Problems panel, the editor's hover, the Training tab's list under the gradient flow), then
// in the Explain tab overlay Grad-CAM on a sample the network got wrong, and switch the misclassified gallery's
// Grad-CAM toggle on. Some units survive, so the maps are not all zero.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const name = 'Dead ReLUs: W301 on the conv lines after a run from the palette; Grad-CAM over a misclassified sample';
export const timeout = 300_000;

// The network of test/fixtures/health/dead-relu.cnn (the PyTorch package's health test trains it too).
const MODEL = readFileSync(fileURLToPath(new URL('../../fixtures/health/dead-relu.cnn', import.meta.url)), 'utf8');
const lines = MODEL.split('\n');
/** 1-based lines of the statements starting with `keyword`. */
const linesOf = (keyword) => lines.flatMap((l, i) => (l.startsWith(`${keyword} `) ? [i + 1] : []));
const CONVS = linesOf('conv');
const LAST_POOL = linesOf('pool').at(-1);
assert.deepEqual(CONVS, [6, 8]);

/** The Grad-CAM overlay: how many pixels are painted and how many distinct colours (a flat map paints one). */
const gradcamPixels = (frame) =>
  frame.locator('cnn-explain canvas.overlay[data-method=gradcam]').evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    const colours = new Set();
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0) painted++;
      colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    }
    return { w: c.width, h: c.height, painted, colours: colours.size };
  });

export default async function (t) {
  const ws = t.workspace({ 'dead-relu.cnn': MODEL });
  const wb = await t.step('open dead-relu.cnn', () => t.open({ folder: ws, file: join(ws, 'dead-relu.cnn') }));
  await t.step('the extension is loaded', () => wb.languageMode({ expect: 'CNN' }));
  await t.step('close the side bar, to give the inspector room', async () => {
    if (await wb.page.locator('#workbench\\.parts\\.sidebar').isVisible()) {
      await wb.page.keyboard.press('Control+B');
      await wb.page.locator('#workbench\\.parts\\.sidebar').waitFor({ state: 'hidden' });
    }
  });
  await t.step('run CNN: Open Inspector', () => wb.runCommand('CNN: Open Inspector'));
  const frame = wb.inspectorFrame();
  await frame.locator('cnn-inspector [role=tab][data-tab=training]').waitFor({ timeout: 30_000 });

  await t.step('run CNN: Train Model from the palette', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('CNN: Train Model');
  });
  const finished = await t.step('the run finishes', async () => {
    const toast = wb.page.locator('.notification-toast', { hasText: /Finished training dead-relu\.cnn after 2 epochs/ });
    await toast.waitFor({ timeout: 180_000 });
    return toast.innerText();
  });
  t.log(`  ${finished.split('\n')[0]}`);

  await t.step(`the Problems panel lists W301 (cnn-health) on the conv lines ${CONVS.join(' and ')}`, async () => {
    await wb.openProblems();
    const onLine = (line) => `rows.some((r) => /W301/.test(r.text) && /cnn-health/.test(r.text + r.label) && /\\[Ln ${line}, Col 1\\]/.test(r.text))`;
    const rows = await wb.waitForProblems(`W301 rows on lines ${CONVS.join(', ')}`, CONVS.map(onLine).join(' && '), { timeout: 30_000 });
    const w301 = rows.filter((r) => /W301/.test(r.text));
    for (const r of w301) t.log(`  problem: ${r.text.slice(0, 160)}`);
    // Only the conv lines: the dense layer has no activation, so nothing else can be dead.
    assert.equal(w301.length, CONVS.length, JSON.stringify(w301));
    for (const r of w301) assert.match(r.text, /\d+% of this layer's relu units never fire on the 60 validation samples.*Try a smaller learning rate \(lr=0\.005\), leakyrelu, or batchnorm before it\./);
  });
  await t.step('the status bar counts the two warnings and no error', async () => {
    await wb.page.waitForFunction(() => /Warnings?:?\s*2\b/i.test(document.querySelector('#status\\.problems')?.getAttribute('aria-label') ?? ''), null, { timeout: 20_000 }).catch(async () => {
      throw new Error(`status bar: ${JSON.stringify(await wb.problemCounts())}`);
    });
    assert.equal((await wb.problemCounts()).errors, 0);
  });

  await t.step('the Training tab lists the W301s under the gradient flow', async () => {
    await frame.locator('cnn-inspector [role=tab][data-tab=training]').click();
    const list = frame.locator('cnn-gradient-flow ul.health-diagnostics li');
    await list.nth(CONVS.length - 1).waitFor({ timeout: 30_000 });
    const items = await list.allInnerTexts();
    assert.deepEqual(items.map((s) => s.match(/^W30\d line \d+/)?.[0]), CONVS.map((l) => `W301 line ${l}`));
    await frame.locator('cnn-gradient-flow').scrollIntoViewIfNeeded();
  });

  const hover = await t.step(`the hover on line ${CONVS[0]} shows the warning with its code and source`, async () => {
    await wb.focusWorkbench();
    return wb.hover(CONVS[0], 2, { expect: /never fire[\s\S]*cnn-health\s*\(?W301/ });
  });
  t.log(`  hover: ${hover.replace(/\s*\n\s*/g, ' | ').slice(0, 240)}`);
  t.publish(await t.screenshot('health-w301'), 'editor-health-w301.png');
  await wb.dismiss();
  t.publish(await t.screenshot('health-gradient-flow'), 'editor-health-gradient-flow.png');
  await t.step('close the Problems panel', async () => {
    await wb.page.keyboard.press('Control+J');
    await wb.page.locator('#workbench\\.parts\\.panel').waitFor({ state: 'hidden' });
  });

  let sample = -1;
  await t.step('the Explain tab: pick a misclassified sample and see its Grad-CAM painted', async () => {
    await frame.locator('cnn-inspector [role=tab][data-tab=explain]').click();
    const missed = frame.locator('cnn-explain select.missed');
    await missed.waitFor({ timeout: 60_000 });
    const options = await missed.locator('option').evaluateAll((os) => os.map((o) => ({ value: o.value, text: o.textContent.trim() })));
    const misses = options.filter((o) => o.value !== '');
    assert.ok(misses.length > 0, 'the run misclassified some validation samples');
    // One that is not the sample shown already (validation sample 0 by default).
    const shown = Number(await frame.locator('cnn-explain input.sample').inputValue());
    const pick = misses.find((o) => Number(o.value) !== shown);
    assert.ok(pick, `a misclassified sample other than ${shown}: ${JSON.stringify(misses)}`);
    const [, truth, predicted] = pick.text.match(/^#\d+: (\w+) as (\w+)$/) ?? [];
    assert.ok(truth && predicted && truth !== predicted, `a misclassified option names its truth and prediction: ${pick.text}`);
    sample = Number(pick.value);
    await missed.selectOption(pick.value);
    // The explanation for that sample, with nothing left to update.
    const about = frame.locator('cnn-explain .about', { hasText: new RegExp(`validation sample ${sample}\\b`) });
    await about.filter({ hasNotText: 'updating' }).waitFor({ timeout: 90_000 });
    const text = (await about.innerText()).replace(/\s+/g, ' ');
    t.log(`  ${pick.text}: ${text}`);
    assert.match(text, new RegExp(`truth ${truth}\\b.*explaining ${predicted} \\(predicted, \\d+%\\)`));
    const caption = await frame.locator('cnn-explain figure[data-figure=gradcam] figcaption').innerText();
    assert.match(caption, new RegExp(`Grad-CAM\\s+line ${LAST_POOL}, 8×8`));
    const px = await gradcamPixels(frame);
    assert.deepEqual([px.w, px.h, px.painted], [32, 32, 32 * 32], `the Grad-CAM overlay is painted: ${JSON.stringify(px)}`);
    // The map is not flat zero: its colour scale ends above 0, and the overlay shows more than one colour.
    const top = (await frame.locator('cnn-explain figure[data-figure=gradcam] .colorbar').innerText()).trim().split(/\s+/).at(-1);
    assert.ok(Number(top) > 0, `Grad-CAM's largest value is above 0: ${top}`);
    assert.ok(px.colours > 16, `the overlay varies: ${px.colours} colours`);
  });
  t.publish(await t.screenshot('explain-misclassified'), 'editor-explain-misclassified.png');

  await t.step('the misclassified gallery with Grad-CAM on: every sample painted with its map', async () => {
    await frame.locator('cnn-inspector [role=tab][data-tab=prediction]').click();
    await frame.locator('cnn-prediction .gallery canvas[data-miss]').first().waitFor({ timeout: 60_000 });
    const misses = await frame.locator('cnn-prediction .gallery canvas[data-miss]').count();
    await frame.locator('cnn-prediction button.cam-toggle[aria-pressed=false]').click();
    await frame.locator('cnn-prediction button.cam-toggle[aria-pressed=true]').waitFor({ timeout: 10_000 });
    await frame.locator(`cnn-prediction canvas[data-cam=on] >> nth=${misses - 1}`).waitFor({ timeout: 60_000 });
    assert.equal(await frame.locator('cnn-prediction canvas[data-cam=on]').count(), misses);
    assert.match(await frame.locator('cnn-prediction .row.cam').innerText(), new RegExp(`Grad-CAM on\\s+line ${LAST_POOL}, the predicted class`));
    await frame.locator('cnn-prediction .row.cam').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  });
  t.publish(await t.screenshot('gallery-gradcam'), 'editor-gallery-gradcam.png');
}
