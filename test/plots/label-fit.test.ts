// Labels fit, measured in Chromium: the real tick-label and title boxes plotly draws (getBoundingClientRect), against
// the figure's edges and every panel's plot area. The layout engine reserves room from an estimate of text width
// (src/plots/escape.ts _textWidth); this test holds that estimate to the glyphs Chromium draws, with a generator of
// wide and narrow characters ("WWWW…", "iiii"), long tokens and many tokens (fast-check).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Page } from "playwright-core";
import { figureToHTML } from "../../src/html/figure-to-html";
import { plotHeads, plotMasks, plotProjections } from "../../src/plots";
import { Figure } from "../../src/plots/theme";
import { waitAllDrawn } from "../../scripts/drawn.mjs";
import { hasChromium, openHTML, sharedBrowser } from "../html/_browser";
import { _ASCII_EM, _LATIN_EM, _PUNCT_EM } from "../../src/plots/_glyph-widths";
import { THEME } from "../../src/plots/theme";
import { fakeTrace } from "./_trace";

/** What Chromium drew that does not fit: each label or title outside the figure or over a panel's plot area. */
interface Misfit {
  figure: number;
  what: string;
  text: string;
  box: number[];
  limit: number[];
}

/** Runs in the page: every tick label and title of every plot, measured, against the figure and the panels. */
function measure(): Misfit[] {
  const out: Misfit[] = [];
  const r = (b: DOMRect) => [b.left, b.top, b.right, b.bottom].map((v) => Math.round(v * 10) / 10);
  document.querySelectorAll(".js-plotly-plot").forEach((gd, figure) => {
    const fig = gd.querySelector("svg.main-svg")!.getBoundingClientRect();
    const frame = [fig.left, fig.top, fig.right, fig.bottom];
    const panels = Array.from(gd.querySelectorAll(".draglayer .nsewdrag")).map((e) => e.getBoundingClientRect());
    const texts = Array.from(gd.querySelectorAll("g.xtick text, g.ytick text, .annotation-text, .gtitle")) as SVGGraphicsElement[];
    for (const t of texts) {
      const b = t.getBoundingClientRect();
      if (b.width === 0 && b.height === 0) continue;
      const what = t.closest("g.xtick") ? "x tick label" : t.closest("g.ytick") ? "y tick label" : "title";
      const text = t.textContent ?? "";
      if (b.left < frame[0] - 0.5 || b.right > frame[2] + 0.5 || b.top < frame[1] - 0.5 || b.bottom > frame[3] + 0.5) {
        out.push({ figure, what: `${what} cut off at the figure's edge`, text, box: r(b), limit: frame.map((v) => Math.round(v)) });
      }
      if (what === "title") continue;
      for (const p of panels) {
        const overlap = Math.min(b.right, p.right) - Math.max(b.left, p.left) > 1 && Math.min(b.bottom, p.bottom) - Math.max(b.top, p.top) > 1;
        if (overlap) out.push({ figure, what: `${what} over a panel`, text, box: r(b), limit: r(p) });
      }
    }
  });
  return out;
}

/** Token strings that stress the width estimate: wide and narrow glyphs, long tokens, HTML-looking ones. */
const token = fc.oneof(
  fc.integer({ min: 1, max: 24 }).map((n) => "W".repeat(n)),
  fc.integer({ min: 1, max: 24 }).map((n) => "i".repeat(n)),
  fc.integer({ min: 1, max: 24 }).map((n) => "M@%".repeat(n).slice(0, n)),
  fc.string({ minLength: 1, maxLength: 24 }),
  fc.constantFrom("[CLS]", "the", "##ing", "</script>", "ＷＩＤＥ", "straße", "—", "WWWWWWWWWWWWW"),
);

describe.skipIf(!hasChromium)("labels fit, measured in Chromium", () => {
  const browser = sharedBrowser();

  async function misfits(figures: Figure[]): Promise<Misfit[]> {
    const { page } = await openHTML(browser(), figureToHTML(figures), "labels.html", { width: 1000, height: 900 });
    try {
      await waitAllDrawn(page as Page, { count: figures.length, timeout: 60_000 });
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
      return await page.evaluate(measure);
    } finally {
      await page.context().close();
    }
  }

  it("the glyph-width table is never narrower than Chromium draws THEME.fontFamily (canvas measureText at 100 px)", async () => {
    const table: Record<number, number> = { ..._PUNCT_EM };
    _ASCII_EM.forEach((em, i) => (table[0x20 + i] = em));
    _LATIN_EM.forEach((em, i) => (table[0xa0 + i] = em));
    const { page } = await openHTML(browser(), "<!DOCTYPE html><p>x</p>", "glyphs.html");
    try {
      const measured: Record<string, number> = await page.evaluate(
        ([family, cps]) => {
          const c = document.createElement("canvas").getContext("2d")!;
          c.font = `100px ${family}`;
          return Object.fromEntries(cps.map((cp) => [cp, c.measureText(String.fromCodePoint(cp)).width / 100]));
        },
        [THEME.fontFamily, Object.keys(table).map(Number)] as const,
      );
      const narrow = Object.entries(measured).filter(([cp, em]) => table[Number(cp)] < em - 1e-9).map(([cp, em]) => `U+${Number(cp).toString(16)}: table ${table[Number(cp)]}, drawn ${em}`);
      expect(narrow).toEqual([]);
      expect(Object.keys(measured).length).toBe(95 + 224 + Object.keys(_PUNCT_EM).length);
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it("the check can fail: a figure whose labels are drawn outside it is reported", async () => {
    const { trace } = fakeTrace(3, 4, 2, { seed: 1 });
    const f = plotHeads(trace, { queryTokens: ["a", "b", "c"] });
    // a y axis that reserves no room for its labels: they are drawn left of the figure
    const broken: Figure = { data: f.data, layout: { ...f.layout, margin: { ...(f.layout.margin as object), l: 0 }, xaxis: { ...(f.layout.xaxis as object), domain: [0, 0.3] } } };
    const m = await misfits([{ ...broken, data: broken.data.slice(0, 1), layout: { ...broken.layout, yaxis: { ...(broken.layout.yaxis as object), ticktext: ["WWWWWWWWWWWW", "b", "c"] } } }]);
    expect(m.some((x) => x.what === "y tick label cut off at the figure's edge" && x.text === "WWWWWWWWWWWW")).toBe(true);
  }, 60_000);

  it("plotHeads: 12–13 'W' tokens (the issue's case) and 'iiii' tokens fit", async () => {
    const cases = [12, 13].flatMap((n) => [
      { toks: ["W".repeat(n), "cat", "W".repeat(n), "sat"], h: 2 },
      { toks: ["W".repeat(n), "i".repeat(n), "the", "W".repeat(n), "ok"], h: 4 },
    ]);
    const figs = cases.map(({ toks, h }, i) => plotHeads(fakeTrace(toks.length, h * 2, h, { seed: i }).trace, { queryTokens: toks }));
    expect(await misfits(figs)).toEqual([]);
  }, 60_000);

  it("plotHeads, plotMasks, plotProjections for any tokens (wide, narrow, long, many): every label inside the figure and off the panels (property)", async () => {
    const samples = fc.sample(
      fc.record({ toks: fc.array(token, { minLength: 1, maxLength: 40 }), h: fc.integer({ min: 1, max: 6 }), kind: fc.constantFrom("heads", "masks", "projections") }),
      { numRuns: 24, seed: 11 },
    );
    const figs = samples.map(({ toks, h, kind }, i) => {
      const { trace, params } = fakeTrace(toks.length, h * 2, h, { seed: i, causal: true });
      if (kind === "masks") return plotMasks([{ title: "causal", mask: trace.mask! }], { queryTokens: toks });
      if (kind === "projections") return plotProjections(trace, params, { head: 0, queryTokens: toks });
      return plotHeads(trace, { queryTokens: toks });
    });
    const m = await misfits(figs);
    expect(m.map((x) => ({ ...x, tokens: samples[x.figure].toks.slice(0, 6) }))).toEqual([]);
  }, 120_000);
});
