// Issue 5: with `cnnStudio.backend` set to `pytorch`, CNN: Train Model exports the network and runs the exported
// train.py (Debian's /usr/bin/python3 with torch) as the trainer child: progress in the notification and the
// inspector (which says "pytorch engine"), a finish notification, train.py's training health in the Training tab,
// a checkpoint in runs/ that the built-in engine then loads for the inspector's feature maps.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const name = 'PyTorch backend: CNN: Train Model runs the exported train.py; the inspector shows its run and its checkpoint';
export const timeout = 300_000;

const PYTHON = '/usr/bin/python3';
function hasTorch() {
  try {
    execFileSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore', timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}
// CI installs python3-torch (.ci/run), so there it must run; elsewhere say why it does not.
export const skip = process.env.CI !== 'true' && !hasTorch() ? `${PYTHON} cannot import torch (apt-get install python3-torch python3-numpy)` : undefined;

const LECTURE = readFileSync(fileURLToPath(new URL('../../../examples/lecture.cnn', import.meta.url)), 'utf8');
const MODEL = LECTURE.replace(/^data shapes samples=\d+/m, 'data shapes samples=900').replace(/^train epochs=\d+/m, 'train epochs=2');
assert.notEqual(MODEL, LECTURE);
const SETTINGS = JSON.stringify({ 'cnnStudio.backend': 'pytorch', 'cnnStudio.pythonPath': PYTHON }, null, 2);

export default async function (t) {
  const ws = t.workspace({ 'lecture.cnn': MODEL, '.vscode/settings.json': SETTINGS });
  const wb = await t.step('open lecture.cnn in a workspace with cnnStudio.backend = pytorch', () => t.open({ folder: ws, file: join(ws, 'lecture.cnn') }));
  await t.step('the extension is loaded', () => wb.languageMode({ expect: 'CNN' }));
  await t.step('run CNN: Open Inspector', () => wb.runCommand('CNN: Open Inspector'));
  const frame = wb.inspectorFrame();
  await frame.locator('cnn-architecture g.box[data-key="layer-7"]').waitFor({ timeout: 30_000 });
  await frame.locator('cnn-inspector [role=tab][data-tab=training]').click();

  await t.step('focus the editor', async () => {
    await wb.focusWorkbench();
    await wb.goTo(1, 1);
  });
  await t.step('run CNN: Train Model from the palette', () => wb.runCommand('CNN: Train Model'));

  await t.step('the inspector shows the run on the pytorch engine', async () => {
    await frame.locator('cnn-training .note', { hasText: /pytorch engine/ }).waitFor({ timeout: 120_000 });
  });
  await t.step('the run finishes with a notification', async () => {
    await wb.page.locator('.notification-toast', { hasText: /Finished training lecture.cnn after 2 epochs/ }).waitFor({ timeout: 180_000 });
  });
  await t.screenshot('pytorch-finished');
  await t.step("the Training tab shows train.py's training health: the gradient flow and the epoch's verdict", async () => {
    await frame.locator('cnn-inspector [role=tab][data-tab=training]').click();
    await frame.locator('cnn-gradient-flow .note', { hasText: /Epoch 2: no training-health warnings/ }).waitFor({ timeout: 30_000 });
    await frame.locator('cnn-gradient-flow cnn-line-chart').waitFor({ timeout: 30_000 });
    await frame.locator('cnn-gradient-flow').scrollIntoViewIfNeeded();
  });
  await t.screenshot('pytorch-health');

  const run = await t.step('runs/ holds the exported package, the checkpoint and the metrics', () => {
    const runs = join(ws, 'runs');
    const dirs = readdirSync(runs).filter((d) => d.startsWith('DoorStairSign-'));
    assert.equal(dirs.length, 1, `one run folder: ${dirs}`);
    const dir = join(runs, dirs[0]);
    assert.ok(existsSync(join(dir, 'model.safetensors')), 'model.safetensors');
    const rows = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows.filter((r) => !r.health).map((e) => e.epoch), [1, 2]);
    // train.py's training-health records, each epoch's end with its (here empty) list of warnings.
    assert.deepEqual(rows.filter((r) => r.health?.diagnostics).map((r) => r.health.epoch), [1, 2]);
    return dir;
  });
  t.log(`run folder ${run}`);

  await t.step('the feature maps come from the checkpoint train.py wrote (loaded by the built-in engine)', async () => {
    await frame.locator('cnn-inspector [role=tab][data-tab=features]').click();
    await frame.locator('cnn-feature-maps button.show').click();
    await frame.locator('cnn-feature-maps canvas.tiles[data-layer="7"]').waitFor({ timeout: 60_000 });
    const note = (await frame.locator('cnn-feature-maps .controls .note').allTextContents()).join(' ');
    assert.doesNotMatch(note, /untrained/, 'a checkpoint was found');
  });
  await t.screenshot('pytorch-feature-maps');
}
