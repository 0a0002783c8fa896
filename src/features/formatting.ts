// Formatting: one space between tokens, aligned inline comments, tidy blank lines.

import * as vscode from 'vscode';
import { formatEdits } from '../language';
import { CNN_SELECTOR, rangeOf } from './documents';

export function registerFormatting(): vscode.Disposable {
  return vscode.languages.registerDocumentFormattingEditProvider(CNN_SELECTOR, {
    provideDocumentFormattingEdits(doc) {
      return formatEdits(doc.getText()).map((e) => vscode.TextEdit.replace(rangeOf(doc, e.offset, e.length), e.newText));
    },
  });
}
