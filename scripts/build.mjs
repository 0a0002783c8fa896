#!/usr/bin/env node
// One build script, one esbuild entry per bundle. `--watch` rebuilds on change, `--production` minifies.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');

// ---- Engine kernels: AssemblyScript → WebAssembly, before esbuild ------------------------------------------
// src/engine/wasm/assembly/kernels.ts (the entry; it imports the kernel files beside it) is compiled four
// times: plain SIMD and relaxed SIMD (f32x4.relaxed_madd), each with its own memory (1 thread) and with an
// imported shared memory (`-mt`, for worker threads). All land in build/ (tests load them from the TypeScript
// sources) and in dist/ (beside the bundles, the only folder the vsix ships). src/engine/wasm-module.ts picks
// one at run time with WebAssembly.validate.
async function buildEngineWasm() {
  const source = 'src/engine/wasm/assembly/kernels.ts';
  if (!existsSync(join(root, source))) return;
  const { default: asc } = await import('assemblyscript/asc');
  const shared = ['--enable', 'threads', '--importMemory', '--sharedMemory', '--maximumMemory', '65536'];
  const variants = [
    { file: 'engine-simd.wasm', features: ['--enable', 'simd'] },
    { file: 'engine-relaxed.wasm', features: ['--enable', 'simd', '--enable', 'relaxed-simd'] },
    { file: 'engine-simd-mt.wasm', features: ['--enable', 'simd', ...shared] },
    { file: 'engine-relaxed-mt.wasm', features: ['--enable', 'simd', '--enable', 'relaxed-simd', ...shared] },
  ];
  mkdirSync(join(root, 'build'), { recursive: true });
  mkdirSync(join(root, 'dist'), { recursive: true });
  for (const v of variants) {
    const out = join(root, 'build', v.file);
    const { error, stderr } = await asc.main(
      [join(root, source), '-O3', '--runtime', 'stub', '--noAssert', '--use', 'abort=', ...v.features, '-o', out],
      { stdout: process.stdout, stderr: process.stderr },
    );
    if (error) {
      console.error(`asc: ${v.file} failed: ${error.message}\n${stderr?.toString() ?? ''}`);
      process.exit(1);
    }
    copyFileSync(out, join(root, 'dist', v.file));
  }
}
await buildEngineWasm();

// The exported PyTorch package's Python files: read at export time from dist/templates/ (src/export/py/pyTemplate.ts),
// not bundled, so extension.js does not carry them.
function copyPythonTemplates() {
  const from = join(root, 'src/export/py/templates');
  if (!existsSync(from)) return;
  const to = join(root, 'dist/templates');
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(from)) if (f.endsWith('.py')) copyFileSync(join(from, f), join(to, f));
}
copyPythonTemplates();
if (production && existsSync(join(root, 'dist'))) {
  // A production build has no source maps: remove the ones a development build left behind.
  for (const f of readdirSync(join(root, 'dist'))) if (f.endsWith('.map')) rmSync(join(root, 'dist', f));
}
// ------------------------------------------------------------------------------------------------------------

/** Node bundles: the extension host code, the trainer child, the command line. */
const nodeEntries = [
  { in: 'src/extension.ts', out: 'extension', external: ['vscode'] },
  { in: 'src/cli/main.ts', out: 'cli' },
  { in: 'src/trainer/main.ts', out: 'trainer' },
].filter((e) => existsSync(join(root, e.in)));

/** Browser bundles: the webview app. */
const webEntries = [{ in: 'webview/main.ts', out: 'webview' }].filter((e) => existsSync(join(root, e.in)));

/**
 * Web Worker bundles: the trainer of the web extension host (src/trainer/webWorker.ts), which the extension reads
 * with vscode.workspace.fs and starts from a Blob URL, so one classic script with nothing external. As for every
 * browser bundle, esbuild refuses `node:` imports here: that refusal is what keeps Node out of the web trainer
 * (no aliases or shims for Node's modules), and it fails the build.
 */
const workerEntries = [{ in: 'src/trainer/webWorker.ts', out: 'trainer-web' }].filter((e) => existsSync(join(root, e.in)));

/**
 * The extension in the browser's web worker extension host (package.json's `browser`): CommonJS like the Node
 * entry, `vscode` external. platform 'browser' makes esbuild refuse every `node:` import, so Node code cannot
 * slip into it: the build fails instead (the guard of issue 14; never alias node built-ins here).
 */
const webExtensionEntries = [{ in: 'src/web.ts', out: 'web', external: ['vscode'] }].filter((e) => existsSync(join(root, e.in)));

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
    // The network templates (src/templates/) import examples/*.cnn as text.
    loader: { '.cnn': 'text' },
  })),
  ...webExtensionEntries.map((e) => ({
    ...common,
    entryPoints: { [e.out]: e.in },
    outdir: 'dist',
    platform: 'browser',
    format: 'cjs',
    target: 'es2022',
    external: e.external,
    loader: { '.cnn': 'text' },
  })),
  ...webEntries.map((e) => ({
    ...common,
    entryPoints: { [e.out]: e.in },
    outdir: 'dist',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
  })),
  ...workerEntries.map((e) => ({
    ...common,
    entryPoints: { [e.out]: e.in },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.cnn': 'text' },
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
