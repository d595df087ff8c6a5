import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { check, checkClose, checks, maxAbsDiff } from "../../src/course/checks";

let log: ReturnType<typeof vi.spyOn>;
beforeEach(() => { log = vi.spyOn(console, "log").mockImplementation(() => undefined); });
afterEach(() => log.mockRestore());

describe("check(label, condition, detail)", () => {
  it("prints ✓ label when the condition holds", () => {
    expect(check("two is even", 2 % 2 === 0)).toBeUndefined();
    expect(log).toHaveBeenCalledWith("✓ two is even");
  });
  it("throws ✗ label: detail when it does not", () => {
    expect(() => check("rows sum to 1", false, "row 2 sums to 0.9")).toThrow("✗ rows sum to 1: row 2 sums to 0.9");
    expect(() => check("x", false)).toThrow(/^✗ x$/);
    expect(log).not.toHaveBeenCalled();
  });
});

describe("checks(label, body)", () => {
  it("prints one line for a group of passing checks, with the count and the worst difference", () => {
    checks("two views agree", () => {
      check("a", true);
      checkClose("b", [1, 2], [1, 2 + 3e-16], 1e-12);
      checks("inner", () => checkClose("c", 1, 1.5, 1));
    });
    expect(log.mock.calls).toEqual([["✓ two views agree (3 checks, max |diff| = 0.5)"]]);
    checks("conditions", () => check("x", true));
    expect(log).toHaveBeenLastCalledWith("✓ conditions (1 check)");
  });
  it("a failing check inside still throws its own numbers, and later checks print again", () => {
    expect(() => checks("g", () => { check("ok", true); checkClose("rows sum to 1", [0.9], [1], 1e-12); }))
      .toThrow("✗ rows sum to 1: max |diff| = 0.1 at [0] (actual 0.9, expected 1) exceeds tol 1.0e-12");
    expect(log).not.toHaveBeenCalled();
    check("after", true);
    expect(log).toHaveBeenLastCalledWith("✓ after");
  });
});

describe("maxAbsDiff(actual, expected)", () => {
  it("finds the worst entry and its index, worked by hand", () => {
    // |1−1| = 0, |2−2.5| = 0.5, |3−2| = 1 → worst at [1][0]
    const d = maxAbsDiff([[1, 2], [3, 4]], [[1, 2.5], [2, 4]]);
    expect(d).toEqual({ maxDiff: 1, at: [1, 0], actual: 3, expected: 2 });
  });
  it("treats equal infinities as equal and NaN as an infinite difference", () => {
    expect(maxAbsDiff([-Infinity, 1], [-Infinity, 1]).maxDiff).toBe(0);
    expect(maxAbsDiff([NaN], [0]).maxDiff).toBe(Infinity);
  });
  it("rejects different shapes, naming both", () => {
    expect(() => maxAbsDiff([[1, 2, 3]], [[1, 2], [3, 4]], "Q")).toThrow("✗ Q: actual is 1×3 but expected is 2×2");
    expect(() => maxAbsDiff([1, 2], 3, "s")).toThrow("✗ s: actual is 2 but expected is a number");
  });
  it("is symmetric and zero on itself (property)", () => {
    const mat = fc.array(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 4 });
    fc.assert(fc.property(mat, (a) => {
      const b = a.map((r) => r.map((x) => x + 1));
      expect(maxAbsDiff(a, a).maxDiff).toBe(0);
      expect(maxAbsDiff(a, b).maxDiff).toBeCloseTo(maxAbsDiff(b, a).maxDiff, 9);
    }));
  });
});

describe("checkClose(label, actual, expected, tol)", () => {
  it("prints the max diff on success and returns nothing (no stray value under the cell)", () => {
    expect(checkClose("0.1 + 0.2", 0.1 + 0.2, 0.3)).toBeUndefined();
    expect(log).toHaveBeenCalledWith("✓ 0.1 + 0.2 (max |diff| = 5.6e-17)");
  });
  it("prints 0 for identical values", () => {
    checkClose("same", [[1, 2]], [[1, 2]]);
    expect(log).toHaveBeenCalledWith("✓ same (max |diff| = 0)");
  });
  it("throws naming the worst entry and the tolerance", () => {
    expect(() => checkClose("Q", [[1, 2], [3, 4]], [[1, 2], [3, 4.5]], 1e-3))
      .toThrow("✗ Q: max |diff| = 0.5 at [1][1] (actual 4, expected 4.5) exceeds tol 0.001");
  });
  it("fails on NaN instead of passing silently", () => {
    expect(() => checkClose("nan", [NaN], [1])).toThrow("✗ nan: max |diff| = Infinity at [0] (actual NaN, expected 1)");
  });
  it("a failure shows the numbers unrounded (288 stays 288, not 290)", () => {
    expect(() => checkClose("params", 0, 288)).toThrow("✗ params: max |diff| = 288 (actual 0, expected 288) exceeds tol 1.0e-9");
    expect(() => checkClose("w", 0.1234567, 0)).toThrow("✗ w: max |diff| = 0.123457 (actual 0.1234567, expected 0)");
  });
});
