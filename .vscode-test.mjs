// @vscode/test-cli configuration: `npm run test:vscode` downloads VS Code 1.100.3 into .vscode-test/ (needs the
// internet) and runs the extension-host suite (test/vscode/*.test.ts, compiled into out/test/vscode/ by
// test/vscode/build.mjs) inside it with mocha's tdd interface. Where VS Code cannot be downloaded, the same
// suite runs in code-server's extension hosts (Node and web worker): node test/vscode/run-in-code-server.mjs
// (part of `npm test`). The tests write their fixtures into the window's workspace folder: a fresh one here.
import { defineConfig } from '@vscode/test-cli';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default defineConfig({
  label: 'extension-host',
  files: 'out/test/vscode/**/*.test.js',
  version: '1.100.3',
  workspaceFolder: mkdtempSync(join(tmpdir(), 'cnn-vscode-tests-')),
  launchArgs: ['--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  mocha: { ui: 'tdd', timeout: 30_000, color: true },
});
