#!/usr/bin/env node
// The end-to-end suite in a real VS Code (code-server 4.100.3 + Debian's chromium + playwright-core).
//
//   node test/e2e/run.mjs [--grep REGEX] [--retries N] [--keep] [--list] [--publish]
//
// Installs what it needs on first run (see lib/setup.mjs), packages the extension (npm run package), installs
// cnn-studio.vsix into a fresh code-server, runs every scenario in test/e2e/scenarios/*.mjs against that one
// server (each in its own workspace and browser page), and ends with "N passed, N failed".
//
// Environment: CNN_E2E_CACHE (cache folder), CNN_E2E_SKIP_PACKAGE=1 (reuse cnn-studio.vsix),
// CNN_E2E_CHROMIUM (browser binary), CNN_E2E_VERBOSE=1 (show install output), CNN_E2E_TIMEOUT_S (whole run),
// CNN_E2E_PUBLISH=1 (same as --publish: replace the README's screenshots in media/screenshots/),
// CNN_E2E_RETRIES (same as --retries; default 1 when CI=true, else 0).
//
// --grep keeps the scenarios whose file or name matches REGEX (case-insensitive); none matching is an error.
// --retries N runs a failed scenario again, up to N times, in a fresh workspace and page: the first failure is
// printed in full either way, and a scenario that passes only on a retry is listed as FLAKY at the end.
//
// A scenario runs in code-server's Node extension host unless it exports `hosts`: `['node', 'web']` adds an
// entry `<name>@web` (its own workspaces and screenshots, suffixed -web) whose windows run the extension in the
// browser's web worker extension host (the user setting in hostSettings, lib/codeServer.mjs), checked at the
// end with Developer: Show Running Extensions. `isolated: true` (or a list of hosts) opens its windows through
// a cross-origin-isolating proxy (lib/coiProxy.mjs, `&vscode-coi=3`), checked with `crossOriginIsolated`.

import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodeServer, HOSTS, killAllCodeServers, newRunDir } from './lib/codeServer.mjs';
import { CoiProxy } from './lib/coiProxy.mjs';
import { crossOriginIsolation, HOST_LABEL, runningExtensionHost } from './lib/hosts.mjs';
import { E2E_DIR, ensureChromium, ensureCodeServer, ensureVsix, REPO_ROOT } from './lib/setup.mjs';
import { closeBrowser, launchBrowser, SCREENSHOT_DIR, Workbench } from './lib/workbench.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const grep = option('--grep');
const retries = Number(option('--retries') ?? process.env.CNN_E2E_RETRIES ?? (process.env.CI === 'true' ? 1 : 0));
const keep = flag('--keep');
const publishAll = flag('--publish') || process.env.CNN_E2E_PUBLISH === '1';
const t0 = Date.now();
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const log = (msg) => console.log(`[e2e] ${msg}`);

/**
 * Scenario modules: `export const name`, optional `export const timeout` (ms), optional `export const hosts`
 * (default ['node']; one entry per host, `<name>@web` for the web worker host), optional `export const isolated`
 * (true, or the hosts whose windows go through the cross-origin-isolating proxy), `export default async (t) => {}`.
 */
async function loadScenarios() {
  const dir = join(E2E_DIR, 'scenarios');
  const files = readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort();
  const out = [];
  for (const f of files) {
    const mod = await import(pathToFileURL(join(dir, f)).href);
    if (typeof mod.default !== 'function') throw new Error(`scenario ${f} has no default export function`);
    const hosts = mod.hosts ?? ['node'];
    const isolated = mod.isolated === true ? hosts : (mod.isolated ?? []);
    for (const h of [...hosts, ...isolated]) if (!HOSTS.includes(h)) throw new Error(`scenario ${f}: unknown host ${JSON.stringify(h)} (one of ${HOSTS.join(', ')})`);
    if (!hosts.length || new Set(hosts).size !== hosts.length) throw new Error(`scenario ${f}: hosts must list each host once`);
    const base = { file: f, slug: basename(f, '.mjs'), name: mod.name ?? basename(f, '.mjs') };
    for (const host of hosts) {
      const suffix = host === 'node' ? '' : `@${host}`;
      out.push({ ...base, slug: host === 'node' ? base.slug : `${base.slug}-${host}`, name: base.name + suffix, host, isolated: isolated.includes(host), timeout: mod.timeout ?? 120_000, run: mod.default, skip: mod.skip });
    }
  }
  if (!grep) return out;
  const re = new RegExp(grep, 'i');
  const kept = out.filter((s) => re.test(s.file) || re.test(s.name));
  if (!kept.length) throw new Error(`--grep ${grep} matches no scenario; there are:\n${out.map((s) => `  ${s.file}: ${s.name}`).join('\n')}`);
  return kept;
}

/** Everything a scenario gets: the server, the browser, a workspace factory and a way to open a window. */
function scenarioContext(scenario, { server, browser, runDir, coiProxy, attempt = 0 }) {
  const pages = [];
  const t = {
    server,
    browser,
    runDir,
    /** The extension host this entry runs CNN Studio in: 'node' or 'web'. */
    host: scenario.host,
    /** Whether its windows open through the cross-origin-isolating proxy. */
    isolated: scenario.isolated,
    log: (msg) => console.log(`    ${msg}`),
    /** A fresh workspace folder holding `files` ({ relativePath: text }); returns its absolute path. */
    workspace(files = {}, name = scenario.slug) {
      // A retry gets folders of its own: the same folder would bring back the failed try's editors and state.
      const dir = join(runDir, 'workspaces', attempt > 0 ? `${name}-try${attempt + 1}` : name);
      rmSync(dir, { recursive: true, force: true });
      for (const [rel, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, rel)), { recursive: true });
        writeFileSync(join(dir, rel), text);
      }
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    /**
     * Open a VS Code window on `folder`, optionally with `file` (absolute) in the editor. With `isolated`, through
     * the proxy, and the page must be cross-origin isolated.
     */
    async open(opts) {
      const wb = await Workbench.open(browser, scenario.isolated ? await coiProxy() : server, opts);
      pages.push(wb);
      if (scenario.isolated) {
        const coi = await crossOriginIsolation(wb.page);
        t.log(`crossOriginIsolated: page ${coi.page}, extension host iframe ${coi.extensionHostFrame}, workers ${JSON.stringify(coi.workers)}`);
        if (coi.page !== true || coi.extensionHostFrame === false) throw new Error(`the window opened through the cross-origin-isolating proxy is not crossOriginIsolated: ${JSON.stringify(coi)}`);
      }
      return wb;
    },
    /** Save a screenshot of the last opened window to test/e2e/screenshots/<name>.png (<name>-web.png in the web host). */
    async screenshot(name, wb = pages.at(-1)) {
      const path = await wb.screenshot(scenario.host === 'node' ? name : `${name}-${scenario.host}`);
      t.log(`screenshot ${path.slice(REPO_ROOT.length + 1)}`);
      return path;
    },
    /**
     * Copy a screenshot into media/screenshots/ for the README: only when it is missing there, or with --publish
     * (or CNN_E2E_PUBLISH=1), since every run's PNG differs in its bytes and would dirty the work tree. Only the
     * entry of the host `from` (default 'node') publishes: `t.publish(shot, 'browser-training.png', { from: 'web' })`.
     */
    publish(path, as, { from = 'node' } = {}) {
      if (scenario.host !== from) return;
      const dest = join(REPO_ROOT, 'media', 'screenshots', as);
      if (existsSync(dest) && !publishAll) {
        t.log(`kept media/screenshots/${as} (run with --publish to replace it)`);
        return;
      }
      mkdirSync(dirname(dest), { recursive: true });
      copyFileSync(path, dest);
      t.log(`published ${dest.slice(REPO_ROOT.length + 1)}`);
    },
    /** Time a step: `await t.step('hover', () => …)` logs how long it took. */
    async step(what, fn) {
      const s = Date.now();
      const r = await fn();
      t.log(`✓ ${what} (${Date.now() - s} ms)`);
      return r;
    },
  };
  return { t, pages };
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${secs(ms)}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function main() {
  const scenarios = await loadScenarios();
  if (flag('--list')) {
    for (const s of scenarios) console.log(`${s.file}: ${s.name}`);
    return 0;
  }
  // Set-up: browser binary, code-server (cached), the .vsix.
  const tSetup = Date.now();
  ensureChromium();
  await ensureCodeServer();
  const vsix = await ensureVsix();
  log(`set-up done in ${secs(Date.now() - tSetup)}`);

  const runDir = newRunDir();
  log(`run folder ${runDir.slice(REPO_ROOT.length + 1)}`);
  let server = null;
  let browser = null;
  let stopProxy = () => {};
  let passed = 0;
  let failed = 0;
  const failures = [];
  const flaky = [];
  try {
    const tStart = Date.now();
    // A copy of its own, so another run packaging at the same time cannot change it under this one.
    const runVsix = join(runDir, basename(vsix));
    copyFileSync(vsix, runVsix);
    server = await new CodeServer({ runDir, vsix: runVsix, log }).start();
    browser = await launchBrowser();
    log(`editor and browser ready in ${secs(Date.now() - tStart)}`);
    // One proxy for the run, started by the first isolated window; it follows a restarted code-server.
    let proxy = null;
    const coiProxy = async () => (proxy ??= await new CoiProxy(() => server.port, { log }).start());
    stopProxy = () => proxy?.stop();

    /** One try of a scenario; true when it passed. A failure is printed with its screenshot and logs. */
    const runScenario = async (s, attempt) => {
      const started = Date.now();
      const { t, pages } = scenarioContext(s, { server, browser, runDir, coiProxy, attempt });
      const tag = attempt > 0 ? ` [try ${attempt + 1}]` : '';
      try {
        server.useHost(s.host); // the windows this scenario opens run the extension in s.host
        const body = async () => {
          await s.run(t);
          if (s.host !== 'node') await t.step(`CNN Studio runs in the ${s.host} extension host (Running Extensions)`, () => checkHost(s, pages));
        };
        await withTimeout(body(), s.timeout, `scenario "${s.name}"`);
        console.log(`  PASS ${s.name}${tag} (${secs(Date.now() - started)})`);
        return true;
      } catch (err) {
        failures.push({ name: `${s.name}${tag}`, err, final: attempt >= retries });
        console.log(`  FAIL ${s.name}${tag} (${secs(Date.now() - started)})`);
        console.log(indent(shorten(err?.stack ?? String(err)), 4));
        for (const [i, wb] of pages.entries()) {
          const path = await wb.screenshot(`FAILED-${s.slug}${attempt > 0 ? `-try${attempt + 1}` : ''}${pages.length > 1 ? `-${i + 1}` : ''}`).catch(() => null);
          if (path) console.log(`    screenshot of the failure: ${path.slice(REPO_ROOT.length + 1)}`);
          if (wb.consoleErrors.length) console.log(`    browser console errors (last 5):\n${indent(wb.consoleErrors.slice(-5).join('\n'), 6)}`);
        }
        console.log(`    code-server log: ${server.logFile.slice(REPO_ROOT.length + 1)}`);
        return false;
      } finally {
        for (const wb of pages) await wb.close();
      }
    };
    // A scenario that kills the server must not take the others down with it.
    const restartServerIfGone = async () => {
      const c = server.child;
      if (!c || c.exitCode !== null || c.signalCode !== null) {
        log('code-server is gone; starting a fresh one for the next scenario');
        await server.stop();
        server = await new CodeServer({ runDir: newRunDir('restart'), vsix: runVsix, log }).start();
      }
    };

    for (const s of scenarios) {
      if (s.skip) {
        console.log(`- SKIP ${s.name}: ${s.skip}`);
        continue;
      }
      console.log(`• ${s.name}`);
      for (let attempt = 0; ; attempt++) {
        const ok = await runScenario(s, attempt);
        if (ok) {
          passed++;
          if (attempt > 0) flaky.push(`${s.name} (passed on try ${attempt + 1})`);
          break;
        }
        if (attempt >= retries) {
          failed++;
          break;
        }
        console.log(`  RETRY ${s.name} (try ${attempt + 2} of ${retries + 1})`);
        await restartServerIfGone();
      }
      await restartServerIfGone();
    }
  } catch (err) {
    failed++;
    failures.push({ name: 'set-up', err });
    console.log(`  FAIL set-up: ${err?.stack ?? err}`);
  } finally {
    await closeBrowser(browser);
    await stopProxy();
    await server?.stop();
  }
  if (failed === 0 && !keep) rmSync(runDir, { recursive: true, force: true });
  else log(`kept ${runDir.slice(REPO_ROOT.length + 1)} (logs, workspaces)`);
  pruneOldRuns();
  log(`total ${secs(Date.now() - t0)}`);
  if (failures.length) console.log(`\nFailures:\n${failures.map((f) => `  - ${f.final === false ? '(retried) ' : ''}${f.name}: ${String(f.err?.message ?? f.err).split('\n')[0]}`).join('\n')}`);
  if (flaky.length) console.log(`\nFLAKY (failed, then passed on a retry; the failure is printed above):\n${flaky.map((f) => `  - ${f}`).join('\n')}`);
  console.log(`${passed} passed, ${failed} failed${flaky.length ? `, ${flaky.length} of the passed flaky` : ''}`);
  return failed === 0 ? 0 : 1;
}

/** The last window the scenario left open must list CNN Studio in its extension host (`web worker` for web). */
async function checkHost(s, pages) {
  const wb = pages.filter((p) => !p.page.isClosed()).at(-1);
  if (!wb) throw new Error(`${s.name}: the scenario closed its windows, so the extension host cannot be checked; leave one open`);
  const where = await runningExtensionHost(wb);
  if (!HOST_LABEL[s.host].test(where)) throw new Error(`Running Extensions shows CNN Studio in "${where}", not in the ${s.host} extension host`);
}

/** Keep the five newest run folders under .work/. */
function pruneOldRuns() {
  const work = join(E2E_DIR, '.work');
  try {
    const runs = readdirSync(work)
      .map((n) => ({ n, m: statSync(join(work, n)).mtimeMs }))
      .sort((a, b) => b.m - a.m);
    for (const r of runs.slice(5)) rmSync(join(work, r.n), { recursive: true, force: true });
  } catch {}
}

/** Playwright's call logs are long; keep the head and the stack's tail. */
function shorten(s, max = 40) {
  const lines = String(s).split('\n').filter((l) => !/^\s*(\x1b\[2m)?\s*-\s/.test(l));
  return lines.length <= max ? lines.join('\n') : [...lines.slice(0, max - 8), '…', ...lines.slice(-7)].join('\n');
}

function indent(s, n) {
  return String(s)
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');
}

// A watchdog for the whole run: nothing may hang CI.
const limitMs = Number(process.env.CNN_E2E_TIMEOUT_S ?? 20 * 60) * 1000;
const watchdog = setTimeout(() => {
  console.log(`[e2e] the whole run passed its limit of ${secs(limitMs)}; stopping code-server`);
  killAllCodeServers();
  console.log('0 passed, 1 failed');
  process.exit(1);
}, limitMs);
watchdog.unref();

main().then(
  (code) => {
    process.exitCode = code;
    // Playwright or a stray handle must not keep the process alive.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err) => {
    console.error(`[e2e] ${err?.stack ?? err}`);
    killAllCodeServers();
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
