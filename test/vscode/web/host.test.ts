/// <reference types="mocha" />
// Only in the web worker extension host's bundle (test/vscode/web/index.ts): proof that the suite and the extension
// under test really run there, so a run that fell back to the Node host cannot pass.

import * as vscode from 'vscode';
import * as assert from '../assert';
import { E020_MODEL, EXTENSION_ID, openFixture } from '../helpers';

suite('web worker extension host', () => {
  test('the suite runs in a web worker: no Node `process`, a WorkerGlobalScope', () => {
    assert.equal(typeof (globalThis as { process?: unknown }).process, 'undefined');
    const scope = (globalThis as { WorkerGlobalScope?: abstract new () => unknown }).WorkerGlobalScope;
    assert.ok(scope && globalThis instanceof scope, 'globalThis is a WorkerGlobalScope');
  });

  test('the extension is active here, from its browser entry, as a UI-side (web) extension', async () => {
    await openFixture('host.cnn', E020_MODEL);
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is loaded in this extension host`);
    await ext.activate();
    assert.equal(ext.isActive, true);
    // An extension running in the web worker host is a UI extension; in code-server's Node host it is Workspace.
    assert.equal(ext.extensionKind, vscode.ExtensionKind.UI, `extensionKind ${vscode.ExtensionKind[ext.extensionKind]}`);
    assert.equal(typeof ext.packageJSON.browser, 'string', 'package.json names a browser entry');
  });

  test('what needs Python answers in the browser instead of failing: the export commands run and say why not', async () => {
    await openFixture('export.cnn', E020_MODEL);
    // Registered by the web entry (webUnavailable.ts): they show why, and resolve.
    await vscode.commands.executeCommand('cnnStudio.exportPytorch');
    await vscode.commands.executeCommand('cnnStudio.exportOnnx');
  });
});
