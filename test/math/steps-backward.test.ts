/**
 * The backward of every step, checked against central finite differences of its own forward
 * (loss = Σ forward(·) ⊙ G for a random G), plus one case worked by hand and the error texts.
 */
import { describe, expect, it } from "vitest";
import {
  additiveAttention, additiveAttentionBackward, concatHeads, concatHeadsBackward, linear, linearBackward,
  outputProjection, outputProjectionBackward, projectThenSplit, projectThenSplitBackward, scaledDotProductAttention,
  scaledDotProductAttentionBackward, softmaxRows, softmaxRowsBackward, splitHeads, splitHeadsBackward,
} from "../../src/math";
import { dotAll, maxAbsDiff, numericGrad } from "./_fd";
import { lcg, randMatrix } from "./_helpers";

const FD_TOL = 1e-7; // central differences with ε = 1e-6 on O(1) values

describe("linearBackward(x, w, dY)", () => {
  const rand = lcg(1);
  const x = randMatrix(3, 4, rand);
  const w = randMatrix(4, 5, rand);
  const b = randMatrix(1, 5, rand)[0];
  const G = randMatrix(3, 5, rand);
  const loss = () => dotAll(linear(x, w, b), G);
  it("matches finite differences for x, w and b", () => {
    const g = linearBackward(x, w, G);
    expect(maxAbsDiff(g.dX, numericGrad(x, loss))).toBeLessThan(FD_TOL);
    expect(maxAbsDiff(g.dW, numericGrad(w, loss))).toBeLessThan(FD_TOL);
    expect(maxAbsDiff(g.db, numericGrad(b, loss))).toBeLessThan(FD_TOL);
  });
  it("gives db = null without bias", () => {
    expect(linearBackward(x, w, G, false).db).toBeNull();
  });
  it("names dY's wrong shape", () => {
    expect(() => linearBackward(x, w, [[1, 2]])).toThrow("dY has 1 rows but x has 3 rows");
    expect(() => linearBackward(x, w, randMatrix(3, 2, rand))).toThrow("dY has 2 columns but w has 5 columns");
  });
});

describe("softmaxRowsBackward(a, dA)", () => {
  it("matches finite differences, including a −Infinity (masked) entry", () => {
    const rand = lcg(2);
    const s = randMatrix(3, 4, rand, 2);
    s[1][2] = -Infinity;
    const G = randMatrix(3, 4, rand);
    const ds = softmaxRowsBackward(softmaxRows(s), G);
    const fd = numericGrad(s.map((r) => r.map((v) => (v === -Infinity ? 0 : v))), () => 0); // shape only
    const loss = () => dotAll(softmaxRows(s), G);
    s.forEach((row, i) => row.forEach((v, j) => {
      if (v === -Infinity) return;
      const o = row[j];
      row[j] = o + 1e-6; const lp = loss();
      row[j] = o - 1e-6; const lm = loss();
      row[j] = o;
      fd[i][j] = (lp - lm) / 2e-6;
    }));
    expect(ds[1][2] === 0).toBe(true);
    fd[1][2] = 0;
    expect(maxAbsDiff(ds, fd)).toBeLessThan(FD_TOL);
  });
  it("a fully masked row (all-zero weights) gets a zero gradient", () => {
    expect(softmaxRowsBackward([[0, 0, 0]], [[1, 2, 3]])).toEqual([[0, 0, 0]]);
  });
  it("rows of the gradient sum to 0 (softmax is invariant to adding a constant)", () => {
    const rand = lcg(3);
    const ds = softmaxRowsBackward(softmaxRows(randMatrix(4, 5, rand, 3)), randMatrix(4, 5, rand));
    for (const row of ds) expect(Math.abs(row.reduce((a, b) => a + b, 0))).toBeLessThan(1e-15);
  });
  it("names the mismatched argument", () => {
    expect(() => softmaxRowsBackward([[0.5, 0.5]], [[1]])).toThrow("dA has 1 columns but a has 2 columns");
  });
});

describe("splitHeadsBackward / concatHeadsBackward", () => {
  it("are each other's inverse and the transposes of concat/split", () => {
    const rand = lcg(4);
    const x = randMatrix(3, 6, rand);
    const G = splitHeads(randMatrix(3, 6, rand), 3); // 3 × (3, 2)
    // loss = Σ_i splitHeads(x)_i ⊙ G_i, so ∂x = concat(G)
    const loss = () => splitHeads(x, 3).reduce((s, m, i) => s + dotAll(m, G[i]), 0);
    expect(maxAbsDiff(splitHeadsBackward(G), numericGrad(x, loss))).toBeLessThan(FD_TOL);
    const heads = splitHeads(x, 3);
    const Gc = randMatrix(3, 6, rand);
    const lossC = () => dotAll(concatHeads(heads), Gc);
    concatHeadsBackward(Gc, 3).forEach((dh, i) => expect(maxAbsDiff(dh, numericGrad(heads[i], lossC))).toBeLessThan(FD_TOL));
  });
});

describe("projectThenSplitBackward(x, w, dHeads)", () => {
  it("matches finite differences for x, w and b", () => {
    const rand = lcg(5);
    const x = randMatrix(4, 3, rand);
    const w = randMatrix(3, 6, rand);
    const b = randMatrix(1, 6, rand)[0];
    const G = splitHeads(randMatrix(4, 6, rand), 2);
    const loss = () => projectThenSplit(x, w, b, 2).reduce((s, m, i) => s + dotAll(m, G[i]), 0);
    const g = projectThenSplitBackward(x, w, G);
    expect(maxAbsDiff(g.dX, numericGrad(x, loss))).toBeLessThan(FD_TOL);
    expect(maxAbsDiff(g.dW, numericGrad(w, loss))).toBeLessThan(FD_TOL);
    expect(maxAbsDiff(g.db, numericGrad(b, loss))).toBeLessThan(FD_TOL);
  });
});

describe("outputProjectionBackward(concat, wO, dOutput)", () => {
  it("matches finite differences for concat, wO and bO", () => {
    const rand = lcg(6);
    const c = randMatrix(3, 4, rand);
    const wO = randMatrix(4, 4, rand);
    const bO = randMatrix(1, 4, rand)[0];
    const G = randMatrix(3, 4, rand);
    const loss = () => dotAll(outputProjection(c, wO, bO), G);
    const g = outputProjectionBackward(c, wO, G);
    expect(maxAbsDiff(g.dConcat, numericGrad(c, loss))).toBeLessThan(FD_TOL);
    expect(maxAbsDiff(g.dWO, numericGrad(wO, loss))).toBeLessThan(FD_TOL);
    expect(maxAbsDiff(g.dbO, numericGrad(bO, loss))).toBeLessThan(FD_TOL);
  });
});

describe("scaledDotProductAttentionBackward(q, k, v, weights, dOutput)", () => {
  const rand = lcg(7);
  const q = randMatrix(3, 2, rand);
  const k = randMatrix(4, 2, rand);
  const v = randMatrix(4, 3, rand);
  const G = randMatrix(3, 3, rand);
  const cases: [string, boolean[][] | number[][] | null][] = [
    ["no mask", null],
    ["a bool mask with a fully masked row", [[false, true, false, false], [true, true, true, true], [false, false, true, false]]],
    ["a float mask with −Infinity", [[0.5, -Infinity, 0, 1], [0, 0, -2, 0], [-Infinity, 0.3, 0, 0]]],
  ];
  for (const [what, mask] of cases) {
    it(`matches finite differences for q, k, v with ${what}`, () => {
      const loss = () => dotAll(scaledDotProductAttention(q, k, v, mask).output, G);
      const { weights } = scaledDotProductAttention(q, k, v, mask);
      const g = scaledDotProductAttentionBackward(q, k, v, weights, G);
      expect(maxAbsDiff(g.dQ, numericGrad(q, loss))).toBeLessThan(FD_TOL);
      expect(maxAbsDiff(g.dK, numericGrad(k, loss))).toBeLessThan(FD_TOL);
      expect(maxAbsDiff(g.dV, numericGrad(v, loss))).toBeLessThan(FD_TOL);
    });
  }
  it("gives masked entries and a fully masked row zero score gradients, and that row zero ∂q", () => {
    const mask = cases[1][1];
    const { weights } = scaledDotProductAttention(q, k, v, mask);
    const g = scaledDotProductAttentionBackward(q, k, v, weights, G);
    expect(g.dScaledScores[0][1] === 0).toBe(true); // (−0 counts: it is zero)
    expect(g.dScaledScores[1].every((x) => x === 0)).toBe(true);
    expect(g.dQ[1].every((x) => x === 0)).toBe(true);
  });
  it("works the 1-query example by hand: ∂A = [1, 3], Σ A⊙∂A = 2, ∂T = [−0.5, 0.5]", () => {
    const g = scaledDotProductAttentionBackward([[1]], [[0], [0]], [[1], [3]], [[0.5, 0.5]], [[1]]);
    expect(g.dWeights).toEqual([[1, 3]]);
    expect(g.dScaledScores).toEqual([[-0.5, 0.5]]);
    expect(g.dK).toEqual([[-0.5], [0.5]]);
    expect(g.dQ).toEqual([[0]]);
    expect(g.dV).toEqual([[0.5], [0.5]]);
  });
  it("names the argument of the wrong shape", () => {
    const { weights } = scaledDotProductAttention(q, k, v);
    expect(() => scaledDotProductAttentionBackward(q, k, v, weights, [[1, 2, 3]])).toThrow("dOutput has 1 rows but q has 3 rows");
    expect(() => scaledDotProductAttentionBackward(q, k, v, [[1]], G)).toThrow("weights has 1 rows but q has 3 rows");
  });
});

describe("additiveAttentionBackward(q, k, v, params, weights, dOutput)", () => {
  it("matches finite differences for q, k, v and every parameter, with a mask", () => {
    const rand = lcg(8);
    const q = randMatrix(3, 2, rand);
    const k = randMatrix(4, 3, rand);
    const v = randMatrix(4, 2, rand);
    const params = { wQ: randMatrix(2, 5, rand), wK: randMatrix(3, 5, rand), wV: randMatrix(1, 5, rand)[0] };
    const mask = [[false, true, false, false], [false, false, false, false], [true, true, true, true]];
    const G = randMatrix(3, 2, rand);
    const loss = () => dotAll(additiveAttention(q, k, v, params, mask).output, G);
    const { weights } = additiveAttention(q, k, v, params, mask);
    const g = additiveAttentionBackward(q, k, v, params, weights, G);
    expect(maxAbsDiff(g.dQ, numericGrad(q, loss))).toBeLessThan(FD_TOL);
    expect(maxAbsDiff(g.dK, numericGrad(k, loss))).toBeLessThan(FD_TOL);
    expect(maxAbsDiff(g.dV, numericGrad(v, loss))).toBeLessThan(FD_TOL);
    expect(maxAbsDiff(g.dParams.wQ, numericGrad(params.wQ, loss))).toBeLessThan(FD_TOL);
    expect(maxAbsDiff(g.dParams.wK, numericGrad(params.wK, loss))).toBeLessThan(FD_TOL);
    expect(maxAbsDiff(g.dParams.wV, numericGrad(params.wV, loss))).toBeLessThan(FD_TOL);
    expect(g.dQ[2].every((x) => x === 0)).toBe(true); // the fully masked row
  });
});
