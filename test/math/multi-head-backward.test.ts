/**
 * MultiHeadAttention.backward: central finite differences of forward for every input and parameter under
 * every option (property test over sizes and masks), the zero-gradient properties of masks, the
 * self-attention sum, and the error texts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MultiHeadAttention } from "../../src/math";
import type { ForwardOptions, MhaParams } from "../../src/math";
import { dotAll, maxAbsDiff, numericGrad } from "./_fd";
import { lcg, randMatrix } from "./_helpers";

type M = number[][];

/** A layer with random (non-zero) biases, so the bias paths count. */
function layer(E: number, h: number, seed: number, o: { kdim?: number; vdim?: number; bias?: boolean } = {}): MultiHeadAttention {
  const base = MultiHeadAttention.random({ dModel: E, numHeads: h, seed, ...o });
  const rand = lcg(seed + 1000);
  const b = () => (o.bias === false ? null : randMatrix(1, E, rand)[0]);
  return new MultiHeadAttention({ ...base.params, bQ: b(), bK: b(), bV: b(), bO: b() }, h);
}

/** Every gradient of mha.backward against central differences of forward; returns the worst difference. */
function worstFdError(mha: MultiHeadAttention, q: M, k: M | null, v: M | null, opts: ForwardOptions, G: M): number {
  const loss = () => dotAll(mha.forward(q, k, v, opts).output, G);
  const g = mha.backward(mha.forward(q, k, v, opts), G);
  let worst = maxAbsDiff(g.dQuery, numericGrad(q, loss));
  if (k) worst = Math.max(worst, maxAbsDiff(g.dKey, numericGrad(k, loss)));
  if (v) worst = Math.max(worst, maxAbsDiff(g.dValue, numericGrad(v, loss)));
  // the layer's params are read-only: perturb a copy and build a layer from it for every evaluation
  const copy = JSON.parse(JSON.stringify(mha.params)) as MhaParams;
  const lossAt = () => dotAll(new MultiHeadAttention(copy, mha.numHeads).forward(q, k, v, opts).output, G);
  for (const name of ["wQ", "wK", "wV", "wO", "bQ", "bK", "bV", "bO"] as const) {
    const param = copy[name];
    const grad = g.dParams[name];
    if (param == null) {
      expect(grad, `${name} is null so its gradient is`).toBeNull();
      continue;
    }
    worst = Math.max(worst, maxAbsDiff(grad, numericGrad(param as M | number[], lossAt)));
  }
  return worst;
}

describe("mha.backward(trace, dOutput) against finite differences", () => {
  it("property: every input and parameter, over sizes, cross/self, kdim/vdim, bias, bool/float/padding/causal masks", () => {
    fc.assert(fc.property(
      fc.record({
        h: fc.integer({ min: 1, max: 3 }), dK: fc.integer({ min: 1, max: 3 }), L: fc.integer({ min: 1, max: 4 }),
        S: fc.integer({ min: 1, max: 4 }), cross: fc.boolean(), kdim: fc.integer({ min: 1, max: 5 }),
        vdim: fc.integer({ min: 1, max: 5 }), bias: fc.boolean(), causal: fc.boolean(),
        mask: fc.constantFrom("none", "bool", "float"), padding: fc.boolean(), seed: fc.integer({ min: 0, max: 1e6 }),
      }),
      (c) => {
        const E = c.h * c.dK;
        const S = c.cross ? c.S : c.L;
        const rand = lcg(c.seed);
        const mha = layer(E, c.h, c.seed, c.cross ? { kdim: c.kdim, vdim: c.vdim, bias: c.bias } : { bias: c.bias });
        const q = randMatrix(c.L, E, rand);
        const k = c.cross ? randMatrix(S, c.kdim, rand) : null;
        const v = c.cross ? randMatrix(S, c.vdim, rand) : null;
        const opts: ForwardOptions = { causal: c.causal };
        if (c.mask === "bool") opts.attnMask = randMatrix(c.L, S, rand).map((r) => r.map((x) => x > 0.5));
        if (c.mask === "float") opts.attnMask = randMatrix(c.L, S, rand, 2);
        if (c.padding) opts.keyPaddingMask = Array.from({ length: S }, () => rand() < 0.3);
        const G = randMatrix(c.L, E, rand);
        // self-attention: q is also key and value, and numericGrad(q) sees all three uses
        if (!c.cross) {
          const loss = () => dotAll(mha.forward(q, opts).output, G);
          const g = mha.backward(mha.forward(q, opts), G);
          const dx = g.dQuery.map((row, i) => row.map((x, j) => x + g.dKey[i][j] + g.dValue[i][j]));
          expect(maxAbsDiff(dx, numericGrad(q, loss))).toBeLessThan(1e-6);
        }
        expect(worstFdError(mha, q, k ?? q.map((r) => r.slice()), v ?? q.map((r) => r.slice()), opts, G)).toBeLessThan(1e-6);
      },
    ), { numRuns: 40, seed: 11 });
  }, 120_000); // 40 cases × ~100 forward passes each on mathjs: seconds on a busy machine
});

describe("mha.backward: masks", () => {
  const rand = lcg(21);
  const mha = layer(6, 2, 3);
  const q = randMatrix(4, 6, rand);
  const kv = randMatrix(5, 6, rand);
  const G = randMatrix(4, 6, rand);

  it("padded keys get exactly zero ∂key and ∂value", () => {
    const keyPaddingMask = [false, true, false, false, true];
    const g = mha.backward(mha.forward(q, kv, kv, { keyPaddingMask }), G);
    for (const j of [1, 4]) {
      expect(g.dKey[j].every((x) => x === 0), `dKey[${j}]`).toBe(true);
      expect(g.dValue[j].every((x) => x === 0), `dValue[${j}]`).toBe(true);
    }
    expect(g.dKey[0].some((x) => x !== 0)).toBe(true);
  });

  it("a fully masked query row gets zero ∂query, and its G row reaches only ∂bO (the row's output is bO)", () => {
    const attnMask = [[true, true, true, true, true], [false, false, true, false, false], [false, true, false, false, false], [false, false, false, false, true]];
    const t = mha.forward(q, kv, kv, { attnMask });
    expect(t.fullyMaskedRows).toEqual([0]);
    const g = mha.backward(t, G);
    expect(g.dQuery[0].every((x) => x === 0)).toBe(true);
    const G0 = G.map((row, i) => (i === 0 ? row.map(() => 0) : row));
    const g0 = mha.backward(t, G0);
    expect(maxAbsDiff(g.dKey, g0.dKey)).toBe(0);
    expect(maxAbsDiff(g.dParams.wQ, g0.dParams.wQ)).toBe(0);
    expect(maxAbsDiff(g.dParams.bO!.map((x, j) => x - G[0][j]), g0.dParams.bO)).toBeLessThan(1e-15);
  });

  it("causal: ∂key and ∂value of key j only get contributions from queries i ≥ j", () => {
    const x = randMatrix(4, 6, rand);
    const Glast = G.map((row, i) => (i === 3 ? row : row.map(() => 0))); // only query 3 matters
    const Gfirst = G.map((row, i) => (i === 0 ? row : row.map(() => 0))); // only query 0
    const gF = mha.backward(mha.forward(x, { causal: true }), Gfirst);
    for (const j of [1, 2, 3]) expect(gF.dKey[j].every((v) => v === 0) && gF.dValue[j].every((v) => v === 0)).toBe(true);
    const gL = mha.backward(mha.forward(x, { causal: true }), Glast);
    expect(gL.dValue[0].some((v) => v !== 0)).toBe(true);
  });
});

describe("mha.backward: shapes of dParams", () => {
  it("has mha.params's keys and shapes (paper orientation), null biases for bias: false", () => {
    const mha = MultiHeadAttention.random({ dModel: 4, numHeads: 2, kdim: 3, vdim: 5, bias: false, seed: 1 });
    const rand = lcg(2);
    const t = mha.forward(randMatrix(2, 4, rand), randMatrix(3, 3, rand), randMatrix(3, 5, rand));
    const g = mha.backward(t, randMatrix(2, 4, rand));
    expect(Object.keys(g.dParams).sort()).toEqual(Object.keys(mha.params).sort());
    const shape = (m: M) => [m.length, m[0].length];
    expect(shape(g.dParams.wQ)).toEqual([4, 4]);
    expect(shape(g.dParams.wK)).toEqual([3, 4]);
    expect(shape(g.dParams.wV)).toEqual([5, 4]);
    expect(shape(g.dParams.wO)).toEqual([4, 4]);
    expect([g.dParams.bQ, g.dParams.bK, g.dParams.bV, g.dParams.bO]).toEqual([null, null, null, null]);
    expect([shape(g.dQuery), shape(g.dKey), shape(g.dValue)]).toEqual([[2, 4], [3, 3], [3, 5]]);
  });
});

describe("mha.backward: bad input", () => {
  const rand = lcg(31);
  const mha = MultiHeadAttention.random({ dModel: 4, numHeads: 2, seed: 1 });
  const x = randMatrix(3, 4, rand);
  const t = mha.forward(x);
  it("rejects a trace from a layer of other sizes", () => {
    const other = MultiHeadAttention.random({ dModel: 4, numHeads: 1, seed: 1 });
    expect(() => mha.backward(other.forward(x), randMatrix(3, 4, rand))).toThrow(
      "trace is from another layer: it has 1 heads, query 3×4, key 3×4, value 3×4, but this layer has numHeads 2, dModel 4, kdim 4, vdim 4",
    );
  });
  it("rejects a trace from a layer of the same sizes but other weights", () => {
    const other = MultiHeadAttention.random({ dModel: 4, numHeads: 2, seed: 2 });
    expect(() => mha.backward(other.forward(x), randMatrix(3, 4, rand))).toThrow(
      /^backward: trace.heads\[0\].q \(head 1\) differs from what this layer computes from the trace's inputs by [0-9.e-]+ \(relative\) at \[\d+\]\[\d+\]; pass the trace this layer's forward returned, unedited, and do not change the weights between forward and backward$/,
    );
  });
  it("rejects dOutput of the wrong shape, naming both shapes", () => {
    expect(() => mha.backward(t, randMatrix(2, 4, rand))).toThrow("dOutput has 2 rows but trace.output is 3×4");
    expect(() => mha.backward(t, randMatrix(3, 5, rand))).toThrow("dOutput has 5 columns but trace.output is 3×4");
  });
  it("rejects NaN in dOutput, naming the entry", () => {
    const d = randMatrix(3, 4, rand);
    d[2][1] = NaN;
    expect(() => mha.backward(t, d)).toThrow("dOutput[2][1] is NaN");
  });
  it("rejects something that is not a trace", () => {
    expect(() => mha.backward({} as never, randMatrix(3, 4, rand))).toThrow("trace must be the object forward returned (with heads, concat, output)");
  });
});
