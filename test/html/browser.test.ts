// Browser tests of figureToHTML pages in Debian Chromium (playwright-core), network blocked.
// Also writes one PNG per kind of figure into screenshots/figures/ (git-ignored) for a human to look at.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "fs";
import { Browser } from "playwright-core";
import { figureToHTML } from "../../src/html/figure-to-html";
import { hasChromium, launch, openHTML, SHOTS } from "./_browser";
import { gallery, EVIL_LINK, EVIL_SCRIPT } from "./_gallery";
import { waitAllDrawn } from "../../scripts/drawn.mjs";

describe.skipIf(!hasChromium)("figureToHTML in Chromium", () => {
  let browser: Browser;
  const figs = gallery();
  beforeAll(async () => {
    browser = await launch();
    fs.mkdirSync(SHOTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it("figureToHTML(all figures) draws every figure offline, no dialog, evil tokens shown as text", async () => {
    const names = Object.keys(figs);
    const html = figureToHTML(names.map((n) => figs[n]), { title: "gallery " + EVIL_SCRIPT });
    const { page, dialogs, blocked, errors } = await openHTML(browser, html, "gallery.html");
    // every plot drew its data (scripts/drawn.mjs: painted heatmaps, lines, bars; not only plotly's frame)
    const drawn = await waitAllDrawn(page, { count: names.length, timeout: 60_000 });
    expect(drawn.length).toBe(names.length);
    expect(await page.title()).toBe("gallery " + EVIL_SCRIPT);
    expect(await page.locator("h1").textContent()).toBe("gallery " + EVIL_SCRIPT);
    // the evil tokens are tick-label TEXT of the "heads_evil" figure, not elements
    const i = names.indexOf("heads_evil");
    const ticks = await page.$$eval(`#mha-fig-${i} .xtick text, #mha-fig-${i} .ytick text`, (els) => els.map((e) => e.textContent));
    expect(ticks).toContain(EVIL_SCRIPT);
    expect(ticks).toContain(EVIL_LINK);
    const gtitle = await page.$eval(`#mha-fig-${i} .gtitle`, (e) => e.textContent);
    expect(gtitle).toBe("tokens are text: " + EVIL_LINK);
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.locator(`#mha-fig-${i} a`).count()).toBe(0);
    // hover one cell: the label names query, key, weight and score
    const drag = page.locator(`#mha-fig-${i} .nsewdrag`).first();
    await drag.scrollIntoViewIfNeeded();
    const box = await drag.boundingBox();
    expect(box).not.toBeNull();
    // the last cell (query 4, key 4); plotly throttles hover, so wait for the label of that cell
    await page.mouse.move(box!.x + 2, box!.y + 2);
    await page.mouse.move(box!.x + box!.width * 0.875, box!.y + box!.height * 0.875);
    await page
      .waitForFunction(
        ([sel, want]) => (document.querySelector(sel)?.textContent ?? "").includes(want),
        [`#mha-fig-${i} .hoverlayer .hovertext`, "query: " + EVIL_SCRIPT] as const,
        { timeout: 5000 },
      )
      .catch(() => undefined);
    const hover = await page.$eval(`#mha-fig-${i} .hoverlayer .hovertext`, (e) => e.textContent ?? "");
    expect(hover).toContain("query: " + EVIL_SCRIPT);
    expect(hover).toContain("key: " + EVIL_SCRIPT);
    expect(hover).toMatch(/weight: \d\.\d{3}/);
    expect(hover).toMatch(/score: −?-?\d+\.\d{3}/);
    expect(dialogs).toEqual([]);
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  for (const name of Object.keys(figs)) {
    it(`screenshot of ${name}`, async () => {
      const fig = figs[name];
      const vw = Math.max(800, (fig.layout.width ?? 900) + 60);
      const { page, dialogs, errors } = await openHTML(browser, figureToHTML(fig, { title: name }), name + ".html", { width: vw, height: 700 });
      await waitAllDrawn(page, { count: 1, timeout: 60_000 });
      await page.locator("#mha-fig-0").screenshot({ path: `${SHOTS}/${name}.png` });
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
      await page.context().close();
    }, 60_000);
  }
});
