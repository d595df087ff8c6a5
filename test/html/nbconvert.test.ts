// scripts/nbconvert_plotly.py: plotly MIME outputs become offline HTML (plotly.js inlined once, no CDN).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Browser } from "playwright-core";
import { PLOTLY_MIME } from "../../src/notebook/show";
import { plotHeads } from "../../src/plots/heads";
import { plotMasks } from "../../src/plots/masks";
import { plotDataFlow } from "../../src/plots/data-flow";
import { plotHeadsOverTraining } from "../../src/plots/heads-over-training";
import { fakeTrace } from "../plots/_trace";
import { hasChromium, launch, openFile } from "./_browser";
import { EVIL_LINK, EVIL_SCRIPT } from "./_gallery";
import { waitAllDrawn } from "../../scripts/drawn.mjs";

const ROOT = path.join(__dirname, "..", "..");
const SCRIPT = path.join(ROOT, "scripts", "nbconvert_plotly.py");

/** A Python that has nbconvert: the runtime .venv if ready, else a scratch venv, else none (tests skip). */
function findPython(): string | null {
  for (const py of [path.join(ROOT, ".venv", "bin", "python"), "/tmp/nbc/bin/python", "python3"]) {
    const r = spawnSync(py, ["-c", "import nbconvert"], { encoding: "utf8" });
    if (r.status === 0) return py;
  }
  return null;
}
const PY = findPython();

const TOKENS = ["the", "cat\u2028", EVIL_LINK, EVIL_SCRIPT];
// two checkpoints of 2 heads: uniform at step 0, one-hot at step 20 (a step-through figure with a slider)
const SNAPSHOTS = [0, 20].map((step) => ({
  step,
  weights: [0, 1].map((h) => Array.from({ length: 4 }, (_, r) => Array.from({ length: 4 }, (_, c) => (step === 0 ? 0.25 : c === (r + h) % 4 ? 1 : 0)))),
}));
function notebook(): unknown {
  const { trace } = fakeTrace(4, 8, 2, { causal: true });
  const figs = [
    plotHeads(trace, { queryTokens: TOKENS, maxLabelChars: 48 }),
    plotMasks([{ title: "causal", mask: trace.mask! }], { queryTokens: TOKENS }),
    plotDataFlow(trace),
    plotHeadsOverTraining(SNAPSHOTS, { queryTokens: TOKENS, curves: [{ name: "loss", x: [0, 10, 20], values: [2, 1, 0.5] }] }),
  ];
  const code = (src: string, outputs: unknown[]) => ({ cell_type: "code", execution_count: 1, metadata: {}, source: src, outputs });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" }, language_info: { name: "typescript" } },
    cells: [
      { cell_type: "markdown", metadata: {}, source: "# Heads\nTokens: `</script>`" },
      ...figs.map((f, i) => code(`show(fig${i})`, [{ output_type: "display_data", metadata: {}, data: { [PLOTLY_MIME]: JSON.parse(JSON.stringify(f)) } }])),
      code("1 + 1", [{ output_type: "execute_result", execution_count: 1, metadata: {}, data: { "text/plain": "2" } }]),
    ],
  };
}

describe.skipIf(PY === null)("nbconvert_plotly.py", () => {
  let html = "";
  let file = "";
  beforeAll(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mha-nbc-"));
    const nb = path.join(dir, "handout.ipynb");
    file = path.join(dir, "handout.html");
    fs.writeFileSync(nb, JSON.stringify(notebook(), null, 1));
    const r = spawnSync(PY!, [SCRIPT, nb, "-o", file], { encoding: "utf8", cwd: ROOT });
    if (r.status !== 0) throw new Error(`nbconvert_plotly.py failed (${r.status}): ${r.stderr}`);
    html = fs.readFileSync(file, "utf8");
  }, 120_000);

  it("inlines plotly.js exactly once and loads no script from the network", () => {
    expect(html.split("window.Plotly = Plotly").length - 1).toBe(1);
    expect(html).not.toMatch(/<script[^>]*\ssrc\s*=/i);
    // outside the inlined plotly.js bundle (which mentions map-tile CDNs in its source), no CDN at all
    const start = html.indexOf("/* plotly.js, inlined once */");
    const end = html.indexOf("</script>", start);
    expect(start).toBeGreaterThan(0);
    const rest = html.slice(0, start) + html.slice(end);
    expect(rest).not.toMatch(/cdn|https?:\/\/[^"' ]*\.js/i);
  });

  it("adds one div + Plotly.newPlot per plotly output, figure JSON escaped for <script>", () => {
    expect(html.match(/class="mha-plotly"/g)?.length).toBe(4);
    expect(html.match(/Plotly\.newPlot\("mha-plotly-/g)?.length).toBe(4);
    // the step-through figure keeps its slider (layout JSON), with no frames needed
    expect(html).toContain('"sliders":[{"active":1,"steps":[{"method":"update"');
    const figJson = html.slice(html.indexOf("var fig = ")).split("\n")[0];
    expect(figJson).not.toMatch(/<|>|&|\u2028/);
    expect(figJson).toContain("\\u003cbr\\u003e"); // the hovertemplate's <br>, escaped for <script>
    expect(figJson).toContain("\\u0026lt;/script\\u0026gt;"); // the token, escaped for plotly, then for <script>
    expect(figJson).toContain("cat\\u2028");
  });

  it.skipIf(!hasChromium)("draws 4 charts offline in Chromium, evil tokens are tick text, the slider steps back to step 0, no dialog", async () => {
    const browser: Browser = await launch();
    try {
      const { page, dialogs, blocked } = await openFile(browser, file);
      expect((await waitAllDrawn(page, { count: 4, timeout: 60_000 })).length).toBe(4); // drawn data, not plotly's empty frame
      const ticks = await page.$$eval("#mha-plotly-1-0 .xtick text", (els) => els.map((e) => e.textContent));
      expect(ticks).toEqual(TOKENS);
      // the slider as a user moves it: a click at the rail's left end shows step 0 (every weight 0.25)
      const fig = "#mha-plotly-4-0";
      const state = () => page.$eval(fig, (gd: any) => ({ z: gd.data[1].z, title: gd.layout.title.text, active: gd.layout.sliders[0].active, dot: gd.layout.annotations.at(-1).x }));
      expect((await state()).active).toBe(1);
      expect((await state()).z[0]).toEqual([0, 1, 0, 0]);
      await page.locator(`${fig} .slider-rail-touch-rect`).scrollIntoViewIfNeeded();
      const rail = (await page.locator(`${fig} .slider-rail-touch-rect`).boundingBox())!;
      await page.mouse.click(rail.x + 3, rail.y + rail.height / 2);
      await page.waitForFunction((sel) => (document.querySelector(sel) as any).layout.sliders[0].active === 0, fig, { timeout: 10_000 });
      const s0 = await state();
      expect(s0.z).toEqual(SNAPSHOTS[0].weights[1]);
      expect(s0.title).toContain("step 0, loss 2.000");
      expect(s0.dot).toBe(0);
      // the drawn title changed too
      expect(await page.$eval(`${fig} .gtitle`, (e) => e.textContent)).toContain("step 0");
      expect(await page.locator("main img").count()).toBe(0);
      expect(dialogs).toEqual([]);
      expect(blocked).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
