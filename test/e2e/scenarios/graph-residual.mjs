// Issue 8: a student types a residual block at human speed whose shortcut does not fit (`add stem` sums the
// block's 8×8×32 with the stem's 16×16×16); E050 names both shapes and their lines, the hover on `add` lists the
// incoming shapes, the quick fix adds a 1×1 projection shortcut (`from stem` + `conv filters=32 size=1 stride=2`)
// and the file is clean; CNN: Train Model trains the graph; the inspector draws it (the shortcut beside the
// block, both arrows into the add) and shows the feature maps of every layer of the trained graph.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const name = 'Graphs: a residual block typed with a wrong shortcut, E050, the projection quick fix, training, the architecture and feature maps of the graph';
export const timeout = 420_000;

const HEAD = `# A residual block, typed in the editor
network ResBlock
input 32x32x3
classes door stair sign

conv filters=16 size=3 pad=1
batchnorm
relu
stem: pool max size=2            # 16×16×16
`;
const TAIL = `
gap
dense units=3
softmax

data shapes samples=3000
train epochs=2 batch=32 optimizer=adam lr=0.003 seed=7
`;
// Typed on the empty line after the stem: halves the size and doubles the channels, then adds the stem back.
const BLOCK = `conv filters=32 size=3 stride=2 pad=1
batchnorm
relu
conv filters=32 size=3 pad=1
batchnorm
add stem
relu`;
const FIXED_BLOCK = `conv filters=32 size=3 stride=2 pad=1
batchnorm
relu
conv filters=32 size=3 pad=1
main: batchnorm
from stem
conv filters=32 size=1 stride=2
add main
relu`;

const TYPE_AT = HEAD.split('\n').length; // the empty line after the stem (1-based)
const ADD_LINE = TYPE_AT + BLOCK.split('\n').indexOf('add stem'); // 15
const STEM_COL = 'add '.length + 1; // `stem` in `add stem`
const MAIN_LINE = TYPE_AT + 4; // the block's last batchnorm, line 14
const STEM_LINE = TYPE_AT - 1; // `stem: pool`, line 9
// Layer indices once fixed: 0 conv, 1 batchnorm, 2 relu, 3 pool (stem), 4 conv, 5 batchnorm, 6 relu, 7 conv,
// 8 batchnorm (main), 9 the 1×1 projection (after `from stem`, which is no layer), 10 add, 11 relu, 12 gap,
// 13 dense, 14 softmax.
const ADD = 10;
const PROJECTION = 9;
const MAIN = 8;
const STEM = 3;
const LAST = 14;

const hasE050 = `rows.some((r) => /E050/.test(r.text + ' ' + r.label))`;

/** Non-transparent pixels of each canvas matched. */
const paintedPixels = (canvases) =>
  canvases.evaluateAll((cs) =>
    cs.map((c) => {
      if (!c.width || !c.height) return 0;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    }),
  );

export default async function (t) {
  // Hovers open below their line, so the one on `add` leaves the typed block above it in view (the picture).
  const ws = t.workspace({ 'resblock.cnn': `${HEAD}\n${TAIL}`, '.vscode/settings.json': '{ "editor.hover.above": false }\n' });
  const file = join(ws, 'resblock.cnn');
  const wb = await t.step('open resblock.cnn (the stem and the head, no block yet)', () => t.open({ folder: ws, file }));
  await t.step('the extension is loaded and the file is clean', async () => {
    await wb.languageMode({ expect: 'CNN' });
    await wb.waitForErrorCount(0);
  });

  await t.step(`type the residual block at human speed on line ${TYPE_AT}`, async () => {
    await wb.goTo(TYPE_AT, 1);
    await wb.typeLikeAPerson(BLOCK, { minDelay: 30, maxDelay: 60, seed: 8 });
  });
  await t.step('save: the file holds exactly what was typed', async () => {
    await wb.save();
    assert.equal(readFileSync(file, 'utf8'), `${HEAD}${BLOCK}\n${TAIL}`);
  });

  await wb.openProblems();
  const rows = await t.step('the Problems panel lists E050 for the add', () => wb.waitForProblems('an E050 row', hasE050));
  const e050 = rows.find((r) => /E050/.test(r.text + ' ' + r.label));
  t.log(`  problem: ${e050.text}`);
  assert.match(e050.text, /8×8×32/, 'the block\'s shape');
  assert.match(e050.text, /16×16×16/, 'the stem\'s shape');
  assert.match(e050.text, new RegExp(`line ${MAIN_LINE}\\b`), 'the line the current flow comes from');
  assert.match(e050.text, new RegExp(`line ${STEM_LINE}\\b`), 'the line the stem comes from');
  assert.equal(rows.filter((r) => /\bE\d{3}\b/.test(r.text + ' ' + r.label)).length, 1, `one mistake, one error: ${JSON.stringify(rows.map((r) => r.text))}`);
  await t.step('the status bar counts one error', () => wb.waitForErrorCount(1));

  const hover = await t.step('hover on add shows each incoming shape and where it comes from', () => wb.hover(ADD_LINE, 2, { expect: '16×16×16' }));
  t.log(`  hover: ${hover.replace(/\s*\n\s*/g, ' | ').slice(0, 300)}`);
  assert.match(hover, /8×8×32/);
  assert.match(hover, /stem/);
  t.publish(await t.screenshot('graph-e050'), 'graph-e050.png');
  await wb.dismiss();

  await t.step('Ctrl+. on the shortcut offers the 1×1 projection', async () => {
    await wb.goTo(ADD_LINE, STEM_COL);
    await wb.page.keyboard.press('Control+.');
    await wb.page.locator('.action-widget .monaco-list-row.action', { hasText: /projection/ }).first().waitFor({ state: 'visible' });
  });
  t.publish(await t.screenshot('graph-quick-fix'), 'graph-quick-fix.png');
  await wb.page.keyboard.press('Escape');
  await wb.page.locator('.action-widget').first().waitFor({ state: 'hidden' });
  // The keyboard back to the text before Ctrl+. again (once in CI it went elsewhere and no menu came).
  await wb.focusWorkbench();

  const offered = await t.step('apply the projection quick fix', () => wb.quickFix(ADD_LINE, STEM_COL, { pick: /projection shortcut/ }));
  t.log(`  offered: ${JSON.stringify(offered)}`);
  assert.ok(
    offered.some((o) => /from stem/.test(o) && /conv filters=32 size=1 stride=2/.test(o)),
    `the fix names the shortcut and its conv: ${JSON.stringify(offered)}`,
  );
  await t.step('E050 is gone and the status bar counts no error', async () => {
    await wb.waitForProblems('no E050 row', `!(${hasE050})`);
    await wb.waitForErrorCount(0);
  });
  await t.step('save: the block has its projection shortcut', async () => {
    await wb.save();
    assert.equal(readFileSync(file, 'utf8'), `${HEAD}${FIXED_BLOCK}\n${TAIL}`);
  });
  const clean = await wb.problems();
  assert.ok(!clean.some((r) => /\b[EW]\d{3}\b/.test(r.text + ' ' + r.label)), `no error or warning left: ${JSON.stringify(clean.map((r) => r.text))}`);

  await t.step('close the Problems panel and the side bar, to give the inspector room', async () => {
    // Ctrl+J and Ctrl+B toggle the panel and the side bar: both are open here.
    await wb.page.keyboard.press('Control+J');
    await wb.page.locator('#workbench\\.parts\\.panel').waitFor({ state: 'hidden' });
    await wb.page.keyboard.press('Control+B');
    await wb.page.locator('#workbench\\.parts\\.sidebar').waitFor({ state: 'hidden' });
  });
  await t.step('run CNN: Open Inspector', () => wb.runCommand('CNN: Open Inspector'));
  const frame = wb.inspectorFrame();
  await t.step('the architecture draws the graph: the shortcut branches off the stem and both paths join in the add', async () => {
    await frame.locator(`cnn-architecture g.box[data-key="layer-${LAST}"]`).waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('cnn-architecture g.box[data-key^="layer-"]').count(), LAST + 1, 'one box per layer (from is none)');
    const into = async (to) => (await frame.locator(`cnn-architecture path.arrow[data-to="${to}"]`).evaluateAll((ps) => ps.map((p) => p.getAttribute('data-from')))).sort();
    assert.deepEqual(await into(ADD), [String(MAIN), String(PROJECTION)].sort(), 'the add takes the projection and the block');
    assert.deepEqual(await into(PROJECTION), [String(STEM)], 'the projection takes the stem');
    assert.deepEqual(await into(STEM + 1), [String(STEM)], 'the block also starts from the stem');
    assert.match(await frame.locator(`cnn-architecture g.box[data-key="layer-${STEM}"]`).textContent(), /stem:/);
  });
  await t.step('clicking the add moves the cursor to its line', async () => {
    await frame.locator(`cnn-architecture g.box[data-key="layer-${ADD}"] path.front`).click();
    await wb.waitForCursorLine('resblock.cnn', ADD_LINE + 2);
  });
  t.publish(await t.screenshot('graph-architecture'), 'graph-architecture.png');

  await t.step('focus the editor of resblock.cnn', async () => {
    await wb.focusWorkbench();
    await wb.goTo(1, 1);
  });
  await t.step('run CNN: Train Model from the palette', () => wb.runCommand('CNN: Train Model'));
  await t.step('the run finishes with its validation accuracy', async () => {
    await wb.page.locator('.notification-toast', { hasText: /Finished training resblock\.cnn after 2 epochs: validation accuracy \d+(\.\d)?%/ }).waitFor({ timeout: 300_000 });
  });
  await t.step('runs/ beside the file holds the checkpoint, batch norm\'s running statistics included', () => {
    const runs = join(ws, 'runs');
    const dirs = readdirSync(runs).filter((d) => d.startsWith('ResBlock-'));
    assert.equal(dirs.length, 1, `one run folder: ${dirs}`);
    const bytes = readFileSync(join(runs, dirs[0], 'model.safetensors'));
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8'));
    for (const k of [`layers.${MAIN}.running_mean`, `layers.${MAIN}.running_var`, `layers.${MAIN}.num_batches_tracked`, `layers.${PROJECTION}.weight`]) {
      assert.ok(k in header, `${k} in the checkpoint: ${Object.keys(header).join(', ')}`);
    }
    assert.deepEqual(header[`layers.${PROJECTION}.weight`].shape, [32, 16, 1, 1], 'the 1×1 projection\'s weight');
  });

  await t.step('feature maps of every layer of the trained graph, the add and the projection included', async () => {
    await frame.locator('cnn-inspector [role=tab][data-tab=features]').click();
    await frame.locator('cnn-feature-maps button.show').click();
    await frame.locator(`cnn-feature-maps canvas.tiles[data-layer="${LAST}"]`).waitFor({ timeout: 60_000 });
    await frame.locator(`cnn-feature-maps canvas.tiles[data-layer="${ADD}"]`).waitFor({ timeout: 10_000 });
    await frame.locator(`cnn-feature-maps canvas.tiles[data-layer="${PROJECTION}"]`).waitFor({ timeout: 10_000 });
    const painted = await paintedPixels(frame.locator('cnn-feature-maps canvas[data-layer]'));
    assert.equal(painted.length, LAST + 2, `the input and ${LAST + 1} layers`);
    assert.ok(painted.every((n) => n > 0), `every map has pixels: ${painted}`);
    const note = (await frame.locator('cnn-feature-maps .controls .note').textContent().catch(() => '')) ?? '';
    assert.doesNotMatch(note, /untrained/, `the trained checkpoint's maps: ${note}`);
    // The picture: the shortcut's projection and the add, with the lines their inputs come from.
    // (the file name and the tabs stay at the top of the panel: keep the section's heading below them).
    await frame.locator(`cnn-feature-maps section.layer[data-index="${PROJECTION}"]`).evaluate((el) => {
      el.style.scrollMarginTop = '72px';
      el.scrollIntoView({ block: 'start' });
    });
  });
  t.publish(await t.screenshot('graph-feature-maps'), 'graph-feature-maps.png');
}
