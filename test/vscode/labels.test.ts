/// <reference types="mocha" />
// Labels through the editor's own commands: go to definition, references, highlights, rename (F2) and its
// refusal, completion of labels, hover on add, the outline's branches and the hint after `from`.

import * as vscode from 'vscode';
import * as assert from './assert';
import { RESBLOCK } from '../unit/features/graphTexts';
import { openFixture } from './helpers';

/** The position of the `nth` whole-word occurrence of `word`, one character into it. */
function positionOf(doc: vscode.TextDocument, word: string, nth = 0): vscode.Position {
  const re = new RegExp(`\\b${word}\\b`, 'g');
  let m: RegExpExecArray | null = null;
  for (let i = 0; i <= nth; i++) m = re.exec(doc.getText());
  assert.ok(m, `no ${word} #${nth}`);
  return doc.positionAt(m.index + 1);
}

const lines = (locations: { range: vscode.Range }[]) => locations.map((l) => l.range.start.line).sort((a, b) => a - b);

suite('labels', () => {
  test('go to definition and find references, from a use and from the definition', async () => {
    const { document } = await openFixture('labels-nav.cnn', RESBLOCK);
    const defs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', document.uri, positionOf(document, 'main', 1));
    assert.equal(defs.length, 1);
    const def = defs[0]!;
    const range = 'targetRange' in def ? def.targetRange : def.range;
    assert.equal(document.getText(range), 'main');
    assert.equal(range.start.line, 9);
    const refs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', document.uri, positionOf(document, 'stem'));
    assert.deepEqual(lines(refs), [4, 10]);
    const highlights = await vscode.commands.executeCommand<vscode.DocumentHighlight[]>('vscode.executeDocumentHighlights', document.uri, positionOf(document, 'stem', 1));
    assert.deepEqual(
      highlights.map((h) => [h.range.start.line, h.kind]).sort(),
      [
        [10, vscode.DocumentHighlightKind.Read],
        [4, vscode.DocumentHighlightKind.Write],
      ].sort(),
    );
    // Nothing on a keyword.
    const none = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeDefinitionProvider', document.uri, positionOf(document, 'softmax'));
    assert.equal(none.length, 0);
  });

  test('rename (F2) renames the label and every use; refuses a keyword and a taken name with a reason', async () => {
    const { document } = await openFixture('labels-rename.cnn', RESBLOCK);
    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', document.uri, positionOf(document, 'stem', 1), 'shortcut');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.equal(document.lineAt(4).text, 'shortcut: relu');
    assert.equal(document.lineAt(10).text, 'from shortcut');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('vscode.prepareRename', document.uri, positionOf(document, 'softmax'))),
      /Only a label can be renamed/,
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('vscode.executeDocumentRenameProvider', document.uri, positionOf(document, 'main'), 'shortcut')),
      /`shortcut` already names the output on line 5/,
    );
  });

  test('completion after add offers the labels above; hover on add shows each incoming shape and its line, on from what it starts from', async () => {
    const { document } = await openFixture('labels-complete.cnn', RESBLOCK);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, new vscode.Position(13, 'add '.length));
    const labels = list.items.filter((i) => i.kind === vscode.CompletionItemKind.Reference).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.deepEqual(labels.sort(), ['main', 'stem']);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(13, 1));
    const text = hovers.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')).join('\n');
    assert.match(text, /`16×16×32` from line 13 \(batch norm\): the current flow/, text);
    assert.match(text, /`16×16×32` from `main`, line 10 \(batch norm\)/, text);
    const onFrom = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(10, 1));
    const fromText = onFrom.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')).join('\n');
    assert.match(fromText, /\*\*stem\*\*: the output of layer 2 \(relu\) on line 5: `32×32×16`/, fromText);
  });

  test('the outline shows the branch; the hint after `from` shows the shape it starts from', async () => {
    const { document } = await openFixture('labels-outline.cnn', RESBLOCK);
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', document.uri);
    const net = symbols[0]!;
    const branch = net.children.find((c) => c.name === 'from stem');
    assert.ok(branch, JSON.stringify(net.children.map((c) => c.name)));
    assert.equal(branch.kind, vscode.SymbolKind.Namespace);
    assert.deepEqual(
      branch.children.map((c) => c.name),
      ['8: conv 32 filters 1×1, stride 2', '9: batch norm'],
    );
    assert.ok(net.children.some((c) => c.name === '7: main: batch norm'));
    const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', document.uri, new vscode.Range(10, 0, 10, 20));
    assert.deepEqual(
      hints.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''))),
      ['→ 32×32×16'],
    );
  });
});
