// @vscode/test-cli configuration: `npm run test:vscode` downloads VS Code 1.100.3 into .vscode-test/ (needs the
// internet) and runs the extension-host suite (test/vscode/*.test.ts, compiled into out/test/vscode/ by
// test/vscode/build.mjs) inside it with mocha's tdd interface. Where VS Code cannot be downloaded, the same
// suite runs in code-server's extension host: node test/vscode/run-in-code-server.mjs (part of `npm test`).
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  label: 'extension-host',
  files: 'out/test/vscode/**/*.test.js',
  version: '1.100.3',
  launchArgs: ['--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  mocha: { ui: 'tdd', timeout: 30_000, color: true },
});
