// Issue 11, item 3: CNN: Export to PyTorch never writes over the user's files without asking. A folder
// DoorStairSign-pytorch/ that holds the user's own README.md makes the export ask in a modal dialog; Cancel
// writes nothing (so the next export asks again), Overwrite writes the package; exporting again over its own
// export does not ask.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const name = 'CNN: Export to PyTorch asks before it overwrites a folder of the user\'s files';
export const timeout = 180_000;

const LECTURE = readFileSync(fileURLToPath(new URL('../../../examples/lecture.cnn', import.meta.url)), 'utf8');
const NOTES = '# My notes\n\nNot an export.\n';

export default async function (t) {
  const ws = t.workspace({ 'lecture.cnn': LECTURE, 'DoorStairSign-pytorch/README.md': NOTES });
  const pkg = join(ws, 'DoorStairSign-pytorch');
  const wb = await t.step('open lecture.cnn beside a folder DoorStairSign-pytorch/ of the user\'s', () => t.open({ folder: ws, file: join(ws, 'lecture.cnn') }));
  await t.step('the extension is loaded', () => wb.languageMode({ expect: 'CNN' }));
  const dialog = wb.page.locator('.monaco-dialog-box');

  await t.step('CNN: Export to PyTorch asks in a modal dialog, saying what the folder holds', async () => {
    await wb.runCommand('CNN: Export to PyTorch');
    await dialog.filter({ hasText: /DoorStairSign-pytorch is not empty and is not a CNN Studio export \(it holds "README\.md"\)\. Overwrite it\?/ }).waitFor({ timeout: 30_000 });
  });
  await t.screenshot('export-overwrite-dialog');

  await t.step('Cancel writes nothing: the folder is as it was, and the next export asks again', async () => {
    await dialog.locator('.dialog-buttons a.monaco-button', { hasText: /^Cancel$/ }).click();
    await dialog.waitFor({ state: 'detached', timeout: 20_000 });
    await wb.focusWorkbench();
    await wb.runCommand('CNN: Export to PyTorch');
    await dialog.filter({ hasText: /is not a CNN Studio export/ }).waitFor({ timeout: 30_000 });
    assert.equal(readFileSync(join(pkg, 'README.md'), 'utf8'), NOTES);
    assert.equal(existsSync(join(pkg, 'model.py')), false, 'no model.py after Cancel');
  });

  await t.step('Overwrite writes the package', async () => {
    await dialog.locator('.dialog-buttons a.monaco-button', { hasText: /^Overwrite$/ }).click();
    await wb.page.locator('.notification-toast', { hasText: /exported DoorStairSign to DoorStairSign-pytorch/ }).waitFor({ timeout: 30_000 });
    assert.match(readFileSync(join(pkg, 'README.md'), 'utf8'), /^# DoorStairSign in PyTorch/);
    assert.ok(existsSync(join(pkg, 'model.py')), 'model.py');
    assert.ok(existsSync(join(pkg, '.cnn-studio-export.json')), 'the export marker');
  });

  await t.step('exporting again over its own export does not ask', async () => {
    await wb.runCommand('Notifications: Clear All Notifications');
    await wb.page.locator('.notification-toast').first().waitFor({ state: 'detached', timeout: 20_000 });
    await wb.focusWorkbench();
    const before = readFileSync(join(pkg, '.cnn-studio-export.json'), 'utf8');
    await wb.runCommand('CNN: Export to PyTorch');
    await wb.page.locator('.notification-toast', { hasText: /exported DoorStairSign to DoorStairSign-pytorch/ }).waitFor({ timeout: 30_000 });
    assert.equal(await dialog.count(), 0, 'no dialog');
    assert.equal(readFileSync(join(pkg, '.cnn-studio-export.json'), 'utf8'), before);
  });
}
