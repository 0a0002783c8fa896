// What the inspector asks of the editor itself: a line revealed (a click on a layer) and an image picked (feature
// maps of one's own image, an explanation of it). VS Code glue only; inspector.ts decides when.

import * as vscode from 'vscode';
import type { EditorPlatform } from './platform';

/** The editor's cursor to the start of `line`'s text, in the editor already showing `doc` (else the first column). */
export async function revealLine(doc: vscode.TextDocument, line: number): Promise<void> {
  if (line >= doc.lineCount) return;
  const visible = vscode.window.visibleTextEditors.find((e) => e.document === doc);
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false });
  const pos = new vscode.Position(line, doc.lineAt(line).firstNonWhitespaceCharacterIndex);
  editor.selection = new vscode.Selection(pos, pos);
  editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/**
 * An image the user picks, as the path the trainer reads; null when none is picked (or it is not a file the
 * platform can give the trainer). The dialog opens in the folder of `doc` (the .cnn file) when it has one.
 */
export async function pickImage(doc: vscode.TextDocument | undefined, platform: EditorPlatform, openLabel: string, extensions: string[]): Promise<string | null> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel,
    filters: { Images: extensions },
    ...(doc && platform.fileOf(doc.uri) !== null ? { defaultUri: vscode.Uri.joinPath(doc.uri, '..') } : {}),
  });
  return picked?.[0] ? platform.fileOf(picked[0]) : null;
}
