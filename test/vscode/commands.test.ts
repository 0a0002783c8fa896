/// <reference types="mocha" />
// Commands and completion through the vscode API: CNN: Show Model Summary opens the table beside the file;
// the completion provider offers words where they help and nothing after a finished number.

import * as vscode from 'vscode';
import * as assert from './assert';
import { E020_MODEL, openFixture, waitFor } from './helpers';

suite('commands', () => {
  test('CNN: Show Model Summary shows the layers table beside the file', async () => {
    await openFixture('summary.cnn', E020_MODEL);
    const isSummary = (e: vscode.TextEditor) => e.document.uri.scheme === 'cnn-summary';
    const shown = waitFor(vscode.window.onDidChangeVisibleTextEditors, (editors) => editors.some(isSummary), 'the summary editor');
    await vscode.commands.executeCommand('cnnStudio.showSummary');
    const editors = await shown;
    const summary = editors.find(isSummary)!;
    const text = summary.document.getText();
    assert.match(text, /Network: Demo/);
    assert.match(text, /conv/);
  });
});

suite('completion', () => {
  const labels = (list: vscode.CompletionList) => list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));

  test('after optimizer= it offers the optimizers', async () => {
    const { document } = await openFixture('completion.cnn', 'train optimizer=\n');
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, new vscode.Position(0, 16), '=');
    assert.deepEqual(labels(list).filter((l) => l === 'adam' || l === 'sgd').sort(), ['adam', 'sgd']);
  });

  test('after samples=300 nothing extends the number', async () => {
    const { document } = await openFixture('completion-number.cnn', 'data shapes samples=300\n');
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, new vscode.Position(0, 23));
    assert.deepEqual(labels(list).filter((l) => l.startsWith('300') && l !== '300'), []);
    assert.deepEqual(labels(list).filter((l) => /^\d/.test(l)), []);
  });

  test('a keyword being typed is completed, with its documentation', async () => {
    const { document } = await openFixture('completion-keyword.cnn', 'rel\n');
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, new vscode.Position(0, 3));
    const relu = list.items.find((i) => i.label === 'relu');
    assert.ok(relu, JSON.stringify(labels(list)));
    assert.equal(relu!.insertText, 'relu');
  });
});
