import { describe, expect, it } from "vitest";
import { MultiHeadAttention } from "../../src/math/multi-head";
import { causalMask } from "../../src/math/masks";
import { matmul } from "../../src/math/matrix";
import { scaledDotProductAttention } from "../../src/math/scaled-dot-product";
import { additiveAttention } from "../../src/math/additive";
import { mhaCost } from "../../src/math/cost";
import {
  plotProjections, plotHeadStages, plotOutputProjection, plotHeadContributions,
  plotMasks, plotAdditiveVsDot, plotCostCurve, plotDataFlow,
} from "../../src/plots";
import { DIVERGING_SCALE, WEIGHTS_SCALE, HEAD_COLORS } from "../../src/plots/theme";
import { rng, randMatrix } from "./_trace";
import { L, T, axis, titles, fontSizes } from "./_helpers";

const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 4, bias: false });
const x = randMatrix(4, 8, rng(9), 2);
const trace = mha.forward(x, { causal: true });
const toks = ["the", "cat", "sat", "down"];
const maxAbs = (ms: number[][][]) => Math.max(...ms.flat(2).filter(Number.isFinite).map(Math.abs));

describe("plotProjections", () => {
  const f = plotProjections(trace, mha.params, { head: 1, queryTokens: toks });
  it("plotProjections(trace, params, {head}) draws Q_i, K_i, V_i, W_i^Q, W_i^K, W_i^V", () => {
    expect(f.data.length).toBe(6);
    expect(T(f, 0).z).toEqual(trace.heads[1].q);
    expect(T(f, 1).z).toEqual(trace.heads[1].k);
    expect(T(f, 2).z).toEqual(trace.heads[1].v);
    expect(titles(f)[0]).toBe("Q<sub>2</sub> = X·W<sub>2</sub><sup>Q</sup>  (4×4)");
    // the W panels are head 2's columns of wQ/wK/wV: X·W_i (computed here) gives back Q_i, K_i, V_i
    for (let j = 0; j < 3; j++) {
      const w = T(f, 3 + j).z as number[][];
      expect(w.length).toBe(8);
      expect(w[0].length).toBe(4);
      const back = matmul(x, w);
      back.forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo((T(f, j).z as number[][])[r][c], 12)));
    }
  });
  it("uses diverging scales centred at 0 with symmetric ranges: one for Q/K/V, one for the W", () => {
    for (const t of f.data) {
      expect(t.colorscale).toEqual(DIVERGING_SCALE);
      expect(t.zmid).toBe(0);
      expect(t.zmin).toBe(-(t.zmax as number));
    }
    const hd = trace.heads[1];
    expect(T(f, 0).zmax).toBe(maxAbs([hd.q, hd.k, hd.v]));
    expect(T(f, 3).zmax).toBe(maxAbs([T(f, 3).z, T(f, 4).z, T(f, 5).z]));
    expect(f.data.map((t) => t.showscale)).toEqual([true, false, false, true, false, false]);
  });
  it("rejects a head that does not exist", () => {
    expect(() => plotProjections(trace, mha.params, { head: 2 })).toThrow("plotProjections: head index 2 does not exist (option head); the trace has 2 heads, indices 0 … 1 (charted as head 1 … head 2)");
  });
});

describe("plotHeadStages", () => {
  const f = plotHeadStages(trace, { head: 0, queryTokens: toks });
  const hd = trace.heads[0];
  it("plotHeadStages(trace) draws scores → scaled → masked → softmax → output, in that order", () => {
    expect(f.data.length).toBe(5);
    expect(titles(f)).toEqual(["1. scores Q·Kᵀ", "2. scaled ÷ √dK", "3. masked (+M)", "4. softmax", "5. output A·V"]);
    expect(T(f, 0).z).toEqual(hd.scores);
    expect(T(f, 1).z).toEqual(hd.scaledScores);
    expect(T(f, 3).z).toEqual(hd.weights);
    expect(T(f, 4).z).toEqual(hd.output);
  });
  it("draws −∞ (masked) as a gap (null) labelled −∞, never as invalid JSON", () => {
    expect(hd.maskedScores[0][3]).toBe(-Infinity);
    expect(T(f, 2).z[0][3]).toBeNull();
    expect(T(f, 2).text[0][3]).toBe("−∞");
    expect(JSON.parse(JSON.stringify(f))).toEqual(f);
  });
  it("the three score panels share one symmetric range, so the ÷√dK shrink shows; softmax uses [0, 1]", () => {
    const m = maxAbs([hd.scores, hd.scaledScores, hd.maskedScores]);
    for (const i of [0, 1, 2]) expect([T(f, i).zmin, T(f, i).zmid, T(f, i).zmax]).toEqual([-m, 0, m]);
    expect([T(f, 3).zmin, T(f, 3).zmax]).toEqual([0, 1]);
    expect(T(f, 3).colorscale).toEqual(WEIGHTS_SCALE);
  });
});

describe("plotOutputProjection and plotHeadContributions", () => {
  it("plotOutputProjection(trace, wO) draws concat, W^O and output, with one coloured frame per head on concat and W^O", () => {
    const f = plotOutputProjection(trace, mha.params.wO, { queryTokens: toks });
    expect(f.data.length).toBe(3);
    expect([T(f, 0).z, T(f, 1).z, T(f, 2).z]).toEqual([trace.concat, mha.params.wO, trace.output]);
    const shapes = L(f).shapes as Array<Record<string, any>>;
    expect(shapes.length).toBe(4);
    expect(shapes.map((s) => s.line.color)).toEqual([HEAD_COLORS[0], HEAD_COLORS[1], HEAD_COLORS[0], HEAD_COLORS[1]]);
    expect(shapes.slice(0, 2).map((s) => [s.x0, s.x1, s.xref])).toEqual([[-0.5, 3.5, "x"], [3.5, 7.5, "x"]]);
    expect(shapes.slice(2).map((s) => [s.y0, s.y1, s.yref])).toEqual([[-0.5, 3.5, "y2"], [3.5, 7.5, "y2"]]);
    expect(() => plotOutputProjection(trace, mha.params.wO.slice(0, 6))).toThrow("plotOutputProjection: wO has 6 rows but concat has 8 columns (h·dV)");
  });
  it("plotHeadContributions(trace): h panels head_i·W^O_i whose sum is the output panel (no bias)", () => {
    const f = plotHeadContributions(trace, { queryTokens: toks });
    expect(f.data.length).toBe(3);
    expect(titles(f)[0]).toContain("head 1");
    const sum = (T(f, 0).z as number[][]).map((row, r) => row.map((v, c) => v + (T(f, 1).z as number[][])[r][c]));
    sum.forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo((T(f, 2).z as number[][])[r][c], 12)));
    expect(new Set(f.data.map((t) => t.zmax)).size).toBe(1);
  });
});

describe("plotMasks", () => {
  it("plotMasks draws masked (true, −∞, ≤ −1e9) as 1, allowed as 0, finite biases as ½", () => {
    const f = plotMasks([
      { title: "bool", mask: causalMask(3) },
      { title: "additive", mask: [[0, -Infinity, -1e9], [0, 0, -2.5], [0, 0, 0]] },
    ], { queryTokens: ["a", "b", "c"] });
    expect(T(f, 0).z).toEqual([[0, 1, 1], [0, 0, 1], [0, 0, 0]]);
    expect(T(f, 1).z).toEqual([[0, 1, 1], [0, 0, 0.5], [0, 0, 0]]);
    expect(T(f, 1).customdata[0][1][2]).toBe("−∞");
    expect(T(f, 0).customdata[0][1][2]).toBe("true");
    expect(T(f, 0).colorbar.ticktext).toEqual(["allowed", "bias", "masked"]);
    expect(axis(f, "x", 0).ticktext).toEqual(["a", "b", "c"]);
    expect(() => plotMasks([])).toThrow("plotMasks: masks must be a non-empty array of { title, mask }, e.g. [{ title: \"causal\", mask: causalMask(4) }], got an empty array");
    expect(() => plotMasks([{ title: "m", mask: causalMask(3) }], { queryTokens: ["a"] })).toThrow('queryTokens has 1 tokens but the number of rows of mask 0 ("m") is 3');
  });
});

describe("plotAdditiveVsDot", () => {
  const hd = trace.heads[0];
  const dot = scaledDotProductAttention(hd.q, hd.k, hd.v);
  const r = rng(5);
  const add = additiveAttention(hd.q, hd.k, hd.v, { wQ: randMatrix(4, 3, r), wK: randMatrix(4, 3, r), wV: [0.5, -1, 2] });
  it("plotAdditiveVsDot(dot, additive) draws both scores (own diverging scales) and both weights ([0, 1])", () => {
    const f = plotAdditiveVsDot(dot, add, { queryTokens: toks });
    expect(f.data.length).toBe(4);
    expect([T(f, 0).z, T(f, 1).z, T(f, 2).z, T(f, 3).z]).toEqual([dot.scaledScores, add.scores, dot.weights, add.weights]);
    expect(T(f, 0).zmid).toBe(0);
    expect(T(f, 1).zmax).toBe(maxAbs([add.scores]));
    expect([T(f, 2).zmin, T(f, 2).zmax, T(f, 3).zmin, T(f, 3).zmax]).toEqual([0, 1, 0, 1]);
  });
  it("rejects results of different shapes", () => {
    expect(() => plotAdditiveVsDot(dot, { scores: [[0]], weights: [[1]] })).toThrow(
      "plotAdditiveVsDot: additive weights are 1×1 but dot-product weights are 4×4",
    );
  });
});

describe("plotCostCurve", () => {
  const ns = [16, 32, 64, 128];
  const flops = ns.map((n) => mhaCost({ dModel: 64, numHeads: 4, seqLen: n }).flops.scores);
  it("plotCostCurve(n, series) adds a dashed c·n² reference through the last point", () => {
    const f = plotCostCurve(ns, [{ name: "scores", values: flops }], { yTitle: "FLOPs" });
    expect(f.data.length).toBe(2);
    const ref = T(f, 1).y as number[];
    expect(ref[3]).toBe(flops[3]);
    expect(ref[0] / ref[3]).toBeCloseTo((16 / 128) ** 2, 12);
    // Q·Kᵀ FLOPs are themselves quadratic in n: the curve lies on its reference
    flops.forEach((v, i) => expect(v / ref[i]).toBeCloseTo(1, 9));
    expect(L(f).yaxis.title.text).toBe("FLOPs");
    expect(plotCostCurve(ns, [{ name: "s", values: flops }], { quadraticReference: false, log: true }).data.length).toBe(1);
  });
  it("rejects a series whose length differs from seqLens", () => {
    expect(() => plotCostCurve(ns, [{ name: "ms", values: [1, 2] }])).toThrow('plotCostCurve: series 0 ("ms") has 2 values but seqLens has 4');
  });
});

describe("plotDataFlow", () => {
  it("plotDataFlow(trace) names the shapes of the layer shown", () => {
    const f = plotDataFlow(trace);
    const text = (L(f).annotations as Array<{ text: string }>).map((a) => a.text).join(" | ");
    for (const s of ["input X<br>4×8", "Q<sub>1</sub> 4×4", "V<sub>2</sub> 4×4", "concat<br>4×8", "8×8", "output<br>4×8", "weights 4×4<br>→ output 4×4"]) {
      expect(text).toContain(s);
    }
    expect(L(f).title.text).toBe("multi-head attention: h=2, dModel=8, dK=4, dV=4, L=4, S=4");
  });
  it("with more than 4 heads draws heads 1, 2, ⋮, h", () => {
    const f = plotDataFlow({ L: 16, dModel: 384, numHeads: 12 });
    const text = (L(f).annotations as Array<{ text: string }>).map((a) => a.text).join(" | ");
    expect(text).toContain("<b>head 12</b>");
    expect(text).not.toContain("<b>head 3</b>");
    expect(text).toContain("9 more heads");
    expect(text).toContain("16×32");
    expect(() => plotDataFlow({ L: 4, dModel: 8, numHeads: 3 })).toThrow("plotDataFlow: dK must be a positive integer, got 2.6666666666666665");
  });
});

describe("every builder", () => {
  const figs = {
    projections: plotProjections(trace, mha.params),
    stages: plotHeadStages(trace),
    output: plotOutputProjection(trace, mha.params.wO),
    contributions: plotHeadContributions(trace),
    masks: plotMasks([{ title: "causal", mask: causalMask(4) }]),
    cost: plotCostCurve([1, 2], [{ name: "a", values: [1, 4] }]),
    flow: plotDataFlow(trace),
  };
  for (const [name, f] of Object.entries(figs)) {
    it(`${name}: layout with a height, valid JSON, no font under 14 px`, () => {
      expect(L(f).height).toBeGreaterThan(0);
      expect(JSON.parse(JSON.stringify(f))).toEqual(f);
      expect(Math.min(...fontSizes(f))).toBeGreaterThanOrEqual(14);
    });
  }
});

import { plotBars } from "../../src/plots/bars";
import { plotLines } from "../../src/plots/lines";

describe("plotBars and plotLines", () => {
  it("plotBars(labels, values) keeps equal labels as separate bars, in order, labels escaped", () => {
    const f = plotBars(["h = 1", "<b>x</b>", "h = 1"], [3, 4, 5], { title: "t", yTitle: "ms", yRange: [0, 6] });
    expect(T(f, 0).x).toEqual([0, 1, 2]);
    expect(T(f, 0).y).toEqual([3, 4, 5]);
    expect(L(f).xaxis.ticktext).toEqual(["h = 1", "&lt;b&gt;x&lt;/b&gt;", "h = 1"]);
    expect(L(f).yaxis.range).toEqual([0, 6]);
    expect(L(f).yaxis.title.text).toBe("ms");
    expect(() => plotBars(["a"], [1, 2])).toThrow("plotBars: labels has 1 entries but values has 2");
  });
  it("plotLines(x, series) draws one line per series, dashed where asked, log axes on request", () => {
    const f = plotLines([1, 2, 4], [{ name: "a", values: [1, 2, 3] }, { name: "ref", values: [1, 1, 1], dash: true }], { logX: true, xTitle: "h" });
    expect(f.data.length).toBe(2);
    expect(f.data.map((t) => (t.line as { dash: string }).dash)).toEqual(["solid", "dash"]);
    expect(L(f).xaxis.type).toBe("log");
    expect(L(f).yaxis.type).toBe("linear");
    expect(L(f).showlegend).toBe(true);
    expect(() => plotLines([1, 2], [{ name: "a", values: [1] }])).toThrow('plotLines: series 0 ("a") has 1 values but x has 2');
    expect(() => plotLines([1], [])).toThrow("plotLines: series must be a non-empty array of { name, values }, got an empty array");
    expect(Math.min(...fontSizes(f))).toBeGreaterThanOrEqual(14);
  });
});

import { gallery } from "../html/_gallery";
import { THEME } from "../../src/plots/theme";

describe("the gallery (one figure of each kind, up to 16 tokens × 12 heads)", () => {
  for (const [name, f] of Object.entries(gallery())) {
    it(`${name} fits a 1280 px projector's notebook width (≤ ${THEME.maxWidth} px) with fonts ≥ 14 px`, () => {
      expect(L(f).width).toBeLessThanOrEqual(THEME.maxWidth);
      expect(Math.min(...fontSizes(f))).toBeGreaterThanOrEqual(14);
    });
  }
});
