// The extension's entry point: thin. Everything it creates is handed to one owner (the extension context).

import * as vscode from 'vscode';
import { CnnDocuments } from './features/documents';
import { InspectorFeature } from './features/inspector';
import { languageFeatures } from './features/languageFeatures';
import { ExportFeature } from './features/pytorch';
import { TrainingFeature } from './features/training';
import { fileHost } from './trainer/paths';
import { WalkthroughFeature } from './features/walkthrough';

export function activate(context: vscode.ExtensionContext): void {
  try {
    const docs = new CnnDocuments((doc) => (doc.uri.scheme === 'file' ? fileHost(doc.uri.fsPath) : undefined));
    const training = new TrainingFeature(context, docs);
    const inspector = new InspectorFeature(context, docs, () => context.subscriptions.find((d): d is TrainingFeature => d instanceof TrainingFeature));
    context.subscriptions.push(
      docs,
      ...languageFeatures(docs),
      training,
      new ExportFeature(context, docs, (file) => context.subscriptions.find((d): d is TrainingFeature => d instanceof TrainingFeature)?.checkpointFor(file)),
      inspector,
      new WalkthroughFeature(training.onDidReceive, inspector.onDidExplore),
    );
  } catch (err) {
    void vscode.window.showErrorMessage(`CNN Studio failed to start: ${(err as Error).message}`);
    throw err;
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
