// One-time set-up for the end-to-end suite: code-server from npm into a cache folder of its own,
// Debian's chromium, and the extension packaged as a .vsix. Everything here is idempotent.
//
// Recipe: /work/shared/spec/e2e-in-a-real-editor.md (code-server 4.100.3 is the last line that runs on Node 20).

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(E2E_DIR, '..', '..');
export const CODE_SERVER_VERSION = '4.100.3';
export const CHROMIUM = process.env.CNN_E2E_CHROMIUM ?? '/usr/bin/chromium';
export const RIPGREP = '/usr/bin/rg';
export const VSIX = join(REPO_ROOT, 'cnn-studio.vsix');

/** Where code-server and other downloads are cached between runs. */
export function cacheDir() {
  return resolve(process.env.CNN_E2E_CACHE ?? join(REPO_ROOT, 'node_modules', '.cache', 'cnn-e2e'));
}

export function codeServerDir() {
  return join(cacheDir(), 'code-server');
}

/** The code-server entry point that `node` runs. */
export function codeServerEntry() {
  return join(codeServerDir(), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

const log = (msg) => console.log(`[e2e setup] ${msg}`);

/** Run a command, streaming its output to a log file and (tail) into the error on failure. */
export function runCommand(cmd, args, { cwd, env, timeoutMs = 15 * 60_000, quiet = false, label = cmd } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let tail = '';
    const keep = (chunk) => {
      const s = chunk.toString();
      tail = (tail + s).slice(-8000);
      if (!quiet) process.stdout.write(s);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
      reject(new Error(`${label} timed out after ${Math.round(timeoutMs / 1000)} s\n${tail}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${label} could not start: ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(tail);
      else reject(new Error(`${label} failed (exit ${code ?? signal})\n${tail}`));
    });
  });
}

/** Chromium from Debian; playwright's own browser downloads cannot work on these machines. */
export function ensureChromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing. Install Debian's chromium first: apt-get update && apt-get install -y chromium ` +
        '(.ci/run does this), or point CNN_E2E_CHROMIUM at a Chromium binary.',
    );
  }
  return CHROMIUM;
}

/**
 * code-server@4.100.3 from npm into <cache>/code-server, skipped when the marker file says it is there.
 * Its native modules build with node-gyp against /usr's Node headers, and @vscode/ripgrep's postinstall
 * takes a tarball of Debian's rg from TMPDIR instead of downloading it from GitHub.
 */
export async function ensureCodeServer() {
  const dir = codeServerDir();
  const marker = join(dir, `.installed-${CODE_SERVER_VERSION}`);
  if (existsSync(marker) && existsSync(codeServerEntry())) {
    log(`code-server ${CODE_SERVER_VERSION} already installed in ${dir}`);
    return dir;
  }
  if (!existsSync(RIPGREP)) {
    throw new Error(`${RIPGREP} is missing. Install Debian's ripgrep first: apt-get install -y ripgrep (.ci/run does this).`);
  }
  const started = Date.now();
  log(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (one time, about 2 minutes)`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // A package.json of its own, so npm installs here and never touches the project's dependencies.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'cnn-e2e-code-server', private: true }, null, 2) + '\n');

  const tmp = join(cacheDir(), 'tmp');
  const rgCache = join(tmp, 'vscode-ripgrep-cache-1.15.11');
  mkdirSync(rgCache, { recursive: true });
  const tarball = join(rgCache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
  if (!existsSync(tarball)) await runCommand('tar', ['czf', tarball, '-C', dirname(RIPGREP), 'rg'], { quiet: true, label: 'tar rg' });

  const env = {
    ...process.env,
    TMPDIR: tmp,
    npm_config_yes: 'true',
    npm_config_nodedir: '/usr',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  await runCommand(
    'npm',
    ['install', '--unsafe-perm', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`],
    { cwd: dir, env, label: 'npm install code-server', quiet: !process.env.CNN_E2E_VERBOSE },
  );
  if (!existsSync(codeServerEntry())) throw new Error(`code-server installed, but ${codeServerEntry()} is missing`);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  log(`code-server installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return dir;
}

/**
 * Package the extension with `npm run package` (production build + vsce) unless CNN_E2E_SKIP_PACKAGE=1
 * and a .vsix newer than every bundle already exists.
 */
export async function ensureVsix() {
  if (process.env.CNN_E2E_SKIP_PACKAGE === '1' && existsSync(VSIX)) {
    log(`using the existing ${VSIX} (CNN_E2E_SKIP_PACKAGE=1)`);
    return VSIX;
  }
  const started = Date.now();
  log('packaging the extension: npm run package');
  await runCommand('npm', ['run', 'package', '--silent'], { cwd: REPO_ROOT, label: 'npm run package', quiet: true, timeoutMs: 5 * 60_000 });
  if (!existsSync(VSIX)) throw new Error(`npm run package finished but ${VSIX} is missing`);
  const kb = Math.round(statSync(VSIX).size / 1024);
  log(`packaged cnn-studio.vsix (${kb} KiB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return VSIX;
}

/** The extension's id as code-server lists it: publisher.name. */
export function extensionId() {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  return `${pkg.publisher}.${pkg.name}`.toLowerCase();
}

// `node test/e2e/lib/setup.mjs` installs what the suite needs and nothing else.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureChromium();
    await ensureCodeServer();
    log('ready');
  } catch (err) {
    console.error(`[e2e setup] ${err.message}`);
    process.exit(1);
  }
}
