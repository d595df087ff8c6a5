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
import { fakeTrace } from "../plots/_trace";
import { hasChromium, launch, openFile } from "./_browser";
import { EVIL_LINK, EVIL_SCRIPT } from "./_gallery";

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
function notebook(): unknown {
  const { trace } = fakeTrace(4, 8, 2, { causal: true });
  const figs = [
    plotHeads(trace, { queryTokens: TOKENS, maxLabelChars: 48 }),
    plotMasks([{ title: "causal", mask: trace.mask! }], { queryTokens: TOKENS }),
    plotDataFlow(trace),
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
    expect(html.match(/class="mha-plotly"/g)?.length).toBe(3);
    expect(html.match(/Plotly\.newPlot\("mha-plotly-/g)?.length).toBe(3);
    const figJson = html.slice(html.indexOf("var fig = ")).split("\n")[0];
    expect(figJson).not.toMatch(/<|>|&|\u2028/);
    expect(figJson).toContain("\\u003cbr\\u003e"); // the hovertemplate's <br>, escaped for <script>
    expect(figJson).toContain("\\u0026lt;/script\\u0026gt;"); // the token, escaped for plotly, then for <script>
    expect(figJson).toContain("cat\\u2028");
  });

  it.skipIf(!hasChromium)("draws 3 charts offline in Chromium, evil tokens are tick text, no dialog", async () => {
    const browser: Browser = await launch();
    try {
      const { page, dialogs, blocked } = await openFile(browser, file);
      await page.waitForFunction(() => document.querySelectorAll(".js-plotly-plot .main-svg").length >= 3, null, { timeout: 60_000 });
      expect(await page.locator(".js-plotly-plot").count()).toBe(3);
      const ticks = await page.$$eval("#mha-plotly-1-0 .xtick text", (els) => els.map((e) => e.textContent));
      expect(ticks).toEqual(TOKENS);
      expect(await page.locator("main img").count()).toBe(0);
      expect(dialogs).toEqual([]);
      expect(blocked).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
