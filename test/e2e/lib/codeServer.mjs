// Starts code-server (VS Code 1.100's workbench with a real Node extension host) for one test run, in its own
// process group, with every folder it writes to under test/e2e/.work/<run>/, and always stops the whole group.

import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { codeServerEntry, E2E_DIR, extensionId } from './setup.mjs';

/** Process groups this process started; killed on any kind of exit. */
const liveGroups = new Set();

function killGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}

let handlersInstalled = false;
function installExitHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      console.error(`\n[e2e] ${sig}: stopping code-server and exiting`);
      for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Kill every code-server process group this process started (used by runners on fatal errors). */
export function killAllCodeServers() {
  for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
  liveGroups.clear();
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh run folder: test/e2e/.work/<timestamp>-<pid>[-label]. */
export function newRunDir(label = '') {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(E2E_DIR, '.work', `${stamp}-${process.pid}${label ? `-${label}` : ''}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** User settings that keep the workbench quiet and deterministic. */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'workbench.reduceMotion': 'on',
  'workbench.colorTheme': 'Default Dark Modern',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'update.showReleaseNotes': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'github.gitAuthentication': false,
  'npm.autoDetect': 'off',
  'chat.commandCenter.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.editor.enablePreview': false,
  'editor.minimap.enabled': false,
  'editor.hover.delay': 150,
  'editor.hover.sticky': true,
  'editor.inlayHints.enabled': 'on',
  'editor.codeLens': false,
  'editor.accessibilitySupport': 'off',
  'editor.experimental.asyncTokenization': false,
  'files.autoSave': 'off',
  // The browser asks before opening a file over 10 MB; open it as VS Code on the desktop does.
  'workbench.editorLargeFileConfirmation': 1024,
  'files.hotExit': 'off',
  'window.restoreWindows': 'none',
  'window.commandCenter': false,
  'problems.autoReveal': true,
  'workbench.panel.defaultLocation': 'bottom',
  'notifications.showExtensionsRecommendations': false,
  'terminal.integrated.enablePersistentSessions': false,
};

/**
 * The workbench at `base` (code-server, or a proxy in front of it: the remote authority is the page's host)
 * opening `folder` and, optionally, `file` (absolute paths on this machine), with extra query `params`.
 */
export function workbenchUrl(base, folder, file, params = {}) {
  const u = new URL(base + '/');
  if (folder) u.searchParams.set('folder', folder);
  if (file) u.searchParams.set('payload', JSON.stringify([['openFile', `vscode-remote://${u.host}${file}`]]));
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

/** The extension hosts a window can run CNN Studio in: code-server's Node host, or the browser's web worker host. */
export const HOSTS = ['node', 'web'];

/**
 * The user settings that put the extension in `host`. An extension with both `main` and `browser` runs in
 * code-server's Node extension host; the user setting `remote.extensionKind: {"<publisher>.<name>": ["web"]}`
 * moves it into the web worker host, installed or under development (`extensionDevelopmentKind` in the URL's
 * payload has no effect in 1.100). The workbench reads it when a window opens.
 */
export function hostSettings(host) {
  if (!HOSTS.includes(host)) throw new Error(`unknown extension host ${JSON.stringify(host)}; one of ${HOSTS.join(', ')}`);
  return host === 'web' ? { 'remote.extensionKind': { [extensionId()]: ['web'] } } : {};
}

/**
 * A code-server for one run. `start()` installs the .vsix, starts the server and waits for /healthz;
 * `stop()` kills the whole process group. Both are safe to call more than once.
 */
export class CodeServer {
  constructor({ runDir, vsix, settings = {}, log = () => {} }) {
    this.runDir = runDir;
    this.vsix = vsix;
    this.settings = { ...QUIET_SETTINGS, ...settings };
    this.log = log;
    this.dirs = {
      userData: join(runDir, 'user-data'),
      extensions: join(runDir, 'extensions'),
      xdgData: join(runDir, 'xdg', 'data'),
      xdgConfig: join(runDir, 'xdg', 'config'),
      xdgCache: join(runDir, 'xdg', 'cache'),
      xdgState: join(runDir, 'xdg', 'state'),
      home: join(runDir, 'home'),
    };
    this.logFile = join(runDir, 'code-server.log');
    this.child = null;
    this.port = 0;
    this.exited = null;
  }

  env() {
    return {
      ...process.env,
      XDG_DATA_HOME: this.dirs.xdgData,
      XDG_CONFIG_HOME: this.dirs.xdgConfig,
      XDG_CACHE_HOME: this.dirs.xdgCache,
      XDG_STATE_HOME: this.dirs.xdgState,
      HOME: this.dirs.home,
      // The extension host must not think it runs inside another VS Code (e.g. when the suite is started from one).
      VSCODE_IPC_HOOK_CLI: '',
      ELECTRON_RUN_AS_NODE: '',
      NODE_OPTIONS: '',
    };
  }

  commonArgs() {
    return ['--user-data-dir', this.dirs.userData, '--extensions-dir', this.dirs.extensions];
  }

  prepare() {
    for (const d of Object.values(this.dirs)) mkdirSync(d, { recursive: true });
    this.useHost('node');
  }

  /**
   * Write the user settings for windows opened from now on to run the extension in `host` ('node' or 'web').
   * Windows already open keep the host they started with; the runners open one window at a time.
   */
  useHost(host) {
    mkdirSync(join(this.dirs.userData, 'User'), { recursive: true });
    writeFileSync(join(this.dirs.userData, 'User', 'settings.json'), JSON.stringify({ ...this.settings, ...hostSettings(host) }, null, 2) + '\n');
  }

  /** `code-server --install-extension <vsix>` into this run's extensions folder. */
  installExtension(vsix = this.vsix, timeoutMs = 120_000) {
    const started = Date.now();
    const r = spawnSync(process.execPath, [codeServerEntry(), ...this.commonArgs(), '--install-extension', vsix, '--force'], {
      env: this.env(),
      encoding: 'utf8',
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    writeFileSync(join(this.runDir, 'install-extension.log'), out);
    if (r.error || r.status !== 0 || !/successfully installed/i.test(out)) {
      throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status ?? r.error?.message}):\n${out.slice(-3000)}`);
    }
    this.log(`installed ${vsix.split('/').pop()} in ${Date.now() - started} ms`);
    return out;
  }

  async start({ healthTimeoutMs = 60_000 } = {}) {
    installExitHandlers();
    this.prepare();
    if (this.vsix) this.installExtension();
    this.port = await freePort();
    writeFileSync(join(this.runDir, 'config.yaml'), `bind-addr: 127.0.0.1:${this.port}\nauth: none\ncert: false\n`);
    const args = [
      codeServerEntry(),
      '--config', join(this.runDir, 'config.yaml'),
      ...this.commonArgs(),
      '--bind-addr', `127.0.0.1:${this.port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--disable-file-downloads',
      '--ignore-last-opened',
    ];
    const out = createWriteStream(this.logFile);
    const started = Date.now();
    // detached: setsid(), so the server, its extension host and pty host form one process group we can kill.
    this.child = spawn(process.execPath, args, { env: this.env(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    liveGroups.add(this.child.pid);
    this.child.stdout.pipe(out);
    this.child.stderr.pipe(out);
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    let exitInfo = null;
    this.exited.then((info) => (exitInfo = info));
    const deadline = Date.now() + healthTimeoutMs;
    for (;;) {
      if (exitInfo) throw new Error(`code-server exited during start-up (${exitInfo.code ?? exitInfo.signal}); see ${this.logFile}:\n${this.logTail()}`);
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) break;
      } catch {}
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`code-server did not answer /healthz within ${healthTimeoutMs / 1000} s; see ${this.logFile}:\n${this.logTail()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    this.log(`code-server up on ${this.url} in ${Date.now() - started} ms (pgid ${this.child.pid})`);
    return this;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A URL that opens `folder` and, optionally, `file` (both absolute paths on this machine). */
  workbenchUrl(folder, file) {
    return workbenchUrl(this.url, folder, file);
  }

  logTail(chars = 3000) {
    try {
      return readFileSync(this.logFile, 'utf8').slice(-chars);
    } catch {
      return '(no log)';
    }
  }

  /** SIGTERM the group, then SIGKILL whatever is left after a short grace period. */
  async stop(graceMs = 3000) {
    if (!this.child) return;
    const pgid = this.child.pid;
    const child = this.child;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(pgid, 'SIGTERM');
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, graceMs))]);
    }
    // Children (extension host, pty host) may outlive the server; the group kill reaches them too.
    killGroup(pgid, 'SIGKILL');
    liveGroups.delete(pgid);
    this.log(`code-server stopped (pgid ${pgid})`);
  }
}
