import { describe, expect, it } from "vitest";
import { dot, mean, rowEntropy, rowMax, variance } from "../../src/course/stats";

describe("stats", () => {
  it("dot(a, b) by hand: 1·4 + 2·5 + 3·6 = 32, and rejects lengths that differ", () => {
    expect(dot([1, 2, 3], [4, 5, 6])).toBe(32);
    expect(() => dot([1], [1, 2])).toThrow("dot: a has 1 entries but b has 2");
  });
  it("mean and population variance by hand", () => {
    expect(mean([1, 2, 3])).toBe(2);
    expect(variance([1, 2, 3, 4])).toBe(1.25); // deviations ±0.5, ±1.5 → (0.25+2.25)·2/4
    expect(() => mean([])).toThrow("mean: x is empty");
  });
  it("rowEntropy: uniform over S gives ln S, one-hot gives 0", () => {
    const h = rowEntropy([[0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0], [0.5, 0.5, 0, 0]]);
    expect(h[0]).toBeCloseTo(Math.log(4), 12);
    expect(h[1]).toBe(0);
    expect(h[2]).toBeCloseTo(Math.log(2), 12);
  });
  it("rowMax", () => {
    expect(rowMax([[0.2, 0.8], [0.5, 0.5]])).toEqual([0.8, 0.5]);
  });
});
