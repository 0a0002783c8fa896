// After each layer, its output shape (and its parameters, by a setting).

import * as vscode from 'vscode';
import { CNN_SELECTOR, type CnnDocuments } from './documents';
import { shapeHint } from './explain';

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
      const hints: vscode.InlayHint[] = [];
      for (const layer of result.layers) {
        if (layer.line < range.start.line || layer.line > range.end.line) continue;
        const end = doc.positionAt(layer.offset + layer.length);
        const { label, tooltip } = shapeHint(layer, withParams);
        const hint = new vscode.InlayHint(end, label, vscode.InlayHintKind.Type);
        hint.paddingLeft = true;
        hint.tooltip = tooltip;
        hints.push(hint);
      }
      return hints;
    },
  });
  return vscode.Disposable.from(provider, config, updated, changed);
}
