// The outline: the network with its input, layers (with output shapes), branches, data and training settings
// (outline.ts builds it; this turns it into DocumentSymbols).

import * as vscode from 'vscode';
import { CNN_SELECTOR, type CnnDocuments, rangeOf } from './documents';
import { buildOutline, type OutlineEntry } from './outline';

const KIND: Record<OutlineEntry['kind'], vscode.SymbolKind> = {
  layer: vscode.SymbolKind.Function,
  input: vscode.SymbolKind.Variable,
  setting: vscode.SymbolKind.Property,
  branch: vscode.SymbolKind.Namespace,
  more: vscode.SymbolKind.Null,
};

export function registerSymbols(docs: CnnDocuments): vscode.Disposable {
  return vscode.languages.registerDocumentSymbolProvider(
    CNN_SELECTOR,
    {
      provideDocumentSymbols(doc) {
        const outline = buildOutline(docs.latest(doc), (start, end) => doc.getText(rangeOf(doc, start, end - start)));
        if (!outline) return [];
        const symbol = (e: OutlineEntry): vscode.DocumentSymbol => {
          const s = new vscode.DocumentSymbol(e.name, e.detail, KIND[e.kind], rangeOf(doc, e.offset, e.length), rangeOf(doc, e.selOffset, e.selLength));
          if (e.children) s.children = e.children.map(symbol);
          return s;
        };
        const children = outline.entries.map(symbol);
        const whole = new vscode.Range(children[0]!.range.start, children[children.length - 1]!.range.end);
        const net = new vscode.DocumentSymbol(outline.name, outline.detail, vscode.SymbolKind.Module, whole, children[0]!.selectionRange);
        net.children = children;
        return [net];
      },
    },
    { label: 'CNN' },
  );
}
