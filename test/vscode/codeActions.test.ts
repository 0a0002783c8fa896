/// <reference types="mocha" />
// Quick fixes through vscode.executeCodeActionProvider: E020's stride fix, applied, clears the error.

import * as vscode from 'vscode';
import * as assert from './assert';
import { codeOf, E020_MODEL, openFixture, waitForCodeActions, waitForDiagnostics } from './helpers';

suite('code actions', () => {
  test('E020 offers stride=2 (preferred), which makes the shape whole', async () => {
    const { document } = await openFixture('code-actions.cnn', E020_MODEL);
    const [e020] = (await waitForDiagnostics(document.uri, (d) => d.some((x) => codeOf(x) === 'E020'), 'an E020')).filter((x) => codeOf(x) === 'E020');
    const actions = await waitForCodeActions(document.uri, e020!.range, (a) => a.some((x) => x.title === 'Change to stride=2 (gives 3×3)'), 'the stride=2 fix');
    const fix = actions.find((a) => a.title === 'Change to stride=2 (gives 3×3)')!;
    assert.equal(fix.isPreferred, true);
    assert.ok(fix.edit, 'the fix carries its edit');
    assert.ok(await vscode.workspace.applyEdit(fix.edit!));
    assert.match(document.lineAt(2).text, /^conv filters=1 size=3 stride=2\s*$/);
    await waitForDiagnostics(document.uri, (d) => !d.some((x) => codeOf(x) === 'E020'), 'the E020 to go');
  });
});
