// The extension's entry point in the browser (vscode.dev, github.dev, code-server's web worker extension host):
// no Node, no child processes, files through `vscode.workspace.fs` only. The same language features as the
// Node entry (extension.ts); data paths are checked through workspace.fs (webCheckHost.ts). esbuild bundles
// this file for the browser, and its refusal of `node:` imports keeps Node code out of it.

import * as vscode from 'vscode';
import { CnnDocuments } from './features/documents';
import { languageFeatures } from './features/languageFeatures';
import { webCheckHost } from './features/webCheckHost';
import { WebUnavailableFeature } from './features/webUnavailable';

export function activate(context: vscode.ExtensionContext): void {
  try {
    const docs = new CnnDocuments(webCheckHost);
    context.subscriptions.push(docs, ...languageFeatures(docs), new WebUnavailableFeature());
  } catch (err) {
    void vscode.window.showErrorMessage(`CNN Studio failed to start: ${(err as Error).message}`);
    throw err;
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
