// Completion of keywords, parameter names (aliases too) and values, with their documentation. What is offered
// where is decided by completionPlan.ts (pure, unit-tested); this file only turns the plan into VS Code items.

import * as vscode from 'vscode';
import { type CompletionContext, type ItemKind, planCompletion, type Trigger } from './completionPlan';
import { CNN_SELECTOR, type CnnDocuments } from './documents';
import { formatSource, labelsAbove, sourceOf } from './labels';

const KINDS: Record<ItemKind, vscode.CompletionItemKind> = {
  keyword: vscode.CompletionItemKind.Keyword,
  layer: vscode.CompletionItemKind.Function,
  example: vscode.CompletionItemKind.Snippet,
  snippet: vscode.CompletionItemKind.Snippet,
  param: vscode.CompletionItemKind.Property,
  enum: vscode.CompletionItemKind.EnumMember,
  value: vscode.CompletionItemKind.Value,
  positional: vscode.CompletionItemKind.EnumMember,
  label: vscode.CompletionItemKind.Reference,
};

function trigger(context: vscode.CompletionContext): Trigger {
  switch (context.triggerKind) {
    case vscode.CompletionTriggerKind.TriggerCharacter:
      return { kind: 'character', character: context.triggerCharacter ?? '' };
    case vscode.CompletionTriggerKind.TriggerForIncompleteCompletions:
      return { kind: 'incomplete' };
    default:
      return { kind: 'invoke' };
  }
}

/** The labels defined above `line`, each with what it names (the last check: a slow file's may be older). */
function contextFor(docs: CnnDocuments, doc: vscode.TextDocument, line: number): CompletionContext {
  return {
    labelsAbove() {
      const result = docs.latest(doc);
      return labelsAbove(result, line).map((def) => {
        const source = sourceOf(result, def.layer);
        return source ? { name: def.name, detail: formatSource(source) } : { name: def.name };
      });
    },
  };
}

export function registerCompletion(docs: CnnDocuments): vscode.Disposable {
  return vscode.languages.registerCompletionItemProvider(
    CNN_SELECTOR,
    {
      provideCompletionItems(doc, position, _token, context) {
        const plan = planCompletion(doc.lineAt(position.line).text, position.character, trigger(context), contextFor(docs, doc, position.line));
        if (!plan) return undefined;
        const range = new vscode.Range(position.line, plan.start, position.line, plan.end);
        const items = plan.items.map((p) => {
          const item = new vscode.CompletionItem(p.label, KINDS[p.kind]);
          item.insertText = p.snippet ? new vscode.SnippetString(p.insert) : p.insert;
          if (p.detail !== undefined) item.detail = p.detail;
          if (p.documentation !== undefined) item.documentation = new vscode.MarkdownString(p.documentation);
          item.sortText = p.sortText;
          item.range = range;
          if (p.suggestAgain) item.command = { title: 'Suggest values', command: 'editor.action.triggerSuggest' };
          return item;
        });
        // Incomplete, always: the editor then asks again on every keystroke instead of filtering this list by
        // itself, so a token that becomes complete (`relu`, `adam`) closes the list before Enter is pressed.
        return new vscode.CompletionList(items, true);
      },
    },
    '=',
    ' ',
  );
}
