/**
 * Head scores on hand-built attention patterns whose answers are known, a property (every score of a softmax
 * map lies in [0, 1]), and scoreHeads equal to headScore of the model's own maps.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CausalLM, headScore, scoreHeads } from "../../src/models";

const L = 6;
const grid = (f: (i: number, j: number) => number) => Array.from({ length: L }, (_, i) => Array.from({ length: L }, (_, j) => f(i, j)));
const seq = [7, 8, 9, 7, 8, 9]; // a repeat: position 3 is 7, last seen at 0, so induction looks at 1

describe("headScore on hand-built patterns", () => {
  it("a previous-token head: previousToken 1, induction 0 on a repeat, firstToken 1/(L − 1) (only row 1 looks at 0)", () => {
    const A = grid((i, j) => (i === 0 ? +(j === 0) : +(j === i - 1)));
    expect(headScore(A, seq)).toEqual({ previousToken: 1, induction: 0, firstToken: 1 / 5 });
  });

  it("an induction head (… A B … A → B): induction 1, previousToken 0", () => {
    const A = grid((i, j) => (i >= 3 ? +(j === i - 2) : +(j === i))); // at i ≥ 3 the token after the earlier copy is at i − 3 + 1
    expect(headScore(A, seq)).toEqual({ previousToken: 0, induction: 1, firstToken: 0 });
  });

  it("a sink head (everything on position 0): firstToken 1", () => {
    const A = grid((_, j) => +(j === 0));
    const s = headScore(A, seq);
    expect(s.firstToken).toBe(1);
    expect(s.previousToken).toBe(1 / 5);
    expect(s.induction).toBe(0);
  });

  it("a uniform causal head gives position i the weight 1/(i + 1) on every earlier position", () => {
    const A = grid((i, j) => (j <= i ? 1 / (i + 1) : 0));
    const expected = [2, 3, 4, 5, 6].reduce((s, n) => s + 1 / n, 0) / 5;
    expect(headScore(A, seq).previousToken).toBeCloseTo(expected, 15);
    expect(headScore(A, seq).firstToken).toBeCloseTo(expected, 15);
    expect(headScore(A, seq).induction).toBeCloseTo((1 / 4 + 1 / 5 + 1 / 6) / 3, 15);
  });

  it("no repeated token: induction is NaN (nothing to score), not 0", () => {
    expect(headScore(grid((i, j) => +(j === i)), [1, 2, 3, 4, 5, 6]).induction).toBeNaN();
  });

  it("property: every score of causal softmax rows lies in [0, 1]", () => {
    fc.assert(fc.property(
      fc.array(fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: L, maxLength: L }), { minLength: L, maxLength: L }),
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: L, maxLength: L }),
      (raw, tokens) => {
        const A = raw.map((row, i) => {
          const s = row.slice(0, i + 1).reduce((a, b) => a + b, 0);
          return row.map((x, j) => (j <= i ? x / s : 0));
        });
        const r = headScore(A, tokens);
        return [r.previousToken, r.firstToken, ...(Number.isNaN(r.induction) ? [] : [r.induction])].every((x) => x >= 0 && x <= 1 + 1e-12);
      },
    ), { numRuns: 200 });
  });

  it("a map of the wrong size is an error naming both sizes", () => {
    expect(() => headScore([[1]], [1, 2])).toThrow("headScore: weights must be 2×2 (one row and column per token), got 1 rows");
  });
});

describe("scoreHeads", () => {
  it("on one sequence equals headScore of every map forward returns", () => {
    const m = CausalLM.random({ vocab: 10, contextLength: 6, dModel: 8, numHeads: 2, seed: 4 });
    const s = scoreHeads(m, [seq.map((t) => t - 4)]);
    const t = m.forward(seq.map((x) => x - 4));
    t.attentions.forEach((layer, l) => layer.forEach((A, h) => expect(s[l][h]).toEqual(headScore(A, seq))));
  });

  it("over two sequences averages over every qualifying position of both", () => {
    const m = CausalLM.random({ vocab: 10, contextLength: 6, dModel: 8, numHeads: 2, seed: 4 });
    const a = [0, 1, 2, 3, 4, 5];
    const b = [0, 1, 0, 1, 0, 1];
    const [ta, tb] = [m.forward(a), m.forward(b)];
    const both = scoreHeads(m, [a, b]);
    const A = ta.attentions[1][0];
    const Bm = tb.attentions[1][0];
    const prev = [1, 2, 3, 4, 5].reduce((s, i) => s + A[i][i - 1] + Bm[i][i - 1], 0) / 10;
    expect(both[1][0].previousToken).toBeCloseTo(prev, 14);
    expect(both[1][0].induction).toBeCloseTo(headScore(Bm, b).induction, 14); // only b repeats a token
  });
});
