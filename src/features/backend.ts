// Which engine trains (`cnnStudio.backend`: the built-in engine or PyTorch) and which Python runs PyTorch
// (`cnnStudio.pythonPath`), read from the settings; Node-free, so both extension hosts share it (the browser's
// platform turns PyTorch down, webPlatform.ts).
//
// Workspace Trust: the PyTorch backend writes Python files into the workspace and runs Python on it, so in
// Restricted Mode nothing is exported to or run by Python; the user is offered "Manage Workspace Trust" (or
// the built-in engine). Both settings are restrictedConfigurations in package.json: in an untrusted workspace
// VS Code ignores their workspace values, so a cloned repository cannot point pythonPath at its own program.

import * as vscode from 'vscode';

export type BackendSetting = 'builtin' | 'pytorch';

const UNTRUSTED =
  "CNN: the PyTorch backend writes Python files into this workspace and runs Python on them, and this workspace is not trusted (Restricted Mode). Trust it to train with PyTorch, or train with the built-in engine.";

export function backendSetting(): BackendSetting {
  return vscode.workspace.getConfiguration('cnnStudio').get<string>('backend', 'builtin') === 'pytorch' ? 'pytorch' : 'builtin';
}

export function pythonPath(): string {
  return vscode.workspace.getConfiguration('cnnStudio').get<string>('pythonPath', 'python3').trim() || 'python3';
}

/**
 * The backend to train with now: the setting's, unless it is `pytorch` in an untrusted workspace; then the
 * user chooses (trust the workspace, or the built-in engine) and `null` means do not train.
 */
export async function chooseBackend(): Promise<BackendSetting | null> {
  const backend = backendSetting();
  if (backend === 'builtin' || vscode.workspace.isTrusted) return backend;
  const choice = await vscode.window.showWarningMessage(UNTRUSTED, 'Manage Workspace Trust', 'Use Built-in Engine');
  if (choice === 'Use Built-in Engine') return 'builtin';
  if (choice === 'Manage Workspace Trust') await vscode.commands.executeCommand('workbench.trust.manage');
  return null;
}
