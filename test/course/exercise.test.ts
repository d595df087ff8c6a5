import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { exercise, reachTarget, resetExercises, reveal } from "../../src/course/exercise";

let log: ReturnType<typeof vi.spyOn>;
beforeEach(() => { resetExercises(); log = vi.spyOn(console, "log").mockImplementation(() => undefined); });
afterEach(() => log.mockRestore());
const ref = (x: number[][]) => x.map((r) => r.map((v) => 2 * v));
const cases: [number[][]][] = [[[[1, 2]]], [[[3], [4]]]];

describe("exercise(label, attempt, reference, cases, hint)", () => {
  it("prints ✓ right when every case matches", () => {
    expect(exercise("double", (x: number[][]) => x.map((r) => r.map((v) => v + v)), ref, cases, "h")).toBe(true);
    expect(log).toHaveBeenCalledWith("✓ right: double");
  });
  it("prints ✗ with the first wrong number and the hint, without throwing", () => {
    expect(exercise("double", (x: number[][]) => x.map((r) => r.map((v) => 3 * v)), ref, cases, "multiply by 2")).toBe(false);
    expect(log).toHaveBeenCalledWith("✗ not yet: double — case 1: got 6 at [0][1] where 4 was expected (|diff| = 2) — hint: multiply by 2");
  });
  it("reports a throwing attempt, a missing return and a wrong shape", () => {
    exercise("d", () => { throw new Error("TODO"); }, ref, cases, "h");
    expect(log).toHaveBeenLastCalledWith('✗ not yet: d — case 1: your function threw "TODO" — hint: h');
    exercise("d", () => undefined, ref, cases, "h");
    expect(log).toHaveBeenLastCalledWith("✗ not yet: d — case 1: your function returned undefined (missing return?) — hint: h");
    exercise("d", (x: number[][]) => x, ref, [[[[1, 2]]], [[[1, 2], [3, 4]]]], "h"); // case 1 fails on values first
    exercise("d", () => [[1]], ref, cases, "h");
    expect(log).toHaveBeenLastCalledWith("✗ not yet: d — case 1: actual is 1×1 but expected is 1×2 (got [[1]]) — hint: h");
  });
  it("shows the numbers exactly: 288 is not rounded to 290", () => {
    exercise("count", () => 0, () => 288, [[]], "h");
    expect(log).toHaveBeenLastCalledWith("✗ not yet: count — case 1: got 0 where 288 was expected (|diff| = 288) — hint: h");
    exercise("count", () => 287.5, () => 288, [[]], "h");
    expect(log).toHaveBeenLastCalledWith("✗ not yet: count — case 1: got 287.5 where 288 was expected (|diff| = 0.5) — hint: h");
  });
});

describe("exercise with hints that escalate", () => {
  const hints = ["concept", "formula", "code"];
  const wrong = (k: number) => (x: number[][]) => x.map((r) => r.map((v) => k * v));
  const last = () => String(log.mock.calls[log.mock.calls.length - 1][0]);
  it("shows the concept, then the formula, then the code, one more per wrong attempt", () => {
    exercise("e", wrong(3), ref, cases, hints);
    expect(last()).toMatch(/— hint 1\/3: concept \(change your code and run again for the next hint\)$/);
    exercise("e", wrong(4), ref, cases, hints);
    expect(last()).toMatch(/— hint 2\/3: formula \(change/);
    exercise("e", wrong(5), ref, cases, hints);
    expect(last()).toMatch(/— hint 3\/3: code$/);
    exercise("e", wrong(6), ref, cases, hints); // stays on the last hint
    expect(last()).toMatch(/— hint 3\/3: code$/);
  });
  it("a rerun of the same wrong code is not a new attempt", () => {
    exercise("e", wrong(3), ref, cases, hints);
    exercise("e", wrong(3), ref, cases, hints);
    expect(last()).toMatch(/hint 1\/3: concept/);
  });
  it("counts per exercise, and a right answer resets the count", () => {
    exercise("a", wrong(3), ref, cases, hints);
    exercise("a", wrong(4), ref, cases, hints);
    exercise("b", wrong(3), ref, cases, hints);
    expect(last()).toMatch(/^✗ not yet: b .* hint 1\/3: concept/);
    expect(exercise("a", wrong(2), ref, cases, hints)).toBe(true);
    exercise("a", wrong(3), ref, cases, hints);
    expect(last()).toMatch(/hint 1\/3: concept/);
  });
});

describe("reveal(question, guess, answer, why)", () => {
  it("says right, wrong (with both values) or not predicted, and never throws", () => {
    expect(reveal("where?", " The ", "the", "because")).toBe(true);
    expect(log).toHaveBeenLastCalledWith('✓ predicted right: where? — "the". because');
    expect(reveal("how many?", 2, 1, "d_k = 1")).toBe(false);
    expect(log).toHaveBeenLastCalledWith("✗ how many? — you predicted 2, the answer is 1. d_k = 1");
    expect(reveal("how many?", null, 1, "d_k = 1")).toBe(false);
    expect(log).toHaveBeenLastCalledWith("? how many? — you made no prediction; the answer is 1. d_k = 1");
  });
});

describe("reachTarget(label, measured, target, what, hints)", () => {
  it("passes at or under the target, shows both numbers unrounded, escalates on a new value only", () => {
    expect(reachTarget("t", 0.05, 0.05, "validation loss", ["a", "b"])).toBe(true);
    expect(log).toHaveBeenLastCalledWith("✓ right: t — validation loss = 0.05 ≤ 0.05");
    expect(reachTarget("t", 0.2971234, 0.05, "validation loss", ["a", "b"])).toBe(false);
    expect(log).toHaveBeenLastCalledWith("✗ not yet: t — validation loss = 0.297123, above the target 0.05 — hint 1/2: a (change your choice and run again for the next hint)");
    reachTarget("t", 0.2971234, 0.05, "validation loss", ["a", "b"]);
    expect(log).toHaveBeenLastCalledWith(expect.stringContaining("hint 1/2: a"));
    reachTarget("t", 0.3, 0.05, "validation loss", ["a", "b"]);
    expect(log).toHaveBeenLastCalledWith("✗ not yet: t — validation loss = 0.3, above the target 0.05 — hint 2/2: b");
    expect(reachTarget("t", NaN, 0.05, "loss", "h")).toBe(false);
  });
});
