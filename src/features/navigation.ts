// Labels in the editor: go to definition (F12), find references (Shift+F12), the highlights of a name's other
// occurrences, and rename (F2) of a label with every use. What is where is decided by labels.ts (pure).

import * as vscode from 'vscode';
import { CNN_SELECTOR, type CnnDocuments, rangeOf } from './documents';
import { labelAt, occurrencesOf, planRename, renameTarget } from './labels';

export function registerNavigation(docs: CnnDocuments): vscode.Disposable {
  const hitAt = (doc: vscode.TextDocument, position: vscode.Position) => {
    const result = docs.get(doc);
    const hit = labelAt(result, doc.offsetAt(position));
    return hit ? { result, hit } : null;
  };
  return vscode.Disposable.from(
    vscode.languages.registerDefinitionProvider(CNN_SELECTOR, {
      provideDefinition(doc, position) {
        const def = hitAt(doc, position)?.hit.definition;
        if (!def) return undefined;
        return new vscode.Location(doc.uri, rangeOf(doc, def.offset, def.length));
      },
    }),
    vscode.languages.registerReferenceProvider(CNN_SELECTOR, {
      provideReferences(doc, position, context) {
        const at = hitAt(doc, position);
        if (!at) return undefined;
        return occurrencesOf(at.result, at.hit)
          .filter((o) => context.includeDeclaration || !o.isDefinition)
          .map((o) => new vscode.Location(doc.uri, rangeOf(doc, o.offset, o.length)));
      },
    }),
    vscode.languages.registerDocumentHighlightProvider(CNN_SELECTOR, {
      provideDocumentHighlights(doc, position) {
        const at = hitAt(doc, position);
        if (!at) return undefined;
        return occurrencesOf(at.result, at.hit).map(
          (o) => new vscode.DocumentHighlight(rangeOf(doc, o.offset, o.length), o.isDefinition ? vscode.DocumentHighlightKind.Write : vscode.DocumentHighlightKind.Read),
        );
      },
    }),
    vscode.languages.registerRenameProvider(CNN_SELECTOR, {
      prepareRename(doc, position) {
        const target = renameTarget(docs.get(doc), doc.offsetAt(position));
        // The editor shows a thrown error's message in place of the rename box.
        if (!target.ok) throw new Error(target.message);
        return { range: rangeOf(doc, target.hit.offset, target.hit.length), placeholder: target.hit.name };
      },
      provideRenameEdits(doc, position, newName) {
        const plan = planRename(docs.get(doc), doc.offsetAt(position), newName);
        if (!plan.ok) throw new Error(plan.message);
        const edit = new vscode.WorkspaceEdit();
        for (const e of plan.edits) edit.replace(doc.uri, rangeOf(doc, e.offset, e.length), e.text);
        return edit;
      },
    }),
  );
}
