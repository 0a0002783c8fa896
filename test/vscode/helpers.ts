// Helpers for the extension-host suite: fixtures in a fresh folder, and waits on events (never sleeps).

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';

/** publisher.name from package.json. */
export const EXTENSION_ID = 'cnn-studio.cnn-studio';

let folder: string | undefined;

/** Write `text` to `name` in this run's own temporary folder and show it in an editor. */
export async function openFixture(name: string, text: string): Promise<vscode.TextEditor> {
  folder ??= mkdtempSync(join(tmpdir(), 'cnn-vscode-tests-'));
  const path = join(folder, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path, text);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path));
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

/** The lecture's 7×7 input with F=3, S=3: (7 − 3 + 2·0)/3 + 1 = 2.33, an E020 on `stride=3` (line 3). */
export const E020_MODEL = `network Demo
input 7x7x1
conv filters=1 size=3 stride=3
relu
dense units=3
softmax
data shapes samples=100
`;
