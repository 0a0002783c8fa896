/// <reference types="mocha" />
// Training-health diagnostics through the vscode API: a run of a deep sigmoid stack puts a W303 (source
// cnn-health) on the first layer's line; a comment added above keeps it, on the layer's new line; a change of
// the network clears it.

import * as vscode from 'vscode';
import * as assert from '../assert';
import { codeOf, openFixture, waitForDiagnostics } from '../helpers';

const STACK = Array.from({ length: 14 }, () => 'dense units=16 activation=sigmoid');
const DEEP = ['network DeepSigmoid', 'input 8x8x1', 'classes door stair sign', ...STACK, 'dense units=3', 'softmax', 'data shapes samples=64', 'train epochs=1 batch=16 optimizer=sgd lr=0.01 seed=3', ''].join('\n');

const health = (d: readonly vscode.Diagnostic[]) => d.filter((x) => x.source === 'cnn-health');

suite('training health', () => {
  test('W303 on the layer’s line after a run; kept through a comment, cleared by a change of the network', async function () {
    this.timeout(120_000);
    const editor = await openFixture('deep-sigmoid.cnn', DEEP);
    const doc = editor.document;
    await doc.save();
    await vscode.commands.executeCommand('cnnStudio.train', doc.uri);
    const all = await waitForDiagnostics(doc.uri, (d) => health(d).some((x) => codeOf(x) === 'W303'), 'a W303 from the run', 90_000);
    const w303 = health(all).filter((x) => codeOf(x) === 'W303');
    assert.equal(w303[0]!.range.start.line, 3);
    assert.equal(w303[0]!.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(doc.getText(w303[0]!.range), 'dense units=16 activation=sigmoid');
    assert.match(w303[0]!.message, /^Vanishing gradient: its weight-gradient norm/);
    // A comment line above the layers: the warning follows its layer down a line.
    assert.ok(await editor.edit((b) => b.insert(new vscode.Position(3, 0), '# a deep stack\n')));
    await waitForDiagnostics(doc.uri, (d) => health(d).some((x) => codeOf(x) === 'W303' && x.range.start.line === 4), 'the W303 on line 5');
    // A change of the network (16 → 12 units in the first layer) clears them.
    const line = doc.lineAt(4);
    const col = line.text.indexOf('16');
    assert.ok(await editor.edit((b) => b.replace(new vscode.Range(4, col, 4, col + 2), '12')));
    await waitForDiagnostics(doc.uri, (d) => health(d).length === 0, 'the health diagnostics to go');
  });
});
