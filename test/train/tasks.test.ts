/**
 * The synthetic tasks: targets follow each task's definition (checked with a second, loop-by-loop
 * reading of it), examples are seeded, and bad options name themselves.
 */
import { describe, expect, it } from "vitest";
import { induction, neighbours, previousToken, tasks, tokenBack } from "../../src/train";

describe("tasks", () => {
  it("previousToken: target_i = x_{i−1}, position 0 not scored", () => {
    for (const ex of previousToken({ vocab: 7, length: 9, seed: 3 }).examples(20)) {
      expect(ex.targets[0][0]).toBe(-1);
      for (let i = 1; i < 9; i++) expect(ex.targets[0][i]).toBe(ex.tokens[i - 1]);
    }
  });
  it("tokenBack: target_i = x_{i−k}; k = 0 copies", () => {
    for (const k of [0, 2, 4]) {
      for (const ex of tokenBack({ vocab: 5, length: 8, k }).examples(10)) {
        ex.targets[0].forEach((t, i) => expect(t).toBe(i < k ? -1 : ex.tokens[i - k]));
      }
    }
  });
  it("induction: the token after the most recent earlier occurrence, −1 when there is none", () => {
    let scored = 0;
    for (const ex of induction({ vocab: 4, length: 10, seed: 1 }).examples(30)) {
      const seen = new Map<number, number>(); // token → last position
      ex.tokens.forEach((x, i) => {
        const j = seen.get(x);
        expect(ex.targets[0][i]).toBe(j === undefined ? -1 : ex.tokens[j + 1]);
        if (j !== undefined) scored++;
        seen.set(x, i);
      });
    }
    expect(scored).toBeGreaterThan(100);
  });
  it("neighbours: part left = x_{i−1}, part right = x_{i+1}", () => {
    const task = neighbours({ vocab: 6, length: 5 });
    expect(task.parts).toEqual(["left", "right"]);
    for (const ex of task.examples(10)) {
      ex.tokens.forEach((_, i) => {
        expect(ex.targets[0][i]).toBe(i === 0 ? -1 : ex.tokens[i - 1]);
        expect(ex.targets[1][i]).toBe(i === 4 ? -1 : ex.tokens[i + 1]);
      });
    }
  });
  it("are seeded: the same seed gives the same examples, another seed others", () => {
    const t = tasks.previousToken({ vocab: 9, length: 6, seed: 5 });
    expect(t.examples(5)).toEqual(tasks.previousToken({ vocab: 9, length: 6, seed: 5 }).examples(5));
    expect(t.examples(5, 6)).not.toEqual(t.examples(5));
    expect(t.examples(3)[0].tokens.every((x) => Number.isInteger(x) && x >= 0 && x < 9)).toBe(true);
  });
  it("name bad options", () => {
    expect(() => previousToken({ vocab: 1, length: 5 })).toThrow("vocab must be an integer ≥ 2, got 1");
    expect(() => tokenBack({ vocab: 4, length: 5, k: 5 })).toThrow("k must be below length 5, got 5");
    expect(() => neighbours({ vocab: 4, length: 1.5 })).toThrow("length must be an integer ≥ 2, got 1.5");
  });
});
