// Playwright helpers for VS Code 1.100's workbench (as served by code-server) in Debian's headless chromium.
// Every wait has a timeout; nothing sleeps for a fixed time.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { E2E_DIR, ensureChromium } from './setup.mjs';

export const SCREENSHOT_DIR = join(E2E_DIR, 'screenshots');
export const DEFAULT_TIMEOUT = 20_000;

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--disable-extensions',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
  '--password-store=basic',
];

/**
 * Launch Debian's chromium through playwright-core (never playwright's own browser downloads) and return a
 * fresh context; playwright gives the browser a fresh temporary profile (--user-data-dir) and removes it on close.
 * Close it with `closeBrowser(context)`.
 */
export async function launchBrowser() {
  const executablePath = ensureChromium();
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
  const context = await browser.newContext({
    viewport: { width: 1400, height: 860 },
    deviceScaleFactor: 1,
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  context.setDefaultTimeout(DEFAULT_TIMEOUT);
  return context;
}

export async function closeBrowser(context) {
  const browser = context?.browser();
  await context?.close().catch(() => {});
  await browser?.close().catch(() => {});
}

const cssString = (s) => JSON.stringify(s);

/** In the page: the keys of the workbench's stored items (IndexedDB, vscode-web-state-db-*) whose value matches the regular expression `source`, as "database/key". */
const storedKeysIn = async (source) => {
  const re = new RegExp(source);
  const found = [];
  for (const { name } of await indexedDB.databases()) {
    if (!name?.startsWith('vscode-web-state-db')) continue;
    const entries = await new Promise((done) => {
      const open = indexedDB.open(name);
      open.onerror = () => done([]);
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains('ItemTable')) return done([]), db.close();
        const out = [];
        const cursor = db.transaction('ItemTable', 'readonly').objectStore('ItemTable').openCursor();
        cursor.onsuccess = () => {
          const c = cursor.result;
          if (!c) return done(out), db.close();
          out.push([String(c.key), typeof c.value === 'string' ? c.value : JSON.stringify(c.value)]);
          c.continue();
        };
        cursor.onerror = () => (done(out), db.close());
      };
    });
    for (const [key, value] of entries) if (re.test(value)) found.push(`${name}/${key}`);
  }
  return found;
};

/** One VS Code window in a browser page, with helpers for what the scenarios do. */
export class Workbench {
  constructor(page, server) {
    this.server = server;
    this.consoleErrors = [];
    this.attach(page);
  }

  /** Make `page` this window's page, collecting its console errors. */
  attach(page) {
    this.page = page;
    page.on('console', (m) => {
      if (m.type() === 'error') this.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => this.consoleErrors.push(String(e)));
  }

  /** Open a new page on `folder` (and `file`), and wait for the workbench and the explorer. */
  static async open(context, server, { folder, file, timeout = 60_000 } = {}) {
    const page = await context.newPage();
    const wb = new Workbench(page, server);
    await page.goto(server.workbenchUrl(folder, file), { waitUntil: 'domcontentloaded', timeout });
    await page.waitForSelector('.monaco-workbench', { timeout });
    if (folder) await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout });
    if (file) await wb.waitForActiveEditor(file.split('/').pop(), { timeout });
    await wb.focusWorkbench();
    return wb;
  }

  /** The CNN Inspector's content: the webview's inner frame (the panel must be open). */
  inspectorFrame() {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  }

  /** Click the editor area once, so keyboard shortcuts reach the workbench. */
  async focusWorkbench() {
    // The active group's text editor, else a visible one in another group (after a click in the inspector its
    // webview's group is the active one, and a click on the text can leave the keyboard there); with none, the
    // workbench itself. The group is chosen once: which group is active changes under the clicks (a click in
    // a webview makes its group active a moment later), and a click on the webview's tab would keep the
    // keyboard there.
    const index = await this.page.evaluate(() => {
      const groups = [...document.querySelectorAll('.editor-group-container')];
      const hasText = (g) => Boolean(g.querySelector('.monaco-editor .view-lines')) && g.getClientRects().length > 0;
      const active = groups.findIndex((g) => g.classList.contains('active') && hasText(g));
      return active >= 0 ? active : groups.findIndex(hasText);
    });
    if (index < 0) {
      await this.page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } }).catch(() => {});
      return;
    }
    const group = this.page.locator('.editor-group-container').nth(index);
    // The click counts once the focused element is inside a text editor and the workbench has made that editor
    // the active one (the status bar shows its "Ln x, Col y"): the keyboard can reach the editor a moment before
    // the workbench has moved on from a webview's group, and commands then act on the webview.
    const keyboardInEditor = () =>
      this.page.waitForFunction(() => Boolean(document.activeElement?.closest?.('.monaco-editor') && document.querySelector('#status\\.editor\\.selection')), null, { timeout: 5_000 }).then(
        () => true,
        () => false,
      );
    for (let attempt = 1; ; attempt++) {
      // Every other try clicks the group's tab first (a click on the text can land on a widget over it).
      if (attempt % 2 === 0) await group.locator('.tab.active').first().click({ timeout: 5_000 }).catch(() => {});
      await group.locator('.monaco-editor .view-lines').first().click({ position: { x: 5, y: 5 }, timeout: 5_000 }).catch(() => {});
      if (await keyboardInEditor()) return;
      if (attempt === 6) {
        const focused = await this.page.evaluate(() => {
          const e = document.activeElement;
          return e ? `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} in ${e.parentElement?.className ?? '?'}` : 'nothing';
        });
        throw new Error(`focusWorkbench: the keyboard did not reach the text editor after 6 clicks; it is in ${focused}`);
      }
    }
  }

  /** Wait until the active tab is `name` and its text editor has rendered lines. */
  async waitForActiveEditor(name, { timeout = DEFAULT_TIMEOUT } = {}) {
    await this.page.waitForSelector(`.editor-group-container.active .tab.active[data-resource-name=${cssString(name)}]`, { timeout });
    await this.page.waitForSelector('.editor-group-container.active .monaco-editor .view-lines .view-line', { timeout });
  }

  /** Open a workspace file through Quick Open (Ctrl+P). */
  async openFile(relativePath, { timeout = DEFAULT_TIMEOUT } = {}) {
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout });
    await input.fill(relativePath);
    const name = relativePath.split('/').pop();
    await this.page.waitForSelector(`.quick-input-widget .monaco-list-row[aria-label*=${cssString(name)}]`, { timeout });
    await this.page.keyboard.press('Enter');
    await this.waitForActiveEditor(name, { timeout });
  }

  /** Run a command from the palette: F1, type its label, wait for the matching row, Enter. */
  async runCommand(label, { timeout = DEFAULT_TIMEOUT } = {}) {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout });
    await input.fill(`>${label}`);
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
    try {
      await row.waitFor({ state: 'visible', timeout });
    } catch (err) {
      const rows = await this.page.locator('.quick-input-widget .monaco-list-row').allInnerTexts().catch(() => []);
      throw new Error(`command "${label}" not found in the palette; it offered: ${JSON.stringify(rows.slice(0, 10))}`);
    }
    // The focused row must be ours before Enter (the list filters as you type).
    await this.page.waitForFunction(
      (label) => document.querySelector('.quick-input-widget .monaco-list-row.focused')?.textContent?.includes(label),
      label,
      { timeout },
    );
    await this.page.keyboard.press('Enter');
    // The palette closes, or the command opens a quick pick of its own (whose input no longer starts with '>').
    await this.page.waitForFunction(
      () => {
        const w = document.querySelector('.quick-input-widget');
        const input = w?.querySelector('.quick-input-box input');
        return !w || getComputedStyle(w).display === 'none' || !input?.value.startsWith('>');
      },
      null,
      { timeout },
    );
  }

  /** The workbench's stored items whose value matches `pattern`, as "database/key" strings. */
  async storedKeys(pattern) {
    return this.page.evaluate(storedKeysIn, pattern.source);
  }

  /**
   * Wait until the workbench's own storage (IndexedDB, which code-server writes when idle, every few seconds)
   * holds a value matching `pattern`; returns the "database/key"s that hold it. In the browser a reload loses
   * whatever was not yet written, unlike VS Code on the desktop, which writes its state on the way out; so a
   * test of what survives a reload waits for this.
   */
  async waitForStoredState(pattern, { timeout = 30_000 } = {}) {
    // IndexedDB has no change event to wait on, and Playwright's waitForFunction does not await a promise (an
    // async predicate counts as true at once). So the page polls its own storage every 250 ms into a global,
    // and waitForFunction waits on that global synchronously.
    await this.page.evaluate(
      ([lookup, source]) => {
        const find = (0, eval)(`(${lookup})`);
        clearInterval(globalThis.__cnnStoredPoll);
        globalThis.__cnnStoredKeys = [];
        globalThis.__cnnStoredPoll = setInterval(async () => {
          globalThis.__cnnStoredKeys = await find(source);
        }, 250);
      },
      [String(storedKeysIn), pattern.source],
    );
    try {
      const handle = await this.page.waitForFunction(() => (globalThis.__cnnStoredKeys.length ? globalThis.__cnnStoredKeys : false), null, { timeout });
      return await handle.jsonValue();
    } catch (err) {
      throw new Error(`the workbench's storage never held ${pattern} within ${timeout} ms (${String(err?.message ?? err).split('\n')[0]})`);
    } finally {
      await this.page.evaluate(() => clearInterval(globalThis.__cnnStoredPoll)).catch(() => {});
    }
  }

  /**
   * Reload the window: a new page on the same folder restores what the workbench stored, then the old page
   * closes. (A page reloaded in place writes its layout again while it shuts down, racing its extension host:
   * in the browser that last write now and then drops the webview, whose serializer is already gone, or keeps
   * an older state; VS Code on the desktop does not race. So the old window is closed only once the new one
   * has restored; call waitForStoredState first for what must survive.) `this.page` is the new page after
   * this: locators made on the old one must be made again.
   */
  async reload({ timeout = 60_000 } = {}) {
    const tab = await this.page.locator('.editor-group-container .tab.active').first().getAttribute('data-resource-name');
    // Without the payload that opened the first file, which would open it again in place of the restored layout.
    const url = new URL(this.page.url());
    url.searchParams.delete('payload');
    const old = this.page;
    this.attach(await old.context().newPage());
    await this.page.goto(url.toString(), { waitUntil: 'domcontentloaded', timeout });
    await this.page.waitForSelector('.monaco-workbench', { timeout });
    if (tab) await this.page.waitForSelector(`.tab[data-resource-name=${cssString(tab)}]`, { timeout });
    await old.close();
    await this.focusWorkbench();
  }

  /** Move the cursor with Ctrl+G (1-based line and column). */
  async goTo(line, column = 1, { timeout = DEFAULT_TIMEOUT } = {}) {
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout });
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout });
    await this.waitForCursor(line, column, { timeout });
  }

  /** Wait for the status bar's "Ln x, Col y" to read the given position. */
  async waitForCursor(line, column, { timeout = DEFAULT_TIMEOUT } = {}) {
    await this.page.waitForFunction(
      ([l, c]) => {
        const t = document.querySelector('#status\\.editor\\.selection')?.textContent ?? '';
        return t.includes(`Ln ${l}, Col ${c}`);
      },
      [line, column],
      { timeout },
    );
  }

  /**
   * Wait until the text editor of `file` (its tab's name) has its cursor on `line`: its active line number,
   * whichever group has the keyboard. (After a click in a webview that moves the cursor, the workbench can
   * give the keyboard back to the webview's group as the editor takes it, and then the status bar shows no
   * "Ln x, Col y" although the cursor moved.)
   */
  async waitForCursorLine(file, line, { timeout = DEFAULT_TIMEOUT } = {}) {
    await this.page.waitForFunction(
      ([name, l]) => {
        for (const group of document.querySelectorAll('.editor-group-container')) {
          if (!group.querySelector(`.tab.active[data-resource-name="${name}"]`)) continue;
          if (group.querySelector('.monaco-editor .line-numbers.active-line-number')?.textContent?.trim() === String(l)) return true;
        }
        return false;
      },
      [file, line],
      { timeout },
    );
  }

  /** The active editor's text, as rendered (only the visible lines; fine for short files). */
  async editorLines() {
    return this.page.evaluate(() => {
      const lines = [...document.querySelectorAll('.editor-group-container.active .monaco-editor .view-lines .view-line')];
      return lines
        .map((el) => ({ top: parseFloat(el.style.top) || 0, text: el.textContent.replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text);
    });
  }

  /**
   * The page coordinates of (line, column), both 1-based, in the active editor: the line-number gutter gives
   * the row, a DOM Range over the rendered text gives the column.
   */
  async positionOf(line, column) {
    const pos = await this.page.evaluate(
      ([line, column]) => {
        const editor = document.querySelector('.editor-group-container.active .monaco-editor');
        if (!editor) return { error: 'no active editor' };
        const num = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')].find((e) => e.textContent.trim() === String(line));
        if (!num) return { error: `line ${line} is not rendered` };
        const rowBox = num.getBoundingClientRect();
        const y = rowBox.top + rowBox.height / 2;
        const viewLine = [...editor.querySelectorAll('.view-lines .view-line')].find((e) => {
          const b = e.getBoundingClientRect();
          return y >= b.top && y <= b.bottom;
        });
        if (!viewLine) return { error: `no rendered text for line ${line}` };
        // Walk the text nodes (inlay hints are separate spans with their own classes; skip them).
        let remaining = column - 1;
        const walker = document.createTreeWalker(viewLine, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const parent = node.parentElement;
          if (parent && /(^|\s)(ced-|dyn-rule-|inlay)/.test(parent.className)) continue;
          if (remaining < node.length) {
            const r = document.createRange();
            r.setStart(node, remaining);
            r.setEnd(node, remaining + 1);
            const b = r.getBoundingClientRect();
            return { x: b.left + Math.max(1, b.width / 2), y };
          }
          remaining -= node.length;
        }
        const b = viewLine.getBoundingClientRect();
        return { x: b.left + 2, y, error: `column ${column} is past the end of line ${line}` };
      },
      [line, column],
    );
    if (pos.error && pos.x === undefined) throw new Error(`positionOf(${line}, ${column}): ${pos.error}`);
    return pos;
  }

  /** Hover the mouse over (line, column) and return the hover widget's text once it shows `expect` (a string or RegExp). */
  async hover(line, column, { expect, timeout = DEFAULT_TIMEOUT } = {}) {
    const hover = this.page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents').first();
    // A hover needs mouse moves over the text after the editor has settled; on a busy machine the first moves can
    // land while the layout still shifts (a panel opening), so the position is measured again and the mouse moved
    // again until the hover shows, within the timeout.
    const deadline = Date.now() + timeout;
    for (let attempt = 1; ; attempt++) {
      const { x, y } = await this.positionOf(line, column);
      // Move away first so a hover already showing for the same spot is re-triggered.
      await this.page.mouse.move(x, y + 200);
      await this.page.mouse.move(x, y, { steps: 4 });
      const left = deadline - Date.now();
      const shown = await hover.waitFor({ state: 'visible', timeout: Math.max(1, Math.min(5_000, left)) }).then(
        () => true,
        () => false,
      );
      if (shown) break;
      if (Date.now() >= deadline) throw new Error(`hover at ${line}:${column}: no hover showed within ${timeout} ms (${attempt} mouse moves)`);
    }
    if (expect !== undefined) {
      await this.page.waitForFunction(
        ([src, flags, plain]) => {
          const text = [...document.querySelectorAll('.monaco-hover:not(.hidden)')].map((e) => e.textContent).join('\n');
          return plain !== null ? text.includes(plain) : new RegExp(src, flags).test(text);
        },
        expect instanceof RegExp ? [expect.source, expect.flags, null] : ['', '', expect],
        { timeout },
      ).catch(async () => {
        throw new Error(`hover at ${line}:${column} did not show ${expect}; it showed:\n${await this.hoverText()}`);
      });
    }
    // Let the fade-in finish, so a screenshot shows the hover fully opaque.
    await this.page
      .waitForFunction(
        () => {
          const h = document.querySelector('.monaco-hover:not(.hidden)');
          if (!h) return false;
          const running = h.getAnimations({ subtree: true }).some((a) => a.playState === 'running');
          let el = h;
          for (; el; el = el.parentElement) if (Number(getComputedStyle(el).opacity) < 1) return false;
          return !running;
        },
        null,
        { timeout: 5000 },
      )
      .catch(() => {});
    return this.hoverText();
  }

  async hoverText() {
    return this.page.evaluate(() =>
      [...document.querySelectorAll('.monaco-hover:not(.hidden)')].map((e) => e.innerText).join('\n---\n'),
    );
  }

  /** Hide any hover / widget with Escape. */
  async dismiss() {
    await this.page.keyboard.press('Escape');
    await this.page.mouse.move(1, 1);
    await this.page.locator('.monaco-hover:not(.hidden)').first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
  }

  /**
   * Quick fix at (line, column): Ctrl+. opens the code-action menu; returns the titles offered, and when `pick`
   * (string or RegExp) is given, chooses the first item that matches it.
   */
  async quickFix(line, column, { pick, timeout = DEFAULT_TIMEOUT } = {}) {
    await this.goTo(line, column, { timeout });
    await this.page.keyboard.press('Control+.');
    const rows = this.page.locator('.action-widget .monaco-list-row.action');
    await rows.first().waitFor({ state: 'visible', timeout }).catch(async () => {
      throw new Error(`Ctrl+. at ${line}:${column} showed no code actions`);
    });
    // The menu's rows carry the action's title in aria-label (their text adds keybindings).
    const titles = await rows.evaluateAll((els) => els.map((e) => (e.getAttribute('aria-label') || e.textContent || '').trim()));
    if (pick === undefined) {
      await this.page.keyboard.press('Escape');
      await this.page.locator('.action-widget').first().waitFor({ state: 'hidden', timeout });
      return titles;
    }
    const matches = (t) => (pick instanceof RegExp ? pick.test(t) : t.includes(pick));
    const index = titles.findIndex(matches);
    if (index < 0) {
      await this.page.keyboard.press('Escape');
      throw new Error(`no quick fix matching ${pick} at ${line}:${column}; offered: ${JSON.stringify(titles)}`);
    }
    // A pointer-blocking overlay covers the menu while it opens, so choose with the keyboard, as a user would.
    const focused = () =>
      this.page.evaluate(() => {
        const rows = [...document.querySelectorAll('.action-widget .monaco-list-row.action')];
        return rows.findIndex((r) => r.classList.contains('focused'));
      });
    for (let i = 0; i < titles.length + 2; i++) {
      const f = await focused();
      if (f === index) break;
      await this.page.keyboard.press(f < index ? 'ArrowDown' : 'ArrowUp');
      await this.page.waitForFunction(
        (prev) => [...document.querySelectorAll('.action-widget .monaco-list-row.action')].findIndex((r) => r.classList.contains('focused')) !== prev,
        f,
        { timeout: 5000 },
      );
    }
    if ((await focused()) !== index) throw new Error(`could not focus quick fix "${titles[index]}" in the menu`);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.action-widget .monaco-list-row.action').first().waitFor({ state: 'hidden', timeout });
    return titles;
  }

  /** Show the Problems panel (Ctrl+Shift+M toggles it, so only press it when hidden). */
  async openProblems({ timeout = DEFAULT_TIMEOUT } = {}) {
    const panel = this.page.locator('.markers-panel');
    if (!(await panel.isVisible().catch(() => false))) {
      await this.page.keyboard.press('Control+Shift+M');
      await panel.waitFor({ state: 'visible', timeout });
    }
  }

  /** Rows of the Problems panel: { text, label } per row (label is the accessible text with source and code). */
  async problems() {
    return this.page.evaluate(() =>
      [...document.querySelectorAll('.markers-panel .monaco-list-row')].map((r) => ({
        text: r.innerText.replace(/\s+/g, ' ').trim(),
        label: r.getAttribute('aria-label') ?? '',
      })),
    );
  }

  /** Wait until `predicate(rows)` (run in the page, as a string body over `rows`) is true; returns the rows. */
  async waitForProblems(describe, predicateSource, { timeout = DEFAULT_TIMEOUT } = {}) {
    try {
      await this.page.waitForFunction(
        (src) => {
          const rows = [...document.querySelectorAll('.markers-panel .monaco-list-row')].map((r) => ({
            text: r.innerText.replace(/\s+/g, ' ').trim(),
            label: r.getAttribute('aria-label') ?? '',
          }));
          return new Function('rows', `return (${src});`)(rows);
        },
        predicateSource,
        { timeout },
      );
    } catch {
      throw new Error(`Problems panel: timed out waiting for ${describe}; rows: ${JSON.stringify(await this.problems(), null, 1)}`);
    }
    return this.problems();
  }

  /** Status bar entries: { id, text, label }. */
  async statusBarItems() {
    return this.page.evaluate(() =>
      [...document.querySelectorAll('#workbench\\.parts\\.statusbar .statusbar-item')].map((e) => ({
        id: e.id,
        text: e.innerText.replace(/\s+/g, ' ').trim(),
        label: e.querySelector('[aria-label]')?.getAttribute('aria-label') ?? e.getAttribute('aria-label') ?? '',
      })),
    );
  }

  /** Wait for a status bar entry whose text matches (string or RegExp); returns its text. */
  async waitForStatusBarItem(match, { timeout = DEFAULT_TIMEOUT } = {}) {
    const args = match instanceof RegExp ? [match.source, match.flags, null] : ['', '', match];
    try {
      const handle = await this.page.waitForFunction(
        ([src, flags, plain]) => {
          for (const e of document.querySelectorAll('#workbench\\.parts\\.statusbar .statusbar-item')) {
            const t = e.innerText.replace(/\s+/g, ' ').trim();
            if (plain !== null ? t.includes(plain) : new RegExp(src, flags).test(t)) return t;
          }
          return false;
        },
        args,
        { timeout },
      );
      return handle.jsonValue();
    } catch {
      throw new Error(`no status bar item matching ${match}; items: ${JSON.stringify((await this.statusBarItems()).map((i) => i.text))}`);
    }
  }

  /** The language mode shown in the status bar (e.g. "CNN"). */
  async languageMode({ expect, timeout = DEFAULT_TIMEOUT } = {}) {
    const sel = '#status\\.editor\\.mode';
    await this.page.waitForSelector(sel, { timeout });
    if (expect) {
      await this.page
        .waitForFunction(([sel, want]) => document.querySelector(sel)?.textContent.trim() === want, [sel, expect], { timeout })
        .catch(async () => {
          throw new Error(`language mode is "${await this.page.locator(sel).innerText()}", expected "${expect}"`);
        });
    }
    return (await this.page.locator(sel).innerText()).trim();
  }

  /** Inlay hints rendered in the active editor (their text, in document order). */
  async inlayHints() {
    return this.page.evaluate(() => {
      const editor = document.querySelector('.editor-group-container.active .monaco-editor');
      if (!editor) return [];
      const lines = [...editor.querySelectorAll('.view-lines .view-line')].sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
      const out = [];
      for (const l of lines) {
        const sel = 'span[class*="dyn-rule"], span[class*="ced-"]';
        for (const s of l.querySelectorAll(sel)) {
          if (s.parentElement?.closest(sel)) continue; // nested span of the same hint
          const t = (s.textContent || '').replace(/\u00a0/g, ' ').trim();
          if (t) out.push(t);
        }
      }
      return out;
    });
  }

  async waitForInlayHint(match, { timeout = DEFAULT_TIMEOUT } = {}) {
    const args = match instanceof RegExp ? [match.source, match.flags, null] : ['', '', match];
    try {
      await this.page.waitForFunction(
        ([src, flags, plain]) => {
          const editor = document.querySelector('.editor-group-container.active .monaco-editor');
          if (!editor) return false;
          for (const s of editor.querySelectorAll('.view-lines span[class*="dyn-rule"], .view-lines span[class*="ced-"]')) {
            const t = (s.textContent || '').replace(/\u00a0/g, ' ');
            if (plain !== null ? t.includes(plain) : new RegExp(src, flags).test(t)) return true;
          }
          return false;
        },
        args,
        { timeout },
      );
    } catch {
      throw new Error(`no inlay hint matching ${match}; hints: ${JSON.stringify(await this.inlayHints())}`);
    }
  }

  /** Errors and warnings counts from the status bar's problems item. */
  async problemCounts() {
    return this.page.evaluate(() => {
      const t = document.querySelector('#status\\.problems')?.getAttribute('aria-label') ?? document.querySelector('#status\\.problems')?.textContent ?? '';
      // The accessible label reads "Errors: 1, Warnings: 2" (or "No Problems").
      const num = (word) => {
        const m = t.match(new RegExp(`${word}s?:?\\s*(\\d+)`, 'i')) ?? t.match(new RegExp(`(\\d+)\\s*${word}`, 'i'));
        return m ? Number(m[1]) : 0;
      };
      return { errors: num('Error'), warnings: num('Warning'), infos: num('Info'), raw: t };
    });
  }

  /** Wait until the status bar's error count is `errors`. */
  async waitForErrorCount(errors, { timeout = DEFAULT_TIMEOUT } = {}) {
    try {
      await this.page.waitForFunction(
        (want) => {
          const t = document.querySelector('#status\\.problems')?.getAttribute('aria-label') ?? '';
          if (/no problems/i.test(t)) return want === 0;
          const m = t.match(/Errors?:?\s*(\d+)/i);
          return (m ? Number(m[1]) : 0) === want;
        },
        errors,
        { timeout },
      );
    } catch {
      throw new Error(`status bar error count never became ${errors}: ${JSON.stringify(await this.problemCounts())}`);
    }
  }

  /**
   * Type `text` into the focused editor as a person would: one key at a time, each held for a delay between
   * `minDelay` and `maxDelay` ms (a fixed pseudo-random sequence, so every run types alike), with Enter for
   * each line break. Whatever the editor does meanwhile (suggestions, hints) gets the chance to interfere.
   */
  async typeLikeAPerson(text, { minDelay = 30, maxDelay = 60, seed = 1 } = {}) {
    let state = seed >>> 0 || 1;
    const delay = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return minDelay + (state % (maxDelay - minDelay + 1));
    };
    for (const ch of text) {
      if (ch === '\n') await this.page.keyboard.press('Enter', { delay: delay() });
      else await this.page.keyboard.type(ch, { delay: delay() });
    }
  }

  /** Save the active editor (Ctrl+S) and wait for its tab to lose the dirty mark. */
  async save({ timeout = DEFAULT_TIMEOUT } = {}) {
    await this.page.keyboard.press('Control+S');
    await this.page.waitForSelector('.editor-group-container.active .tab.active:not(.dirty)', { timeout });
  }

  async screenshot(name) {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const path = join(SCREENSHOT_DIR, `${name}.png`);
    await this.page.screenshot({ path, timeout: 15_000 });
    return path;
  }

  async close() {
    await this.page.close().catch(() => {});
  }
}
