// Diagnostics as you type: debounced per document, for the document's current version, cleared on close.

import * as vscode from 'vscode';
import type { Diagnostic as CnnDiagnostic } from '../language';
import { CnnDocuments, rangeOf } from './documents';

const SEVERITY: Record<CnnDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  // Notes such as I201 (a dense layer flattens): dots under the keyword and a hover, not a row in Problems.
  hint: vscode.DiagnosticSeverity.Hint,
};

export function toVsDiagnostic(doc: vscode.TextDocument, d: CnnDiagnostic): vscode.Diagnostic {
  const v = new vscode.Diagnostic(rangeOf(doc, d.offset, d.length), d.message, SEVERITY[d.severity]);
  v.code = d.code;
  v.source = 'cnn';
  return v;
}

export class DiagnosticsFeature implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('cnn');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly docs: CnnDocuments) {
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.refresh(d, 0)),
      // A document that takes long to check waits for a pause in the typing a few times as long as its check.
      vscode.workspace.onDidChangeTextDocument((e) => this.refresh(e.document, Math.max(this.delay(), docs.pauseOf(e.document)))),
      vscode.workspace.onDidCloseTextDocument((d) => this.clear(d)),
      // A data folder created or removed changes E040; re-check the open files on save of any file.
      vscode.workspace.onDidSaveTextDocument((d) => this.refresh(d, 0)),
      // Checked again for another reason (the web entry learnt what a data path is): show the new diagnostics.
      docs.onDidUpdate((uri) => {
        const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        if (doc) this.refresh(doc, 0);
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.refresh(d, 0);
  }

  private delay(): number {
    return vscode.workspace.getConfiguration('cnnStudio').get<number>('diagnostics.delay', 30);
  }

  refresh(doc: vscode.TextDocument, delay: number): void {
    if (doc.languageId !== 'cnn') {
      // A document whose language changed away from cnn loses its diagnostics.
      if (this.collection.has(doc.uri)) this.collection.delete(doc.uri);
      return;
    }
    const key = doc.uri.toString();
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    const version = doc.version;
    const run = () => {
      this.timers.delete(key);
      if (doc.isClosed || doc.version !== version) return; // a newer change has its own timer
      const result = this.docs.get(doc);
      this.collection.set(doc.uri, result.diagnostics.map((d) => toVsDiagnostic(doc, d)));
    };
    if (delay <= 0) run();
    else this.timers.set(key, setTimeout(run, delay));
  }

  private clear(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.delete(key);
    this.collection.delete(doc.uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const s of this.subscriptions) s.dispose();
    this.collection.dispose();
  }
}
