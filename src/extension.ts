// The extension's entry point: thin. Everything it creates is handed to one owner (the extension context).

import * as vscode from 'vscode';
import { registerCodeActions } from './features/codeActions';
import { registerCompletion } from './features/completion';
import { DiagnosticsFeature } from './features/diagnostics';
import { CnnDocuments } from './features/documents';
import { registerFormatting } from './features/formatting';
import { registerHover } from './features/hover';
import { registerInlayHints } from './features/inlayHints';
import { InspectorFeature } from './features/inspector';
import { registerNavigation } from './features/navigation';
import { registerNewNetwork } from './features/newNetwork';
import { ExportFeature } from './features/pytorch';
import { StatusBarFeature } from './features/statusBar';
import { SummaryFeature } from './features/summary';
import { registerSymbols } from './features/symbols';
import { TrainingFeature } from './features/training';
import { WalkthroughFeature } from './features/walkthrough';

export function activate(context: vscode.ExtensionContext): void {
  try {
    const docs = new CnnDocuments();
    const training = new TrainingFeature(context, docs);
    const inspector = new InspectorFeature(context, docs, () => context.subscriptions.find((d): d is TrainingFeature => d instanceof TrainingFeature));
    context.subscriptions.push(
      docs,
      new DiagnosticsFeature(docs),
      registerHover(docs),
      registerInlayHints(docs),
      registerCompletion(docs),
      registerNavigation(docs),
      registerCodeActions(docs),
      registerSymbols(docs),
      registerFormatting(),
      new SummaryFeature(docs),
      new StatusBarFeature(docs),
      training,
      new ExportFeature(context, docs, (file) => context.subscriptions.find((d): d is TrainingFeature => d instanceof TrainingFeature)?.checkpointFor(file)),
      inspector,
      registerNewNetwork(),
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
