// The extension-host test entry for code-server (run-in-code-server.mjs): VS Code's test runner protocol
// (`run(): Promise<void>`, loaded from `extensionTestsPath`), running every compiled *.test.js beside it with
// mocha's tdd interface, as @vscode/test-cli does under `npm run test:vscode`. Each test's outcome is printed
// (the extension host forwards the console to the workbench) and, when CNN_VSCODE_TEST_RESULT names a file,
// written there as JSON for the runner.

import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

interface Outcome {
  title: string;
  state: 'passed' | 'failed';
  durationMs: number;
  error?: string;
}

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 30_000, color: false, reporter: 'spec' });
  const grep = process.env.CNN_VSCODE_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const f of readdirSync(__dirname).filter((n) => n.endsWith('.test.js')).sort()) mocha.addFile(join(__dirname, f));
  const outcomes: Outcome[] = [];
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run(resolve);
    runner.on('pass', (t) => outcomes.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration ?? 0 }));
    runner.on('fail', (t, err: Error) => outcomes.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration ?? 0, error: String(err?.stack ?? err) }));
  });
  const resultFile = process.env.CNN_VSCODE_TEST_RESULT;
  if (resultFile) {
    const passed = outcomes.filter((o) => o.state === 'passed').length;
    writeFileSync(resultFile, JSON.stringify({ passed, failed: failures, outcomes }, null, 2));
  }
  if (failures > 0) throw new Error(`${failures} extension-host test${failures === 1 ? '' : 's'} failed`);
  if (outcomes.length === 0) throw new Error('no extension-host tests ran');
}
