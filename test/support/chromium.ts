import { existsSync } from 'node:fs';
import { type Browser, type Page, chromium } from 'playwright-core';

/** Debian's Chromium (or `KILN_CHROMIUM`). */
export const CHROMIUM = process.env.KILN_CHROMIUM ?? '/usr/bin/chromium';

/** Headless Chromium driven by playwright-core, with what a sandboxed machine without a GPU needs. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it with "apt-get install -y chromium" (or set KILN_CHROMIUM)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/** A studio page signed in with `token` (kept where the studio keeps it), opened at `route` (e.g. `#/pipelines/new`). */
export async function signedInStudio(browser: Browser, url: string, token: string, route: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${url}/`);
  await page.evaluate((t) => (globalThis as any).localStorage.setItem('kiln.token', t), token);
  await page.goto(`${url}/${route}`);
  await page.reload();
  return page;
}
