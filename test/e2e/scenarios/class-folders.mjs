// W105: a classes line whose names are not the class folders of its `data folder` warns in the Problems panel,
// says which folder would train as which class, and its quick fix writes the folders' names on the line. In the
// browser's extension host too, where the class folders are read in the background through vscode.workspace.fs.

import assert from 'node:assert/strict';
import { join } from 'node:path';

export const name = 'W105: class names that are not the class folders warn, with the folder names as the quick fix';
export const timeout = 120_000;
export const hosts = ['node', 'web'];
export const isolated = ['web'];

const MODEL = `network Xray
input 16x16x1
classes pneumonia normal
conv filters=4 size=3 pad=1
relu
pool max size=2
dense units=2
softmax
data folder xray
`;
const CLASSES_LINE = 3;

const hasW105 = `rows.some((r) => /W105/.test(r.text + ' ' + r.label))`;

export default async function (t) {
  // The checker reads only the folders' names; a hidden file keeps each class folder.
  const ws = t.workspace({ 'xray.cnn': MODEL, 'xray/NORMAL/.keep': '', 'xray/PNEUMONIA/.keep': '' });
  const wb = await t.step('open xray.cnn beside xray/NORMAL and xray/PNEUMONIA', () => t.open({ folder: ws, file: join(ws, 'xray.cnn') }));
  await wb.openProblems();
  const rows = await t.step('Problems panel lists W105', () => wb.waitForProblems('a W105 row', hasW105));
  const row = rows.find((r) => /W105/.test(r.text + ' ' + r.label));
  t.log(`  problem: ${row.text}`);
  assert.ok(row.text.startsWith("The images in NORMAL/ would train as 'pneumonia'"), `the message pairs each folder with the class it would train as: ${row.text}`);
  await t.step('it is a warning, not an error', () => wb.waitForErrorCount(0));
  await t.screenshot('class-folders-w105');

  // The Problems panel has the keyboard: give it back to the text, or Ctrl+. would go to the panel.
  await wb.focusWorkbench();
  const offered = await t.step('quick fix: name the classes after the folders', () => wb.quickFix(CLASSES_LINE, 10, { pick: /Name the classes after the folders/ }));
  t.log(`  offered: ${JSON.stringify(offered)}`);
  await t.step('W105 is gone from the Problems panel', () => wb.waitForProblems('no W105 row', `!(${hasW105})`));
  const lines = await wb.editorLines();
  assert.equal(lines[CLASSES_LINE - 1], 'classes NORMAL PNEUMONIA');
  await wb.save();
}
