import { describe, expect, it } from "vitest";
import {
  checkMatrix, checkPositiveInt, checkVector, formatShape, headSize, matmul, shapeOf, sliceColumns, transpose,
} from "../../src/math/matrix";
import fc from "fast-check";
import { all, create } from "mathjs";
import { lcg, randMatrix, refMatmul, expectClose } from "./_helpers";

describe("matmul and transpose: the textbook loops give mathjs's numbers", () => {
  const mathjs = create(all, { number: "number" });
  it("matmul(a, b) equals mathjs's multiply bit for bit (up to the sign of a zero), and transpose equals mathjs's (property)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 0, max: 2 ** 31 }), (n, m, p, seed) => {
        const r = lcg(seed);
        const a = randMatrix(n, m, r, 3);
        const b = randMatrix(m, p, r, 3);
        const plus0 = (x: number[][]) => x.map((row) => row.map((v) => v + 0));
        expect(plus0(matmul(a, b))).toEqual(plus0(mathjs.multiply(a, b) as unknown as number[][]));
        expect(transpose(a)).toEqual(mathjs.transpose(a));
      }), { numRuns: 200 });
  });
});

describe("checkMatrix", () => {
  it("returns a valid matrix unchanged", () => {
    const x = [[1, 2], [3, 4]];
    expect(checkMatrix("x", x)).toBe(x);
  });
  it("names non-arrays, empty, ragged, non-numbers and non-finite entries", () => {
    expect(() => checkMatrix("query", 5)).toThrow("query must be a 2-D array of numbers, got 5");
    expect(() => checkMatrix("query", null)).toThrow("query must be a 2-D array of numbers, got null");
    expect(() => checkMatrix("query", [])).toThrow("query is empty (0 rows)");
    expect(() => checkMatrix("query", [[]])).toThrow("query has 0 columns");
    expect(() => checkMatrix("query", [[1, 2], [3]])).toThrow("query is ragged: row 1 has 1 columns but row 0 has 2");
    expect(() => checkMatrix("query", [[1], 2])).toThrow("query[1] is 2, not a row array");
    expect(() => checkMatrix("query", [[1, "2"]])).toThrow("query[0][1] is the string \"2\", not a number");
    expect(() => checkMatrix("query", [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, NaN]])).toThrow("query[2][3] is NaN");
    expect(() => checkMatrix("query", [[Infinity]])).toThrow("query[0][0] is Infinity");
    expect(() => checkMatrix("query", [[-Infinity]])).toThrow("query[0][0] is -Infinity");
    expect(checkMatrix("m", [[-Infinity]], { allowNegInfinity: true })).toEqual([[-Infinity]]);
  });
  it("checks required sizes with the reason in the message", () => {
    const q = [[1, 2, 3, 4, 5]];
    expect(() => checkMatrix("query", q, { cols: { n: 8, why: "dModel is 8" } })).toThrow("query has 5 columns but dModel is 8");
    expect(() => checkMatrix("query", q, { rows: 2 })).toThrow("query has 1 rows but 2 were expected");
  });
});

describe("checkVector / checkPositiveInt / headSize / formatShape", () => {
  it("checkVector names the argument and entry", () => {
    expect(checkVector("b", [1, 2])).toEqual([1, 2]);
    expect(() => checkVector("bO", [0, 1], 3)).toThrow("bO has 2 entries but 3 were expected");
    expect(() => checkVector("bO", [0, NaN])).toThrow("bO[1] is NaN");
    expect(() => checkVector("bO", [])).toThrow("bO is empty (0 entries)");
    expect(() => checkVector("bO", [[1]])).toThrow("bO[0] is an array of 1, not a number");
  });
  it("checkPositiveInt rejects 0, fractions and non-numbers", () => {
    expect(checkPositiveInt("numHeads", 3)).toBe(3);
    expect(() => checkPositiveInt("numHeads", 0)).toThrow("numHeads must be a positive integer, got 0");
    expect(() => checkPositiveInt("numHeads", 1.5)).toThrow("numHeads must be a positive integer, got 1.5");
    expect(() => checkPositiveInt("numHeads", "2")).toThrow("numHeads must be a positive integer, got the string \"2\"");
  });
  it("headSize: dModel 10 is not divisible by numHeads 3", () => {
    expect(headSize("dModel", 12, 3)).toBe(4);
    expect(() => headSize("dModel", 10, 3)).toThrow("dModel 10 is not divisible by numHeads 3");
  });
  it("formatShape and shapeOf", () => {
    expect(formatShape(3, 4)).toBe("3×4");
    expect(shapeOf([[1, 2, 3]])).toEqual([1, 3]);
  });
});

describe("matmul / transpose / sliceColumns", () => {
  it("matmul([[1, 2]], [[3], [4]]) is [[11]]", () => {
    expect(matmul([[1, 2]], [[3], [4]])).toEqual([[11]]);
  });
  it("matmul agrees with a plain triple loop", () => {
    const r = lcg(7);
    const a = randMatrix(3, 5, r);
    const b = randMatrix(5, 2, r);
    expectClose(matmul(a, b), refMatmul(a, b), 1e-14);
  });
  it("matmul names both shapes when the inner sizes differ (never a mathjs error)", () => {
    expect(() => matmul([[1, 2, 3]], [[1], [2]], ["q", "kᵀ"])).toThrow(
      "q·kᵀ: q is 1×3 and kᵀ is 2×1; inner sizes 3 and 2 must match",
    );
    expect(() => matmul([[1, NaN]], [[1], [2]])).toThrow("a[0][1] is NaN");
  });
  it("transpose([[1, 2, 3]]) is [[1], [2], [3]]", () => {
    expect(transpose([[1, 2, 3]])).toEqual([[1], [2], [3]]);
    expect(() => transpose([[1], [2, 3]], "k")).toThrow("k is ragged: row 1 has 2 columns but row 0 has 1");
  });
  it("sliceColumns takes a column range and checks it", () => {
    expect(sliceColumns([[1, 2, 3], [4, 5, 6]], 1, 3)).toEqual([[2, 3], [5, 6]]);
    expect(() => sliceColumns([[1, 2, 3]], 2, 5)).toThrow("columns 2…4 are not a non-empty range inside a's 3 columns");
  });
});
