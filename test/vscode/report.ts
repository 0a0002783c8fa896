// What the extension-host suite's entries (index.ts in the Node host, web/index.ts in the web worker host) and
// their runner in code-server (run-in-code-server.mjs) exchange, through the window's workspace folder and so
// through vscode.workspace.fs (the web worker host has neither files nor an environment of its own):
// the runner writes OPTIONS_FILE ({ grep }) before opening the window; the entry writes REPORT_FILE when mocha is done.

import * as vscode from 'vscode';

export const OPTIONS_FILE = 'cnn-test-options.json';
export const REPORT_FILE = 'cnn-test-report.json';

export interface Outcome {
  title: string;
  state: 'passed' | 'failed';
  durationMs: number;
  error?: string;
}

export interface Report {
  host: 'node' | 'web';
  passed: number;
  failed: number;
  outcomes: Outcome[];
}

export interface Options {
  grep?: string;
}

function workspaceFile(name: string): vscode.Uri | undefined {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  return root && vscode.Uri.joinPath(root, name);
}

/** The runner's options, or none (e.g. under @vscode/test-cli, which does not use these entries). */
export async function readOptions(): Promise<Options> {
  const uri = workspaceFile(OPTIONS_FILE);
  if (!uri) return {};
  try {
    return JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))) as Options;
  } catch (err) {
    if (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') return {};
    throw err;
  }
}

/** Each test's outcome, as the runner reports it. */
export function collectOutcomes(runner: Mocha.Runner): Outcome[] {
  const outcomes: Outcome[] = [];
  runner.on('pass', (t) => outcomes.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration ?? 0 }));
  runner.on('fail', (t, err: Error) => outcomes.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration ?? 0, error: String(err?.stack ?? err) }));
  return outcomes;
}

/** Write the report for the runner; reject (VS Code's test protocol for a failure) when a test failed or none ran. */
export async function settle(host: Report['host'], outcomes: Outcome[], failures: number): Promise<void> {
  const passed = outcomes.filter((o) => o.state === 'passed').length;
  const uri = workspaceFile(REPORT_FILE);
  const report: Report = { host, passed, failed: failures, outcomes };
  if (uri) await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(report, null, 2)));
  if (failures > 0) throw new Error(`${failures} extension-host test${failures === 1 ? '' : 's'} failed`);
  if (outcomes.length === 0) throw new Error('no extension-host tests ran');
}
