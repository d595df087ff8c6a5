// kernels.ts _softmaxRow (the fast path's softmax row: its steps in the WebAssembly module where SIMD runs)
// against a copy of the JavaScript _softmaxRow of flat-attention.ts as of commit 30865d3: bit for bit, over sizes,
// offsets, additive masks with −Infinity, causal limits, key padding and fully masked rows. And the module's exp
// against Math.exp, bit for bit.
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { _softmaxRow } from "../../../src/math/fast/kernels";
import { _expNonPositive, _setSimd, _simdEnabled } from "../../../src/math/fast/simd";
import { mulberry32 } from "../../../src/math/random";

afterEach(() => {
  _setSimd(true);
});

/** flat-attention.ts's _softmaxRow, copied as it was (the reference: plain loops, Math.exp). */
function jsSoftmaxRow(
  a: Float64Array, o: number, S: number, sqrtDK: number,
  mask: Float64Array | null, m0: number, firstMasked: number, pad: Uint8Array | null, p0: number,
): void {
  let max = -Infinity;
  for (let j = 0; j < S; j++) {
    let u = a[o + j] / sqrtDK;
    if (mask != null) u += mask[m0 + j];
    if (j >= firstMasked || (pad != null && pad[p0 + j] !== 0)) u = -Infinity;
    a[o + j] = u;
    if (u > max) max = u;
  }
  if (max === -Infinity) {
    a.fill(0, o, o + S);
    return;
  }
  let sum = 0;
  for (let j = 0; j < S; j++) {
    const e = Math.exp(a[o + j] - max);
    a[o + j] = e;
    sum += e;
  }
  for (let j = 0; j < S; j++) a[o + j] /= sum;
}

/** Entries whose bits differ (NaN counts as equal to NaN), with the first one described. */
function differing(a: Float64Array, b: Float64Array): { count: number; first: string } {
  let count = 0;
  let first = "";
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) {
      if (count++ === 0) first = `entry ${i}: ${a[i]} vs ${b[i]}`;
    }
  }
  return { count, first };
}

/** Scores of every scale: mostly moderate, some huge (so exp underflows, subnormals included), some exact zeros. */
function scores(count: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  return Float64Array.from({ length: count }, () => {
    const u = r();
    return u < 0.05 ? 0 : u < 0.08 ? -0 : (2 * r() - 1) * 10 ** (4 * r() - 1.5);
  });
}

describe("_softmaxRow (kernels.ts): the fast path's softmax row", () => {
  it("is what runs here through the module (Node has WebAssembly SIMD)", () => {
    expect(_simdEnabled()).toBe(true);
  });

  it("equals the JavaScript _softmaxRow bit for bit: sizes, offsets, masks with −Infinity, causal limits, padding (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 5 }), fc.constantFrom(1, Math.sqrt(8), Math.sqrt(64), 0.3),
        fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 310 }), fc.boolean(), fc.integer(),
        (S, off, sqrtDK, withMask, withPad, firstMaskedRaw, simd, seed) => {
          _setSimd(simd);
          const r = mulberry32(seed + 7);
          const a = scores(off + S + 3, seed);
          const mask = withMask
            ? Float64Array.from({ length: S + 2 * off }, () => { const u = r(); return u < 0.2 ? -Infinity : u < 0.4 ? 0 : (r() - 0.5) * 20; })
            : null;
          const pad = withPad ? Uint8Array.from({ length: S + off }, () => (r() < 0.3 ? 1 : 0)) : null;
          const firstMasked = Math.min(firstMaskedRaw, S);
          const ours = a.slice();
          const ref = a.slice();
          _softmaxRow(ours, off, S, sqrtDK, mask, 2 * off, firstMasked, pad, off);
          jsSoftmaxRow(ref, off, S, sqrtDK, mask, 2 * off, firstMasked, pad, off);
          const d = differing(ours, ref);
          expect(d.count, `S ${S}, mask ${withMask}, pad ${withPad}, firstMasked ${firstMasked}: ${d.first}`).toBe(0);
        },
      ),
      { numRuns: 600 },
    );
  });

  it("a fully masked row (causal limit 0, all padding, or all −Infinity in the mask) becomes zeros, the entries around it untouched", () => {
    for (const S of [1, 2, 7, 64]) {
      const cases: [Float64Array | null, number, Uint8Array | null][] = [
        [null, 0, null],
        [null, S, new Uint8Array(S + 1).fill(1)],
        [new Float64Array(S).fill(-Infinity), S, null],
      ];
      for (const [mask, firstMasked, pad] of cases) {
        const a = Float64Array.from({ length: S + 2 }, (_, i) => i + 0.5);
        _softmaxRow(a, 1, S, 2, mask, 0, firstMasked, pad, 1);
        expect(Array.from(a)).toEqual([0.5, ...new Array(S).fill(0), S + 1.5]);
      }
    }
  });

  it("worked by hand: [2, 2, 9] with √dK = 2 and the third key masked gives [0.5, 0.5, 0]; a −Infinity mask entry gives 0", () => {
    const a = Float64Array.of(2, 2, 9);
    _softmaxRow(a, 0, 3, 2, null, 0, 2, null, 0);
    expect(Array.from(a)).toEqual([0.5, 0.5, 0]);
    const b = Float64Array.of(0, Math.log(3) * 2, 5);
    _softmaxRow(b, 0, 3, 2, Float64Array.of(0, 0, -Infinity), 0, 3, null, 0);
    expect(b[0]).toBeCloseTo(0.25, 15);
    expect(b[1]).toBeCloseTo(0.75, 15);
    expect(b[2]).toBe(0);
  });

  it("[100, 100] → [0.5, 0.5]; [−1000, 1000] → [0, 1]; a NaN score gives NaN as the loops do, never a silent number", () => {
    const a = Float64Array.of(100, 100);
    _softmaxRow(a, 0, 2, 1, null, 0, 2, null, 0);
    expect(Array.from(a)).toEqual([0.5, 0.5]);
    const b = Float64Array.of(-1000, 1000);
    _softmaxRow(b, 0, 2, 1, null, 0, 2, null, 0);
    expect(Array.from(b)).toEqual([0, 1]);
    const c = Float64Array.of(1, NaN, 2, 3);
    _softmaxRow(c, 0, 4, 1, null, 0, 4, null, 0);
    expect(Array.from(c).every(Number.isNaN)).toBe(true);
  });
});

describe("the module's exp (simd.wat $exp, fdlibm's algorithm)", () => {
  it("gives Math.exp's bits for x ≤ 0: every scale, fdlibm's branch boundaries, the subnormal range, −0, −Infinity, NaN", () => {
    const r = mulberry32(11);
    const xs: number[] = [0, -0, -Infinity, NaN, -745.1332191019411, -745.1332191019412, -708.39641853226408, -709.782712893384];
    for (const b of [0.5 * Math.LN2, 1.5 * Math.LN2, 2 ** -28]) for (const e of [-2e-16, -1e-16, 0, 1e-16, 2e-16]) xs.push(-b * (1 + e));
    for (let i = 0; i < 20000; i++) xs.push(-(10 ** (12 * r() - 10))); // 1e-10 … 1e2
    for (let i = 0; i < 20000; i++) xs.push(-700 - 46 * r()); // k < −1021: subnormal results, and underflow to 0
    for (let i = 0; i < 20000; i++) xs.push(-3 * r());
    const got = _expNonPositive(Float64Array.from(xs))!;
    const d = differing(got, Float64Array.from(xs, Math.exp));
    expect(d.count, d.first).toBe(0);
  });
});
