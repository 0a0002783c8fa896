// The extension's entry point in the browser (vscode.dev, github.dev, code-server's web worker extension host):
// no Node, no child processes, files through `vscode.workspace.fs` only. The same features as the Node entry
// (extension.ts) on the browser's platform (webPlatform.ts): data paths checked through workspace.fs
// (webCheckHost.ts), training in a Web Worker, run folders read through an in-memory mirror. The PyTorch backend
// and the export run Python and say so (webUnavailable.ts). esbuild bundles this file for the browser, and its
// refusal of `node:` imports keeps Node code out of it.

import * as vscode from 'vscode';
import { CnnDocuments } from './features/documents';
import { languageFeatures } from './features/languageFeatures';
import { runFeatures } from './features/runFeatures';
import { webCheckHost } from './features/webCheckHost';
import { webPlatform } from './features/webPlatform';
import { WebUnavailableFeature } from './features/webUnavailable';
import { installHost } from './platform/host';
import { MemoryFiles } from './platform/memory';
import { webHost } from './platform/webHost';

export function activate(context: vscode.ExtensionContext): void {
  try {
    const mirror = new MemoryFiles();
    installHost(webHost(mirror));
    const docs = new CnnDocuments(webCheckHost);
    const { disposables } = runFeatures(context, docs, webPlatform(context, mirror));
    context.subscriptions.push(docs, ...languageFeatures(docs), ...disposables, new WebUnavailableFeature());
  } catch (err) {
    void vscode.window.showErrorMessage(`CNN Studio failed to start: ${(err as Error).message}`);
    throw err;
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
