// Panel titles never overlap: a handout showed "Q₁ = X·W₁Q (5×2)" running into "K₁ = …" at notebook 01's sizes
// (L = 5, dK = 2: panels two cells wide under titles about 150 px wide).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { MultiHeadAttention } from "../../src/math/multi-head";
import { toyEmbeddings, RUNNING_TOKENS } from "../../src/course/toy";
import { plotProjections, plotHeadStages, plotOutputProjection, plotHeads } from "../../src/plots";
import { THEME } from "../../src/plots/theme";
import { _textWidth, _visibleText } from "../../src/plots/escape";
import { Figure } from "../../src/plots/theme";
import { gallery } from "../html/_gallery";
import { fakeTrace } from "./_trace";
import { L, drawnText, overlaps, titleBoxes } from "./_helpers";

/** Every pair of panel titles is apart, and every title lies inside the plot area (left of the colour bars). */
function expectTitlesApart(f: Figure, name: string): void {
  const boxes = titleBoxes(f, _textWidth);
  const l = L(f);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      expect(overlaps(boxes[i], boxes[j]), `${name}: titles ${i} and ${j} overlap: ${JSON.stringify([boxes[i], boxes[j]])}`).toBe(false);
    }
    expect(boxes[i][0], `${name}: title ${i} starts left of the figure`).toBeGreaterThanOrEqual(0);
    expect(boxes[i][2], `${name}: title ${i} runs into the colour bars`).toBeLessThanOrEqual(l.width - l.margin.r + 0.5);
  }
}

describe("panel titles never overlap", () => {
  it("plotProjections at notebook 01's sizes (L=5, dModel=4, h=2, dK=2): Q₁, K₁, V₁ titles are apart", () => {
    const mha = MultiHeadAttention.random({ dModel: 4, numHeads: 2, seed: 0 });
    const trace = mha.forward(toyEmbeddings(RUNNING_TOKENS, 4, 0));
    const f = plotProjections(trace, mha.params, { head: 0, queryTokens: RUNNING_TOKENS });
    expect(drawnText(L(f).annotations[0].text)).toBe("Q1 = X·W1Q  (5×2)");
    expectTitlesApart(f, "projections L=5 dK=2");
    // the fix moves panels apart, it does not squeeze cells: still one 14 px text line per token row
    const [q, k] = [L(f).xaxis.domain, L(f).xaxis2.domain];
    const pw = L(f).width - L(f).margin.l - L(f).margin.r;
    expect(((q[1] - q[0]) * pw) / 2).toBeGreaterThanOrEqual(THEME.fontSize);
    expect(k[0]).toBeGreaterThan(q[1]);
  });

  // the grid figures (all heatmaps); the data-flow diagram and line charts place their text differently
  const grids = Object.entries(gallery()).filter(([, f]) => f.data.every((t) => t.type === "heatmap"));
  it("the gallery has grid figures", () => expect(grids.length).toBeGreaterThanOrEqual(7));
  for (const [name, f] of grids) {
    it(`gallery figure ${name}`, () => expectTitlesApart(f, name));
  }

  it("for any L ≤ 16, h ≤ 4, dK ≤ 8: projections, stages, output projection and heads (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 8 }), (n, h, dK) => {
        const { trace, params } = fakeTrace(n, h * dK, h, { seed: n * 100 + h * 10 + dK });
        const figs: Record<string, Figure> = {
          projections: plotProjections(trace, params, { head: h - 1 }),
          stages: plotHeadStages(trace, { head: 0 }),
          output: plotOutputProjection(trace, params.wO),
          heads: plotHeads(trace),
        };
        for (const [fname, f] of Object.entries(figs)) expectTitlesApart(f, `${fname} L=${n} h=${h} dK=${dK}`);
      }),
      { numRuns: 60, seed: 42 },
    );
  });
});

describe("_visibleText(markup)", () => {
  it("drops tags and decodes the entities escapePlotlyText writes, matching the test's own decoder", () => {
    expect(_visibleText("W<sub>1</sub><sup>Q</sup>  (4×2)")).toBe("W1Q  (4×2)");
    expect(_visibleText("&lt;b&gt;x&lt;/b&gt; &amp; &#36;y&#36;")).toBe("<b>x</b> & $y$");
    fc.assert(
      fc.property(fc.string(), (s) => {
        const esc = s.replace(/[&<>$]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", $: "&#36;" })[c]!);
        expect(_visibleText(esc)).toBe(s);
        expect(drawnText(esc)).toBe(s);
      }),
    );
  });
});
