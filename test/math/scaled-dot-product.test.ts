import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromAnnotatedMask, fromKerasMask } from "../../src/math/mask-conventions";
import { causalMask, toAdditiveMask } from "../../src/math/masks";
import { scaledDotProductAttention } from "../../src/math/scaled-dot-product";
import { arbMatrix, expectClose, refMatmul } from "./_helpers";

describe("scaledDotProductAttention", () => {
  it("the 2×2 example worked by hand (also in the doc comment)", () => {
    const q = [[1, 0], [0, 1]];
    const k = [[1, 0], [1, 1]];
    const v = [[1, 2], [3, 4]];
    const r = scaledDotProductAttention(q, k, v);
    // scores = q·kᵀ = [[1·1+0·0, 1·1+0·1], [0·1+1·0, 0·1+1·1]] = [[1, 1], [0, 1]]
    expect(r.scores).toEqual([[1, 1], [0, 1]]);
    // scaled by 1/√2: [[0.70711, 0.70711], [0, 0.70711]]
    expectClose(r.scaledScores, [[0.70711, 0.70711], [0, 0.70711]], 1e-5);
    expect(r.maskedScores).toEqual(r.scaledScores);
    // row 0: equal scores → [0.5, 0.5]; row 1: 1/(1 + e^0.70711) = 1/3.02811 = 0.33024, 2.02811/3.02811 = 0.66976
    expectClose(r.weights, [[0.5, 0.5], [0.33024, 0.66976]], 1e-5);
    const a = Math.exp(Math.SQRT1_2) / (1 + Math.exp(Math.SQRT1_2)); // closed form of 0.66976
    expectClose(r.weights[1], [1 - a, a], 1e-15);
    // output row 0: 0.5·[1, 2] + 0.5·[3, 4] = [2, 3]; row 1: [1 + 2a, 2 + 2a] = [2.33952, 3.33952]
    expectClose(r.output, [[2, 3], [2.33952, 3.33952]], 1e-5);
    expectClose(r.output[1], [1 + 2 * a, 2 + 2 * a], 1e-15);
    expect(r.fullyMaskedRows).toEqual([]);
  });

  it("a boolean mask and the same mask as -Infinity floats give identical results", () => {
    const q = [[1, 2], [0, 1], [2, 0]];
    const k = [[1, 0], [0, 1], [1, 1]];
    const v = [[1], [2], [3]];
    const a = scaledDotProductAttention(q, k, v, causalMask(3));
    const b = scaledDotProductAttention(q, k, v, toAdditiveMask(causalMask(3)));
    expect(a).toEqual(b);
    expect(a.weights[0]).toEqual([1, 0, 0]);
    expect(a.maskedScores[0][1]).toBe(-Infinity);
  });

  it("Keras / Annotated Transformer masks give the same weights as masked_fill(mask == 0, -1e9) done by hand", () => {
    fc.assert(fc.property(arbMatrix(3, 2, 5), arbMatrix(4, 2, 5), arbMatrix(4, 2),
      fc.array(fc.array(fc.constantFrom(0, 1), { minLength: 4, maxLength: 4 }), { minLength: 3, maxLength: 3 }), (q, k, v, keep) => {
        keep.forEach((row) => { row[0] = 1; }); // every query keeps key 0
        const plain = scaledDotProductAttention(q, k, v).scaledScores;
        const filled = plain.map((row, i) => row.map((s, j) => (keep[i][j] === 0 ? -1e9 : s))); // masked_fill
        const byHand = filled.map((row) => {
          const m = Math.max(...row);
          const e = row.map((x) => Math.exp(x - m));
          const z = e.reduce((a, b) => a + b, 0);
          return e.map((x) => x / z);
        });
        expectClose(scaledDotProductAttention(q, k, v, fromAnnotatedMask(keep)).weights, byHand, 1e-12);
        expectClose(scaledDotProductAttention(q, k, v, fromKerasMask(keep)).weights, byHand, 1e-12);
      }));
  });

  it("a fully masked query row gets zero weights, a zero output and is reported (PyTorch: NaN)", () => {
    const mask = [[false, false], [true, true]];
    const r = scaledDotProductAttention([[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 2], [3, 4]], mask);
    expect(r.weights[1]).toEqual([0, 0]);
    expect(r.output[1]).toEqual([0, 0]);
    expect(r.fullyMaskedRows).toEqual([1]);
    expect(r.output.flat().some(Number.isNaN)).toBe(false);
  });

  it("property: equals softmax(q·kᵀ/√d + M)·v computed with plain loops", () => {
    fc.assert(fc.property(arbMatrix(3, 2), arbMatrix(4, 2), arbMatrix(4, 3), arbMatrix(3, 4, 2), (q, k, v, m) => {
      const r = scaledDotProductAttention(q, k, v, m);
      const kT = k[0].map((_, c) => k.map((row) => row[c]));
      const e = refMatmul(q, kT).map((row, i) => row.map((s, j) => s / Math.SQRT2 + m[i][j]));
      const w = e.map((row) => {
        const ex = row.map(Math.exp);
        const z = ex.reduce((a, b) => a + b, 0);
        return ex.map((x) => x / z);
      });
      expectClose(r.weights, w, 1e-12);
      expectClose(r.output, refMatmul(w, v), 1e-12);
    }));
  });

  it("property: weight rows sum to 1 (or are all zero when fully masked)", () => {
    const arbBool = fc.array(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), { minLength: 3, maxLength: 3 });
    fc.assert(fc.property(arbMatrix(3, 2, 5), arbMatrix(4, 2, 5), arbMatrix(4, 2), arbBool, (q, k, v, mask) => {
      const r = scaledDotProductAttention(q, k, v, mask);
      r.weights.forEach((row, i) => {
        const sum = row.reduce((a, b) => a + b, 0);
        if (mask[i].every(Boolean)) {
          expect(sum).toBe(0);
          expect(r.fullyMaskedRows).toContain(i);
        } else {
          expectClose(sum, 1, 1e-12);
        }
      });
    }));
  });

  it("errors name the argument and both shapes", () => {
    const q = [[1, 0], [0, 1]];
    expect(() => scaledDotProductAttention(q, [[1, 0, 0]], [[1]])).toThrow("k has 3 columns but q has 2 columns");
    expect(() => scaledDotProductAttention(q, q, [[1]])).toThrow("v has 1 rows but k has 2 rows");
    expect(() => scaledDotProductAttention(q, q, q, causalMask(3))).toThrow("mask is 3×3 but the attention is 2×2");
    expect(() => scaledDotProductAttention([[1, NaN]], q, q)).toThrow("q[0][1] is NaN");
    expect(() => scaledDotProductAttention([], q, q)).toThrow("q is empty (0 rows)");
  });
});
