// The outline: the network with its input, layers (with output shapes), data and training settings.

import * as vscode from 'vscode';
import { describeLayer, formatShape } from '../language';
import { CNN_SELECTOR, type CnnDocuments, rangeOf } from './documents';

export function registerSymbols(docs: CnnDocuments): vscode.Disposable {
  return vscode.languages.registerDocumentSymbolProvider(
    CNN_SELECTOR,
    {
      provideDocumentSymbols(doc) {
        const result = docs.latest(doc);
        const children: vscode.DocumentSymbol[] = [];
        const layersByLine = new Map(result.layers.map((l) => [l.line, l]));
        for (const stmt of result.tree.statements) {
          const range = rangeOf(doc, stmt.offset, stmt.length);
          const sel = rangeOf(doc, stmt.keyword.offset, stmt.keyword.length);
          const layer = layersByLine.get(stmt.line);
          if (layer) {
            children.push(new vscode.DocumentSymbol(`${layer.index}: ${describeLayer(layer)}`, `→ ${formatShape(layer.output)}`, vscode.SymbolKind.Function, range, sel));
          } else if (stmt.keyword.text === 'input' && result.input && result.inputLine === stmt.line) {
            children.push(new vscode.DocumentSymbol('input', formatShape({ kind: 'volume', ...result.input }), vscode.SymbolKind.Variable, range, sel));
          } else if (stmt.keyword.text === 'classes' || stmt.keyword.text === 'data' || stmt.keyword.text === 'train') {
            const detail = doc.getText(range).slice(stmt.keyword.length).trim();
            children.push(new vscode.DocumentSymbol(stmt.keyword.text, detail, vscode.SymbolKind.Property, range, sel));
          }
        }
        if (children.length === 0) return [];
        const whole = new vscode.Range(children[0]!.range.start, children[children.length - 1]!.range.end);
        const net = new vscode.DocumentSymbol(result.name ?? 'network', `${result.layers.length} layers`, vscode.SymbolKind.Module, whole, children[0]!.selectionRange);
        net.children = children;
        return [net];
      },
    },
    { label: 'CNN' },
  );
}
