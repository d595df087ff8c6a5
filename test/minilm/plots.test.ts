/** The figure builders of notebook 13 (src/plots/explorer, attention-lines, drilldown, head-scatter), on small exact data. */
import { describe, expect, it } from "vitest";
import { plotHeadExplorer } from "../../src/plots/explorer";
import { plotAttentionLines } from "../../src/plots/attention-lines";
import { plotWeightDrilldown } from "../../src/plots/drilldown";
import { plotHeadScatter } from "../../src/plots/head-scatter";
import { meanAttentionDistance } from "../../src/minilm/head-patterns";
import { weightDrilldown } from "../../src/minilm/drilldown";
import { MultiHeadAttention } from "../../src/math/multi-head";

/** (layers, heads, L, L) rows that sum to 1, different per (layer, head). */
function fakeAttentions(nL: number, nH: number, L: number): number[][][][] {
  return Array.from({ length: nL }, (_, l) => Array.from({ length: nH }, (_, h) => Array.from({ length: L }, (_, i) => {
    const r = Array.from({ length: L }, (_, j) => 1 + ((l * 7 + h * 3 + i * 5 + j) % 4));
    const s = r.reduce((a, b) => a + b, 0);
    return r.map((v) => v / s);
  })));
}
const tokens = ["[CLS]", "the", "<b>cat</b>", "the", "[SEP]"];

describe("plotHeadExplorer(attentions, { tokens })", () => {
  const att = fakeAttentions(3, 4, 5);
  const fig = plotHeadExplorer(att, { tokens, layer: 1, head: 2 });
  it("one heatmap per head, only the chosen head visible, z = the chosen layer rounded to 3 decimals", () => {
    expect(fig.data.length).toBe(4);
    expect(fig.data.map((t) => t.visible)).toEqual([false, false, true, false]);
    expect(fig.data[2].z).toEqual(att[1][2].map((r) => r.map((v) => Math.round(v * 1000) / 1000)));
  });
  it("the layer dropdown restyles z of all head traces; the head slider restyles visible", () => {
    const menus = fig.layout.updatemenus as any[];
    expect(menus[0].buttons.map((b: any) => b.label)).toEqual(["layer 0", "layer 1", "layer 2"]);
    const [update, traces] = menus[0].buttons[2].args;
    expect(traces).toEqual([0, 1, 2, 3]);
    expect(update.z[3][4][0]).toBe(Math.round(att[2][3][4][0] * 1000) / 1000);
    const steps = (fig.layout.sliders as any[])[0].steps;
    expect(steps.map((s: any) => s.label)).toEqual(["head 1", "head 2", "head 3", "head 4"]);
    expect(steps[0].args[0].visible).toEqual([true, false, false, false]);
  });
  it("labels are position + token, unique for repeated tokens, and escaped", () => {
    expect(fig.data[0].x).toEqual(["0 [CLS]", "1 the", "2 &lt;b&gt;cat&lt;/b&gt;", "3 the", "4 [SEP]"]);
  });
  it("queries keeps only those rows (filter by query); the figure fits THEME.maxWidth for 200 tokens", () => {
    const f = plotHeadExplorer(att, { tokens, queries: [3, 1] });
    expect(f.data[0].y).toEqual(["3 the", "1 the"]);
    expect((f.data[0].z as number[][])[0]).toEqual(att[0][0][3].map((v) => Math.round(v * 1000) / 1000));
    const long = fakeAttentions(1, 2, 200);
    const g = plotHeadExplorer(long, { tokens: Array.from({ length: 200 }, (_, i) => `t${i}`), digits: 2 });
    expect(g.layout.width).toBeLessThanOrEqual(840);
    expect((g.layout.xaxis as any).dtick).toBeGreaterThan(1); // an overview: every k-th label
    expect(JSON.stringify(g).length).toBeLessThan(1_500_000);
  });
  it("errors name what was passed", () => {
    expect(() => plotHeadExplorer(att, { tokens: ["a"] })).toThrow("plotHeadExplorer: attentions[0][0] is not (1, 1) but tokens has 1 entries");
    expect(() => plotHeadExplorer(att, { tokens, head: 4 })).toThrow("head index 4 does not exist; indices 0 … 3 (charted as head 1 … head 4)");
    expect(() => plotHeadExplorer(att, { tokens, layer: 3 })).toThrow("layer 3 does not exist; layers are 0 … 2");
    expect(() => plotHeadExplorer(att, { tokens, queries: [9] })).toThrow("queries contains 9, but positions are 0 … 4");
  });
});

describe("plotAttentionLines(weights, { tokens, topK, minWeight, query })", () => {
  const w = fakeAttentions(1, 3, 5)[0];
  it("each drawn line has opacity ⌈10·w⌉/10 and the head's colour; topK keys per query and head", () => {
    const fig = plotAttentionLines(w, { tokens, topK: 2, minWeight: 0 });
    const lines = fig.data.filter((t) => t.mode === "lines" && Array.isArray(t.x) && (t.x as unknown[]).length > 1);
    let count = 0;
    for (const t of lines) {
      const ys = t.y as (number | null)[];
      for (let p = 0; p < ys.length; p += 3) {
        const i = -(ys[p] as number), j = -(ys[p + 1] as number);
        const head = Number(String(t.name).split(" ")[1]) - 1;
        expect(t.opacity).toBeCloseTo(Math.ceil(w[head][i][j] * 10 - 1e-9) / 10, 12);
        count++;
      }
    }
    expect(count).toBe(3 * 5 * 2);
  });
  it("the query dropdown: 'all queries' + one button per query, each restyling only that query's lines", () => {
    const fig = plotAttentionLines(w, { tokens, query: 2 });
    const buttons = (fig.layout.updatemenus as any[])[0].buttons;
    expect(buttons.length).toBe(6);
    const ys: (number | null)[][] = buttons[3].args[0].y; // query 2
    const starts = ys.flatMap((y) => y.filter((_, p) => p % 3 === 0));
    expect(new Set(starts)).toEqual(new Set([-2]));
    expect((fig.layout.updatemenus as any[])[0].active).toBe(3);
  });
  it("heads filter, legend entries per head, and errors", () => {
    const fig = plotAttentionLines(w, { tokens, heads: [1] });
    expect(fig.data.filter((t) => t.showlegend).map((t) => t.name)).toEqual(["head 2"]);
    expect(() => plotAttentionLines(w, { tokens, heads: [3] })).toThrow("plotAttentionLines: head index 3 does not exist");
    expect(() => plotAttentionLines(w, { tokens, query: 5 })).toThrow("plotAttentionLines: query 5 is not a position 0 … 4");
  });
});

describe("weightDrilldown + plotWeightDrilldown", () => {
  const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 5 });
  const x = [[1, 0, 0, 2, 0, 0, 1, 0], [0, 1, 0, 0, -1, 0, 0, 1], [0, 0, 1, 0, 0, 2, 0, 0], [1, 1, 0, 0, 0, 0, -1, 0]];
  const t = mha.forward(x);
  const d = weightDrilldown(t, mha.params.wO, 1, 2, 0);
  it("every step equals the trace: score, weights row, head output, contribution; Σ contributions + b^O = output", () => {
    expect(d.score).toBeCloseTo(t.heads[1].scores[2][0], 13);
    d.weightsRow.forEach((v, j) => expect(v).toBeCloseTo(t.weights[1][2][j], 14));
    d.headOutput.forEach((v, k) => expect(v).toBeCloseTo(t.heads[1].output[2][k], 14));
    d.contribution.forEach((v, k) => expect(v).toBeCloseTo(t.contributions[1][2][k], 14));
    expect(d.products.reduce((a, b) => a + b, 0)).toBeCloseTo(d.score, 13);
  });
  it("the figure: 6 traces in 4 panels, the key's bar highlighted; errors", () => {
    const f = plotWeightDrilldown(d, { tokens: ["a", "b", "c", "d"] });
    expect(f.data.length).toBe(6);
    const colors = (f.data[1].marker as any).color as string[];
    expect(colors.filter((c, j) => j !== 0 && c === colors[0]).length).toBe(0);
    expect(() => weightDrilldown(t, mha.params.wO, 2, 0, 0)).toThrow("head index 2 does not exist; indices 0 … 1 (head 1 … head 2)");
    expect(() => plotWeightDrilldown(d, { tokens: ["a"] })).toThrow("plotWeightDrilldown: opts.tokens has 1 tokens but the softmax row has 4 keys");
  });
});

describe("meanAttentionDistance and plotHeadScatter", () => {
  it("a previous-token head is 1 token away, a head on [CLS] i tokens away on average; skip renormalises", () => {
    const L = 5;
    const prev = Array.from({ length: L }, (_, i) => Array.from({ length: L }, (_, j) => (j === Math.max(0, i - 1) ? 1 : 0)));
    const cls = Array.from({ length: L }, () => Array.from({ length: L }, (_, j) => (j === 0 ? 1 : 0)));
    expect(meanAttentionDistance([prev, cls])).toEqual([4 / 5, (0 + 1 + 2 + 3 + 4) / 5]);
    expect(meanAttentionDistance([cls], [0])).toEqual([0]); // nothing left: distance 0
  });
  it("plotHeadScatter: one point per head, hover names layer and head", () => {
    const f = plotHeadScatter([[1, 2], [3, 4]], [[0.1, 0.2], [0.3, 0.4]], { xTitle: "x", yTitle: "y", label: [[1, 0]] });
    expect(f.data[0].x).toEqual([1, 2, 3, 4]);
    expect(f.data[0].customdata).toEqual(["layer 0, head 1", "layer 0, head 2", "layer 1, head 1", "layer 1, head 2"]);
    expect(() => plotHeadScatter([[1]], [[1, 2]], { xTitle: "x", yTitle: "y" })).toThrow("plotHeadScatter: layer 0 has 1 x values but 2 y values");
  });
});

describe("labels stay data in the notebook-13 builders", () => {
  const evil = ["%{y}", "<b>b</b>", "$x$", "%{customdata[0]}"];
  const w = fakeAttentions(1, 2, 4);
  it("hostile tokens and titles never reach plotly as markup or template variables", () => {
    const mha = MultiHeadAttention.random({ dModel: 4, numHeads: 2, seed: 1 });
    const t = mha.forward([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]);
    const figs = [
      plotHeadExplorer(w, { tokens: evil, title: "%{x} <i>t</i>" }),
      plotAttentionLines(w[0], { tokens: evil, title: "%{z}" }),
      plotWeightDrilldown(weightDrilldown(t, mha.params.wO, 0, 1, 2), { tokens: evil, layerLabel: "<b>L</b> %{y}" }),
      plotHeadScatter([[1]], [[2]], { xTitle: "%{y} <b>x</b>", yTitle: "$y$" }),
    ];
    for (const f of figs) {
      const json = JSON.stringify(f);
      expect(json).not.toMatch(/<b>|<i>|\$x\$|\$y\$/);
      const vars = json.match(/%\{[^}]*\}/g) ?? [];
      for (const v of vars) expect(["%{x}", "%{y}", "%{z}", "%{customdata}", "%{z:.3f}", "%{y:.4f}", "%{x:.3f}", "%{y:.4g}", "%{y:.3f}"]).toContain(v);
    }
  });
});

