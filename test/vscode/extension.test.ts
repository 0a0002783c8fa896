/// <reference types="mocha" />
// The extension in either extension host (Node, or the browser's web worker): active, and every command it
// contributes is registered there — none ends in "command not found" in the browser (those that need Python say
// so instead: see web/host.test.ts).

import * as vscode from 'vscode';
import * as assert from './assert';
import { EXTENSION_ID } from './helpers';

suite('extension', () => {
  test('the extension is active and registers every command it contributes', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is loaded`);
    await ext.activate();
    assert.equal(ext.isActive, true);
    const contributed = (ext.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    assert.ok(contributed.includes('cnnStudio.train') && contributed.includes('cnnStudio.openInspector'), 'package.json contributes train and openInspector');
    const registered = await vscode.commands.getCommands(true);
    assert.deepEqual(contributed.filter((c) => !registered.includes(c)), []);
  });
});
