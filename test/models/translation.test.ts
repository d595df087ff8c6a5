/**
 * The toy translation task: seeded and reproducible, held-out sentences never drawn for training, the reference
 * translation worked out by hand on two sentences, the alignment pointing at the word each target word
 * translates (never the diagonal), and errors naming what was passed.
 */
import { describe, expect, it } from "vitest";
import { alignmentShare, BOS, EOS, PAD, toyTranslation } from "../../src/models";

const task = toyTranslation();
const ids = (words: string) => words.split(" ").map((w) => task.sourceWords.indexOf(w));

describe("toyTranslation", () => {
  it("translates two sentences as worked out by hand (SOV, adjective after noun, articles dropped, particles ga and o)", () => {
    expect(task.targetText(task.reference(ids("the big dog sees a small cat")))).toBe("kopa gor ga miru pim o tavi");
    expect(task.targetText(task.reference(ids("a king feeds the old fox")))).toBe("rado ga varo dul o bami");
    const ref = task.reference(ids("a king feeds the fox"));
    expect(ref[0]).toBe(BOS);
    expect(ref.slice(6)).toEqual([EOS, PAD, PAD]);
  });

  it("alignment(source)[t] is the source position of the word target[t + 1] translates (−1 for particles, EOS, PAD)", () => {
    // the(0) big(1) dog(2) sees(3) a(4) small(5) cat(6)  →  kopa gor ga miru pim o tavi EOS
    expect(task.alignment(ids("the big dog sees a small cat"))).toEqual([2, 1, -1, 6, 5, -1, 3, -1]);
  });

  it("every pair: the aligned source word is the one the target word translates (the dictionary written out here), and it is not the diagonal", () => {
    const dictionary: Record<string, string> = {
      big: "gor", small: "pim", red: "sak", old: "dul", happy: "fen", quiet: "mos", dog: "kopa", cat: "miru", bird: "tesi", fish: "luno",
      fox: "varo", horse: "beki", child: "nomu", king: "rado", sees: "tavi", likes: "nelu", chases: "supa", helps: "kiro", feeds: "bami", hears: "olen",
    };
    const { sources, targets } = task.batch(200, 5);
    let aligned = 0, diagonal = 0;
    sources.forEach((src, b) => {
      task.alignment(src).forEach((s, t) => {
        const word = task.targetWords[targets[b][t + 1]];
        if (s < 0) {
          expect(["ga", "o", "</s>", "<pad>"]).toContain(word);
          return;
        }
        expect(dictionary[task.sourceWords[src[s]]]).toBe(word);
        aligned++;
        if (s === t) diagonal++;
      });
    });
    expect(aligned).toBeGreaterThan(200 * 3);
    expect(diagonal / aligned).toBeLessThan(0.2);
  });

  it("held-out sentences are never drawn for training (20,000 training pairs against 2,000 held out)", () => {
    const key = (s: number[]) => s.join(",");
    const held = new Set(task.heldOut(2000).sources.map(key));
    expect(held.size).toBe(2000);
    const train = task.batch(20000, 0).sources;
    expect(train.filter((s) => held.has(key(s)))).toEqual([]);
    expect(train.every((s) => !task.isHeldOut(s))).toBe(true);
    expect([...held].every((k) => task.isHeldOut(k.split(",").map(Number)))).toBe(true);
    expect(task.counts.heldOut / task.counts.all).toBeCloseTo(0.1, 2);
  });

  it("the same seed gives the same pairs; another seed other pairs and another split", () => {
    expect(toyTranslation().batch(5, 3)).toEqual(task.batch(5, 3));
    expect(task.batch(5, 4)).not.toEqual(task.batch(5, 3));
    expect(toyTranslation({ seed: 1 }).heldOut(50).sources).not.toEqual(task.heldOut(50).sources);
  });

  it("sources are padded to sourceLength and targets to targetLength", () => {
    const { sources, targets } = task.batch(100, 1);
    expect(sources.every((s) => s.length === task.sourceLength)).toBe(true);
    expect(targets.every((t) => t.length === task.targetLength && t[0] === BOS && t.includes(EOS))).toBe(true);
  });

  it.each([
    ["a source that is not a sentence", () => task.reference(ids("dog the sees")), 'toyTranslation: [9, 1, 17] ("dog the sees") is not a sentence of the task'],
    ["too many held-out sentences", () => task.heldOut(100000), "heldOut: asked for 100000 different held-out sentences, but there are 7470"],
    ["an unknown option", () => toyTranslation({ sed: 1 } as never), "`sed` is not an option of toyTranslation; did you mean `seed`?"],
    ["a seed that is not an integer", () => toyTranslation({ seed: 1.5 }), "seed must be an integer, got 1.5"],
    ["n not a positive integer", () => task.batch(0), "n must be an integer ≥ 1, got 0"],
  ])("%s: a clear error", (_, f, text) => {
    expect(f).toThrow(text);
  });
});

describe("alignmentShare(A, alignment)", () => {
  it("averages the weight on the aligned column over the aligned rows, worked by hand", () => {
    expect(alignmentShare([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]], [0, 1, -1])).toBeCloseTo(0.85, 15);
  });
  it("is 1/S for a uniform map and 1 for the task's own alignment as a one-hot map", () => {
    const src = ids("the big dog sees a small cat");
    const a = task.alignment(src);
    const uniform = a.map(() => new Array(7).fill(1 / 7));
    expect(alignmentShare(uniform, a)).toBeCloseTo(1 / 7, 15);
    const oneHot = a.map((s) => Array.from({ length: 7 }, (_, j) => (j === s ? 1 : 0)));
    expect(alignmentShare(oneHot, a)).toBe(1);
  });
  it("names a column that does not exist", () => {
    expect(() => alignmentShare([[1, 0]], [2])).toThrow("alignmentShare: alignment[0] is 2 but the map has 2 source columns");
  });
});
