// After each layer, its output shape (and its parameters, by a setting); after `from NAME`, the branch's shape.

import * as vscode from 'vscode';
import { CNN_SELECTOR, type CnnDocuments } from './documents';
import { shapeHints } from './explain';

export function registerInlayHints(docs: CnnDocuments): vscode.Disposable {
  const changed = new vscode.EventEmitter<void>();
  const config = vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('cnnStudio.inlayHints')) changed.fire();
  });
  const updated = docs.onDidUpdate(() => changed.fire());
  const provider = vscode.languages.registerInlayHintsProvider(CNN_SELECTOR, {
    onDidChangeInlayHints: changed.event,
    provideInlayHints(doc, range) {
      const cfg = vscode.workspace.getConfiguration('cnnStudio.inlayHints');
      if (!cfg.get<boolean>('enabled', true)) return [];
      const withParams = cfg.get<boolean>('parameters', false);
      const result = docs.latest(doc);
      return shapeHints(result, range.start.line, range.end.line, withParams).map((h) => {
        const hint = new vscode.InlayHint(doc.positionAt(h.offset), h.label, vscode.InlayHintKind.Type);
        hint.paddingLeft = true;
        hint.tooltip = h.tooltip;
        return hint;
      });
    },
  });
  return vscode.Disposable.from(provider, config, updated, changed);
}
