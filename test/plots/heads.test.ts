import { describe, expect, it } from "vitest";
import { MultiHeadAttention } from "../../src/math/multi-head";
import { plotHeads } from "../../src/plots/heads";
import { THEME } from "../../src/plots/theme";
import { _textWidth, _truncate } from "../../src/plots/escape";
import { rng, randMatrix } from "./_trace";
import { L, T, axis, titles, fontSizes, panelBox, overlaps, labelledPanelBoxes } from "./_helpers";

const EVIL = ["</script><img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">x</a>', "&lt;", "$x$"];

function run(Lq: number, dModel: number, h: number, seed = 1, causal = false) {
  const mha = MultiHeadAttention.random({ dModel, numHeads: h, seed });
  const x = randMatrix(Lq, dModel, rng(seed + 10), 2);
  return { mha, trace: mha.forward(x, { causal }) };
}

describe("plotHeads", () => {
  const { trace } = run(4, 8, 2, 1, true);
  const toks = ["the", "cat", "sat", "the"];
  const fig = plotHeads(trace, { queryTokens: toks });

  it("plotHeads(trace) draws one heatmap per head whose z is that head's (L, S) weights", () => {
    expect(fig.data.length).toBe(2);
    for (let h = 0; h < 2; h++) {
      expect(T(fig, h).type).toBe("heatmap");
      expect(T(fig, h).z).toEqual(trace.heads[h].weights);
      expect(T(fig, h).z.length).toBe(4);
      expect(T(fig, h).z[0].length).toBe(4);
      expect(T(fig, h).xaxis).toBe(h === 0 ? "x" : "x2");
      expect(T(fig, h).yaxis).toBe(h === 0 ? "y" : "y2");
    }
  });

  it("uses one shared colour scale [0, 1] with a single colour bar", () => {
    for (const t of fig.data) {
      expect(t.zmin).toBe(0);
      expect(t.zmax).toBe(1);
      expect(t.zauto).toBe(false);
    }
    expect(fig.data.map((t) => t.showscale)).toEqual([true, false]);
    expect(T(fig, 0).colorscale).toEqual(T(fig, 1).colorscale);
  });

  it('titles the heads "head 1 … head h" and labels both axes with the tokens in order (duplicates kept)', () => {
    expect(titles(fig)).toEqual(["head 1", "head 2"]);
    for (const k of ["x", "y"] as const) {
      expect(axis(fig, k, 0).ticktext).toEqual(toks);
      expect(axis(fig, k, 0).tickvals).toEqual([0, 1, 2, 3]);
    }
    // query 0 at the top: the y axis runs downwards
    expect(axis(fig, "y", 0).range).toEqual([3.5, -0.5]);
    // the row labels are shared: drawn in the first grid column only
    expect(axis(fig, "y", 1).showticklabels).toBe(false);
  });

  it("hover shows query token, key token, weight and the raw score Q_i·K_iᵀ", () => {
    const t = T(fig, 1);
    expect(t.hovertemplate).toContain("query: %{customdata[0]}");
    expect(t.hovertemplate).toContain("key: %{customdata[1]}");
    expect(t.hovertemplate).toContain("weight: %{z:.3f}");
    expect(t.hovertemplate).toContain("score: %{customdata[2]:.3f}");
    expect(t.customdata[2][1]).toEqual(["sat", "cat", trace.heads[1].scores[2][1]]);
    // the raw score, recomputed independently from Q and K of head 2
    const hd = trace.heads[1];
    const dot = hd.q[2].reduce((s, v, j) => s + v * hd.k[1][j], 0);
    expect(t.customdata[2][1][2]).toBeCloseTo(dot, 12);
  });

  it("escapes tokens for plotly in ticks and hover data", () => {
    const f = plotHeads(trace, { queryTokens: EVIL, maxLabelChars: 64 });
    expect(axis(f, "x", 0).ticktext).toEqual([
      "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;",
      '&lt;a href=&#34;javascript:alert(1)&#34;&gt;x&lt;/a&gt;',
      "&amp;lt;",
      "&#36;x&#36;",
    ]);
    expect(T(f, 0).customdata[0][1].slice(0, 2)).toEqual(["&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;", '&lt;a href=&#34;javascript:alert(1)&#34;&gt;x&lt;/a&gt;']);
    const json = JSON.stringify(f);
    expect(json).not.toMatch(/<script|<img|<a /);
  });

  it("cuts long labels on the axes (…) but keeps them whole in the hover", () => {
    const long = ["a".repeat(30), "b", "c", "d"];
    const f = plotHeads(trace, { queryTokens: long });
    expect(axis(f, "x", 0).ticktext[0]).toBe("a".repeat(THEME.maxLabelChars - 1) + "…");
    expect(T(f, 0).customdata[0][0][0]).toBe("a".repeat(30));
  });

  it("keyTokens label the columns of cross-attention (L ≠ S)", () => {
    const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 3 });
    const tr = mha.forward(randMatrix(2, 8, rng(1)), randMatrix(3, 8, rng(2)), randMatrix(3, 8, rng(3)));
    const f = plotHeads(tr, { queryTokens: ["q1", "q2"], keyTokens: ["k1", "k2", "k3"] });
    expect(axis(f, "x", 0).ticktext).toEqual(["k1", "k2", "k3"]);
    expect(axis(f, "y", 0).ticktext).toEqual(["q1", "q2"]);
    expect(T(f, 0).z.length).toBe(2);
    expect(T(f, 0).z[0].length).toBe(3);
    // without keyTokens the columns are numbered
    expect(axis(plotHeads(tr, { queryTokens: ["q1", "q2"] }), "x", 0).ticktext).toEqual(["0", "1", "2"]);
  });

  it("throws errors that name the argument and both numbers", () => {
    expect(() => plotHeads(trace, { queryTokens: ["a", "b"] })).toThrow("queryTokens has 2 tokens but the number of query rows L is 4");
    expect(() => plotHeads(trace, { queryTokens: toks, keyTokens: ["a"] })).toThrow("keyTokens has 1 tokens but the number of key columns S is 4");
    expect(() => plotHeads(trace, { heads: [2] })).toThrow("plotHeads: head index 2 does not exist (option heads); the trace has 2 heads, indices 0 … 1 (charted as head 1 … head 2)");
    expect(() => plotHeads({ ...trace, heads: [] })).toThrow("plotHeads: trace has no heads");
  });

  it("heads: [1] draws only head 2, titled head 2", () => {
    const f = plotHeads(trace, { heads: [1] });
    expect(f.data.length).toBe(1);
    expect(titles(f)).toEqual(["head 2"]);
    expect(T(f, 0).z).toEqual(trace.heads[1].weights);
  });

  it("always has a layout with a positive height, and no font under 14 px", () => {
    expect(L(fig).height).toBeGreaterThan(0);
    expect(Math.min(...fontSizes(fig))).toBeGreaterThanOrEqual(14);
  });
});

describe("plotHeads layout for 16 tokens × 12 heads", () => {
  const { trace } = run(16, 48, 12, 5);
  const toks = "[CLS] the quick brown fox jumps over the lazy dog because it was very happy [SEP]".split(" ");
  const long = toks.map((t, i) => (i === 5 ? "</script><img src=x onerror=alert(1)>" : t));

  for (const [name, tokens] of [["short tokens", toks], ["a long evil token", long]] as const) {
    it(`no two panels, titles or row-label columns overlap (${name}) and the figure fits a projector's width`, () => {
      const f = plotHeads(trace, { queryTokens: [...tokens] });
      expect(f.data.length).toBe(12);
      expect(titles(f)).toEqual(Array.from({ length: 12 }, (_, i) => `head ${i + 1}`));
      expect(L(f).width).toBeLessThanOrEqual(THEME.maxWidth);
      const fs = THEME.fontSize;
      const boxes = labelledPanelBoxes(f, tokens);
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) expect(overlaps(boxes[i], boxes[j]), `panels ${i} and ${j}`).toBe(false);
        expect(boxes[i][0]).toBeGreaterThanOrEqual(0);
        expect(boxes[i][3]).toBeLessThanOrEqual(L(f).height);
      }
      // one text line per token row, and column labels turned vertical when wider than a column
      const [x0, y0, x1, y1] = panelBox(f, 0);
      expect((y1 - y0) / 16).toBeGreaterThanOrEqual(fs);
      expect((x1 - x0) / 16).toBeGreaterThanOrEqual(fs);
      expect(axis(f, "x", 0).tickangle).toBe(-90);
    });
  }
});
