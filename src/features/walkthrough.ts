// The Getting Started walkthrough's progress: the editor's events into the pure reducer, its state out as context
// keys (`completionEvents: onContext:…` in package.json): a .cnn editor shown, an E020 fixed, a run finished, the
// inspector's convolution explorer at the lecture's stride 3. The other steps complete on commands.

import * as vscode from 'vscode';
import type { ExplorerNotice } from '../protocol/webview';
import { isCnn } from './documents';
import type { TrainingEvent } from './training';
import { INITIAL_PROGRESS, progressContext, reduceProgress, type WalkthroughEvent, type WalkthroughProgress } from './walkthroughProgress';

export class WalkthroughFeature implements vscode.Disposable {
  private state: WalkthroughProgress = INITIAL_PROGRESS;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(onTraining: vscode.Event<TrainingEvent>, onExplore: vscode.Event<ExplorerNotice>) {
    this.subscriptions.push(
      vscode.languages.onDidChangeDiagnostics((e) => this.onDiagnostics(e.uris)),
      vscode.window.onDidChangeActiveTextEditor((e) => isCnn(e?.document) && this.apply({ type: 'cnnEditor' })),
      onTraining((e) => e.message.type === 'done' && this.apply({ type: 'trainingDone', stopped: e.message.stopped })),
      onExplore((e) => this.apply({ type: 'explorer', n: e.n, f: e.f, s: e.s, p: e.p })),
    );
    if (isCnn(vscode.window.activeTextEditor?.document)) this.state = reduceProgress(this.state, { type: 'cnnEditor' });
    this.publish(INITIAL_PROGRESS, true);
  }

  private onDiagnostics(uris: readonly vscode.Uri[]): void {
    for (const uri of uris) {
      const key = uri.toString();
      const open = vscode.workspace.textDocuments.some((d) => !d.isClosed && d.languageId === 'cnn' && d.uri.toString() === key);
      const codes = vscode.languages
        .getDiagnostics(uri)
        .filter((d) => d.source === 'cnn')
        .map((d) => String(typeof d.code === 'object' ? d.code.value : d.code));
      this.apply({ type: 'diagnostics', uri: key, codes, open });
    }
  }

  private apply(event: WalkthroughEvent): void {
    const before = this.state;
    this.state = reduceProgress(before, event);
    this.publish(before, false);
  }

  /** Sets the context keys that changed (all of them the first time). */
  private publish(before: WalkthroughProgress, all: boolean): void {
    const old = progressContext(before);
    for (const [key, value] of Object.entries(progressContext(this.state))) {
      if (all || old[key] !== value) void vscode.commands.executeCommand('setContext', key, value);
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
