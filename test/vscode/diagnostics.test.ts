/// <reference types="mocha" />
// Diagnostics through the vscode API: an E020 is published for the open file, with its code and range.

import * as vscode from 'vscode';
import * as assert from './assert';
import { codeOf, E020_MODEL, openFixture, waitForDiagnostics } from './helpers';

suite('diagnostics', () => {
  test('E020 on stride=3, with its code, severity, range and arithmetic', async () => {
    const editor = await openFixture('diagnostics.cnn', E020_MODEL);
    const doc = editor.document;
    assert.equal(doc.languageId, 'cnn');
    const all = await waitForDiagnostics(doc.uri, (d) => d.some((x) => codeOf(x) === 'E020'), 'an E020');
    const e020 = all.find((x) => codeOf(x) === 'E020')!;
    assert.equal(e020.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(e020.range.start.line, 2);
    assert.equal(doc.getText(e020.range), 'stride=3');
    assert.match(e020.message, /\(7 − 3 \+ 2·0\) \/ 3 \+ 1 = 2\.33/);
  });

  test('an edit that fixes the stride clears the E020', async () => {
    const editor = await openFixture('diagnostics-edit.cnn', E020_MODEL);
    const doc = editor.document;
    await waitForDiagnostics(doc.uri, (d) => d.some((x) => codeOf(x) === 'E020'), 'an E020');
    const line = doc.lineAt(2);
    const col = line.text.indexOf('stride=3') + 'stride='.length;
    assert.ok(await editor.edit((b) => b.replace(new vscode.Range(2, col, 2, col + 1), '2')));
    await waitForDiagnostics(doc.uri, (d) => !d.some((x) => codeOf(x) === 'E020'), 'the E020 to go');
  });
});
