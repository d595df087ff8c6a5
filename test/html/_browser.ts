// Shared helpers for the browser tests: Debian Chromium via playwright-core, every non-file request blocked.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { CHROMIUM, launchChromium } from "../../scripts/chromium.mjs";

export { CHROMIUM };
export const hasChromium = fs.existsSync(CHROMIUM);

export async function launch(): Promise<Browser> {
  return launchChromium();
}

/** Chromium launched once for the enclosing describe block and closed after it: `const browser = sharedBrowser();`
 * then `browser()` inside the tests. */
export function sharedBrowser(): () => Browser {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return () => browser;
}

export interface Loaded {
  page: Page;
  dialogs: string[];
  blocked: string[];
  errors: string[];
}

/** Write html to a temp file and open it from file:// with the network blocked. */
export async function openHTML(browser: Browser, html: string, name: string, viewport = { width: 1300, height: 900 }): Promise<Loaded> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mha-html-"));
  const file = path.join(dir, name);
  fs.writeFileSync(file, html);
  return openFile(browser, file, viewport);
}

/** Open a local HTML file from file:// with every other request blocked, recording dialogs and page errors. */
export async function openFile(browser: Browser, file: string, viewport = { width: 1300, height: 900 }): Promise<Loaded> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const blocked: string[] = [];
  const errors: string[] = [];
  page.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.route("**", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:")) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  await page.goto("file://" + file, { waitUntil: "load" });
  return { page, dialogs, blocked, errors };
}

export const SHOTS = path.join(__dirname, "..", "..", "screenshots", "figures");
