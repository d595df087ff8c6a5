// scripts/drawn.mjs, the one "drawn" check every chart counter uses, in Debian Chromium: plotly's empty frame does
// not count. Every kind of figure mha-lab draws passes; an empty figure, an all-null heatmap, an unknown trace type,
// an all-null line and all-zero bars each fail, with their reason.
import { describe, expect, it } from "vitest";
import { Page } from "playwright-core";
import { figureToHTML } from "../../src/html/figure-to-html";
import { Figure } from "../../src/plots/theme";
import { drawnReport, waitAllDrawn } from "../../scripts/drawn.mjs";
import { hasChromium, openHTML, sharedBrowser } from "./_browser";
import { gallery } from "./_gallery";
import { plotAttentionLines, plotHeadExplorer, plotHeadScatter, plotWeightDrilldown } from "../../src/plots";

/** The builders the gallery does not hold (notebooks 12 and 13): line view, explorer, head scatter, drill-down. */
function moreKinds(): Record<string, Figure> {
  const w = (s: number) => Array.from({ length: 4 }, (_, r) => Array.from({ length: 4 }, (_, c) => (c <= r ? (1 + ((r + c + s) % 3)) / (2 * (r + 1) + ((r + 1) * r) / 2 + s * 0) : 0)));
  const rowNorm = (m: number[][]) => m.map((row) => row.map((v) => v / row.reduce((a, b) => a + b, 0)));
  const heads = [rowNorm(w(0)), rowNorm(w(1))];
  const tokens = ["the", "cat", "sat", "down"];
  const v = (n: number, k: number) => Array.from({ length: n }, (_, i) => Math.sin(i + k));
  return {
    attention_lines: plotAttentionLines(heads, { tokens, query: 2 }),
    explorer: plotHeadExplorer([heads, heads], { tokens }),
    head_scatter: plotHeadScatter([[0.1, 0.9], [0.5, 0.3]], [[2, 1], [4, 3]], { xTitle: "a", yTitle: "b", label: [[0, 1]] }),
    drilldown: plotWeightDrilldown(
      { head: 0, query: 2, key: 1, dK: 4, products: v(4, 0), score: 0.3, scaled: 0.15, scaledRow: [0.1, 0.15, 0.2, 0], weightsRow: heads[0][2], weight: heads[0][2][1],
        weightedValue: v(4, 1), headOutput: v(4, 2), contribution: v(8, 3), keyContribution: v(8, 4), output: v(8, 5) },
      { tokens },
    ),
  };
}

const fig = (data: Array<Record<string, unknown>>): Figure => ({ data, layout: { height: 300, width: 400 } });

/** Figures plotly gives a frame (svg.main-svg) but no drawn data, and why drawnReport must say so. */
const BROKEN: Record<string, [Figure, RegExp]> = {
  "empty figure (data: [])": [fig([]), /no trace \(data: \[\]\)/],
  "all-null heatmap": [fig([{ type: "heatmap", z: [[null, null], [null, null]] }]), /trace 0 \(heatmap\): every value is null/],
  "heatmap painted in a transparent colour scale": [
    fig([{ type: "heatmap", z: [[1, 2], [3, 4]], colorscale: [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]] }]),
    /trace 0 \(heatmap\): its heatmap image has no painted pixel/,
  ],
  "unknown trace type": [fig([{ type: "heatmapp", z: [[1, 2], [3, 4]] }]), /trace 0: plotly drew type .* for type "heatmapp"|plotly kept 0 of 1/],
  "all-null line": [fig([{ type: "scatter", mode: "lines", x: [0, 1, 2], y: [null, null, null] }]), /no trace drew anything/],
  "all-zero bars": [fig([{ type: "bar", x: ["a", "b"], y: [0, 0] }]), /no trace drew anything/],
  "a real heatmap next to an all-null one": [
    { data: [{ type: "heatmap", z: [[1, 2]], xaxis: "x", yaxis: "y" }, { type: "heatmap", z: [[null, null]], xaxis: "x2", yaxis: "y2" }], layout: { height: 300, width: 400, xaxis: { domain: [0, 0.4] }, xaxis2: { domain: [0.6, 1] }, yaxis2: { anchor: "x2" } } },
    /trace 1 \(heatmap\): every value is null/,
  ],
};

describe.skipIf(!hasChromium)("drawnReport (scripts/drawn.mjs) in Chromium", () => {
  const browser = sharedBrowser();

  async function page(figures: Figure[]): Promise<Page> {
    const { page } = await openHTML(browser(), figureToHTML(figures), "drawn.html");
    // wait for plotly to have made every frame (what the old check counted), then judge
    await page.waitForFunction((n) => document.querySelectorAll(".js-plotly-plot .main-svg").length >= n, figures.length, { timeout: 60_000 });
    return page;
  }

  it("drawnReport(every kind of figure we draw) is drawn: heatmaps, lines with bands, bars, scatter, data flow, line view, explorer, drill-down", async () => {
    const figs = { ...gallery(), ...moreKinds() };
    const p = await page(Object.values(figs));
    const r = await p.evaluate(drawnReport, ".js-plotly-plot");
    expect(r.length).toBe(Object.keys(figs).length);
    const bad = Object.keys(figs).map((n, i) => (r[i].drawn ? null : `${n}: ${r[i].why}`)).filter(Boolean);
    expect(bad, JSON.stringify(bad)).toEqual([]);
    await p.context().close();
  }, 120_000);

  it("drawnReport(broken figures) is not drawn, although plotly made each one's frame", async () => {
    const names = Object.keys(BROKEN);
    const p = await page(names.map((n) => BROKEN[n][0]));
    // the old check (".js-plotly-plot:has(svg.main-svg)") counts every one of them
    expect(await p.locator(".js-plotly-plot:has(svg.main-svg)").count()).toBe(names.length);
    const r = await p.evaluate(drawnReport, ".js-plotly-plot");
    names.forEach((n, i) => {
      expect(r[i].drawn, n).toBe(false);
      expect(r[i].why, n).toMatch(BROKEN[n][1]);
    });
    await expect(waitAllDrawn(p, { count: names.length, timeout: 500 })).rejects.toThrow(/not drawn: plot 0: the figure has no trace/);
    await p.context().close();
  }, 60_000);

  it("waitAllDrawn waits for the count: fewer plots than asked for is not done", async () => {
    const p = await page([gallery().bars]);
    expect((await waitAllDrawn(p, { count: 1 })).length).toBe(1);
    await expect(waitAllDrawn(p, { count: 2, timeout: 300 })).rejects.toThrow(/1 plot\(s\) match .js-plotly-plot \(want ≥ 2\)/);
    await p.context().close();
  }, 60_000);
});
