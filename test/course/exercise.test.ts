import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { exercise } from "../../src/course/exercise";

let log: ReturnType<typeof vi.spyOn>;
beforeEach(() => { log = vi.spyOn(console, "log").mockImplementation(() => undefined); });
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
});
