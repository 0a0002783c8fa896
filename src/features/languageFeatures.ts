// The features of the .cnn language itself, the same in both extension hosts (Node and the browser's web
// worker): they read only the open documents' checks, so they import nothing of Node.

import type * as vscode from 'vscode';
import { registerCodeActions } from './codeActions';
import { registerCompletion } from './completion';
import { DiagnosticsFeature } from './diagnostics';
import type { CnnDocuments } from './documents';
import { registerFormatting } from './formatting';
import { registerHover } from './hover';
import { registerInlayHints } from './inlayHints';
import { registerNavigation } from './navigation';
import { registerNewNetwork } from './newNetwork';
import { StatusBarFeature } from './statusBar';
import { SummaryFeature } from './summary';
import { registerSymbols } from './symbols';

export function languageFeatures(docs: CnnDocuments): vscode.Disposable[] {
  return [
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
    registerNewNetwork(),
  ];
}
