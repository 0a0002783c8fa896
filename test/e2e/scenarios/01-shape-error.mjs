// Issue 2: a shape error (E020) shows in the Problems panel with its code, the hover works the arithmetic out,
// and a quick fix makes it go away. Also: the CNN language mode, inlay hints and the parameters status bar item.

import assert from 'node:assert/strict';
import { join } from 'node:path';

export const name = 'E020: Problems panel, hover arithmetic, quick fix, language mode, inlay hints, params in the status bar';
export const timeout = 120_000;
// Also with the extension in the browser's web worker extension host (`…@web`), as on vscode.dev, whose pages are
// cross-origin isolated: that entry's window opens through the isolating proxy.
export const hosts = ['node', 'web'];
export const isolated = ['web'];

// 7×7 input, F=3, S=3: (7 − 3 + 2·0)/3 + 1 = 2.33, not a whole number.
const MODEL = `network Demo
input 7x7x1
conv filters=1 size=3 stride=3
relu
dense units=3
softmax
`;
const CONV_LINE = 3;
const STRIDE_COL = MODEL.split('\n')[CONV_LINE - 1].indexOf('stride=3') + 1; // 1-based
const ARITHMETIC = '(7 − 3 + 2·0) / 3 + 1';

const hasE020 = `rows.some((r) => /E020/.test(r.text + ' ' + r.label))`;

export default async function (t) {
  const ws = t.workspace({ 'model.cnn': MODEL });
  const wb = await t.step('open the workspace and model.cnn', () => t.open({ folder: ws, file: join(ws, 'model.cnn') }));

  await t.step('language mode is CNN', () => wb.languageMode({ expect: 'CNN' }));

  const params = await t.step('status bar shows the parameter count', () => wb.waitForStatusBarItem(/\bparams\b/));
  t.log(`  status bar: "${params}"`);
  assert.match(params, /[\d,.]+\s*[kMG]?\s*params/);

  // The broken line shows the fraction, never a rounded-down size that reads as valid; the shapes below it are ?.
  await t.step('inlay hints show the broken output as its fraction', () => wb.waitForInlayHint(/→\s*2\.33×2\.33×1/));
  t.log(`  inlay hints: ${JSON.stringify(await wb.inlayHints())}`);

  await wb.openProblems();
  const rows = await t.step('Problems panel lists E020 with its code', () => wb.waitForProblems('an E020 row', hasE020));
  const e020 = rows.find((r) => /E020/.test(r.text + ' ' + r.label));
  t.log(`  problem: ${e020.text}`);
  assert.match(e020.text, /E020/, 'the row shows the diagnostic code');
  assert.ok(e020.text.includes(ARITHMETIC), `the message shows the arithmetic ${ARITHMETIC}`);
  assert.match(e020.text + e020.label, /\bcnn\b/, 'the source is cnn');
  // The status bar's problem count updates on its own schedule: wait for it rather than read it once.
  await t.step('the status bar counts the error', () => wb.waitForErrorCount(1));

  // Hover on the keyword, outside the diagnostic's range: this text comes from the extension's hover provider.
  const hover = await t.step('hover on conv shows the worked arithmetic', () => wb.hover(CONV_LINE, 2, { expect: ARITHMETIC }));
  t.log(`  hover: ${hover.replace(/\s*\n\s*/g, ' | ').slice(0, 300)}`);
  assert.match(hover, /not a whole number/);
  const shot = await t.screenshot('e020-hover');
  t.publish(shot, 'editor.png');
  await wb.dismiss();

  const offered = await t.step('quick fix: pick a stride that fits', () => wb.quickFix(CONV_LINE, STRIDE_COL, { pick: /stride=2|stride=1/ }));
  t.log(`  offered: ${JSON.stringify(offered)}`);
  assert.ok(offered.some((o) => /stride=2/.test(o)), 'stride=2 is offered');

  await t.step('E020 is gone from the Problems panel', () => wb.waitForProblems('no E020 row', `!(${hasE020})`));
  const lines = await wb.editorLines();
  assert.match(lines[CONV_LINE - 1], /conv filters=1 size=3 stride=[12]\b/, `the fix edited the conv line: ${lines[CONV_LINE - 1]}`);
  await t.step('no errors left in the status bar', () => wb.waitForErrorCount(0));
  await wb.save();
  await t.screenshot('e020-fixed');
}
