import { describe, expect, it } from "vitest";
import { fmt } from "../../src/course/format";

describe("fmt(x, digits, options)", () => {
  it("aligns columns right with fixed decimals", () => {
    expect(fmt([[1, -0.5], [0.25, 10]], 2)).toBe("1.00  -0.50\n0.25  10.00");
  });
  it("prints a vector as one row, -∞ for masked entries and no negative zero", () => {
    expect(fmt([-Infinity, -0.0001, 2], 1)).toBe("-∞  0.0  2.0");
  });
  it("puts row labels in front and column labels on top", () => {
    expect(fmt([[1, 2], [3, 4]], 0, { rowLabels: ["He", "ball"], colLabels: ["a", "b"] }))
      .toBe("      a  b\nHe    1  2\nball  3  4");
  });
  it("rejects labels of the wrong length", () => {
    expect(() => fmt([[1, 2]], 1, { rowLabels: ["a", "b"] })).toThrow("fmt: rowLabels has 2 labels but x has 1 rows");
    expect(() => fmt([[1, 2]], 1, { colLabels: ["a"] })).toThrow("fmt: colLabels has 1 labels but x has 2 columns");
  });
});
