// `CNN: New Network…`: pick a template (the lecture's network, LeNet-5, TinyVGG), then either a new file in the
// workspace folder (a free name offered, an existing file never overwritten) or, with no folder open, an
// untitled `lecture.cnn` document. Either way it opens as a `.cnn` editor with its shapes.

import * as vscode from 'vscode';
import { type NetworkTemplate, TEMPLATES, templateById, templateFacts } from '../templates';
import { fileNameProblem, freeFileName, normalizeFileName } from '../templates/fileName';

export function registerNewNetwork(): vscode.Disposable {
  // The argument is a template id (`command:cnnStudio.newNetwork?["lecture"]` in the walkthrough); without it, ask.
  return vscode.commands.registerCommand('cnnStudio.newNetwork', (id?: unknown) => newNetwork(typeof id === 'string' ? id : undefined));
}

async function newNetwork(id: string | undefined): Promise<vscode.TextEditor | undefined> {
  const template = (id !== undefined ? templateById(id) : undefined) ?? (await pickTemplate());
  if (!template) return undefined;
  const folder = await targetFolder();
  if (folder === null) return undefined; // several folders and the user cancelled the choice
  return folder ? createFile(folder, template) : createUntitled(template);
}

async function pickTemplate(): Promise<NetworkTemplate | undefined> {
  const items = TEMPLATES.map((t) => ({ label: t.label, description: templateFacts(t), detail: t.teaches, template: t }));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'CNN: New Network',
    placeHolder: 'Start from which network?',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.template;
}

/** The folder of the active file, the only folder, or the one the user picks; undefined when none is open. */
async function targetFolder(): Promise<vscode.WorkspaceFolder | undefined | null> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) return undefined;
  const active = vscode.window.activeTextEditor?.document.uri;
  const ofActive = active ? vscode.workspace.getWorkspaceFolder(active) : undefined;
  if (ofActive) return ofActive;
  if (folders.length === 1) return folders[0];
  return (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Create the network in which folder?' })) ?? null;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

const inFolder = (folder: vscode.WorkspaceFolder, name: string) => vscode.Uri.joinPath(folder.uri, ...name.split('/'));

async function createFile(folder: vscode.WorkspaceFolder, template: NetworkTemplate): Promise<vscode.TextEditor | undefined> {
  let names: Set<string>;
  try {
    names = new Set((await vscode.workspace.fs.readDirectory(folder.uri)).map(([n]) => n));
  } catch {
    names = new Set();
  }
  const suggested = freeFileName(template.fileName, (n) => names.has(n));
  const typed = await vscode.window.showInputBox({
    title: `CNN: New Network — ${template.label}`,
    prompt: `A new .cnn file in ${folder.name}`,
    value: suggested,
    valueSelection: [0, suggested.length - '.cnn'.length],
    validateInput: async (value) => {
      const problem = fileNameProblem(value, () => false);
      if (problem) return problem;
      return (await exists(inFolder(folder, normalizeFileName(value)))) ? fileNameProblem(value, () => true) : null;
    },
  });
  if (typed === undefined) return undefined;
  const name = normalizeFileName(typed);
  const uri = inFolder(folder, name);
  // Checked again here: the file may have appeared while the box was open. Nothing is ever overwritten.
  if (await exists(uri)) {
    void vscode.window.showErrorMessage(`CNN: ${name} already exists in ${folder.name}; nothing was overwritten.`);
    return undefined;
  }
  try {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(uri, '..'));
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(template.text));
  } catch (err) {
    void vscode.window.showErrorMessage(`CNN: could not create ${name}: ${(err as Error).message}`);
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(await vscode.languages.setTextDocumentLanguage(doc, 'cnn'));
}

/** No folder open: an untitled document named after the template (Save offers that name). */
async function createUntitled(template: NetworkTemplate): Promise<vscode.TextEditor> {
  const open = new Set(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'untitled').map((d) => d.uri.path));
  const name = freeFileName(template.fileName, (n) => open.has(n));
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'untitled', path: name }));
  const editor = await vscode.window.showTextDocument(await vscode.languages.setTextDocumentLanguage(doc, 'cnn'));
  await editor.edit((e) => e.insert(new vscode.Position(0, 0), template.text));
  editor.selection = new vscode.Selection(0, 0, 0, 0);
  return editor;
}
