// The PyTorch backend in the editor (Node only): the trainer child for `cnnStudio.backend` (the built-in engine,
// or the exported train.py run by `cnnStudio.pythonPath`; the setting and Workspace Trust: backend.ts), and
// `CNN: Export to PyTorch` / `CNN: Export to ONNX`, which write the package or the graph beside the file.

import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { decideFile, defaultPytorchDir, observeFile, PytorchTrainer, pytorchTarget, type Refusal, refusalText, writePytorchPackage } from '../export';
import { exportable, noClassScores } from '../export/exportable';
import type { Diagnostic, ModelSpec } from '../language';
import { type Trainer, TrainerClient } from '../trainer/client';
import { fileStem, safeName } from '../trainer/paths';
import { type BackendSetting, pythonPath } from './backend';
import { type CnnDocuments, isCnn } from './documents';

/** The trainer child for a backend: dist/trainer.js, or the exported train.py (which re-checks trust itself). */
export function createTrainer(context: vscode.ExtensionContext, backend: BackendSetting): Trainer {
  if (backend === 'builtin') return new TrainerClient({ script: context.asAbsolutePath('dist/trainer.js') });
  return new PytorchTrainer({
    python: pythonPath(),
    allowed: () => (vscode.workspace.isTrusted ? true : 'This workspace is not trusted: the PyTorch backend runs nothing in Restricted Mode. Run "Workspaces: Manage Workspace Trust".'),
  });
}

/**
 * Asks before an export writes over something that is not its own earlier output (target.ts decides what is):
 * true for "Overwrite". A file where a folder belongs (or the reverse) cannot be overwritten: that is an error.
 */
async function confirmOverwrite(path: string, refusal: Refusal, detail: string): Promise<boolean> {
  const where = vscode.workspace.asRelativePath(path);
  if (refusal.kind === 'not-a-folder' || refusal.kind === 'folder-for-file') {
    void vscode.window.showErrorMessage(`CNN: cannot export to ${where}: it ${refusalText(refusal)}.`);
    return false;
  }
  const choice = await vscode.window.showWarningMessage(`CNN: ${where} ${refusalText(refusal)}. Overwrite it?`, { modal: true, detail }, 'Overwrite');
  return choice === 'Overwrite';
}

/** `CNN: Export to PyTorch` and `CNN: Export to ONNX`. */
export class ExportFeature implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly docs: CnnDocuments,
    /** The file's latest checkpoint (from training), for the ONNX weights. */
    private readonly checkpointFor: (file: string) => string | undefined,
  ) {
    this.subscriptions = [
      vscode.commands.registerCommand('cnnStudio.exportPytorch', (uri?: vscode.Uri) => this.exportPytorch(uri)),
      vscode.commands.registerCommand('cnnStudio.exportOnnx', (uri?: vscode.Uri) => this.exportOnnx(uri)),
    ];
  }

  /** The checked model of the target document, or undefined after telling the user why not. */
  private async target(uri?: vscode.Uri): Promise<{ doc: vscode.TextDocument; spec: ModelSpec; missingData: Diagnostic[] } | undefined> {
    const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
    if (!isCnn(doc)) {
      void vscode.window.showInformationMessage('CNN: open a .cnn file to export it.');
      return undefined;
    }
    if (doc.uri.scheme !== 'file') {
      void vscode.window.showErrorMessage('CNN: save the file to disk first; the export is written beside it.');
      return undefined;
    }
    const result = this.docs.get(doc);
    const ex = exportable(result, fileStem(doc.uri.path));
    if (!ex.ok) {
      const choice = await vscode.window.showErrorMessage(`CNN: ${vscode.workspace.asRelativePath(doc.uri)} has errors; fix them before exporting.`, 'Show Problems');
      if (choice === 'Show Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
      return undefined;
    }
    return { doc, spec: ex.spec, missingData: ex.missingData };
  }

  private async exportPytorch(uri?: vscode.Uri): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      // Restricted Mode: no Python is written into the workspace either (the ONNX export writes no code).
      const choice = await vscode.window.showWarningMessage('CNN: this workspace is not trusted, so CNN Studio writes no Python into it. Trust it to export to PyTorch.', 'Manage Workspace Trust');
      if (choice === 'Manage Workspace Trust') await vscode.commands.executeCommand('workbench.trust.manage');
      return;
    }
    const t = await this.target(uri);
    if (!t) return;
    const noScores = noClassScores(t.spec);
    if (noScores) {
      void vscode.window.showErrorMessage(`CNN: cannot export ${vscode.workspace.asRelativePath(t.doc.uri)} for PyTorch: ${noScores}; nothing was written.`);
      return;
    }
    const file = t.doc.uri.fsPath;
    const outDir = defaultPytorchDir(file, t.spec.name);
    const decision = pytorchTarget(t.spec, { file, outDir });
    if (!decision.write && !(await confirmOverwrite(outDir, decision.refusal, "Overwrite replaces the package's files there (its .py modules, README.md, network.cnn); other files are kept."))) return;
    try {
      writePytorchPackage(t.spec, { file, outDir });
    } catch (err) {
      void vscode.window.showErrorMessage(`CNN: cannot write ${outDir}: ${(err as Error).message}`);
      return;
    }
    // The data may live where the package will run: train.py takes --data PATH.
    const data = t.missingData.length ? ` ${t.missingData[0]!.message} Run train.py with --data PATH where the data is.` : '';
    const choice = await vscode.window.showInformationMessage(
      `CNN: exported ${t.spec.name} to ${vscode.workspace.asRelativePath(outDir)} (model.py, data.py, train.py). Run it with python3 train.py, or torchrun for several processes.${data}`,
      'Open README',
    );
    if (choice === 'Open README') await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(join(outDir, 'README.md')));
  }

  /** Through the bundled CLI (dist/cli.js), which has the engine for fresh weights and reads checkpoints. */
  private async exportOnnx(uri?: vscode.Uri): Promise<void> {
    const t = await this.target(uri);
    if (!t) return;
    const file = t.doc.uri.fsPath;
    const cli = this.context.asAbsolutePath('dist/cli.js');
    if (!existsSync(cli)) {
      void vscode.window.showErrorMessage('CNN: the command line is not built (dist/cli.js is missing).');
      return;
    }
    const ckpt = this.checkpointFor(file);
    const weights = ckpt && existsSync(ckpt) ? ckpt : undefined;
    const out = join(dirname(file), `${safeName(t.spec.name)}.onnx`);
    const decision = decideFile(observeFile(out), { network: t.spec.name }, false);
    if (!decision.write && !(await confirmOverwrite(out, decision.refusal, 'Overwrite replaces that file with the ONNX graph.'))) return;
    const force = decision.write ? [] : ['--force'];
    const args = ['export', file, '--format', 'onnx', '-o', out, ...(weights ? ['--weights', weights] : []), ...force];
    const r = await new Promise<{ code: number | null; out: string; err: string }>((done) => {
      let stdout = '';
      let stderr = '';
      const child = fork(cli, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], cwd: dirname(file) });
      child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
      child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
      child.on('error', (e) => done({ code: 1, out: stdout, err: `${stderr}${e.message}` }));
      child.on('close', (code) => done({ code, out: stdout, err: stderr }));
    });
    if (r.code !== 0) {
      void vscode.window.showErrorMessage(`CNN: the ONNX export failed: ${r.err.trim().split('\n').pop() ?? `exit code ${r.code}`}`);
      return;
    }
    void vscode.window.showInformationMessage(
      `CNN: exported ${vscode.workspace.asRelativePath(out)} with ${weights ? `the weights of ${vscode.workspace.asRelativePath(weights)}` : 'fresh (untrained) weights: train the model first for trained ones'}.`,
    );
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
