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

/**
 * Every bundle: Node ones (the extension in VS Code's Node extension host, the trainer child, the command line)
 * and browser ones (the extension in the browser's web worker extension host, package.json's `browser`; its
 * trainer, a Web Worker the extension starts from a Blob URL, so one classic script with nothing external; the
 * webview app). For platform 'browser' esbuild refuses every `node:` import and fails the build: that refusal is
 * what keeps Node code out of the web extension and its trainer (the guard of issue 14: never alias or shim
 * Node's modules here). The network templates (src/templates/) import examples/*.cnn as text.
 */
const entries = [
  { in: 'src/extension.ts', out: 'extension', platform: 'node', format: 'cjs', external: ['vscode'] },
  { in: 'src/cli/main.ts', out: 'cli', platform: 'node', format: 'cjs' },
  { in: 'src/trainer/main.ts', out: 'trainer', platform: 'node', format: 'cjs' },
  { in: 'src/web.ts', out: 'web', platform: 'browser', format: 'cjs', external: ['vscode'] },
  { in: 'src/trainer/webWorker.ts', out: 'trainer-web', platform: 'browser', format: 'iife' },
  { in: 'webview/main.ts', out: 'webview', platform: 'browser', format: 'esm' },
].filter((e) => existsSync(join(root, e.in)));

const configs = entries.map((e) => ({
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
  legalComments: 'none',
  entryPoints: { [e.out]: e.in },
  outdir: 'dist',
  platform: e.platform,
  format: e.format,
  target: e.platform === 'node' ? 'node20' : 'es2022',
  external: e.external ?? [],
  loader: { '.cnn': 'text' },
}));

if (watch) {
  for (const c of configs) {
    const ctx = await esbuild.context(c);
    await ctx.watch();
  }
  console.log('esbuild: watching');
} else {
  await Promise.all(configs.map((c) => esbuild.build(c)));
}
