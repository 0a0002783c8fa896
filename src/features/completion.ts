// Completion of keywords, parameter names (aliases too) and values, with their documentation.

import * as vscode from 'vscode';
import { findParam, type ParamSchema, STATEMENTS, type StatementSchema, statementSchema } from '../language';
import { CNN_SELECTOR } from './documents';

/** `conv filters=16 size=3` → `conv filters=${1:16} size=${2:3}` */
function exampleSnippet(example: string): vscode.SnippetString {
  let n = 0;
  const body = example
    .split(' ')
    .map((tok, i) => {
      if (i === 0) return tok;
      const eq = tok.indexOf('=');
      if (eq > 0) return `${tok.slice(0, eq + 1)}\${${++n}:${tok.slice(eq + 1)}}`;
      return `\${${++n}:${tok}}`;
    })
    .join(' ');
  return new vscode.SnippetString(body);
}

function keywordItems(range: vscode.Range): vscode.CompletionItem[] {
  const items: vscode.CompletionItem[] = [];
  for (const s of STATEMENTS) {
    for (const kw of [s.keyword, ...s.synonyms]) {
      const item = new vscode.CompletionItem(kw, s.layer ? vscode.CompletionItemKind.Function : vscode.CompletionItemKind.Keyword);
      item.detail = s.example;
      item.documentation = new vscode.MarkdownString(`${s.doc}\n\n\`\`\`cnn\n${s.example}\n\`\`\``);
      item.insertText = s.example.includes(' ') ? exampleSnippet(kw === s.keyword ? s.example : s.example.replace(s.keyword, kw)) : kw;
      item.range = range;
      item.sortText = `${s.layer ? '1' : '0'}${kw}`;
      items.push(item);
    }
  }
  return items;
}

function paramDoc(schema: StatementSchema, p: ParamSchema): vscode.MarkdownString {
  const lines = [p.doc];
  if (p.aliases.length) lines.push(`Also written: ${p.aliases.map((a) => `\`${a}\``).join(', ')}.`);
  if (p.default) lines.push(`Default: \`${p.default}\`.`);
  if (p.required) lines.push('Required.');
  lines.push('', '```cnn', schema.example, '```');
  return new vscode.MarkdownString(lines.join('\n'));
}

function paramItems(schema: StatementSchema, given: Set<string>, range: vscode.Range): vscode.CompletionItem[] {
  const items: vscode.CompletionItem[] = [];
  for (const p of schema.params) {
    if (given.has(p.name)) continue;
    for (const name of [p.name, ...p.aliases]) {
      const item = new vscode.CompletionItem(`${name}=`, vscode.CompletionItemKind.Property);
      item.detail = `${schema.keyword} ${name}${p.required ? ' (required)' : p.default ? ` (default ${p.default})` : ''}`;
      item.documentation = paramDoc(schema, p);
      item.insertText = `${name}=`;
      item.range = range;
      item.sortText = `${p.required ? '0' : '1'}${name === p.name ? '0' : '1'}${name}`;
      item.command = { title: 'Suggest values', command: 'editor.action.triggerSuggest' };
      items.push(item);
    }
  }
  for (const v of schema.positionalValues ?? []) {
    const item = new vscode.CompletionItem(v, vscode.CompletionItemKind.EnumMember);
    item.detail = schema.positional ?? '';
    item.range = range;
    items.push(item);
  }
  return items;
}

function valueItems(schema: StatementSchema, p: ParamSchema, range: vscode.Range): vscode.CompletionItem[] {
  const values = p.values ?? p.examples ?? [];
  return values.map((v, i) => {
    const item = new vscode.CompletionItem(v, p.values ? vscode.CompletionItemKind.EnumMember : vscode.CompletionItemKind.Value);
    item.detail = `${schema.keyword} ${p.name}=${v}`;
    item.documentation = new vscode.MarkdownString(p.doc);
    item.range = range;
    item.sortText = String(i).padStart(3, '0');
    return item;
  });
}

export function registerCompletion(): vscode.Disposable {
  return vscode.languages.registerCompletionItemProvider(
    CNN_SELECTOR,
    {
      provideCompletionItems(doc, position) {
        const lineText = doc.lineAt(position.line).text;
        const before = lineText.slice(0, position.character);
        const hash = before.indexOf('#');
        if (hash >= 0 && (before.slice(0, hash).split('"').length - 1) % 2 === 0) return undefined; // in a comment
        const tokenStart = Math.max(before.lastIndexOf(' '), before.lastIndexOf('\t')) + 1;
        const current = before.slice(tokenStart);
        const head = before.slice(0, tokenStart).trim();
        if (head === '') {
          return keywordItems(new vscode.Range(position.line, tokenStart, position.line, position.character));
        }
        const keyword = head.split(/[ \t]+/)[0]!;
        const schema = statementSchema(keyword);
        if (!schema) return undefined;
        const eq = current.indexOf('=');
        if (eq >= 0) {
          const p = findParam(schema, current.slice(0, eq));
          if (!p) return undefined;
          const start = tokenStart + eq + 1;
          return valueItems(schema, p, new vscode.Range(position.line, start, position.line, position.character));
        }
        const given = new Set<string>();
        for (const tok of lineText.split(/[ \t]+/)) {
          const e = tok.indexOf('=');
          if (e > 0) {
            const p = findParam(schema, tok.slice(0, e));
            if (p) given.add(p.name);
          }
        }
        return paramItems(schema, given, new vscode.Range(position.line, tokenStart, position.line, position.character));
      },
    },
    ' ',
    '=',
  );
}
