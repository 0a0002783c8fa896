#!/usr/bin/env node
// Compiles the extension-host suite with esbuild into out/test/vscode/:
// - for the Node extension host: one CommonJS file per test file (test/vscode/*.test.ts, shared by both hosts,
//   and node/*.test.ts, Node only) and the code-server entry index.js; `vscode` and `mocha` are the host's;
// - for the web worker extension host: one browser bundle, web/index.js (web/index.ts, then every shared
//   *.test.ts and web/*.test.ts), with mocha's browser build inside and only `vscode` external. Built with
//   platform 'browser', so a shared test that imports Node (`node:fs`, …) fails here: such a test goes in node/.
// `npm run test:vscode` (via .vscode-test.mjs) and test/vscode/run-in-code-server.mjs both run it first.

import * as esbuild from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
export const OUT_DIR = join(root, 'out', 'test', 'vscode');
/** The web worker host's test entry (extensionTestsPath). */
export const WEB_ENTRY = join(OUT_DIR, 'web', 'index.js');

const testsIn = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join(dir, f)) : []);

export async function buildVscodeTests() {
  const shared = testsIn(here);
  rmSync(OUT_DIR, { recursive: true, force: true }); // no stale test from a file since removed
  const common = { bundle: true, format: 'cjs', sourcemap: 'inline', logLevel: 'warning', absWorkingDir: root, loader: { '.cnn': 'text' } };
  await esbuild.build({
    ...common,
    entryPoints: [...shared, ...testsIn(join(here, 'node')), join(here, 'index.ts')],
    outbase: here,
    outdir: OUT_DIR,
    platform: 'node',
    target: 'node20',
    external: ['vscode', 'mocha'],
  });
  // One module that imports the entry first (it sets mocha up, defining `suite` and `test`), then the tests in a
  // fixed order, and passes the entry's run() on.
  const imports = [join(here, 'web', 'index.ts'), ...shared, ...testsIn(join(here, 'web'))].map((f) => `import ${JSON.stringify('./' + relative(here, f).replaceAll('\\', '/'))};`);
  await esbuild.build({
    ...common,
    stdin: { contents: `${imports.join('\n')}\nexport { run } from './web/index.ts';\n`, resolveDir: here, sourcefile: 'web-suite.ts', loader: 'ts' },
    outfile: WEB_ENTRY,
    platform: 'browser',
    target: 'es2022',
    external: ['vscode'],
  });
  return OUT_DIR;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildVscodeTests();
