// The inspector's page in a real browser, for the browser tests: Debian's chromium through playwright-core (the
// harness shared with scripts/bench-webview.mjs), the bundled app served with its real page template and content
// security policy, and a stub host. One home for opening it, posting host messages and collecting page errors.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { HostToWebview } from '../../../src/protocol/webview';
// @ts-expect-error: a plain ES module without types, shared with scripts/bench-webview.mjs
import * as harness from '../../browser/harness.mjs';

const h = harness as {
  root: string;
  hasChromium: () => boolean;
  buildWebview: (dir: string) => Promise<void>;
  serve: (dir: string) => Promise<{ url: string; close: () => Promise<void> }>;
  launch: (o?: { width?: number; height?: number }) => Promise<{ page: Page; close: () => Promise<void> }>;
  encode: (v: unknown) => unknown;
};

/** Whether the browser tests can run. On CI a missing chromium fails them (.ci/run installs it); elsewhere they are skipped, visibly. */
export const chromiumAvailable = h.hasChromium();
if (!chromiumAvailable) {
  if (process.env.CI) throw new Error('the inspector browser tests need /usr/bin/chromium, and CI installs it (apt-get install chromium): it is missing');
  console.warn('SKIPPED: the inspector browser tests need /usr/bin/chromium (apt-get install chromium).');
}

/** Where screenshots go: the README's pictures are refreshed only on request (CNN_E2E_PUBLISH=1), so a plain run leaves the work tree as it was. */
export const SHOTS = join(h.root, process.env.CNN_E2E_PUBLISH === '1' ? 'media/screenshots' : 'test/browser/screenshots');

export interface InspectorPage {
  page: Page;
  /** The served app's address (to open it again with a query). */
  url: string;
  /** Page errors and console errors (content security policy violations included) since the page opened. */
  errors: string[];
  /** Posts a message to the app as the extension host would. */
  post(m: HostToWebview): Promise<void>;
  /** Everything the app has posted to the host so far. */
  posted(): Promise<{ type: string }[]>;
  /** Clicks an inspector tab and waits until it is selected. */
  tab(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Builds the webview into a temporary folder, serves it and opens it in chromium, ready once its tabs show. */
export async function openInspectorPage(prefix: string, size?: { width: number; height: number }): Promise<InspectorPage> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let server: { url: string; close: () => Promise<void> } | undefined;
  let browser: { page: Page; close: () => Promise<void> } | undefined;
  const close = async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await h.buildWebview(dir);
    server = await h.serve(dir);
    browser = await h.launch(size);
    const page = browser.page;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    mkdirSync(SHOTS, { recursive: true });
    await page.goto(server.url);
    await page.locator('cnn-inspector [role=tablist]').waitFor();
    return {
      page,
      url: server.url,
      errors,
      post: async (m) => void (await page.evaluate((x) => (window as unknown as { __host: (m: unknown) => void }).__host(x), h.encode(m))),
      posted: () => page.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted),
      tab: async (name) => {
        await page.locator(`cnn-inspector [role=tab][data-tab=${name}]`).click();
        await page.locator(`cnn-inspector [role=tab][data-tab=${name}][aria-selected=true]`).waitFor();
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
