/// <reference types="mocha" />
// The extension in the Node extension host: active, with the commands that need Node (training, the inspector).
// (Move a check to the shared suite beside test/vscode/*.test.ts when the web worker host has it too.)

import * as vscode from 'vscode';
import * as assert from '../assert';
import { EXTENSION_ID } from '../helpers';

suite('extension (Node host)', () => {
  test('the extension is active and contributes its commands', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is loaded`);
    await ext.activate();
    assert.equal(ext.isActive, true);
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['cnnStudio.showSummary', 'cnnStudio.train', 'cnnStudio.openInspector']) assert.ok(commands.includes(c), c);
  });
});
