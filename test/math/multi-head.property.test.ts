/**
 * Invariants of MultiHeadAttention, checked with fast-check over random sizes, seeds and masks.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { linear } from "../../src/math/linear";
import { toAdditiveMask } from "../../src/math/masks";
import { MultiHeadAttention } from "../../src/math/multi-head";
import { projectHead } from "../../src/math/projections";
import { scaledDotProductAttention } from "../../src/math/scaled-dot-product";
import { expectClose, lcg, randMatrix, refMha } from "./_helpers";

/** Random layer + inputs from fast-check-chosen sizes and seeds. Biases are random (non-zero). */
const arbCase = fc.record({
  numHeads: fc.integer({ min: 1, max: 3 }),
  dK: fc.integer({ min: 1, max: 3 }),
  L: fc.integer({ min: 1, max: 4 }),
  S: fc.integer({ min: 1, max: 5 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 }),
  bias: fc.boolean(),
}).map((c) => {
  const dModel = c.numHeads * c.dK;
  const base = MultiHeadAttention.random({ dModel, numHeads: c.numHeads, seed: c.seed, bias: c.bias });
  const r = lcg(c.seed + 1);
  const b = () => randMatrix(1, dModel, r)[0];
  const mha = c.bias ? new MultiHeadAttention({ ...base.params, bQ: b(), bK: b(), bV: b(), bO: b() }, c.numHeads) : base;
  const x = randMatrix(c.L, dModel, r, 2);
  const y = randMatrix(c.S, dModel, r, 2);
  const z = randMatrix(c.S, dModel, r, 2);
  const mask = Array.from({ length: c.L }, () => Array.from({ length: c.S }, () => r() < 0.3));
  return { ...c, dModel, mha, x, y, z, mask };
});

const sumRow = (row: number[]) => row.reduce((a, b) => a + b, 0);

describe("MultiHeadAttention properties", () => {
  it("forward equals the plain-loop reference (cross-attention, random bool masks)", () => {
    fc.assert(fc.property(arbCase, ({ mha, numHeads, x, y, z, mask }) => {
      const t = mha.forward(x, y, z, { attnMask: mask });
      const ref = refMha(mha.params, numHeads, x, y, z, toAdditiveMask(mask));
      expectClose(t.output, ref.output, 1e-12);
      expectClose(t.weights, ref.weights, 1e-12);
    }));
  });

  it("weight rows sum to 1, or are all zero exactly for the listed fully masked rows", () => {
    fc.assert(fc.property(arbCase, ({ mha, x, y, z, mask }) => {
      const t = mha.forward(x, y, z, { attnMask: mask });
      const fully = mask.flatMap((row, i) => (row.every(Boolean) ? [i] : []));
      expect(t.fullyMaskedRows).toEqual(fully);
      for (const w of t.weights) {
        w.forEach((row, i) => (fully.includes(i) ? expect(row.every((v) => v === 0)).toBe(true) : expectClose(sumRow(row), 1, 1e-12)));
      }
      expect(t.output.flat().some(Number.isNaN)).toBe(false);
    }));
  });

  it("self-attention without masks is permutation-equivariant: f(P·X) = P·f(X)", () => {
    const arbWithPerm = arbCase.chain((c) => fc.tuple(
      fc.constant(c), fc.shuffledSubarray(c.x.map((_, i) => i), { minLength: c.L, maxLength: c.L }),
    ));
    fc.assert(fc.property(arbWithPerm, ([{ mha, x }, perm]) => {
      const px = perm.map((i) => x[i]);
      const out = mha.forward(x);
      const pOut = mha.forward(px);
      expectClose(pOut.output, perm.map((i) => out.output[i]), 1e-12);
      pOut.weights.forEach((w, h) => expectClose(w, perm.map((i) => perm.map((j) => out.weights[h][i][j])), 1e-12));
    }));
  });

  it("changing masked (padded) keys and values does not change the output (every case pads at least one key)", () => {
    let cases = 0;
    let withPadding = 0;
    let withRealKey = 0;
    fc.assert(fc.property(arbCase, fc.integer({ min: 0, max: 4 }), ({ mha, x, y, z, S }, valid) => {
      const v = Math.min(valid, S - 1); // 0 … S−1 real keys: key S−1 is always padding
      const pad = Array.from({ length: S }, (_, j) => j >= v);
      cases++;
      if (pad.some((p) => p)) withPadding++;
      if (pad.some((p) => !p)) withRealKey++;
      const r = lcg(S * 31 + v);
      const y2 = y.map((row, j) => (pad[j] ? row.map(() => 100 * (2 * r() - 1)) : row));
      const z2 = z.map((row, j) => (pad[j] ? row.map(() => 100 * (2 * r() - 1)) : row));
      const a = mha.forward(x, y, z, { keyPaddingMask: pad });
      const b = mha.forward(x, y2, z2, { keyPaddingMask: pad });
      const plusZero = (m: number[][]) => m.map((row) => row.map((e) => e + 0)); // a fully padded row: 0·v is ±0 with v's sign
      expect(plusZero(b.output)).toEqual(plusZero(a.output));
      expect(b.weights).toEqual(a.weights);
    }));
    console.log(`padded-keys property: ${withPadding}/${cases} cases pad at least one key, ${withRealKey}/${cases} keep at least one`);
    expect(withPadding).toBe(cases); // issue 27, 8d: before, about 60% of the cases padded nothing
    expect(withRealKey / cases).toBeGreaterThan(0.5); // and most still attend somewhere
  });

  it("per-head projections X·W_i + b_i agree with the fused projections in the trace", () => {
    fc.assert(fc.property(arbCase, ({ mha, numHeads, x, y, z }) => {
      const t = mha.forward(x, y, z);
      const p = mha.params;
      for (let i = 0; i < numHeads; i++) {
        expectClose(t.heads[i].q, projectHead(x, p.wQ, p.bQ, i, numHeads), 1e-12);
        expectClose(t.heads[i].k, projectHead(y, p.wK, p.bK, i, numHeads), 1e-12);
        expectClose(t.heads[i].v, projectHead(z, p.wV, p.bV, i, numHeads), 1e-12);
      }
    }));
  });

  it("head contributions sum (plus bO) to the output", () => {
    fc.assert(fc.property(arbCase, ({ mha, x, y, z, mask }) => {
      const t = mha.forward(x, y, z, { attnMask: mask });
      const bO = mha.params.bO ?? new Array(mha.dModel).fill(0);
      const sum = t.output.map((row, i) => row.map((_, j) => t.contributions.reduce((s, c) => s + c[i][j], 0) + bO[j]));
      expectClose(sum, t.output, 1e-12);
    }));
  });

  it("h = 1 equals single-head scaledDotProductAttention", () => {
    fc.assert(fc.property(arbCase, ({ mha, x, y, z, mask }) => {
      const p = mha.params;
      const one = new MultiHeadAttention(p, 1); // the same weights seen as a single head
      const t = one.forward(x, y, z, { attnMask: mask });
      const single = scaledDotProductAttention(linear(x, p.wQ, p.bQ), linear(y, p.wK, p.bK), linear(z, p.wV, p.bV), mask);
      expectClose(t.heads[0].weights, single.weights, 1e-12);
      expectClose(t.output, linear(single.output, p.wO, p.bO), 1e-12);
      expect(t.fullyMaskedRows).toEqual(single.fullyMaskedRows);
    }));
  });

  it("the causal flag equals an explicit causal mask", () => {
    fc.assert(fc.property(arbCase, ({ mha, x }) => {
      const L = x.length;
      const explicit = Array.from({ length: L }, (_, i) => Array.from({ length: L }, (_, j) => j > i));
      expect(mha.forward(x, { causal: true }).output).toEqual(mha.forward(x, { attnMask: explicit }).output);
    }));
  });
});
