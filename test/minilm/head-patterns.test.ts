import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { headPatternScores, tokenAttention } from "../../src/minilm/head-patterns";

const identity = (L: number) => [...Array(L)].map((_, i) => [...Array(L)].map((_, j) => (i === j ? 1 : 0)));
const uniform = (L: number) => [...Array(L)].map(() => Array(L).fill(1 / L));
// previous-token head: row 0 has no previous token, so it attends to itself
const prevHead = (L: number) => [...Array(L)].map((_, i) => [...Array(L)].map((_, j) => (j === Math.max(i - 1, 0) ? 1 : 0)));

describe("headPatternScores(weights, tokens?)", () => {
  it("scores an identity head as pure self-attention", () => {
    const [s] = headPatternScores([identity(4)]);
    expect(s).toEqual({ head: 0, previous: 0, next: 0, self: 1, cls: 0.25, sep: 0.25, entropy: 0 });
  });

  it("scores a shift-by-one head as a previous-token head", () => {
    const [s] = headPatternScores([prevHead(5)]);
    expect(s.previous).toBe(1);
    expect(s.next).toBe(0);
    expect(s.self).toBeCloseTo(1 / 5, 15); // only row 0
    expect(s.cls).toBeCloseTo(2 / 5, 15); // rows 0 and 1 sit on position 0
    expect(s.entropy).toBe(0);
  });

  it("scores a uniform head: every score 1/L, entropy 1", () => {
    const [s] = headPatternScores([uniform(4)]);
    for (const k of ["previous", "next", "self", "cls", "sep"] as const) expect(s[k]).toBeCloseTo(0.25, 15);
    expect(s.entropy).toBeCloseTo(1, 15);
  });

  it("works out a 2×2 case by hand", () => {
    // rows: [0.2, 0.8], [0.6, 0.4]  -> previous = w10 = 0.6, next = w01 = 0.8, self = (0.2+0.4)/2 = 0.3
    // cls = (0.2+0.6)/2 = 0.4, sep = (0.8+0.4)/2 = 0.6
    const [s] = headPatternScores([[[0.2, 0.8], [0.6, 0.4]]]);
    expect(s.previous).toBeCloseTo(0.6, 15);
    expect(s.next).toBeCloseTo(0.8, 15);
    expect(s.self).toBeCloseTo(0.3, 15);
    expect(s.cls).toBeCloseTo(0.4, 15);
    expect(s.sep).toBeCloseTo(0.6, 15);
    const h = (p: number) => -(p * Math.log(p) + (1 - p) * Math.log(1 - p)) / Math.log(2);
    expect(s.entropy).toBeCloseTo((h(0.2) + h(0.6)) / 2, 15);
  });

  it("sums the weight on every [SEP] token when tokens are given", () => {
    const w = [[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25], [0, 0, 1, 0], [0.5, 0, 0, 0.5]];
    const [s] = headPatternScores([w], ["[CLS]", "a", "[SEP]", "[SEP]"]);
    expect(s.sep).toBeCloseTo((0.7 + 0.5 + 1 + 0.5) / 4, 15);
    expect(s.cls).toBeCloseTo((0.1 + 0.25 + 0 + 0.5) / 4, 15);
  });

  it("numbers heads in order and tells them apart", () => {
    const s = headPatternScores([identity(3), prevHead(3), uniform(3)]);
    expect(s.map((x) => x.head)).toEqual([0, 1, 2]);
    expect(s.map((x) => x.self)).toEqual([1, 1 / 3, 1 / 3]);
  });

  it("rejects bad shapes with messages that name the numbers", () => {
    expect(() => headPatternScores([])).toThrow("weights must hold at least one head, got 0");
    expect(() => headPatternScores([[[1]]])).toThrow("weights[0] has 1 rows but head patterns need at least 2 positions");
    expect(() => headPatternScores([identity(3), identity(2)])).toThrow("weights[1] has 2 rows but weights[0] has 3");
    expect(() => headPatternScores([[[1, 0, 0], [0, 1, 0]]])).toThrow(
      "weights[0] row 0 has 3 columns but head patterns need square (2, 2) self-attention weights",
    );
    expect(() => headPatternScores([identity(2)], ["[CLS]"])).toThrow("tokens has 1 entries but weights are (2, 2)");
  });

  const stochastic = (L: number, h: number) =>
    fc.array(fc.array(fc.array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: L, maxLength: L }), { minLength: L, maxLength: L }), {
      minLength: h,
      maxLength: h,
    }).map((heads) => heads.map((m) => m.map((r) => { const t = r.reduce((a, b) => a + b, 0); return r.map((x) => x / t); })));

  it("keeps every score in [0, 1] and agrees with position-based [CLS]/[SEP] when tokens put them at the ends (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }).chain((L) => stochastic(L, 2)), (w) => {
        const L = w[0].length;
        const tokens = ["[CLS]", ...Array(L - 2).fill("x"), "[SEP]"];
        const a = headPatternScores(w);
        const b = headPatternScores(w, tokens);
        for (let h = 0; h < a.length; h++) {
          for (const k of ["previous", "next", "self", "cls", "sep", "entropy"] as const) {
            expect(a[h][k]).toBeGreaterThanOrEqual(-1e-12);
            expect(a[h][k]).toBeLessThanOrEqual(1 + 1e-12);
            expect(b[h][k]).toBe(a[h][k]);
          }
        }
      }),
    );
  });

  it("is equivariant under reordering heads (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }).chain((L) => stochastic(L, 3)), (w) => {
        const a = headPatternScores(w);
        const b = headPatternScores([w[2], w[0], w[1]]);
        expect(b.map(({ head, ...r }) => r)).toEqual([a[2], a[0], a[1]].map(({ head, ...r }) => r));
      }),
    );
  });
});

describe("tokenAttention(weights, tokens, from, to)", () => {
  it("reads W[from][to] for every head", () => {
    const w = [[[0.2, 0.8], [0.6, 0.4]], [[1, 0], [0.3, 0.7]]];
    expect(tokenAttention(w, ["he", "her"], "her", "he")).toEqual([0.6, 0.3]);
    expect(tokenAttention(w, ["he", "her"], "he", "her")).toEqual([0.8, 0]);
  });

  it("names a missing token", () => {
    expect(() => tokenAttention([identity(2)], ["he", "her"], "she", "he")).toThrow('from token "she" is not among tokens [he, her]');
    expect(() => tokenAttention([identity(2)], ["he", "her"], "he", "it")).toThrow('to token "it" is not among tokens [he, her]');
    expect(() => tokenAttention([identity(3)], ["he", "her"], "he", "her")).toThrow("weights[0] has 3 rows but tokens has 2 entries");
  });
});
