// The extension-host test entry for code-server's Node extension host (run-in-code-server.mjs): VS Code's test
// runner protocol (`run(): Promise<void>`, loaded from `extensionTestsPath`), running every compiled *.test.js
// beside it and in node/ (the Node-only tests) with mocha's tdd interface, as @vscode/test-cli does under
// `npm run test:vscode`. Each test's outcome is printed (the extension host forwards the console to the
// workbench) and written to the workspace folder for the runner (report.ts). The web worker host's entry is
// web/index.ts.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { collectOutcomes, readOptions, settle } from './report';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 30_000, color: false, reporter: 'spec' });
  const { grep } = await readOptions();
  if (grep) mocha.grep(grep);
  for (const dir of [__dirname, join(__dirname, 'node')]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.test.js')).sort()) mocha.addFile(join(dir, f));
  }
  let outcomes: ReturnType<typeof collectOutcomes> = [];
  const failures = await new Promise<number>((resolve) => {
    outcomes = collectOutcomes(mocha.run(resolve));
  });
  await settle('node', outcomes, failures);
}
