// The active .cnn file's total parameters in the status bar; click for the summary.

import * as vscode from 'vscode';
import { type CheckResult, formatBytes, formatCount, summarize } from '../language';
import { type CnnDocuments, isCnn } from './documents';

export class StatusBarFeature implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('cnnStudio.params', vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The last summary, by check: a large file's stays the same for many keystrokes (and costs ~20 ms). */
  private summary: { of: CheckResult; value: ReturnType<typeof summarize> } | null = null;

  constructor(private readonly docs: CnnDocuments) {
    this.item.name = 'CNN Parameters';
    this.item.command = 'cnnStudio.showSummary';
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.update();
      }),
      docs.onDidUpdate((uri) => {
        if (uri.toString() === vscode.window.activeTextEditor?.document.uri.toString()) this.update();
      }),
    );
    this.update();
  }

  update(): void {
    const doc = vscode.window.activeTextEditor?.document;
    if (!isCnn(doc)) {
      this.item.hide();
      return;
    }
    const result = this.docs.latest(doc);
    if (this.summary?.of !== result) this.summary = { of: result, value: summarize(result) };
    const s = this.summary.value;
    const approx = s.incomplete ? '≥' : '';
    this.item.text = `$(symbol-numeric) ${approx}${formatCount(s.params)} params`;
    this.item.tooltip = new vscode.MarkdownString(
      [
        `**${s.name ?? 'network'}**: ${s.rows.length} layers`,
        `Parameters: ${approx}${formatCount(s.params)} (${formatBytes(s.params * 4)})`,
        `Multiply-adds: ${approx}${formatCount(s.macs)} per sample`,
        `Activation memory: ${formatBytes(s.activationBytes)} per sample`,
        s.incomplete ? '_Some layers have errors; totals are a lower bound._' : '',
        '',
        'Click for the full summary.',
      ].join('  \n'),
    );
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
