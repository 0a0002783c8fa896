// One checked result per open document version, shared by every feature, so a keystroke is checked once.

import * as vscode from 'vscode';
import { check, type CheckHost, type CheckResult, type Statement } from '../language';
import { fileHost } from '../trainer/paths';

export const CNN_SELECTOR: vscode.DocumentSelector = [{ language: 'cnn' }];

export function isCnn(doc: vscode.TextDocument | undefined): doc is vscode.TextDocument {
  return doc?.languageId === 'cnn';
}

function hostFor(doc: vscode.TextDocument): CheckHost | undefined {
  return doc.uri.scheme === 'file' ? fileHost(doc.uri.fsPath) : undefined;
}

export class CnnDocuments implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; result: CheckResult }>();
  private readonly closed: vscode.Disposable;

  constructor() {
    this.closed = vscode.workspace.onDidCloseTextDocument((d) => this.cache.delete(d.uri.toString()));
  }

  /** The check of the document's current version (computed at most once per version). */
  get(doc: vscode.TextDocument): CheckResult {
    const key = doc.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === doc.version) return hit.result;
    const result = check(doc.getText(), hostFor(doc));
    this.cache.set(key, { version: doc.version, result });
    return result;
  }

  dispose(): void {
    this.closed.dispose();
    this.cache.clear();
  }
}

export function rangeOf(doc: vscode.TextDocument, offset: number, length: number): vscode.Range {
  return new vscode.Range(doc.positionAt(offset), doc.positionAt(offset + length));
}

/** The statement on a 0-based line, if any. */
export function statementAt(result: CheckResult, line: number): Statement | undefined {
  // Statements are in line order: binary search.
  const list = result.tree.statements;
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const l = list[mid]!.line;
    if (l === line) return list[mid];
    if (l < line) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}
