#!/usr/bin/env node
// Compiles the extension-host suite (test/vscode/*.ts) into out/test/vscode/*.js with esbuild: one CommonJS
// file per test file and the code-server entry (index.js), `vscode` and `mocha` left to the extension host.
// `npm run test:vscode` (via .vscode-test.mjs) and test/vscode/run-in-code-server.mjs both run it first.

import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
export const OUT_DIR = join(root, 'out', 'test', 'vscode');

export async function buildVscodeTests() {
  const entries = readdirSync(here).filter((f) => f.endsWith('.test.ts') || f === 'index.ts');
  rmSync(OUT_DIR, { recursive: true, force: true }); // no stale test from a file since removed
  await esbuild.build({
    entryPoints: entries.map((f) => join(here, f)),
    outdir: OUT_DIR,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
    absWorkingDir: root,
  });
  return OUT_DIR;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildVscodeTests();
