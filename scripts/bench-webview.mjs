#!/usr/bin/env node
// Render benchmark of the inspector's feature maps: 64 maps of 64×64 (one conv layer's output), in Debian's
// chromium through playwright-core. Loads the bundled components in a page, feeds synthetic snapshots and
// times N renders with performance.now(): the component's update (Lit render + ImageData painting +
// putImageData), and whole frames (requestAnimationFrame to the next one, so style, layout and paint count).
// The goal is ≤ 16 ms a frame. A benchmark that prints figures, not a timed test.
//
//   node scripts/bench-webview.mjs [--maps 64] [--size 64] [--frames 200] [--json]
//
// It also exports the page harness the browser tests use (test/browser/harness.mjs re-exports it): the real
// page template and content security policy, the bundled app, a stub `acquireVsCodeApi` that records what the
// app posts, VS Code's theme variables, a local server and chromium with a fresh profile.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';


export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CHROMIUM = process.env.CNN_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = () => existsSync(CHROMIUM);

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** VS Code's Dark Modern colours for the variables the inspector reads. */
export const DARK_THEME = {
  '--vscode-font-family': 'system-ui, "Segoe UI", Ubuntu, sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': '"DejaVu Sans Mono", monospace',
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-editor-foreground': '#cccccc',
  '--vscode-foreground': '#cccccc',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-errorForeground': '#f85149',
  '--vscode-focusBorder': '#0078d4',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-hoverBackground': '#026ec1',
  '--vscode-button-secondaryBackground': '#313131',
  '--vscode-button-secondaryForeground': '#cccccc',
  '--vscode-input-background': '#313131',
  '--vscode-input-foreground': '#cccccc',
  '--vscode-input-border': '#3c3c3c',
  '--vscode-panel-border': '#2b2b2b',
  '--vscode-panelTitle-activeBorder': '#0078d4',
  '--vscode-panelTitle-activeForeground': '#cccccc',
  '--vscode-panelTitle-inactiveForeground': '#9d9d9d',
  '--vscode-editorWidget-background': '#202020',
  '--vscode-editorWidget-border': '#313131',
  '--vscode-editor-selectionBackground': '#264f78',
  '--vscode-charts-foreground': '#cccccc',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-purple': '#b180d7',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-progressBar-background': '#0078d4',
};

/** VS Code's Light Modern colours for the same variables. */
export const LIGHT_THEME = {
  ...DARK_THEME,
  '--vscode-editor-background': '#ffffff',
  '--vscode-editor-foreground': '#3b3b3b',
  '--vscode-foreground': '#3b3b3b',
  '--vscode-descriptionForeground': '#3b3b3b',
  '--vscode-errorForeground': '#f85149',
  '--vscode-focusBorder': '#005fb8',
  '--vscode-button-background': '#005fb8',
  '--vscode-button-secondaryBackground': '#e5e5e5',
  '--vscode-button-secondaryForeground': '#3b3b3b',
  '--vscode-input-background': '#ffffff',
  '--vscode-input-foreground': '#3b3b3b',
  '--vscode-input-border': '#cecece',
  '--vscode-panel-border': '#e5e5e5',
  '--vscode-panelTitle-activeBorder': '#005fb8',
  '--vscode-panelTitle-activeForeground': '#3b3b3b',
  '--vscode-panelTitle-inactiveForeground': '#3b3b3b',
  '--vscode-editorWidget-background': '#f8f8f8',
  '--vscode-editorWidget-border': '#e5e5e5',
  '--vscode-editor-selectionBackground': '#add6ff',
  '--vscode-charts-foreground': '#616161',
  '--vscode-charts-blue': '#1a85ff',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#388a34',
  '--vscode-charts-purple': '#652d90',
  '--vscode-charts-red': '#e51400',
  '--vscode-charts-yellow': '#bf8803',
};

/** High Contrast (dark): black, white text, cyan-ish borders. */
export const HIGH_CONTRAST_THEME = {
  ...DARK_THEME,
  '--vscode-editor-background': '#000000',
  '--vscode-editor-foreground': '#ffffff',
  '--vscode-foreground': '#ffffff',
  '--vscode-descriptionForeground': '#ffffff',
  '--vscode-focusBorder': '#f38518',
  '--vscode-contrastBorder': '#6fc3df',
  '--vscode-button-background': '#000000',
  '--vscode-button-border': '#6fc3df',
  '--vscode-editorWidget-background': '#0c141f',
  '--vscode-editorWidget-border': '#6fc3df',
  '--vscode-panelTitle-activeBorder': '#f38518',
  '--vscode-panelTitle-activeForeground': '#ffffff',
  '--vscode-panelTitle-inactiveForeground': '#ffffff',
};

export const THEMES = { dark: [DARK_THEME, 'vscode-dark'], light: [LIGHT_THEME, 'vscode-light'], hc: [HIGH_CONTRAST_THEME, 'vscode-high-contrast'] };

/** Bundles webview/main.ts (as scripts/build.mjs does) into `outDir`, plus any extra entries. */
export async function buildWebview(outDir, extra = {}) {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: { webview: join(root, 'webview/main.ts'), ...extra },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'warning',
    absWorkingDir: root,
    legalComments: 'none',
  });
}

/** The page: media/inspector/index.html filled in, with the stub host and the theme, under the real CSP. */
export function pageHtml(origin, { theme = DARK_THEME, bodyClass = 'vscode-dark', persisted = null, app = true } = {}) {
  const nonce = 'dGVzdC1ub25jZQ==';
  let html = readFileSync(join(root, 'media/inspector/index.html'), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, k) =>
    ({ cspSource: origin, nonce, scriptUri: `${origin}/webview.js`, styleUri: `${origin}/inspector.css` })[k],
  );
  const vars = Object.entries(theme)
    .map(([k, v]) => `${k}: ${v};`)
    .join(' ');
  const stub = `<style nonce="${nonce}">html { ${vars} }</style>
  <script nonce="${nonce}">
    window.__posted = [];
    window.__state = ${JSON.stringify(persisted)};
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
    let acquired = false;
    window.acquireVsCodeApi = () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return {
        postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
        getState: () => window.__state,
        setState: (s) => { window.__state = s; },
      };
    };
    /** Posts a message as the host would; tensors arrive as {__f32: [...]} and become Float32Arrays. */
    window.__host = (m) => {
      const revive = (v) => Array.isArray(v) ? v.map(revive) : v && typeof v === 'object' ? ('__f32' in v ? new Float32Array(v.__f32) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]))) : v;
      window.postMessage(revive(m), '*');
    };
  </script>`;
  html = html.replace('<script type="module"', `${stub}\n  <script type="module"`);
  html = html.replace('<body>', `<body class="${bodyClass}">`);
  if (!app) html = html.replace('<cnn-inspector></cnn-inspector>', '');
  return html;
}

/** A local server for the page, the bundle and the stylesheet. */
export async function serve(bundleDir, options = {}) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const origin = `http://127.0.0.1:${server.address().port}`;
    const send = (type, body) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    try {
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204);
        return res.end();
      }
      if (url.pathname === '/') {
        // ?noapp: no <cnn-inspector>; ?theme=light|hc; ?state=<json>: what getState() returns at first.
        const [theme, bodyClass] = THEMES[url.searchParams.get('theme') ?? 'dark'] ?? THEMES.dark;
        const state = url.searchParams.get('state');
        return send('text/html', pageHtml(origin, { theme, bodyClass, ...options, app: !url.searchParams.has('noapp'), persisted: state ? JSON.parse(state) : null }));
      }
      if (url.pathname === '/webview.js') return send('text/javascript', readFileSync(join(bundleDir, 'webview.js')));
      if (url.pathname === '/inspector.css') return send('text/css', readFileSync(join(root, 'media/inspector/inspector.css')));
      const extra = join(bundleDir, url.pathname.slice(1));
      if (/^\/[\w-]+\.js$/.test(url.pathname) && existsSync(extra)) return send('text/javascript', readFileSync(extra));
    } catch (err) {
      res.writeHead(500);
      return res.end(String(err));
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(() => r())) };
}

/** Chromium with a fresh profile; `close` removes it. */
export async function launch({ width = 980, height = 760 } = {}) {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'cnn-inspector-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width, height },
    deviceScaleFactor: 1,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Typed arrays as {__f32: [...]}, so a message can cross page.evaluate (revived by window.__host). */
export function encode(v) {
  if (v instanceof Float32Array) return { __f32: Array.from(v) };
  if (Array.isArray(v)) return v.map(encode);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
}

/** The benchmark itself. */
async function main() {
  const args = process.argv.slice(2);
  const opt = (name, def) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : def;
  };
  const maps = opt('maps', 64);
  const size = opt('size', 64);
  const frames = opt('frames', 200);
  const json = args.includes('--json');

  if (!hasChromium()) {
    console.error('bench-webview: /usr/bin/chromium is missing (apt-get install chromium)');
    process.exit(2);
  }

  const dir = mkdtempSync(join(tmpdir(), 'cnn-bench-webview-'));
  let server;
  let browser;
  try {
    await buildWebview(dir);
    server = await serve(dir);
    browser = await launch({ width: 1280, height: 1000 });
    const { page } = browser;
    await page.goto(`${server.url}/?noapp=1`);
    await page.waitForFunction(() => customElements.get('cnn-feature-maps') !== undefined);
    const result = await page.evaluate(
      async ({ maps, size, frames }) => {
        const el = document.createElement('cnn-feature-maps');
        document.body.append(el);
        // Eight different snapshots, so no frame repeats the previous one's numbers.
        const make = (phase) => {
          const data = new Float32Array(size * size * maps);
          for (let y = 0; y < size; y++)
            for (let x = 0; x < size; x++)
              for (let k = 0; k < maps; k++) data[(y * size + x) * maps + k] = Math.sin((x + phase) * (0.05 + 0.01 * (k % 7))) * Math.cos((y - phase) * (0.04 + 0.013 * (k % 5)));
          const input = new Float32Array(size * size * 3).map((_, i) => Math.sin(i + phase));
          return {
            type: 'snapshot',
            source: `bench ${phase}`,
            label: null,
            input: { shape: [size, size, 3], data: input },
            activations: [{ shape: [size, size, maps], data, index: 0, kind: 'conv', line: 0 }],
            filters: [],
            probabilities: [],
            classes: [],
          };
        };
        const snaps = Array.from({ length: 8 }, (_, i) => make(i * 3));
        const stats = (xs) => {
          const s = [...xs].sort((a, b) => a - b);
          const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
          return { median: q(0.5), p95: q(0.95), min: s[0], max: s[s.length - 1] };
        };
        // Warm up.
        for (let i = 0; i < 60; i++) {
          el.snapshot = snaps[i % 8];
          await el.updateComplete;
        }
        const update = [];
        for (let i = 0; i < frames; i++) {
          const t0 = performance.now();
          el.snapshot = snaps[i % 8];
          await el.updateComplete;
          update.push(performance.now() - t0);
        }
        // Whole frames: a new snapshot in every animation frame; the time between frames.
        const frame = await new Promise((resolve) => {
          const times = [];
          let i = 0;
          let last = 0;
          const tick = (t) => {
            if (last) times.push(t - last);
            last = t;
            if (i >= frames) return resolve(times);
            el.snapshot = snaps[i++ % 8];
            requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
        });
        const canvas = el.shadowRoot.querySelector('canvas[data-layer="0"]');
        return { update: stats(update), frame: stats(frame), canvas: [canvas.width, canvas.height] };
      },
      { maps, size, frames },
    );
    const version = browser.context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent));
    if (json) console.log(JSON.stringify({ maps, size, frames, chromium: version, load: loadavg()[0], cpus: cpus().length, ...result }, null, 2));
    else {
      const f = (x) => `${x.toFixed(2)} ms`;
      console.log(`Feature maps: ${maps} maps of ${size}×${size} (canvas ${result.canvas.join('×')}), ${frames} renders, ${version}`);
      console.log(`  update (Lit render + paint + putImageData): median ${f(result.update.median)}, p95 ${f(result.update.p95)}, max ${f(result.update.max)}`);
      console.log(`  frame (requestAnimationFrame to the next):  median ${f(result.frame.median)}, p95 ${f(result.frame.p95)}`);
      const load = loadavg()[0];
      console.log(`  goal ≤ 16 ms a frame: ${result.update.median <= 16 ? 'met' : 'NOT met'} by the median update; p95 ${result.update.p95 <= 16 ? 'meets it too' : 'does not'} (load average ${load.toFixed(1)} on ${cpus().length} CPUs: a loaded machine's time slices show in p95 and max)`);
    }
  } finally {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
