import { describe, expect, it } from "vitest";
import { headsTrace } from "../../src/course/heads-trace";
import { MultiHeadAttention } from "../../src/math/multi-head";
import { linear } from "../../src/math/linear";
import { randn } from "../../src/course/toy";

describe("headsTrace(heads, mask)", () => {
  it("works the 2×2 example by hand: output row 0 = 0.5·[1,2] + 0.5·[3,4] = [2, 3]", () => {
    const t = headsTrace([{ q: [[1, 0], [0, 1]], k: [[1, 0], [1, 1]], v: [[1, 2], [3, 4]] }]);
    expect(t.numHeads).toBe(1);
    expect(t.output[0]).toEqual([2, 3]);
    expect(t.weights[0][0]).toEqual([0.5, 0.5]);
  });
  it("equals MultiHeadAttention.forward's heads when fed the same projections, with W^O = I", () => {
    const x = randn(4, 6, 1);
    const mha = MultiHeadAttention.random({ dModel: 6, numHeads: 3, seed: 2 });
    const ref = mha.forward(x, { causal: true });
    const eye = Array.from({ length: 6 }, (_, i) => Array.from({ length: 6 }, (_, j) => (i === j ? 1 : 0)));
    const t = headsTrace(ref.heads.map((h) => ({ q: h.q, k: h.k, v: h.v })), ref.mask);
    expect(t.weights).toEqual(ref.weights);
    expect(t.concat).toEqual(ref.concat);
    expect(t.output).toEqual(linear(ref.concat, eye)); // output = concat·I
    const summed = t.contributions.reduce((acc, c) => acc.map((r, i) => r.map((v, j) => v + c[i][j])));
    expect(summed).toEqual(t.output); // contributions add up to the output
    expect(t.mask).toEqual(ref.mask);
  });
  it("lists fully masked rows", () => {
    const t = headsTrace([{ q: [[1], [1]], k: [[1], [2]], v: [[1], [2]] }], [[true, true], [false, true]]);
    expect(t.fullyMaskedRows).toEqual([0]);
    expect(t.weights[0]).toEqual([[0, 0], [1, 0]]);
  });
  it("rejects an empty list", () => {
    expect(() => headsTrace([])).toThrow("headsTrace: heads must be a non-empty array of { q, k, v }");
  });
});
