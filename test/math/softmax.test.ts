import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { softmaxRows } from "../../src/math/softmax";
import { arbMatrix, expectClose } from "./_helpers";

describe("softmaxRows", () => {
  it("softmaxRows([[100, 100]]) is [[0.5, 0.5]] (tfjs edge case)", () => {
    expect(softmaxRows([[100, 100]])).toEqual([[0.5, 0.5]]);
  });

  it("softmaxRows([[-1000, 1000]]) is [[0, 1]] without overflow (tfjs edge case)", () => {
    expect(softmaxRows([[-1000, 1000]])).toEqual([[0, 1]]);
  });

  it("underflow: tiny weights become exactly 0, the rest still sums to 1", () => {
    const [w] = softmaxRows([[-1e5, 0, 0]]);
    expect(w).toEqual([0, 0.5, 0.5]);
  });

  it("huge equal logits (1e308) stay finite", () => {
    expect(softmaxRows([[1e308, 1e308, -1e308]])).toEqual([[0.5, 0.5, 0]]);
  });

  it("matches exp(x_j)/Σ exp(x_k) computed directly for small logits", () => {
    const x = [1, 2, 3];
    const z = Math.E + Math.E ** 2 + Math.E ** 3;
    expectClose(softmaxRows([x])[0], [Math.E / z, Math.E ** 2 / z, Math.E ** 3 / z], 1e-15);
    // by hand: e ≈ 2.71828, e² ≈ 7.38906, e³ ≈ 20.08554, sum ≈ 30.19287
    expectClose(softmaxRows([x])[0], [0.09003, 0.24473, 0.66524], 1e-4);
  });

  it("-Infinity entries get weight 0; an all -Infinity row gives zeros, never NaN", () => {
    expect(softmaxRows([[0, -Infinity], [-Infinity, -Infinity]])).toEqual([[1, 0], [0, 0]]);
  });

  it("rejects NaN and +Infinity with the entry named", () => {
    expect(() => softmaxRows([[1, 2], [3, NaN]])).toThrow("x[1][1] is NaN");
    expect(() => softmaxRows([[Infinity, 0]])).toThrow("x[0][0] is Infinity");
    expect(() => softmaxRows([[NaN]], "scores")).toThrow("scores[0][0] is NaN");
  });

  it("rejects a 1-D array (softmax works over the rows of a matrix)", () => {
    expect(() => softmaxRows([1, 2] as unknown as number[][])).toThrow("x must be a 2-D array of numbers, but x[0] is 1");
    expect(() => softmaxRows([])).toThrow("x is empty (0 rows)");
  });

  it("property: every row is non-negative and sums to 1", () => {
    fc.assert(fc.property(arbMatrix(3, 5, 50), (x) => {
      for (const row of softmaxRows(x)) {
        expect(row.every((w) => w >= 0)).toBe(true);
        expectClose(row.reduce((a, b) => a + b, 0), 1, 1e-12);
      }
    }));
  });

  it("property: adding a constant to a row does not change it", () => {
    fc.assert(fc.property(arbMatrix(2, 4, 10), fc.double({ min: -100, max: 100, noNaN: true }), (x, c) => {
      expectClose(softmaxRows(x.map((r) => r.map((v) => v + c))), softmaxRows(x), 1e-12);
    }));
  });
});
