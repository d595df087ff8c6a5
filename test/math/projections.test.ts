import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  fuseHeadBiases, fuseHeadWeights, perHeadBias, perHeadWeights, projectHead, projectThenSplit,
} from "../../src/math/projections";
import { arbMatrix, expectClose, refMatmul } from "./_helpers";

describe("projections", () => {
  const w = [[1, 0, 0, 1], [0, 1, 1, 0]]; // (2, 4): head 0 = identity, head 1 = swap

  it("projectHead uses head i's columns: X·W_1 swaps the two features", () => {
    expect(projectHead([[1, 2]], w, null, 1, 2)).toEqual([[2, 1]]);
    expect(projectHead([[1, 2]], w, [10, 20, 30, 40], 0, 2)).toEqual([[11, 22]]);
    expect(projectHead([[1, 2]], w, [10, 20, 30, 40], 1, 2)).toEqual([[32, 41]]);
  });

  it("projectThenSplit projects once then splits", () => {
    expect(projectThenSplit([[1, 2]], w, null, 2)).toEqual([[[1, 2]], [[2, 1]]]);
  });

  it("per-head weights ↔ fused weights round-trip (weights and biases)", () => {
    expect(perHeadWeights(w, 2)).toEqual([[[1, 0], [0, 1]], [[0, 1], [1, 0]]]);
    expect(fuseHeadWeights(perHeadWeights(w, 2))).toEqual(w);
    expect(perHeadBias([1, 2, 3, 4], 2)).toEqual([[1, 2], [3, 4]]);
    expect(fuseHeadBiases([[1, 2], [3, 4]])).toEqual([1, 2, 3, 4]);
  });

  it("property: per-head X·W_i + b_i equals fused-then-split, and both equal a loop over W_i", () => {
    fc.assert(fc.property(arbMatrix(3, 4), arbMatrix(4, 6), arbMatrix(1, 6), (x, wf, [b]) => {
      const fused = projectThenSplit(x, wf, b, 3); // 3 × (3, 2)
      const ws = perHeadWeights(wf, 3);
      const bs = perHeadBias(b, 3);
      for (let i = 0; i < 3; i++) {
        const perHead = projectHead(x, wf, b, i, 3);
        expectClose(perHead, fused[i], 1e-12);
        expectClose(perHead, refMatmul(x, ws[i]).map((r) => r.map((v, j) => v + bs[i][j])), 1e-12);
      }
    }));
  });

  it("errors name the head, widths and bias length", () => {
    expect(() => projectHead([[1, 2]], w, null, 2, 2)).toThrow("head must be an integer in 0…1, got 2");
    expect(() => projectHead([[1, 2]], w, [1, 2], 0, 2)).toThrow("b has 2 entries but w has 4 columns");
    expect(() => projectHead([[1, 2, 3]], w, null, 0, 2)).toThrow("w's head 0 has 2 rows but x has 3 columns");
    expect(() => projectThenSplit([[1, 2]], w, null, 3)).toThrow("w has 4 columns, which is not divisible by numHeads 3");
    expect(() => perHeadBias([1, 2, 3], 2)).toThrow("b has 3 entries, which is not divisible by numHeads 2");
    expect(() => fuseHeadBiases([[1, 2], [3]])).toThrow("bs[1] is 1×1 but bs[0] is 1×2");
  });
});
