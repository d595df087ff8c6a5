import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatHeads } from "../../src/math/heads";
import { headContributions, outputProjection } from "../../src/math/output-projection";
import { arbMatrix, expectClose, refMatmul } from "./_helpers";

describe("outputProjection / headContributions", () => {
  it("outputProjection([[1, 2]], I, [0.5, 0]) is [[1.5, 2]]", () => {
    expect(outputProjection([[1, 2]], [[1, 0], [0, 1]], [0.5, 0])).toEqual([[1.5, 2]]);
  });
  it("headContributions([[[1]], [[2]]], I) gives each head its own row of W^O", () => {
    expect(headContributions([[[1]], [[2]]], [[1, 0], [0, 1]])).toEqual([[[1, 0]], [[0, 2]]]);
  });
  it("property: Σ contributions + bO equals concat·W^O + bO (and a plain loop)", () => {
    fc.assert(fc.property(arbMatrix(3, 2), arbMatrix(3, 2), arbMatrix(3, 2), arbMatrix(6, 4), arbMatrix(1, 4), (h0, h1, h2, wO, [bO]) => {
      const heads = [h0, h1, h2];
      const out = outputProjection(concatHeads(heads), wO, bO);
      const parts = headContributions(heads, wO);
      const sum = out.map((row, i) => row.map((_, j) => parts.reduce((s, p) => s + p[i][j], 0) + bO[j]));
      expectClose(sum, out, 1e-12);
      expectClose(out, refMatmul(concatHeads(heads), wO).map((r) => r.map((x, j) => x + bO[j])), 1e-12);
    }));
  });
  it("errors name the shapes", () => {
    expect(() => outputProjection([[1, 2, 3]], [[1], [2]])).toThrow("wO has 2 rows but concat has 3 columns");
    expect(() => outputProjection([[1, 2]], [[1], [2]], [1, 2])).toThrow("bO has 2 entries but wO has 1 columns");
    expect(() => headContributions([[[1]], [[2]]], [[1, 0]])).toThrow("wO has 1 rows but 2 heads × dV 1 = 2");
    expect(() => headContributions([[[1]], [[2, 3]]], [[1], [1]])).toThrow("heads[1] is 1×2 but heads[0] is 1×1");
    expect(() => headContributions([], [[1]])).toThrow("heads must be a non-empty array of (L, dV) matrices");
  });
});
