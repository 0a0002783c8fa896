// The extension's entry point in VS Code's Node extension host: thin. Everything it creates is handed to one
// owner (the extension context). The browser's entry is web.ts: the same features on another platform.

import * as vscode from 'vscode';
import { CnnDocuments } from './features/documents';
import { languageFeatures } from './features/languageFeatures';
import { nodePlatform } from './features/nodePlatform';
import { ExportFeature } from './features/pytorch';
import { runFeatures } from './features/runFeatures';
import { nodeHost } from './platform/node';
import { installHost } from './platform/host';
import { fileHost } from './trainer/paths';

export function activate(context: vscode.ExtensionContext): void {
  try {
    installHost(nodeHost);
    const platform = nodePlatform(context);
    const docs = new CnnDocuments((doc) => (doc.uri.scheme === 'file' ? fileHost(doc.uri.fsPath) : undefined));
    const { training, disposables } = runFeatures(context, docs, platform);
    context.subscriptions.push(docs, ...languageFeatures(docs), ...disposables, new ExportFeature(context, docs, (file) => training.checkpointFor(file)));
  } catch (err) {
    void vscode.window.showErrorMessage(`CNN Studio failed to start: ${(err as Error).message}`);
    throw err;
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
