#!/usr/bin/env node
// Runs the extension-host suite (test/vscode/*.test.ts, the one `npm run test:vscode` runs in a downloaded
// VS Code) inside code-server 4.100.3, where VS Code itself cannot be downloaded: first in code-server's Node
// extension host, then, in the same code-server, in the browser's web worker extension host (where vscode.dev
// and github.dev run extensions).
//
//   node test/vscode/run-in-code-server.mjs [--host node|web] [--grep TEXT] [--keep] [--verbose]
//
// How: code-server's command line takes no --extensionDevelopmentPath / --extensionTestsPath (it rejects
// unknown options), but VS Code's web workbench reads both from the page's `payload` query parameter and hands
// them to the extension host. So the runner builds the extension (dist/) and the suite (out/test/vscode/),
// starts a bare code-server (no .vsix: the working tree is the extension under development), and for each host
// opens a workbench window in Debian's chromium with that payload and waits for the workbench to call
// `window.codeAutomationExit(code)`, which it does when the extension host's test runner finishes:
// - node: extensionTestsPath out/test/vscode/index.js (test/vscode/index.ts): the shared tests and node/*.test.ts;
// - web: the user setting remote.extensionKind moves the extension into the web worker host (hostSettings in
//   test/e2e/lib/codeServer.mjs), and extensionTestsPath is the browser bundle out/test/vscode/web/index.js:
//   the shared tests and web/*.test.ts, which fail unless they and the extension really run in a web worker.
// Each window gets its own workspace folder, through which the runner passes --grep and the suite passes back
// its report (test/vscode/report.ts). Exit code 0 when every test of every host passed, 1 otherwise (also on a
// time-out: CNN_VSCODE_TIMEOUT_S for each host, default 600 s).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { CodeServer, HOSTS, killAllCodeServers, newRunDir } from '../e2e/lib/codeServer.mjs';
import { ensureChromium, ensureCodeServer, REPO_ROOT } from '../e2e/lib/setup.mjs';
import { closeBrowser, launchBrowser } from '../e2e/lib/workbench.mjs';
import { buildVscodeTests, OUT_DIR, WEB_ENTRY } from './build.mjs';

const argv = process.argv.slice(2);
const option = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const keep = argv.includes('--keep');
const verbose = argv.includes('--verbose');
const grep = option('--grep');
const hosts = option('--host') ? [option('--host')] : HOSTS;
const limitMs = Number(process.env.CNN_VSCODE_TIMEOUT_S ?? 600) * 1000;
const log = (msg) => console.log(`[vscode-tests] ${msg}`);
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const rel = (p) => p.slice(REPO_ROOT.length + 1);

/** Per host: the suite's entry (extensionTestsPath) and the bundle the extension runs from there. */
const HOST_RUN = {
  node: { entry: join(OUT_DIR, 'index.js'), bundle: 'main' },
  web: { entry: WEB_ENTRY, bundle: 'browser' },
};
// The names test/vscode/report.ts reads and writes in the workspace folder.
const OPTIONS_FILE = 'cnn-test-options.json';
const REPORT_FILE = 'cnn-test-report.json';

/** The extension's bundle for `host` from package.json (`main` or `browser`), which must have been built. */
function checkBundle(host) {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  const field = HOST_RUN[host].bundle;
  if (typeof pkg[field] !== 'string') throw new Error(`package.json has no "${field}" entry: the extension cannot run in the ${host} extension host`);
  if (!existsSync(join(REPO_ROOT, pkg[field]))) throw new Error(`${pkg[field]} ("${field}" in package.json) is missing: run npm run build`);
}

/** Open one window whose extension host (`host`) runs the suite; resolves to { code, report, ms }. */
async function runHost(host, { server, browser, runDir }) {
  const started = Date.now();
  const workspace = join(runDir, `workspace-${host}`);
  mkdirSync(workspace, { recursive: true });
  writeFileSync(join(workspace, OPTIONS_FILE), JSON.stringify(grep ? { grep } : {}));
  server.useHost(host);
  const page = await browser.newPage();
  try {
    let finish;
    const finished = new Promise((resolve) => (finish = resolve));
    // The web workbench calls these when the extension host's test runner is done (extensionService.ts); the
    // second argument of codeAutomationExit and codeAutomationLog carry the extension host's log lines.
    await page.exposeFunction('codeAutomationExit', (exitCode) => finish(exitCode));
    const hostLog = [];
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = `[${host} ${type}] ${format(...(Array.isArray(args) ? args : [args]))}`;
      hostLog.push(line);
      if (verbose) console.log(`    ${line}`);
    });
    // With --verbose, the workbench's console (where the extension host's console.log lands, as
    // `'%c INFO', css, …the original arguments`) is echoed; the outcome itself comes from the report.
    if (verbose) {
      page.on('console', async (m) => {
        const values = await Promise.all(m.args().map((a) => a.jsonValue().catch(() => '')));
        const strings = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
        const rest = typeof strings[0] === 'string' && strings[0].startsWith('%c') ? strings.slice(2) : strings;
        console.log(`    [${host}] ${format(...rest)}`);
      });
    }
    const remote = (path) => `vscode-remote://127.0.0.1:${server.port}${path}`;
    const url = new URL(server.url + '/');
    url.searchParams.set('folder', workspace);
    url.searchParams.set(
      'payload',
      JSON.stringify([
        ['extensionDevelopmentPath', remote(REPO_ROOT)],
        ['extensionTestsPath', remote(HOST_RUN[host].entry)],
      ]),
    );
    log(`${host}: opening the workbench; the ${host === 'web' ? 'web worker' : 'Node'} extension host runs the suite`);
    await page.goto(url.toString(), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    let timer;
    const timedOut = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), limitMs)));
    const outcome = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    let code = outcome === 0 ? 0 : 1;
    if (outcome === 'timeout') log(`${host}: no result within ${secs(limitMs)}; code-server log: ${rel(server.logFile)}`);
    let report = null;
    try {
      report = JSON.parse(readFileSync(join(workspace, REPORT_FILE), 'utf8'));
    } catch {}
    if (!report) {
      code = 1;
      if (hostLog.length && !verbose) log(`${host}: the extension host's last words:\n${hostLog.slice(-15).join('\n').replace(/^/gm, '    ')}`);
    } else if (report.host !== host || report.failed > 0 || report.passed === 0) code = 1;
    return { code, report, ms: Date.now() - started };
  } finally {
    await page.close().catch(() => {});
  }
}

async function main() {
  const t0 = Date.now();
  for (const h of hosts) if (!HOST_RUN[h]) throw new Error(`--host ${h}: one of ${HOSTS.join(', ')}`);
  ensureChromium();
  await ensureCodeServer();
  if (process.env.CNN_VSCODE_SKIP_BUILD !== '1') {
    log('building the extension (node scripts/build.mjs)');
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs')], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`scripts/build.mjs failed (exit ${r.status ?? r.signal})`);
  }
  for (const h of hosts) checkBundle(h);
  await buildVscodeTests();
  log(`suite compiled into ${rel(OUT_DIR)}`);

  const runDir = newRunDir('vscode-tests');
  let server = null;
  let browser = null;
  const results = [];
  try {
    server = await new CodeServer({ runDir, vsix: null, log }).start();
    browser = await launchBrowser();
    for (const host of hosts) results.push({ host, ...(await runHost(host, { server, browser, runDir })) });
  } finally {
    await closeBrowser(browser);
    await server?.stop();
  }

  let code = 0;
  for (const { host, code: c, report, ms } of results) {
    if (report) {
      for (const o of report.outcomes) {
        if (o.state === 'passed') console.log(`  PASS [${host}] ${o.title} (${o.durationMs} ms)`);
        else console.log(`  FAIL [${host}] ${o.title}\n${o.error.replace(/^/gm, '      ')}`);
      }
      if (report.host !== host) log(`${host}: the report came from the ${report.host} host`);
      log(`${host}: ${report.passed} passed, ${report.failed} failed (exit code ${c}) in ${secs(ms)}`);
    } else {
      log(`${host}: the suite wrote no report (exit code ${c}) in ${secs(ms)}; see ${rel(runDir)}/code-server.log`);
    }
    if (c !== 0) code = 1;
  }
  log(`${code === 0 ? 'all passed' : 'FAILED'} (${hosts.join(' + ')}) in ${secs(Date.now() - t0)}`);
  if (code === 0 && !keep) rmSync(runDir, { recursive: true, force: true });
  else log(`kept ${rel(runDir)}`);
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
