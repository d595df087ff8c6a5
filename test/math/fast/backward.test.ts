/**
 * fastBackward (Float64Array) = mha.backward (readable, mathjs), over every forward option; the batched flat
 * kernels the trainer uses = one sequence at a time; and the same error texts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fastBackward, fastForward } from "../../../src/math/fast";
import {
  _flatDims, _flatParams, _mhaBackwardFlat, _mhaForwardFlat, _transposeFlat, _zeroParams,
} from "../../../src/math/fast/backward";
import { _matmulTransB } from "../../../src/math/fast/kernels";
import { MultiHeadAttention } from "../../../src/math/multi-head";
import type { ForwardOptions } from "../../../src/math/multi-head";
import { mulberry32 } from "../../../src/math/random";
import type { Matrix } from "../../../src/math/trace";
import { maxAbsDiff } from "../_fd";

function randomMatrix(rows: number, cols: number, rand: () => number, scale = 1): Matrix {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (2 * rand() - 1) * scale));
}

function withBiases(mha: MultiHeadAttention, rand: () => number, bias: boolean): MultiHeadAttention {
  const b = () => (bias ? randomMatrix(1, mha.dModel, rand)[0] : null);
  return new MultiHeadAttention({ ...mha.params, bQ: b(), bK: b(), bV: b(), bO: b() }, mha.numHeads);
}

describe("_matmulTransB(a, …, bt, …, c, …, accumulate)", () => {
  it("equals a plain triple loop, with strides, offsets and accumulate", () => {
    const rand = mulberry32(1);
    for (const [n, k, m] of [[1, 1, 1], [3, 5, 7], [4, 8, 4], [5, 2, 9]]) {
      const a = Float64Array.from({ length: n * (k + 2) + 3 }, () => rand());
      const bt = Float64Array.from({ length: m * (k + 1) + 2 }, () => rand());
      const c = Float64Array.from({ length: n * (m + 3) + 1 }, () => rand());
      const want = c.slice();
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[3 + i * (k + 2) + p] * bt[2 + j * (k + 1) + p];
        want[1 + i * (m + 3) + j] += s;
      }
      _matmulTransB(a, 3, k + 2, n, k, bt, 2, k + 1, m, c, 1, m + 3, true);
      expect(maxAbsDiff(Array.from(c), Array.from(want))).toBeLessThan(1e-14);
    }
  });
  it("_transposeFlat transposes a strided block", () => {
    expect(Array.from(_transposeFlat(new Float64Array([9, 1, 2, 9, 3, 4]), 1, 3, 2, 2))).toEqual([1, 3, 2, 4]);
  });
});

describe("fastBackward(mha, trace, dOutput) = mha.backward(trace, dOutput)", () => {
  it("property: over sizes, self/cross, kdim/vdim, bias, bool/float/padding/causal masks (≤ 1e-15: not bit for bit, the sums run in another order)", () => {
    let worst = 0;
    fc.assert(fc.property(
      fc.record({
        h: fc.integer({ min: 1, max: 4 }), dK: fc.integer({ min: 1, max: 5 }), L: fc.integer({ min: 1, max: 7 }),
        S: fc.integer({ min: 1, max: 7 }), cross: fc.boolean(), kdim: fc.integer({ min: 1, max: 9 }),
        vdim: fc.integer({ min: 1, max: 9 }), bias: fc.boolean(), causal: fc.boolean(),
        mask: fc.constantFrom("none", "bool", "float"), padding: fc.boolean(), seed: fc.integer({ min: 0, max: 1e6 }),
      }),
      (c) => {
        const rand = mulberry32(c.seed);
        const E = c.h * c.dK;
        const S = c.cross ? c.S : c.L;
        const sizes = c.cross ? { kdim: c.kdim, vdim: c.vdim } : {};
        const mha = withBiases(MultiHeadAttention.random({ dModel: E, numHeads: c.h, seed: c.seed, ...sizes }), rand, c.bias);
        const q = randomMatrix(c.L, E, rand);
        const k = c.cross ? randomMatrix(S, c.kdim, rand) : q;
        const v = c.cross ? randomMatrix(S, c.vdim, rand) : q;
        const opts: ForwardOptions = { causal: c.causal };
        if (c.mask === "bool") opts.attnMask = randomMatrix(c.L, S, rand).map((r) => r.map((x) => x > 0.4));
        if (c.mask === "float") opts.attnMask = randomMatrix(c.L, S, rand, 3);
        if (c.padding) opts.keyPaddingMask = Array.from({ length: S }, () => rand() < 0.3);
        const G = randomMatrix(c.L, E, rand);
        const t = mha.forward(q, k, v, opts);
        const want = mha.backward(t, G);
        const got = fastBackward(mha, t, G);
        const gotFromFast = fastBackward(mha, fastForward(mha, q, k, v, opts), G);
        const d = Math.max(maxAbsDiff(got, want), maxAbsDiff(gotFromFast, want));
        worst = Math.max(worst, d);
        expect(d).toBeLessThan(1e-15);
      },
    ), { numRuns: 150, seed: 5 });
    console.log(`fastBackward vs mha.backward, largest difference over 150 cases: ${worst.toExponential(2)}`);
  });

  it("gives the same error texts as mha.backward", () => {
    const rand = mulberry32(3);
    const mha = MultiHeadAttention.random({ dModel: 4, numHeads: 2, seed: 1 });
    const other = MultiHeadAttention.random({ dModel: 4, numHeads: 2, seed: 2 });
    const x = randomMatrix(3, 4, rand);
    const t = mha.forward(x);
    const bad: [unknown, Matrix][] = [[other.forward(x), randomMatrix(3, 4, rand)], [t, randomMatrix(2, 4, rand)], [t, [[1, 2, 3, NaN], [0, 0, 0, 0], [0, 0, 0, 0]]]];
    for (const [trace, d] of bad) {
      let readable = "";
      try { mha.backward(trace as never, d); } catch (e) { readable = (e as Error).message; }
      expect(readable).not.toBe("");
      expect(() => fastBackward(mha, trace as never, d)).toThrow(readable.replace(/^backward: /, "fastBackward: "));
    }
  });
});

describe("the batched flat kernels (what the trainer runs)", () => {
  it("a batch of B sequences gives each sequence's forward and the SUM of their gradients, with a causal mask and a head mask", () => {
    const rand = mulberry32(9);
    const mha = withBiases(MultiHeadAttention.random({ dModel: 6, numHeads: 3, seed: 4 }), rand, true);
    const B = 3, L = 5, E = 6;
    const xs = Array.from({ length: B }, () => randomMatrix(L, E, rand));
    const Gs = Array.from({ length: B }, () => randomMatrix(L, E, rand));
    const headMask = [1, 0, 0.5];
    const dims = _flatDims(mha);
    const p = _flatParams(mha.params);
    const x = Float64Array.from(xs.flat(2));
    const mask = new Float64Array(L * L).map((_, i) => (i % L > Math.floor(i / L) ? -Infinity : 0));
    const cache = _mhaForwardFlat(dims, p, B, L, L, x, x, x, mask, Float64Array.from(headMask));
    const grads = _zeroParams(p);
    const { dXq, dXk, dXv } = _mhaBackwardFlat(dims, p, cache, Float64Array.from(Gs.flat(2)), grads);

    // the readable reference: a head mask h_i scales head i's output, i.e. its rows of W^O
    const wO = mha.params.wO.map((row, r) => row.map((w) => w * headMask[Math.floor(r / mha.dV)]));
    const scaled = new MultiHeadAttention({ ...mha.params, wO }, 3);
    // Σ over the batch of the readable gradients, for every parameter
    const keys = ["wQ", "wK", "wV", "wO", "bQ", "bK", "bV", "bO"] as const;
    const sums: Record<string, number[]> = Object.fromEntries(keys.map((key) => [key, new Array(grads[key]!.length).fill(0)]));
    for (let b = 0; b < B; b++) {
      const t = scaled.forward(xs[b], { causal: true });
      expect(maxAbsDiff(Array.from(cache.out.subarray(b * L * E, (b + 1) * L * E)), t.output.flat())).toBeLessThan(1e-13);
      const g = scaled.backward(t, Gs[b]);
      const dx = g.dQuery.map((row, i) => row.map((v, j) => v + g.dKey[i][j] + g.dValue[i][j]));
      const flatDx = Array.from({ length: L * E }, (_, i) => dXq[b * L * E + i] + dXk[b * L * E + i] + dXv[b * L * E + i]);
      expect(maxAbsDiff(flatDx, dx.flat())).toBeLessThan(1e-12);
      for (const key of keys) (g.dParams[key] as number[] | number[][]).flat().forEach((v, i) => { sums[key][i] += v; });
    }
    // the flat W^O multiplies the MASKED concat, so its gradient is the scaled layer's, row r times headMask[head of r]
    sums.wO = sums.wO.map((v, i) => v * headMask[Math.floor(Math.floor(i / E) / mha.dV)]);
    const worst = Math.max(...keys.map((key) => {
      const d = maxAbsDiff(Array.from(grads[key]!), sums[key]);
      expect(d, `summed ∂${key}`).toBeLessThan(1e-14);
      return d;
    }));
    console.log(`batched flat gradients vs the summed readable ones, largest difference over all 8 parameters: ${worst.toExponential(2)}`);
  });

  it("the flat backward with a head mask (0, 0.5, 1.5) equals central finite differences of the flat forward (cross-attention, kdim ≠ vdim, batch of 2, causal)", () => {
    const rand = mulberry32(21);
    const mha = withBiases(MultiHeadAttention.random({ dModel: 6, numHeads: 3, seed: 8, kdim: 4, vdim: 5 }), rand, true);
    const B = 2, L = 3, S = 4, E = 6;
    const dims = _flatDims(mha);
    const p = _flatParams(mha.params);
    const xq = Float64Array.from(randomMatrix(B * L, E, rand).flat());
    const xk = Float64Array.from(randomMatrix(B * S, 4, rand).flat());
    const xv = Float64Array.from(randomMatrix(B * S, 5, rand).flat());
    const G = Float64Array.from(randomMatrix(B * L, E, rand).flat());
    const mask = new Float64Array(L * S).map((_, i) => (i % S > Math.floor(i / S) + 1 ? -Infinity : 0)); // (L, S)
    const headMask = Float64Array.from([0.5, 0, 1.5]); // head 1 halved, head 2 removed, head 3 scaled up
    const loss = () => {
      const out = _mhaForwardFlat(dims, p, B, L, S, xq, xk, xv, mask, headMask).out;
      let sum = 0;
      for (let i = 0; i < out.length; i++) sum += out[i] * G[i];
      return sum; // Σ out ⊙ G
    };
    const grads = _zeroParams(p);
    const dX = _mhaBackwardFlat(dims, p, _mhaForwardFlat(dims, p, B, L, S, xq, xk, xv, mask, headMask), G, grads);
    const fd = (x: Float64Array) => Array.from(x, (_, i) => {
      const o = x[i];
      x[i] = o + 1e-6;
      const lp = loss();
      x[i] = o - 1e-6;
      const lm = loss();
      x[i] = o;
      return (lp - lm) / 2e-6;
    });
    let worst = 0;
    for (const key of ["wQ", "wK", "wV", "wO", "bQ", "bK", "bV", "bO"] as const) {
      const d = maxAbsDiff(Array.from(grads[key]!), fd(p[key]!));
      worst = Math.max(worst, d);
      expect(d, `∂${key}`).toBeLessThan(1e-9);
    }
    for (const [name, x, g] of [["xq", xq, dX.dXq], ["xk", xk, dX.dXk], ["xv", xv, dX.dXv]] as const) {
      const d = maxAbsDiff(Array.from(g), fd(x));
      worst = Math.max(worst, d);
      expect(d, `∂${name}`).toBeLessThan(1e-9);
    }
    // the removed head's query and key weights get no gradient (its output is multiplied by 0)
    for (let r = 0; r < E; r++) for (let c = 2; c < 4; c++) expect(grads.wQ[r * E + c]).toBe(0);
    console.log(`flat backward with a head mask vs finite differences: largest difference ${worst.toExponential(2)}`);
  });
});
