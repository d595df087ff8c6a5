// ReLU's loops are written without a branch on the sign (random signs mispredict, 4× slower). This checks that they
// still give exactly x > 0 ? x : 0 and x > 0 ? ∂y : 0, the definitions, on every kind of double.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ReLU } from "../../src/blocks/activation";

const SPECIAL = [0, -0, 1, -1, Infinity, -Infinity, NaN, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE];

describe("ReLU: the branch-free loops are the definition", () => {
  it("forward: x > 0 ? x : 0 for every double (±0, ±∞, NaN, subnormals, extremes), bit for bit; −0 gives +0", () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.double(), fc.constantFrom(...SPECIAL)), { minLength: 1, maxLength: 64 }), (xs) => {
      const y = ReLU.forward(Float64Array.from(xs));
      xs.forEach((v, k) => expect(Object.is(y[k], v > 0 ? v : 0), `x = ${v}: got ${y[k]}`).toBe(true));
    }), { numRuns: 300 });
    expect(Object.is(ReLU.forward(Float64Array.of(-0))[0], 0)).toBe(true);
  });

  it("backward: x > 0 ? ∂y : 0 for every pair, including ∂y = ±∞ or NaN where x ≤ 0 (0 there, not ∞·0 = NaN)", () => {
    const pairs = fc.array(fc.tuple(fc.oneof(fc.double(), fc.constantFrom(...SPECIAL)), fc.oneof(fc.double(), fc.constantFrom(...SPECIAL))), { minLength: 1, maxLength: 64 });
    fc.assert(fc.property(pairs, (ps) => {
      const dX = ReLU.backward(Float64Array.from(ps.map((p) => p[0])), Float64Array.from(ps.map((p) => p[1])));
      ps.forEach(([x, g], k) => {
        const want = x > 0 ? g : 0;
        expect(Object.is(dX[k], want) || (want === 0 && dX[k] === 0), `x = ${x}, ∂y = ${g}: got ${dX[k]}`).toBe(true);
      });
    }), { numRuns: 300 });
    expect(Array.from(ReLU.backward(Float64Array.of(-1, 0, 2), Float64Array.of(Infinity, NaN, -Infinity)))).toEqual([0, 0, -Infinity]);
  });
});
