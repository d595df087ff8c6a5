import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { ParsedSentence } from "../../src/syntax/parsed";
import { checkParsedSentence } from "../../src/syntax/parsed";
import { relationByName, relationPairs } from "../../src/syntax/relations";
import { headHits, mostAttended, offsetHits } from "../../src/syntax/head-accuracy";
import { bootstrapInterval } from "../../src/syntax/bootstrap";
import { scoreRelations, splitHalves } from "../../src/syntax/score-relations";
import { analyzeSyntax } from "../../src/syntax/analyze";
import { formatSyntaxTable } from "../../src/syntax/format-table";

const he: ParsedSentence = { text: "He gave her the ball.", words: ["He", "gave", "her", "the", "ball", "."], heads: [1, -1, 1, 4, 1, 1], deps: ["nsubj", "ROOT", "dative", "det", "dobj", "punct"] };

/** A random parse: a random tree over W words with random labels from a small set. */
const arbParse = fc.integer({ min: 3, max: 9 }).chain((W) => fc.tuple(
  fc.integer({ min: 0, max: W - 1 }),
  fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: W, maxLength: W }),
  fc.array(fc.constantFrom("det", "amod", "dobj", "nsubj", "prep", "pobj"), { minLength: W, maxLength: W }),
).map(([root, draws, labels]) => {
  const order = [root, ...Array.from({ length: W }, (_, k) => k).filter((k) => k !== root)];
  const heads = new Array<number>(W).fill(-1);
  order.forEach((w, k) => { if (k > 0) heads[w] = order[draws[k] % k]; }); // attach to an earlier word of the order: a tree
  const deps = labels.map((l, k) => (k === root ? "ROOT" : l));
  return { text: `s${W}`, words: Array.from({ length: W }, (_, k) => `w${k}`), heads, deps } as ParsedSentence;
}));

/** A head that attends with weight 1 to a chosen word for every query (self excluded by choice). */
const oneHot = (W: number, target: (i: number) => number) => Array.from({ length: W }, (_, i) => Array.from({ length: W }, (_, j) => (j === target(i) ? 1 : 0)));
const uniformHead = (W: number) => Array.from({ length: W }, () => new Array(W).fill(1 / W));

describe("relationPairs(sentence, relation, direction)", () => {
  it("lists [from, to] pairs of the running sentence", () => {
    expect(relationPairs(he, "dobj", "dep→head")).toEqual([[4, 1]]);
    expect(relationPairs(he, "dobj", "head→dep")).toEqual([[1, 4]]);
    expect(relationPairs(he, "iobj", "dep→head")).toEqual([[2, 1]]); // ClearNLP "dative"
    expect(relationPairs(he, "any", "dep→head")).toEqual([[0, 1], [2, 1], [3, 4], [4, 1]]); // no punct, no root
  });
  it("rejects an unknown relation or direction with the choices", () => {
    expect(() => relationByName("dative")).toThrow('no relation "dative"; did you mean "iobj"?');
    expect(() => relationByName("DOBJ")).toThrow('did you mean "dobj"?');
    expect(() => relationPairs(he, "dobj", "up" as never)).toThrow('direction must be "dep→head" or "head→dep", got "up"');
  });
});

describe("mostAttended, headHits, offsetHits", () => {
  it("never predicts the query itself", () => {
    expect(mostAttended([[[[1, 0, 0], [0, 1, 0], [0.2, 0.3, 0.5]]]])).toEqual([[[1, 0, 1]]]);
  });
  it("a previous-word baseline gets exactly the pairs whose target is one to the left", () => {
    const pairs = [relationPairs(he, "any", "dep→head")]; // he→gave, her→gave, the→ball, ball→gave
    expect(offsetHits(pairs, -1)).toEqual([1]); // her→gave
    expect(offsetHits(pairs, 1)).toEqual([2]); // he→gave, the→ball
    expect(offsetHits(pairs, -3)).toEqual([1]); // ball→gave
  });
  it("rejects offset 0", () => {
    expect(() => offsetHits([[[0, 1]]], 0)).toThrow("offset must be a non-zero integer, got 0");
  });
});

describe("checkParsedSentence", () => {
  it("names the word whose head is wrong, a missing root, a length mismatch", () => {
    expect(() => checkParsedSentence({ ...he, heads: [1, -1, 1, 4, 9, 1] }, "sentence 7")).toThrow('sentence 7: word 4 "ball" has head 9');
    expect(() => checkParsedSentence({ ...he, heads: [1, 0, 1, 4, 1, 1] })).toThrow("has 0 roots");
    expect(() => checkParsedSentence({ ...he, heads: [1, -1, 2, 4, 1, 1] })).toThrow('word 2 "her" is its own head');
    expect(() => checkParsedSentence({ ...he, deps: ["nsubj"] })).toThrow("6 words but 6 heads and 1 deps");
  });
});

describe("bootstrapInterval(n, statistic, options)", () => {
  it("is seeded, contains the full-sample statistic for a mean, and narrows with n", () => {
    const xs = Array.from({ length: 200 }, (_, k) => (k % 3 === 0 ? 1 : 0));
    const mean = (idx: number[]) => idx.reduce((s, k) => s + xs[k], 0) / idx.length;
    const a = bootstrapInterval(200, mean, { seed: 5 }), b = bootstrapInterval(200, mean, { seed: 5 });
    expect(a).toEqual(b);
    expect(a[0]).toBeLessThan(67 / 200);
    expect(a[1]).toBeGreaterThan(67 / 200);
    // the normal approximation: ±1.96·√(p(1−p)/n) ≈ ±0.066
    expect(a[1] - a[0]).toBeGreaterThan(0.1);
    expect(a[1] - a[0]).toBeLessThan(0.16);
  });
  it("rejects a bad level or a statistic that gives NaN", () => {
    expect(() => bootstrapInterval(3, () => 0, { level: 95 })).toThrow("level must be between 0 and 1 (e.g. 0.95), got 95");
    expect(() => bootstrapInterval(3, () => NaN)).toThrow("the statistic gave NaN on resample 0");
    expect(() => bootstrapInterval(3, () => null)).toThrow("every one of the 1000 resamples had no data");
  });
  it("leaves out resamples where the statistic has no data (null)", () => {
    const has = [0, 1, 0, 1, 1, 0, 1, 1];
    const stat = (idx: number[]) => (idx.some((k) => has[k]) ? 1 : null);
    expect(bootstrapInterval(8, stat, { samples: 100 })).toEqual([1, 1]);
  });
});

describe("scoreRelations(sentences, wordAtts) on synthetic heads whose answer is known", () => {
  // 2 layers × 3 heads: L0·H1 attends to each word's parse head (or the next word at the root), L0·H2 to the
  // previous word, L0·H3 uniform; layer 1: a "noisy parse head" right on even sentences only, a next-word head,
  // a head on word 0.
  const build = (sentences: ParsedSentence[]) => sentences.map((s, k) => {
    const W = s.words.length;
    const parent = (i: number) => (s.heads[i] >= 0 ? s.heads[i] : (i + 1) % W);
    return [
      [oneHot(W, parent), oneHot(W, (i) => (i > 0 ? i - 1 : 1)), uniformHead(W)],
      [oneHot(W, k % 2 === 0 ? parent : (i) => (i > 0 ? 0 : 1)), oneHot(W, (i) => (i < W - 1 ? i + 1 : i - 1)), oneHot(W, (i) => (i === 0 ? 1 : 0))],
    ];
  });

  it("a head that attends exactly to the parse head scores 1.0 in dep→head on every relation, and is the one chosen", () => {
    fc.assert(fc.property(fc.array(arbParse, { minLength: 6, maxLength: 20 }), (sentences) => {
      const scores = scoreRelations(sentences, build(sentences), { samples: 50, directions: ["dep→head"] });
      for (const r of scores.rows) {
        expect(r.accuracy[0][0]).toBe(r.pairs.all > 0 ? 1 : 0);
        if (r.best) {
          expect(r.best.heldOutAccuracy).toBe(1);
          expect(r.best.selectAccuracy).toBe(1);
          expect(r.best.ci).toEqual([1, 1]);
          expect(r.best.layer * 3 + r.best.head).toBe(0); // ties go to the first head
        }
      }
    }), { numRuns: 40 });
  });

  it("a fixed-offset head scores exactly the baseline for that offset", () => {
    fc.assert(fc.property(fc.array(arbParse, { minLength: 4, maxLength: 16 }), (sentences) => {
      const wa = build(sentences);
      const scores = scoreRelations(sentences, wa, { samples: 20, offsets: [-1] });
      for (const r of scores.rows) {
        // L0·H2 is the previous-word head: its hits equal offsetHits(−1) on every sentence, except where word 0
        // (which has no previous word) is the query and its only alternative, word 1, is right
        const pairs = sentences.map((s) => relationPairs(s, r.relation, r.direction));
        const hits = headHits(wa.map(mostAttended), pairs).map((x) => x[0][1]);
        const fix = pairs.map((ps) => ps.filter(([from, to]) => from === 0 && to === 1).length);
        expect(hits.map((h, k) => h - fix[k])).toEqual(offsetHits(pairs, -1));
      }
    }), { numRuns: 40 });
  });

  it("chooses on one half and reports the other: a head right only on even sentences is not reported at 1.0", () => {
    const sentences = Array.from({ length: 40 }, (_, k) => ({ ...he, text: `${he.text} ${k}` }));
    const wa = build(sentences).map((x) => [[uniformHead(6), uniformHead(6), uniformHead(6)], x[1]]); // remove the perfect head
    const r = scoreRelations(sentences, wa, { samples: 200 }).row("dobj", "dep→head");
    expect(r.best).toMatchObject({ layer: 1, head: 0 });
    const { select, heldOut } = splitHalves(40, 0);
    const evenShare = (idx: number[]) => idx.filter((k) => k % 2 === 0).length / idx.length;
    expect(r.best!.selectAccuracy).toBeCloseTo(evenShare(select), 12);
    expect(r.best!.heldOutAccuracy).toBeCloseTo(evenShare(heldOut), 12);
    expect(r.best!.ci[0]).toBeLessThan(r.best!.heldOutAccuracy);
    expect(r.best!.ci[1]).toBeGreaterThan(r.best!.heldOutAccuracy);
    // the baseline: ball(4) → gave(1) is offset −3, chosen on the selection half, right on every sentence
    expect(r.baseline).toMatchObject({ offset: -3, heldOutAccuracy: 1 });
    expect(r.difference!.value).toBeCloseTo(evenShare(heldOut) - 1, 12);
  });

  it("the halves are disjoint, cover every sentence, and depend on the seed", () => {
    const a = splitHalves(11, 0), b = splitHalves(11, 1);
    expect([...a.select, ...a.heldOut].sort((x, y) => x - y)).toEqual(Array.from({ length: 11 }, (_, k) => k));
    expect(a.select.length).toBe(6);
    expect(a.select).not.toEqual(b.select);
  });

  it("a relation with no pairs in a half gets a note, not a NaN", () => {
    const r = scoreRelations([he, he], build([he, he]), { relations: ["amod"] }).rows[0];
    expect(r.best).toBeNull();
    expect(r.note).toBe("no amod pairs in the selection half");
    expect(r.accuracy.flat().every((v) => v === 0)).toBe(true);
    expect(formatSyntaxTable(scoreRelations([he, he], build([he, he]), { relations: ["amod"] }))).toContain("(no amod pairs in the selection half)");
  });

  it("rejects unknown options with a suggestion, and mismatched inputs with their sizes", () => {
    const wa = build([he, he]);
    expect(() => scoreRelations([he, he], wa, { relation: ["dobj"] } as never)).toThrow("`relation` is not an option of scoreRelations; did you mean `relations`?");
    expect(() => scoreRelations([he, he], wa, { relations: ["dative"] })).toThrow('did you mean "iobj"?');
    expect(() => scoreRelations([he, he], wa.slice(0, 1))).toThrow("2 sentences but 1 word attentions");
    expect(() => scoreRelations([he], wa.slice(0, 1))).toThrow("needs at least 2 sentences");
    expect(() => scoreRelations([he, { ...he, words: [...he.words, "x"], heads: [...he.heads, 1], deps: [...he.deps, "punct"] }], wa)).toThrow("sentence 1 has 7 words but its word attention is 6×6");
  });
});

describe("analyzeSyntax(model, sentences): one call on a reader's own sentences", () => {
  it("runs encode, aligns pieces to words and scores, with any model that has encode", () => {
    // a fake model: 1 layer, 1 head that attends from every token to the first piece of its word's parse head
    const sentences: ParsedSentence[] = [he, { text: "She played football.", words: ["She", "played", "football", "."], heads: [1, -1, 1, 1], deps: ["nsubj", "ROOT", "dobj", "punct"] }];
    const pieces: Record<string, string[]> = { "She played football.": ["[CLS]", "she", "played", "foot", "##ball", ".", "[SEP]"], "He gave her the ball.": ["[CLS]", "he", "gave", "her", "the", "ball", ".", "[SEP]"] };
    const model = {
      encode: (text: string) => {
        const tokens = pieces[text], s = sentences.find((x) => x.text === text)!;
        const first = s.words.map((_, w) => tokens.findIndex((_, t) => t > 0 && t < tokens.length - 1 && [...Array(t)].length >= 0 && tokens.slice(1, t + 1).filter((p) => !p.startsWith("##")).length === w + 1));
        const wordOf = tokens.map((p, t) => (t === 0 || t === tokens.length - 1 ? -1 : tokens.slice(1, t + 1).filter((q) => !q.startsWith("##")).length - 1));
        const A = tokens.map((_, i) => tokens.map((_, j) => { const u = wordOf[i]; const target = u < 0 ? 0 : first[s.heads[u] >= 0 ? s.heads[u] : (u + 1) % s.words.length]; return j === target ? 1 : 0; }));
        return { tokens, attentions: [[A]] };
      },
    };
    let seen = 0;
    const res = analyzeSyntax(model, sentences, { relations: ["dobj", "nsubj"], directions: ["dep→head"], samples: 10, progress: (d) => (seen = d) });
    expect(seen).toBe(2);
    expect(res.wordAtts[1][0][0][2]).toEqual([0, 1, 0, 0]); // football (2 pieces, averaged) → played
    expect(res.row("dobj", "dep→head").accuracy).toEqual([[1]]);
    expect(() => analyzeSyntax(model, sentences, { sample: 10 } as never)).toThrow("did you mean `samples`?");
    expect(() => analyzeSyntax({ encode: () => ({ tokens: ["[CLS]", "x", "[SEP]"], attentions: [] }) }, sentences)).toThrow('sentence 0 ("He gave her the ball."): alignWords: token 1 "x" does not match');
  });
});
