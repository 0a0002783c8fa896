// One checked result per open document version, shared by every feature, so a keystroke is checked once.

import * as vscode from 'vscode';
import { check, type CheckHost, type CheckResult, type Statement } from '../language';
import { CheckCache, pauseAfter, type Versioned } from './checkCache';

export const CNN_SELECTOR: vscode.DocumentSelector = [{ language: 'cnn' }];

export function isCnn(doc: vscode.TextDocument | undefined): doc is vscode.TextDocument {
  return doc?.languageId === 'cnn';
}

/**
 * How the checker sees a document's data paths: the Node entry reads the disk (src/trainer/paths' fileHost), the
 * web entry asks `vscode.workspace.fs` in the background and calls `changed` when an answer arrives or changes,
 * so the document is checked again (webCheckHost.ts). Undefined: no data-path checks (an untitled document).
 */
export type CheckHostFactory = (doc: vscode.TextDocument, changed: () => void) => CheckHost | undefined;

/** A text document as the cache sees it: its version read when asked (so it always matches getText()). */
function versioned(doc: vscode.TextDocument): Versioned {
  return {
    key: doc.uri.toString(),
    get version() {
      return doc.version;
    },
    text: () => doc.getText(),
  };
}

export class CnnDocuments implements vscode.Disposable {
  private readonly updated = new vscode.EventEmitter<vscode.Uri>();
  /** A slow document's newest version has been checked after a pause: views that used `latest()` ask again. */
  readonly onDidUpdate = this.updated.event;
  private readonly hosts = new Map<string, CheckHost | undefined>();
  private readonly cache = new CheckCache<CheckResult>({
    check: (d) => check(d.text(), this.hosts.get(d.key)),
    onUpdate: (key) => this.updated.fire(vscode.Uri.parse(key)),
  });
  private readonly closed: vscode.Disposable;

  constructor(private readonly hostFor: CheckHostFactory) {
    this.closed = vscode.workspace.onDidCloseTextDocument((d) => {
      this.cache.delete(d.uri.toString());
      this.hosts.delete(d.uri.toString());
    });
  }

  private key(doc: vscode.TextDocument): Versioned {
    const v = versioned(doc);
    if (!this.hosts.has(v.key)) this.hosts.set(v.key, this.hostFor(doc, () => this.recheck(v.key)));
    return v;
  }

  /** What the checker saw of the file system changed: check the document again and tell the views. */
  private recheck(key: string): void {
    if (!this.hosts.has(key)) return; // closed meanwhile
    this.cache.delete(key);
    this.updated.fire(vscode.Uri.parse(key));
  }

  /** The check of the document's current version (computed at most once per version). */
  get(doc: vscode.TextDocument): CheckResult {
    return this.cache.get(this.key(doc));
  }

  /**
   * For views refreshed on every change (hints, status bar, outline, inspector): the current version's check,
   * or, for a document that takes long to check (a 10 MB file), the previous one at once and the current one
   * after the typing pauses (then `onDidUpdate` fires). See checkCache.ts.
   */
  latest(doc: vscode.TextDocument): CheckResult {
    return this.cache.latest(this.key(doc));
  }

  /** How long to wait after a change before checking the document again, from its last check's cost. */
  pauseOf(doc: vscode.TextDocument): number {
    return pauseAfter(this.cache.costOf(doc.uri.toString()));
  }

  dispose(): void {
    this.closed.dispose();
    this.cache.clear();
    this.updated.dispose();
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
