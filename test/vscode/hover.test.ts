/// <reference types="mocha" />
// Hovers through vscode.executeHoverProvider: a layer's arithmetic and a parameter's documentation.

import * as vscode from 'vscode';
import * as assert from './assert';
import { E020_MODEL, openFixture } from './helpers';

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : String(c)))
    .join('\n');
}

suite('hover', () => {
  test('on conv: the shape arithmetic, not a whole number', async () => {
    const { document } = await openFixture('hover.cnn', E020_MODEL);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(2, 1));
    const text = hoverText(hovers);
    assert.match(text, /\(7 − 3 \+ 2·0\) \/ 3 \+ 1 = 2\.33/, text);
  });

  test('on a parameter: its documentation', async () => {
    const { document } = await openFixture('hover-param.cnn', E020_MODEL);
    const col = document.lineAt(2).text.indexOf('filters') + 2;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(2, col));
    assert.match(hoverText(hovers), /Number of filters K/);
  });

  test('on a multi-label network: the sigmoid names its labels, augment says what it does, class_weights its rule', async () => {
    const text = 'input 28x28x1\nclasses a b c\ndense units=3\nsigmoid\naugment flip=horizontal rotate=10\ntrain class_weights=balanced\n';
    const { document } = await openFixture('hover-tasks.cnn', text);
    const at = async (line: number, word: string) =>
      hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(line, document.lineAt(line).text.indexOf(word) + 1)));
    assert.match(await at(3, 'sigmoid'), /Output: multi-label, 3 labels\*\*: `a`, `b`, `c`/);
    assert.match(await at(4, 'augment'), /Each training image is mirrored left-right with probability ½ and turned by a random angle in ±10°/);
    assert.match(await at(4, 'rotate'), /uniform in ±DEGREES \(0 to 180\)/);
    assert.match(await at(5, 'class_weights'), /n \/ \(K · n_class\)/);
  });
});
