/**
 * The sequence tasks: what a sequence holds, seeded determinism, regions, and bad options.
 */
import { describe, expect, it } from "vitest";
import { regionLosses, repeatedTokens, tinyGrammar } from "../../src/models";

describe("repeatedTokens", () => {
  const task = repeatedTokens({ vocab: 20, length: 16, seed: 3 });
  const seqs = task.sequences(200);

  it("every sequence ends with n tokens twice, after a prefix; the prefix and the repeat are all different", () => {
    for (const s of seqs) {
      expect(s).toHaveLength(16);
      const labels = task.regionsOf(s);
      const n = labels.filter((r) => r === "second half").length + 1;
      expect(n).toBeGreaterThanOrEqual(4);
      expect(n).toBeLessThanOrEqual(8);
      expect(s.slice(16 - n)).toEqual(s.slice(16 - 2 * n, 16 - n));
      expect(new Set(s.slice(0, 16 - n)).size).toBe(16 - n);
    }
  });

  it("the distance between the copies changes from sequence to sequence (no fixed position holds the answer)", () => {
    const ns = new Set(seqs.map((s) => task.regionsOf(s).filter((r) => r === "second half").length + 1));
    expect([...ns].sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8]);
  });

  it("the same seed gives the same sequences; another seed others", () => {
    expect(task.sequences(5)).toEqual(repeatedTokens({ vocab: 20, length: 16, seed: 3 }).sequences(5));
    expect(task.sequences(5, 4)).not.toEqual(task.sequences(5));
  });

  it("regionLosses averages each region's predictions", () => {
    const s = [[5, 1, 2, 1, 2]]; // repeat n = 2 at the end: predictions of tokens 1 … 4, the last one copyable
    const t = repeatedTokens({ vocab: 6, length: 5, minHalf: 2 });
    expect(t.regionsOf(s[0])).toEqual(["first half", "first half", "first half", "second half"]);
    expect(regionLosses([[1, 2, 3, 10]], s, t)).toEqual({ "first half": 2, "second half": 10 });
  });

  it("bad options are errors that name them", () => {
    expect(() => repeatedTokens({ vocab: 8, length: 16 })).toThrow("vocab (8) must be ≥ length − minHalf (12): the prefix and the repeated tokens are all different");
    expect(() => repeatedTokens({ vocab: 20, length: 16, minHalf: 9 })).toThrow("minHalf (9) must be ≤ length/2 (8)");
    expect(() => repeatedTokens({ vocab: 20, length: 3 })).toThrow("length must be an integer ≥ 4, got 3");
  });
});

describe("tinyGrammar", () => {
  const task = tinyGrammar({ length: 30, seed: 1 });
  const names = task.tokenNames;
  it("sentences follow DET [ADJ] NOUN VERB DET [ADJ] NOUN .", () => {
    const pos = (w: string) => (["the", "a"].includes(w) ? "D" : ["big", "small", "red", "old"].includes(w) ? "A"
      : ["sees", "likes", "chases"].includes(w) ? "V" : w === "." ? "." : "N");
    for (const s of task.sequences(50)) {
      const tags = s.map((t) => pos(names[t])).join("");
      const full = tags.slice(0, tags.lastIndexOf(".") + 1);
      expect(full).toMatch(/^(DA?NVDA?N\.)+$/);
    }
  });
  it("has 15 words and no regions", () => {
    expect(task.vocab).toBe(15);
    expect(task.regionNames).toEqual([]);
  });
});
