// Helpers for the extension-host suite: fixtures in a fresh folder, and waits on events (never sleeps).
// Node-free: the suite runs in the Node extension host and in the web worker one (test/vscode/README in
// test/e2e/README.md), so files go through vscode.workspace.fs.

import * as vscode from 'vscode';

/** publisher.name from package.json. */
export const EXTENSION_ID = 'cnn-studio.cnn-studio';

let folder: vscode.Uri | undefined;

/** This run's own folder for fixtures, inside the window's workspace folder (the runners open one). */
function fixtureFolder(): vscode.Uri {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!root) throw new Error('the extension-host suite needs a workspace folder (the runners open one)');
  folder ??= vscode.Uri.joinPath(root, `fixtures-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
  return folder;
}

/** Write `text` to `name` in this run's own fixture folder and show it in an editor. */
export async function openFixture(name: string, text: string): Promise<vscode.TextEditor> {
  const uri = vscode.Uri.joinPath(fixtureFolder(), name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc);
  // Opening a .cnn file activates the extension (onLanguage:cnn); wait for that, so its providers are there.
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded in this extension host`);
  await ext.activate();
  return editor;
}

/** The diagnostic's code as a string (`E020`). */
export function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  return typeof c === 'object' && c !== null ? String(c.value) : String(c ?? '');
}

/**
 * The diagnostics of `uri` once `ready(diagnostics)` holds: checked now, then on every onDidChangeDiagnostics
 * for that file, failing after `timeoutMs` with what was there.
 */
export function waitForDiagnostics(uri: vscode.Uri, ready: (d: readonly vscode.Diagnostic[]) => boolean, what: string, timeoutMs = 15_000): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const now = vscode.languages.getDiagnostics(uri);
    if (ready(now)) return resolve(now);
    const timer = setTimeout(() => {
      sub.dispose();
      const got = vscode.languages.getDiagnostics(uri).map((d) => `${codeOf(d)} ${d.message}`);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; diagnostics: ${JSON.stringify(got)}`));
    }, timeoutMs);
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.toString() === uri.toString())) return;
      const d = vscode.languages.getDiagnostics(uri);
      if (ready(d)) {
        clearTimeout(timer);
        sub.dispose();
        resolve(d);
      }
    });
  });
}

/** Resolve once `event` fires with a value for which `ready` holds, or fail after `timeoutMs`. */
export function waitFor<T>(event: vscode.Event<T>, ready: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const sub = event((value) => {
      if (!ready(value)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(value);
    });
  });
}

/**
 * The code actions at `range` once `ready(actions)` holds. `vscode.executeCodeActionProvider` hands the provider the
 * workbench's markers as `context.diagnostics`, and those reach the workbench over RPC after the extension host's
 * own diagnostics changed (what waitForDiagnostics sees): no event tells the extension host, so this asks again
 * every 50 ms until it holds, failing after `timeoutMs` with what was offered.
 */
export async function waitForCodeActions(uri: vscode.Uri, range: vscode.Range, ready: (actions: vscode.CodeAction[]) => boolean, what: string, timeoutMs = 15_000): Promise<vscode.CodeAction[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value);
    if (ready(actions)) return actions;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; offered: ${JSON.stringify(actions.map((a) => a.title))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The lecture's 7×7 input with F=3, S=3: (7 − 3 + 2·0)/3 + 1 = 2.33, an E020 on `stride=3` (line 3). */
export const E020_MODEL = `network Demo
input 7x7x1
conv filters=1 size=3 stride=3
relu
dense units=3
softmax
data shapes samples=100
`;
