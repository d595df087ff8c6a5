import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { exercise, reachTarget, resetExercises, reveal } from "../../src/course/exercise";
import { readProgress } from "../../src/course/progress";

let log: ReturnType<typeof vi.spyOn>;
let dir: string;
beforeEach(() => {
  resetExercises();
  log = vi.spyOn(console, "log").mockImplementation(() => undefined);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "mha-progress-"));
  process.env.MHA_LAB_PROGRESS = path.join(dir, "progress.json");
});
afterEach(() => { log.mockRestore(); delete process.env.MHA_LAB_PROGRESS; fs.rmSync(dir, { recursive: true, force: true }); });
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
    expect(log).toHaveBeenLastCalledWith("✗ predicted 2: how many? — the answer is 1. d_k = 1");
  });
  it("reveals nothing before a prediction is made", () => {
    expect(reveal("how many?", null, 1, "d_k = 1")).toBe(false);
    const said = String(log.mock.calls[0][0]);
    expect(said).toBe("○ not predicted yet: how many? — write your prediction in the cell above (replace null), run it, then run this cell");
    expect(said).not.toContain("1.");
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
    expect(reachTarget("u", null, 0.05, "loss", "h")).toBe(false);
    expect(log).toHaveBeenLastCalledWith("○ not tried yet: u — replace the null (TODO) in the cell above with your choice, run it, then run this cell");
  });
});

describe("a stub (null) is not an attempt", () => {
  const hints = ["idea", "formula", "code"];
  const last = () => String(log.mock.calls[log.mock.calls.length - 1][0]);
  it("null, or a function returning null, says not tried yet with no hint; the first real wrong attempt gets the idea", () => {
    expect(exercise("s", null, ref, cases, hints)).toBe(false);
    expect(last()).toBe("○ not tried yet: s — replace the null (TODO) in the cell above with your answer, run it, then run this cell");
    exercise("s", () => null, ref, cases, hints);
    expect(last()).toMatch(/^○ not tried yet: s/);
    exercise("s", (x: number[][]) => x, ref, cases, hints);
    expect(last()).toMatch(/hint 1\/3: idea/);
    exercise("s", (x: number[][]) => x.map((r) => r.map(() => 0)), ref, cases, hints);
    expect(last()).toMatch(/hint 2\/3: formula/);
    exercise("s", (x: number[][]) => x.map((r) => r.map(() => 1)), ref, cases, hints);
    expect(last()).toMatch(/hint 3\/3: code$/); // code only after two changed wrong attempts
  });
});

describe("progress is recorded for labels with an id", () => {
  it("tried, then done; a later wrong attempt does not undo done; no id, no record", () => {
    exercise("03.1 double it", (x: number[][]) => x, ref, cases, "h");
    expect(readProgress()["03.1"]).toMatchObject({ state: "tried", label: "double it" });
    exercise("03.1 double it", (x: number[][]) => x.map((r) => r.map((v) => 2 * v)), ref, cases, "h");
    expect(readProgress()["03.1"].state).toBe("done");
    exercise("03.1 double it", (x: number[][]) => x, ref, cases, "h");
    expect(readProgress()["03.1"].state).toBe("done");
    reveal("04.2 which key", "He", "her", "why");
    expect(readProgress()["04.2"].state).toBe("done");
    exercise("no id here", (x: number[][]) => x, ref, cases, "h");
    reveal("03.9 not predicted", null, 1, "why");
    expect(Object.keys(readProgress()).sort()).toEqual(["03.1", "04.2"]);
  });
});
