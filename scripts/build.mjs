#!/usr/bin/env node
// One build script, one esbuild entry per bundle. `--watch` rebuilds on change, `--production` minifies.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');

/** Node bundles: the extension host code, the trainer child, the command line. */
const nodeEntries = [
  { in: 'src/extension.ts', out: 'extension', external: ['vscode'] },
  { in: 'src/cli/main.ts', out: 'cli' },
  { in: 'src/trainer/main.ts', out: 'trainer' },
].filter((e) => existsSync(join(root, e.in)));

/** Browser bundles: the webview app. */
const webEntries = [{ in: 'webview/main.ts', out: 'webview' }].filter((e) => existsSync(join(root, e.in)));

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
  legalComments: 'none',
};

const configs = [
  ...nodeEntries.map((e) => ({
    ...common,
    entryPoints: { [e.out]: e.in },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: e.external ?? [],
  })),
  ...webEntries.map((e) => ({
    ...common,
    entryPoints: { [e.out]: e.in },
    outdir: 'dist',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
  })),
];

if (watch) {
  for (const c of configs) {
    const ctx = await esbuild.context(c);
    await ctx.watch();
  }
  console.log('esbuild: watching');
} else {
  await Promise.all(configs.map((c) => esbuild.build(c)));
}
