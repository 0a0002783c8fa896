// Quick fixes keyed by diagnostic code: the checker computes them as plain edits; this turns them into code actions.

import * as vscode from 'vscode';
import { CNN_SELECTOR, type CnnDocuments, rangeOf } from './documents';

export function registerCodeActions(docs: CnnDocuments): vscode.Disposable {
  return vscode.languages.registerCodeActionsProvider(
    CNN_SELECTOR,
    {
      provideCodeActions(doc, _range, context) {
        // Asked on every cursor move: check nothing unless the cursor is on one of our diagnostics (a large
        // file's check is not free).
        if (!context.diagnostics.some((vd) => vd.source === 'cnn')) return [];
        const result = docs.get(doc);
        const actions: vscode.CodeAction[] = [];
        for (const vd of context.diagnostics) {
          if (vd.source !== 'cnn') continue;
          const start = doc.offsetAt(vd.range.start);
          const end = doc.offsetAt(vd.range.end);
          const d = result.diagnostics.find((x) => x.code === vd.code && x.offset === start && x.offset + x.length === end);
          if (!d) continue;
          for (const fix of d.fixes) {
            const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
            action.diagnostics = [vd];
            action.isPreferred = fix.preferred ?? false;
            const edit = new vscode.WorkspaceEdit();
            for (const e of fix.edits) edit.replace(doc.uri, rangeOf(doc, e.offset, e.length), e.newText);
            action.edit = edit;
            actions.push(action);
          }
        }
        return actions;
      },
    },
    { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
  );
}
