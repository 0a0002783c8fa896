// The extension-host test entry for the web worker extension host (run-in-code-server.mjs --host web): VS Code's
// test runner protocol (`run(): Promise<void>`, loaded from `extensionTestsPath`). A worker has no files to
// list, so test/vscode/build.mjs bundles this module first, then every shared test/vscode/*.test.ts and
// web/*.test.ts, into one CommonJS file for the browser (esbuild refuses `node:` imports there: a shared test
// that needs Node belongs in node/). Mocha is its browser build, set up here before the tests' `suite` calls
// run; the outcomes go to the workspace folder for the runner (report.ts).

/// <reference types="mocha" />
import { collectOutcomes, readOptions, settle } from '../report';

// mocha's browser build (CommonJS under a bundler: it returns the instance and defines the tdd globals on setup).
const mocha = require('mocha/mocha.js') as BrowserMocha;
mocha.setup({ ui: 'tdd', reporter: 'spec', timeout: 30_000, color: false });

export async function run(): Promise<void> {
  const { grep } = await readOptions();
  if (grep) mocha.grep(grep);
  let outcomes: ReturnType<typeof collectOutcomes> = [];
  const failures = await new Promise<number>((resolve) => {
    outcomes = collectOutcomes(mocha.run(resolve));
  });
  await settle('web', outcomes, failures);
}
