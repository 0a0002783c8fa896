#!/usr/bin/env node
// Runs the extension-host suite (test/vscode/*.test.ts, the one `npm run test:vscode` runs in a downloaded
// VS Code) inside code-server 4.100.3's extension host, where VS Code itself cannot be downloaded.
//
//   node test/vscode/run-in-code-server.mjs [--grep TEXT] [--keep] [--verbose]
//
// How: code-server's command line takes no --extensionDevelopmentPath / --extensionTestsPath (it rejects
// unknown options), but VS Code's web workbench reads both from the page's `payload` query parameter and hands
// them to the extension host it starts on the server. So the runner builds the extension (dist/) and the suite
// (out/test/vscode/), starts a bare code-server (no .vsix: the working tree is the extension under development),
// opens the workbench in Debian's chromium with that payload, and waits for the workbench to call
// `window.codeAutomationExit(code)`, which it does when the extension host's test runner (test/vscode/index.ts)
// finishes. The suite's own report comes back through the CNN_VSCODE_TEST_RESULT file. Exit code 0 when every
// test passed, 1 otherwise (also on a time-out: CNN_VSCODE_TIMEOUT_S, default 600 s).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { CodeServer, killAllCodeServers, newRunDir } from '../e2e/lib/codeServer.mjs';
import { ensureChromium, ensureCodeServer, REPO_ROOT } from '../e2e/lib/setup.mjs';
import { closeBrowser, launchBrowser } from '../e2e/lib/workbench.mjs';
import { buildVscodeTests } from './build.mjs';

const argv = process.argv.slice(2);
const option = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const keep = argv.includes('--keep');
const verbose = argv.includes('--verbose');
const grep = option('--grep');
const limitMs = Number(process.env.CNN_VSCODE_TIMEOUT_S ?? 600) * 1000;
const log = (msg) => console.log(`[vscode-tests] ${msg}`);
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function main() {
  const t0 = Date.now();
  ensureChromium();
  await ensureCodeServer();
  if (process.env.CNN_VSCODE_SKIP_BUILD !== '1') {
    log('building the extension (node scripts/build.mjs)');
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs')], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`scripts/build.mjs failed (exit ${r.status ?? r.signal})`);
  }
  if (!existsSync(join(REPO_ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run npm run build');
  const outDir = await buildVscodeTests();
  log(`suite compiled into ${outDir.slice(REPO_ROOT.length + 1)}`);

  const runDir = newRunDir('vscode-tests');
  const resultFile = join(runDir, 'result.json');
  const workspace = join(runDir, 'workspace');
  mkdirSync(workspace, { recursive: true });
  // The extension host inherits code-server's environment.
  process.env.CNN_VSCODE_TEST_RESULT = resultFile;
  if (grep) process.env.CNN_VSCODE_TEST_GREP = grep;
  else delete process.env.CNN_VSCODE_TEST_GREP;

  let server = null;
  let browser = null;
  let code = 1;
  try {
    server = await new CodeServer({ runDir, vsix: null, log }).start();
    browser = await launchBrowser();
    const page = await browser.newPage();
    let finish;
    const finished = new Promise((resolve) => (finish = resolve));
    // The web workbench calls this when the extension host's test runner is done (extensionService.ts).
    await page.exposeFunction('codeAutomationExit', (exitCode) => finish(exitCode));
    // With --verbose, the workbench's console (where the extension host's console.log lands, as
    // `'%c INFO', css, …the original arguments`) is echoed; the outcome itself comes from the result file.
    if (verbose) {
      page.on('console', async (m) => {
        const values = await Promise.all(m.args().map((a) => a.jsonValue().catch(() => '')));
        const strings = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
        const rest = typeof strings[0] === 'string' && strings[0].startsWith('%c') ? strings.slice(2) : strings;
        console.log(`    ${format(...rest)}`);
      });
    }
    const remote = (path) => `vscode-remote://127.0.0.1:${server.port}${path}`;
    const url = new URL(server.url + '/');
    url.searchParams.set('folder', workspace);
    url.searchParams.set(
      'payload',
      JSON.stringify([
        ['extensionDevelopmentPath', remote(REPO_ROOT)],
        ['extensionTestsPath', remote(join(outDir, 'index.js'))],
      ]),
    );
    log('opening the workbench; the extension host runs the suite');
    await page.goto(url.toString(), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    let timer;
    const timedOut = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), limitMs)));
    const outcome = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      log(`no result within ${secs(limitMs)}; code-server log: ${server.logFile.slice(REPO_ROOT.length + 1)}`);
      code = 1;
    } else {
      code = outcome === 0 ? 0 : 1;
    }
  } finally {
    await closeBrowser(browser);
    await server?.stop();
  }

  let report = null;
  try {
    report = JSON.parse(readFileSync(resultFile, 'utf8'));
  } catch {}
  if (report) {
    for (const o of report.outcomes) {
      if (o.state === 'passed') console.log(`  PASS ${o.title} (${o.durationMs} ms)`);
      else console.log(`  FAIL ${o.title}\n${o.error.replace(/^/gm, '      ')}`);
    }
    log(`${report.passed} passed, ${report.failed} failed (exit code ${code}) in ${secs(Date.now() - t0)}`);
    if (report.failed > 0 || report.passed === 0) code = 1;
  } else {
    log(`the suite wrote no report (exit code ${code}); see ${runDir.slice(REPO_ROOT.length + 1)}/code-server.log`);
    code = 1;
  }
  if (code === 0 && !keep) rmSync(runDir, { recursive: true, force: true });
  else log(`kept ${runDir.slice(REPO_ROOT.length + 1)}`);
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err) => {
    console.error(`[vscode-tests] ${err?.stack ?? err}`);
    killAllCodeServers();
    process.exit(1);
  },
);
