#!/usr/bin/env node
// Screenshot of a handout page as the reader sees it (file://, network blocked, after every chart is drawn):
//   node scripts/handouts/screenshot.mjs handouts/01-....html screenshots/handouts/01.png [css-selector#index]
// The optional selector scrolls that element (e.g. ".mha-plotly#2", ".katex-display#0") to the top first.
import { launchChromium } from "../chromium.mjs";
import { openOffline, waitDrawn } from "./handouts.mjs";

const [file, png, target] = process.argv.slice(2);
if (!file || !png) throw new Error("usage: screenshot.mjs page.html out.png [selector#index]");
const browser = await launchChromium();
try {
  const { page, blocked, errors, dialogs } = await openOffline(browser, file, { width: 1300, height: 1000 });
  const drawn = await waitDrawn(page);
  if (target) {
    const [sel, i] = target.split("#");
    await page.evaluate(([s, n]) => document.querySelectorAll(s)[n]?.scrollIntoView(), [sel, Number(i ?? 0)]);
  }
  await page.screenshot({ path: png });
  console.log(JSON.stringify({ file, png, ...drawn, blocked, errors, dialogs }));
} finally {
  await browser.close();
}
