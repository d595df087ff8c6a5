/**
 * The batched form (heads as one (B, h, L, dK) tensor) against the per-head loop of mha.forward, sequence by
 * sequence: the same numbers, over random shapes, with and without masks; the reshapes against splitHeads; bad input.
 */
import { describe, expect, it } from "vitest";
import {
  batchedForward, batchedMatmul, flattenBatch, fromHeads, softmaxLast, toHeads, transposeLast,
} from "../../src/math/batched";
import { splitHeads } from "../../src/math/heads";
import { MultiHeadAttention } from "../../src/math/multi-head";
import { mulberry32 } from "../../src/math/random";

const maxDiff = (a: unknown, b: unknown): number => {
  if (typeof a === "number" && typeof b === "number") return a === b ? 0 : Math.abs(a - b);
  const x = a as unknown[], y = b as unknown[];
  if (x.length !== y.length) return Infinity;
  return x.reduce<number>((m, xi, i) => Math.max(m, maxDiff(xi, y[i])), 0);
};

/** B sequences (L, E) of uniform numbers in (−2, 2) from a seed. */
function batch(B: number, L: number, E: number, seed: number): number[][][] {
  const r = mulberry32(seed);
  return Array.from({ length: B }, () => Array.from({ length: L }, () => Array.from({ length: E }, () => 4 * r() - 2)));
}

describe("batchedForward(mha, x) = mha.forward(x[b]) for every sequence b", () => {
  it("B = 3, L = 5, dModel = 8, h = 2: every step of the trace, to 1e-12", () => {
    const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 4 });
    const x = batch(3, 5, 8, 1);
    const t = batchedForward(mha, x);
    x.forEach((xb, b) => {
      const ref = mha.forward(xb);
      expect(maxDiff(t.output[b], ref.output)).toBeLessThan(1e-12);
      expect(maxDiff(t.weights[b], ref.weights)).toBeLessThan(1e-12);
      expect(maxDiff(t.q[b], ref.heads.map((hd) => hd.q))).toBeLessThan(1e-12);
      expect(maxDiff(t.k[b], ref.heads.map((hd) => hd.k))).toBeLessThan(1e-12);
      expect(maxDiff(t.v[b], ref.heads.map((hd) => hd.v))).toBeLessThan(1e-12);
      expect(maxDiff(t.scores[b], ref.heads.map((hd) => hd.maskedScores))).toBeLessThan(1e-12);
      expect(maxDiff(t.heads[b], ref.heads.map((hd) => hd.output))).toBeLessThan(1e-12);
      expect(maxDiff(t.concat[b], ref.concat)).toBeLessThan(1e-12);
    });
  });

  it("property: 40 random shapes (B 1–4, L 1–7, h 1–4, dK 1–4, bias or not, causal or not, random padding)", () => {
    const r = mulberry32(99);
    const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    let worst = 0;
    for (let trial = 0; trial < 40; trial++) {
      const B = int(1, 4), L = int(1, 7), h = int(1, 4), dK = int(1, 4), E = h * dK;
      const p = MultiHeadAttention.random({ dModel: E, numHeads: h, seed: trial }).params;
      const bias = () => (r() < 0.5 ? null : Array.from({ length: E }, () => r() - 0.5)); // non-zero, so a misplaced bias shows
      const mha = new MultiHeadAttention({ ...p, bQ: bias(), bK: bias(), bV: bias(), bO: bias() }, h);
      const x = batch(B, L, E, 1000 + trial);
      const causal = r() < 0.5;
      const pad = r() < 0.5 ? x.map(() => Array.from({ length: L }, () => r() < 0.3)) : null;
      const t = batchedForward(mha, x, { causal, keyPaddingMask: pad });
      x.forEach((xb, b) => {
        worst = Math.max(worst, maxDiff(t.output[b], mha.forward(xb, { causal, keyPaddingMask: pad?.[b] }).output));
      });
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it("a sequence whose keys are all padding gets zero weights and the output b^O, as mha.forward", () => {
    const mha = MultiHeadAttention.random({ dModel: 4, numHeads: 2, seed: 1 });
    const x = batch(2, 3, 4, 5);
    const t = batchedForward(mha, x, { keyPaddingMask: [[false, false, true], [true, true, true]] });
    expect(t.weights[1].flat(2).every((w) => w === 0)).toBe(true);
    expect(maxDiff(t.output[1], mha.forward(x[1], { keyPaddingMask: [true, true, true] }).output)).toBe(0);
    expect(t.weights[0].every((hd) => hd.every((row) => row[2] === 0))).toBe(true);
  });
});

describe("the reshapes", () => {
  it("toHeads(Q, B, h)[b][i] = splitHeads(rows of sequence b, h)[i]; fromHeads inverts it", () => {
    const x = batch(3, 4, 6, 2); // (B, L, h·d) with h = 3, d = 2
    const t = toHeads(flattenBatch(x), 3, 3); // (B, h, L, d)
    expect([t.length, t[0].length, t[0][0].length, t[0][0][0].length]).toEqual([3, 3, 4, 2]);
    x.forEach((xb, b) => expect(t[b]).toEqual(splitHeads(xb, 3)));
    expect(fromHeads(t)).toEqual(x);
  });

  it("a 2×2 case by hand: one sequence, two heads of width 1", () => {
    // Q = [[1, 2], [3, 4]]: head 0 is column 0 = [[1], [3]], head 1 is column 1 = [[2], [4]]
    expect(toHeads([[1, 2], [3, 4]], 1, 2)).toEqual([[[[1], [3]], [[2], [4]]]]);
    // scores of head 0: [[1], [3]]·[[1, 3]] = [[1, 3], [3, 9]]
    const q = toHeads([[1, 2], [3, 4]], 1, 2);
    expect(batchedMatmul(q, transposeLast(q))[0][0]).toEqual([[1, 3], [3, 9]]);
    expect(softmaxLast([[[[0, -Infinity]]]])).toEqual([[[[1, 0]]]]);
  });
});

describe("bad input names what was passed", () => {
  const mha = MultiHeadAttention.random({ dModel: 4, numHeads: 2, seed: 0 });
  it.each([
    [() => batchedForward(mha, [] as number[][][]), "x must be a batch (B, L, dModel): a non-empty array of (L, 4) matrices, got an empty array"],
    [() => batchedForward(mha, [[[1, 2, 3, 4]], [[1, 2, 3]]]), "x[1] has 3 columns but dModel is 4"],
    [() => batchedForward(mha, [[[1, 2, 3, 4]], [[1, 2, 3, 4], [0, 0, 0, 0]]]), "x[1] has 2 rows but x[0] has 1: a batch holds sequences of one length"],
    [() => batchedForward(mha, [[[1, NaN, 3, 4]]]), "x[0][0][1] is NaN"],
    [() => batchedForward(mha, [[[1, 2, 3, 4]]], { casual: true } as never), "`casual` is not an option of batchedForward; did you mean `causal`?"],
    [() => batchedForward(mha, [[[1, 2, 3, 4]]], { keyPaddingMask: [[false], [false]] }), "keyPaddingMask must have one row per sequence (1), got an array of 2"],
    [() => batchedForward(mha, [[[1, 2, 3, 4], [1, 2, 3, 4]]], { keyPaddingMask: [[false]] }), "keyPaddingMask[0] has 1 entries but key has 2 rows"],
    [() => batchedForward(MultiHeadAttention.random({ dModel: 4, numHeads: 2, numKVHeads: 1 }), [[[1, 2, 3, 4]]]), "batchedForward: the layer has grouped-query attention (numKVHeads 1 < numHeads 2)"],
    [() => batchedForward(MultiHeadAttention.random({ dModel: 4, numHeads: 2, kdim: 3 }), [[[1, 2, 3, 4]]]), "batchedForward is self-attention, but the layer has kdim 3, vdim 4 and dModel 4"],
    [() => batchedForward({ dModel: 4 }, [[[1, 2, 3, 4]]]), "batchedForward"],
    [() => batchedForward(mha, [[[0, 0, 0, 0]], [[1e200, 1e200, 1e200, 1e200]]]), "batchedForward: a score q·kᵀ of sequence 1, head 0, query 0 is not finite: x[1] is too large for float64"],
    [() => toHeads([[1, 2, 3]], 1, 2, "Q"), "Q has 3 columns, which is not divisible by numHeads 2"],
    [() => toHeads([[1, 2], [3, 4], [5, 6]], 2, 1, "Q"), "Q has 3 rows, which is not B·L for B = 2 sequences"],
  ])("%#: throws %s", (f, message) => {
    expect(f).toThrow(message);
  });
});
