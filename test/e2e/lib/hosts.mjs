// Where a window runs the extension, as the window itself tells: the extension host listed for CNN Studio by
// Developer: Show Running Extensions, and whether the page and the web worker extension host are
// cross-origin isolated (the condition for threads in the browser). The runner checks both for scenarios run
// with `hosts: [..., 'web']` and `isolated` (run.mjs); the settings that choose the host are in codeServer.mjs.

import { DEFAULT_TIMEOUT } from './workbench.mjs';

/** What Running Extensions shows under an extension's name: `web worker`, or the remote's `HOST:PORT` for the Node host. */
export const HOST_LABEL = { web: /^web worker$/i, node: /^\d+\.\d+\.\d+\.\d+:\d+$/ };

/**
 * Open Developer: Show Running Extensions in `wb` and return the location line of the row whose name matches
 * `extension` (the display name when installed from the .vsix, the id under development), e.g. "web worker".
 * The extension must be active (it is listed once activated). Leaves the Running Extensions editor open.
 */
export async function runningExtensionHost(wb, extension = /^(CNN Studio|cnn-studio\.cnn-studio)$/, { timeout = DEFAULT_TIMEOUT } = {}) {
  await wb.focusWorkbench();
  await wb.runCommand('Developer: Show Running Extensions', { timeout });
  // The list renders only the rows in view: each poll reads the rendered rows and, without a match, scrolls the
  // list down by less than a row with the mouse wheel over it (a real wheel event: monaco's list ignores a
  // dispatched one, so a row below the fold was never reached), so every row is rendered on the way down.
  // (The extension is active by then: the scenario used it, and an active extension is listed.)
  // A row's lines: name, version, location ("web worker" or "127.0.0.1:PORT"), activation time.
  const rows = wb.page.locator('.runtime-extensions-editor .monaco-list-row');
  await rows.first().waitFor({ timeout });
  const until = Date.now() + timeout;
  for (;;) {
    const found = await wb.page.evaluate(
      ({ source, flags }) => {
        const re = new RegExp(source, flags);
        for (const row of document.querySelectorAll('.runtime-extensions-editor .monaco-list-row')) {
          const lines = row.innerText.split('\n').map((l) => l.trim());
          if (re.test(lines[0] ?? '')) return lines[2] ?? '';
        }
        return null;
      },
      { source: extension.source, flags: extension.flags },
    );
    if (found !== null) return found;
    if (Date.now() > until) {
      throw new Error(`Running Extensions lists no ${extension}; it lists ${JSON.stringify((await rows.allInnerTexts().catch(() => [])).map((t) => t.split('\n')[0]))}`);
    }
    // Not in view: scroll on; at the end of the list this does nothing (and the wait above ends it).
    const box = await wb.page.locator('.runtime-extensions-editor .monaco-list').first().boundingBox();
    if (box) {
      await wb.page.mouse.move(box.x + box.width / 2, box.y + Math.min(box.height / 2, 100));
      await wb.page.mouse.wheel(0, 60);
    }
    // The list renders the rows the wheel brought into view in the next frame.
    await wb.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  }
}

/**
 * `crossOriginIsolated` in the page, in the web worker extension host's iframe and in every worker of the page
 * (the extension host's worker among them): `{ page, extensionHostFrame, workers: [...] }`.
 */
export async function crossOriginIsolation(page) {
  const frame = page.frames().find((f) => /webWorkerExtensionHostIframe/.test(f.url()));
  return {
    page: await page.evaluate(() => globalThis.crossOriginIsolated),
    extensionHostFrame: frame ? await frame.evaluate(() => globalThis.crossOriginIsolated) : null,
    workers: await Promise.all(page.workers().map((w) => w.evaluate(() => globalThis.crossOriginIsolated).catch(() => null))),
  };
}
