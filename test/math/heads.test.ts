import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatHeads, splitHeads } from "../../src/math/heads";
import { arbMatrix } from "./_helpers";

describe("splitHeads / concatHeads", () => {
  it("splitHeads([[1, 2, 3, 4]], 2) is [[[1, 2]], [[3, 4]]]", () => {
    expect(splitHeads([[1, 2, 3, 4], [5, 6, 7, 8]], 2)).toEqual([[[1, 2], [5, 6]], [[3, 4], [7, 8]]]);
  });
  it("concatHeads puts heads side by side", () => {
    expect(concatHeads([[[1, 2], [5, 6]], [[3, 4], [7, 8]]])).toEqual([[1, 2, 3, 4], [5, 6, 7, 8]]);
  });
  it("property: concat(split(x)) = x and split(concat(heads)) = heads", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), (h, d, L) =>
      fc.assert(fc.property(arbMatrix(L, h * d), (x) => {
        expect(concatHeads(splitHeads(x, h))).toEqual(x);
        const heads = splitHeads(x, h);
        expect(heads).toHaveLength(h);
        expect(splitHeads(concatHeads(heads), h)).toEqual(heads);
      }), { numRuns: 5 })));
  });
  it("errors name the widths and shapes", () => {
    expect(() => splitHeads([[1, 2, 3]], 2)).toThrow("x has 3 columns, which is not divisible by numHeads 2");
    expect(() => splitHeads([[1, 2]], 0)).toThrow("numHeads must be a positive integer, got 0");
    expect(() => concatHeads([])).toThrow("heads must be a non-empty array of (L, d) matrices");
    expect(() => concatHeads([[[1, 2]], [[1]]])).toThrow("heads[1] is 1×1 but heads[0] is 1×2");
  });
});
