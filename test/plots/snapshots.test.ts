// Snapshot tests of small figures (kept apart from the numeric tests): any change in the figure JSON
// (layout, colours, labels, escaping) shows up as a reviewable diff in __snapshots__/.
import { describe, expect, it } from "vitest";
import { plotHeads } from "../../src/plots/heads";
import { plotMasks } from "../../src/plots/masks";
import { plotDataFlow } from "../../src/plots/data-flow";
import { plotCostCurve } from "../../src/plots/cost";
import { plotHeadStages } from "../../src/plots/stages";
import { plotHeadScores } from "../../src/plots/head-scores";
import { AttentionTrace, HeadTrace } from "../../src/math/trace";

// A hand-written 2-token, 1-head trace (numbers chosen by hand, not computed): stable across math changes.
const head: HeadTrace = {
  q: [[1, 0], [0, 1]],
  k: [[1, 0], [0, 1]],
  v: [[1, 2], [3, 4]],
  scores: [[1, 0], [0, 1]],
  scaledScores: [[0.707, 0], [0, 0.707]],
  maskedScores: [[0.707, -Infinity], [0, 0.707]],
  weights: [[1, 0], [0.33, 0.67]],
  output: [[1, 2], [2.34, 3.34]],
};
const trace: AttentionTrace = {
  dModel: 2, numHeads: 1, dK: 2, dV: 2,
  query: [[1, 0], [0, 1]], key: [[1, 0], [0, 1]], value: [[1, 2], [3, 4]],
  mask: [[0, -Infinity], [0, 0]], fullyMaskedRows: [],
  heads: [head], weights: [head.weights], concat: head.output, contributions: [head.output], output: head.output,
};

describe("figure snapshots", () => {
  it("plotHeads of a 2-token, 1-head trace with markup-like tokens", () => {
    expect(plotHeads(trace, { queryTokens: ["<b>hi</b>", "a&b"] })).toMatchSnapshot();
  });
  it("plotHeadStages of the same trace", () => {
    expect(plotHeadStages(trace, { queryTokens: ["x", "y"] })).toMatchSnapshot();
  });
  it("plotMasks of a 3×3 causal mask", () => {
    expect(plotMasks([{ title: "causal", mask: [[false, true, true], [false, false, true], [false, false, false]] }])).toMatchSnapshot();
  });
  it("plotDataFlow of L=4, dModel=8, h=2", () => {
    expect(plotDataFlow({ L: 4, dModel: 8, numHeads: 2 })).toMatchSnapshot();
  });
  it("plotHeadScores of a 2-layer × 3-head grid", () => {
    expect(plotHeadScores([[0, 0.5, 1], [0.25, 0.75, 0.125]], { title: "score per head" })).toMatchSnapshot();
  });
  it("plotCostCurve of three points", () => {
    expect(plotCostCurve([1, 2, 4], [{ name: "FLOPs", values: [1, 4, 16] }])).toMatchSnapshot();
  });
});
