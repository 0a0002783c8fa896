// The training-health diagnostics of a run on the lines of the file it trained: a DiagnosticCollection of its
// own ('cnn-health'), fed by the run's messages (TrainingFeature.onDidReceive) and kept or cleared as the file's
// network changes (healthRun.ts holds the rules; this file only wires them to VS Code).

import * as vscode from 'vscode';
import type { CnnDocuments } from './documents';
import { layerSignature, onNetwork, onRunMessage, place, type FileHealth } from './healthRun';
import type { TrainingEvent } from './training';

export const HEALTH_SOURCE = 'cnn-health';

export class HealthDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(HEALTH_SOURCE);
  /** Per file path (the run's TrainJob.file). */
  private readonly state = new Map<string, FileHealth>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    onDidReceive: vscode.Event<TrainingEvent>,
    private readonly docs: CnnDocuments,
  ) {
    this.subscriptions.push(
      onDidReceive((e) => this.onMessage(e)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d)),
    );
  }

  private docFor(file: string): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file && d.languageId === 'cnn');
  }

  private onMessage({ file, message }: TrainingEvent): void {
    if (message.type !== 'started' && message.type !== 'health') return;
    const doc = this.docFor(file);
    const before = this.state.get(file) ?? null;
    const next = onRunMessage(before, message, doc ? layerSignature(this.docs.get(doc)) : null);
    if (next === before) return;
    this.set(file, next, doc);
  }

  /** After an edit (once the typing pauses) or on open: the file's network now decides whether they stay. */
  private schedule(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== 'file' || !this.state.has(doc.uri.fsPath)) return;
    const file = doc.uri.fsPath;
    clearTimeout(this.timers.get(file));
    const version = doc.version;
    this.timers.set(
      file,
      setTimeout(() => {
        this.timers.delete(file);
        if (doc.isClosed || doc.version !== version || doc.languageId !== 'cnn') return;
        const before = this.state.get(file) ?? null;
        this.set(file, onNetwork(before, layerSignature(this.docs.get(doc))), doc);
      }, Math.max(50, this.docs.pauseOf(doc))),
    );
  }

  private set(file: string, h: FileHealth | null, doc: vscode.TextDocument | undefined): void {
    if (h) this.state.set(file, h);
    else this.state.delete(file);
    const uri = doc?.uri ?? vscode.Uri.file(file);
    const placed = place(h, doc ? this.docs.get(doc).layers : null);
    if (placed.length === 0) {
      this.collection.delete(uri);
      return;
    }
    this.collection.set(
      uri,
      placed.map((p) => {
        const text = doc && p.line < doc.lineCount ? doc.lineAt(p.line) : null;
        const range = text ? new vscode.Range(p.line, text.firstNonWhitespaceCharacterIndex, p.line, text.range.end.character) : new vscode.Range(p.line, 0, p.line, 1000);
        const d = new vscode.Diagnostic(range, p.message, vscode.DiagnosticSeverity.Warning);
        d.code = p.code;
        d.source = HEALTH_SOURCE;
        return d;
      }),
    );
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const s of this.subscriptions) s.dispose();
    this.collection.dispose();
  }
}
