import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { linear } from "../../src/math/linear";
import { arbMatrix, expectClose, refMatmul } from "./_helpers";

describe("linear", () => {
  it("linear([[1, 2]], I, [10, 20]) is [[11, 22]]", () => {
    expect(linear([[1, 2]], [[1, 0], [0, 1]], [10, 20])).toEqual([[11, 22]]);
  });
  it("works without a bias (undefined or null)", () => {
    expect(linear([[1, 2]], [[3], [4]])).toEqual([[11]]);
    expect(linear([[1, 2]], [[3], [4]], null)).toEqual([[11]]);
  });
  it("property: equals x·w plus b in every row, computed with loops", () => {
    fc.assert(fc.property(arbMatrix(3, 4), arbMatrix(4, 2), fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 2, maxLength: 2 }),
      (x, w, b) => {
        const expected = refMatmul(x, w).map((row) => row.map((v, j) => v + b[j]));
        expectClose(linear(x, w, b), expected, 1e-12);
      }));
  });
  it("names the shapes at fault", () => {
    expect(() => linear([[1, 2, 3]], [[1], [2]])).toThrow("w has 2 rows but x has 3 columns");
    expect(() => linear([[1, 2]], [[1], [2]], [1, 2])).toThrow("b has 2 entries but w has 1 columns");
    expect(() => linear([[1, 2]], [[1], [NaN]])).toThrow("w[1][0] is NaN");
  });
});
