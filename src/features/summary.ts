// `CNN: Show Model Summary`: a read-only document beside the editor (below it when the inspector is beside it:
// summaryPlacement.ts) with the torchinfo-like table, kept up to date while the .cnn file changes.

import * as vscode from 'vscode';
import { summaryTable } from '../language';
import { type CnnDocuments, isCnn } from './documents';
import { INSPECTOR_VIEW_TYPE } from './inspectorPanel';
import { summaryPlacement } from './summaryPlacement';
import { assertNever } from '../language/assertNever';

export const SUMMARY_SCHEME = 'cnn-summary';

/** cnn-summary:/path/model.cnn.summary?<encoded source uri> */
function summaryUri(source: vscode.Uri): vscode.Uri {
  const name = source.path.split('/').pop() ?? 'model.cnn';
  return vscode.Uri.from({ scheme: SUMMARY_SCHEME, path: `/${name} — summary`, query: source.toString() });
}

export class SummaryFeature implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly open = new Set<string>();

  constructor(private readonly docs: CnnDocuments) {
    this.subscriptions.push(
      vscode.workspace.registerTextDocumentContentProvider(SUMMARY_SCHEME, this),
      vscode.commands.registerCommand('cnnStudio.showSummary', (uri?: vscode.Uri) => this.show(uri)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (!isCnn(e.document)) return;
        const u = summaryUri(e.document.uri);
        if (this.open.has(u.toString())) this.changed.fire(u);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme === SUMMARY_SCHEME) this.open.delete(d.uri.toString());
      }),
    );
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const source = vscode.Uri.parse(uri.query);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === source.toString()) ?? (await vscode.workspace.openTextDocument(source));
    const result = this.docs.get(doc);
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    const note = errors ? `\n${errors} error${errors === 1 ? '' : 's'} in the file: layers marked (!) hold one, and shapes after them may be unknown (?).\n` : '';
    return `${summaryTable(result)}\n${note}`;
  }

  async show(uri?: vscode.Uri): Promise<void> {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    const doc = target ? await vscode.workspace.openTextDocument(target) : undefined;
    if (!isCnn(doc)) {
      void vscode.window.showInformationMessage('CNN: open a .cnn file to see its model summary.');
      return;
    }
    const su = summaryUri(doc.uri);
    this.open.add(su.toString());
    const sdoc = await vscode.workspace.openTextDocument(su);
    const active = vscode.window.activeTextEditor;
    const source = active?.document === doc ? active : vscode.window.visibleTextEditors.find((e) => e.document === doc);
    const groups = vscode.window.tabGroups.all.map((g) => ({
      column: g.viewColumn,
      inspector: g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(INSPECTOR_VIEW_TYPE)),
      summary: g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === su.toString()),
    }));
    const column = source?.viewColumn;
    const place = summaryPlacement(groups, column);
    switch (place.kind) {
      case 'reveal':
        await vscode.window.showTextDocument(sdoc, { viewColumn: place.column, preview: true, preserveFocus: true });
        return;
      case 'beside':
        await vscode.window.showTextDocument(sdoc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
        return;
      case 'below':
        // A new group below the .cnn editor's (the command acts on the active group), then back to the .cnn.
        await vscode.window.showTextDocument(doc, { viewColumn: column, preserveFocus: false });
        await vscode.commands.executeCommand('workbench.action.newGroupBelow');
        await vscode.window.showTextDocument(sdoc, { viewColumn: vscode.ViewColumn.Active, preview: true, preserveFocus: false });
        await vscode.window.showTextDocument(doc, { viewColumn: column, preserveFocus: false });
        return;
      default:
        assertNever(place);
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

