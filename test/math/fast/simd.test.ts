import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { _matmulLoops, _matmulNN, _matmulStrided, _matmulTransB, _multiplyNested, SIMD_MIN_WORK } from "../../../src/math/fast/kernels";
import { _matmulSimd, _matmulSimdNN, _setSimd, _simdEnabled } from "../../../src/math/fast/simd";
import { _transposeFlat } from "../../../src/math/fast/convert";
import { fastForward } from "../../../src/math/fast";
import { MultiHeadAttention } from "../../../src/math/multi-head";
import { mulberry32 } from "../../../src/math/random";

afterEach(() => {
  _setSimd(true);
});

/** Float64Array of `count` numbers from seed, mixing scales, signs and exact zeros (so −0 products occur). */
function buffer(count: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  const f = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const u = r();
    f[i] = u < 0.1 ? 0 : u < 0.15 ? -0 : (2 * r() - 1) * 10 ** Math.floor(6 * r() - 3);
  }
  return f;
}

/** Same bits, entry by entry (so −0 ≠ 0 and the count of differing entries is reported). */
function differing(a: Float64Array, b: Float64Array): number {
  const x = new BigInt64Array(a.buffer, a.byteOffset, a.length);
  const y = new BigInt64Array(b.buffer, b.byteOffset, b.length);
  let d = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) d++;
  return d;
}

/** One product for the property tests: n, k, m, padding after A's and B's rows, C's extra stride, accumulate, seed. */
const PRODUCT_CASE = [
  fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 13 }),
  fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 3 }),
  fc.boolean(), fc.integer(),
] as const;

describe("the WebAssembly SIMD kernel (simd.wat)", () => {
  it("is what runs here: Node has WebAssembly SIMD, so the tests below compare two different kernels", () => {
    expect(_simdEnabled()).toBe(true);
  });

  it("_simd-bytes.ts is simd.wat compiled now (npm run build:wasm was not forgotten)", async () => {
    // @ts-expect-error: a plain .mjs script
    const { generate, OUT } = await import("../../../scripts/build-wasm.mjs");
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(OUT, "utf8")).toBe(await generate());
  });

  it("_matmulSimd gives the loops' numbers bit for bit, at any shape, offset, stride and with accumulate (property)", () => {
    fc.assert(
      fc.property(
        ...PRODUCT_CASE,
        (n, k, m, padA, padB, offC, accumulate, seed) => {
          const aStride = k + padA;
          const bStride = k + padB;
          const cStride = m + offC;
          const a = buffer(3 + n * aStride, seed);
          const bt = buffer(2 + m * bStride, seed + 1);
          const c0 = buffer(1 + n * cStride, seed + 2);
          const viaLoops = c0.slice();
          const viaSimd = c0.slice();
          _matmulLoops(a, 3, aStride, n, k, bt, 2, bStride, m, viaLoops, 1, cStride, accumulate);
          _matmulSimd(a, 3, aStride, n, k, bt, 2, bStride, m, viaSimd, 1, cStride, accumulate);
          expect(differing(viaSimd, viaLoops)).toBe(0);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("B as stored (_matmulSimdNN, matmulNN; and _matmulNN, _matmulStrided on either path), A as stored or transposed, gives the loops' numbers on Bᵀ bit for bit, at any shape, offset, stride and with accumulate (property)", () => {
    fc.assert(
      fc.property(
        ...PRODUCT_CASE,
        (n, k, m, padA, padB, offC, accumulate, seed) => {
          const aStride = k + padA;
          const bStride = m + padB; // B's rows are p = 0 … k−1, m entries each
          const cStride = m + offC;
          const a = buffer(3 + n * aStride, seed);
          const b = buffer(2 + k * bStride, seed + 1);
          const c0 = buffer(1 + n * cStride, seed + 2);
          const bt = _transposeFlat(b, 2, bStride, k, m); // (m, k)
          const viaLoops = c0.slice();
          _matmulLoops(a, 3, aStride, n, k, bt, 0, k, m, viaLoops, 1, cStride, accumulate);
          const viaSimd = c0.slice();
          expect(_matmulSimdNN(a, 3, aStride, n, k, b, 2, bStride, m, viaSimd, 1, cStride, accumulate)).toBe(true);
          expect(differing(viaSimd, viaLoops)).toBe(0);
          const viaDispatch = c0.slice();
          _matmulNN(a, 3, aStride, n, k, b, 2, bStride, m, viaDispatch, 1, cStride, accumulate);
          expect(differing(viaDispatch, viaLoops)).toBe(0);
          // A stored transposed (k rows of n, as X in ∂W = Xᵀ·∂Y): the kernel reads it down its columns
          const aT = _transposeFlat(a, 3, aStride, n, k); // (k, n)
          const viaSimdT = c0.slice();
          expect(_matmulSimdNN(aT, 0, 1, n, k, b, 2, bStride, m, viaSimdT, 1, cStride, accumulate, n)).toBe(true);
          expect(differing(viaSimdT, viaLoops)).toBe(0);
          const viaStrided = c0.slice();
          _matmulStrided(aT, 0, 1, n, n, k, b, 2, 1, bStride, m, viaStrided, 1, cStride, accumulate);
          expect(differing(viaStrided, viaLoops)).toBe(0);
        },
      ),
      { numRuns: 400 },
    );
    // one big product each way, past SIMD_MIN_WORK and with m not a multiple of 4 (padding columns)
    const [n, k, m] = [37, 64, 45];
    const a = buffer(n * k, 7);
    const b = buffer(k * m, 8);
    const viaNN = new Float64Array(n * m);
    const viaT = new Float64Array(n * m);
    _matmulNN(a, 0, k, n, k, b, 0, m, m, viaNN, 0);
    _matmulTransB(a, 0, k, n, k, _transposeFlat(b, 0, m, k, m), 0, k, m, viaT, 0);
    expect(differing(viaNN, viaT)).toBe(0);
    expect(viaNN.some((v) => v !== 0)).toBe(true);
  });

  it("_matmulStrided refuses an operand read neither as stored nor transposed, naming the strides", () => {
    const z = new Float64Array(64);
    expect(() => _matmulStrided(z, 0, 4, 2, 2, 2, z, 0, 1, 4, 2, z, 0, 2, false)).toThrow("_matmulStrided: an operand must be stored or transposed (aStride 4, aStep 2, bStride 1, bStep 4)");
    expect(() => _matmulStrided(z, 0, 1, 4, 2, 2, z, 0, 3, 3, 2, z, 0, 2, false)).toThrow("_matmulStrided: an operand must be stored or transposed (aStride 1, aStep 4, bStride 3, bStep 3)");
  });

  it("mathjs's multiply on nested arrays (_multiplyNested) gives the same numbers with the module and without (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 4, max: 40 }), fc.integer(), (n, k, m, seed) => {
        const a = Array.from({ length: n }, (_, i) => Array.from(buffer(k, seed + i)));
        const b = Array.from({ length: k }, (_, p) => Array.from(buffer(m, seed - p - 1)));
        const withSimd = _multiplyNested(a, b);
        _setSimd(false);
        const withLoops = _multiplyNested(a, b);
        _setSimd(true);
        expect(differing(Float64Array.from(withSimd.flat()), Float64Array.from(withLoops.flat()))).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it("works a 2×2 case out by hand, and leaves the entries outside C (the stride's gap) alone", () => {
    const a = Float64Array.from([1, 2, 3, 4]); // [[1, 2], [3, 4]]
    const bt = Float64Array.from([5, 7, 6, 8]); // B = [[5, 6], [7, 8]], given as Bᵀ
    const c = new Float64Array(6).fill(-1);
    _matmulSimd(a, 0, 2, 2, 2, bt, 0, 2, 2, c, 0, 3, false);
    expect(Array.from(c)).toEqual([19, 22, -1, 43, 50, -1]);
  });

  it("overflow and NaN come out where the loops put them (the callers' overflow checks see the same entries)", () => {
    const a = Float64Array.from([1e308, 1e308, 1, NaN, 0, 0, 0, 0]); // (4, 2)
    const bt = Float64Array.from([10, 10, 1, 1, -1, 1, 0, 0, 2, 2]); // (5, 2)
    const viaLoops = new Float64Array(20);
    const viaSimd = new Float64Array(20);
    _matmulLoops(a, 0, 2, 4, 2, bt, 0, 2, 5, viaLoops, 0, 5, false);
    _matmulSimd(a, 0, 2, 4, 2, bt, 0, 2, 5, viaSimd, 0, 5, false);
    expect(Array.from(viaSimd)).toEqual(Array.from(viaLoops));
    expect(viaSimd[0]).toBe(Infinity);
    expect(Number.isNaN(viaSimd[5])).toBe(true);
  });

  it("_matmulTransB sends products of at least SIMD_MIN_WORK multiply-adds to it, and the rest to the loops", () => {
    const k = 16;
    const small = SIMD_MIN_WORK / k / 4 - 1; // n = small, m = 4: just under the threshold
    expect(small * k * 4).toBeLessThan(SIMD_MIN_WORK);
    const a = buffer(64 * k, 1);
    const bt = buffer(4 * k, 2);
    for (const n of [small, 64]) {
      const c1 = new Float64Array(n * 4);
      const c2 = new Float64Array(n * 4);
      _matmulTransB(a, 0, k, n, k, bt, 0, k, 4, c1, 0);
      _setSimd(false);
      expect(_simdEnabled()).toBe(false);
      _matmulTransB(a, 0, k, n, k, bt, 0, k, 4, c2, 0);
      _setSimd(true);
      expect(differing(c1, c2)).toBe(0);
    }
  });

  it("fastForward gives the same trace with the WebAssembly kernel switched off, at the benchmark's shapes", () => {
    for (const [n, dModel] of [[33, 64], [17, 256]]) {
      const mha = MultiHeadAttention.random({ dModel, numHeads: 8, seed: 3 });
      const r = mulberry32(4);
      const x = Array.from({ length: n }, () => Array.from({ length: dModel }, () => 2 * r() - 1));
      const on = fastForward(mha, x, { causal: true });
      _setSimd(false);
      const off = fastForward(mha, x, { causal: true });
      _setSimd(true);
      expect(on.output).toEqual(off.output);
      expect(on.weights).toEqual(off.weights);
      expect(on.contributions).toEqual(off.contributions);
    }
  });

  it("fastForward gives the same weights, scores and output with the module's products and with the loops', with odd and even key counts, masks, −∞ and fully masked rows", () => {
    for (const [L, S] of [[1, 1], [3, 5], [5, 4], [7, 9], [16, 33]]) {
      const mha = MultiHeadAttention.random({ dModel: 16, numHeads: 4, seed: L + S });
      const r = mulberry32(L * 31 + S);
      const q = Array.from({ length: L }, () => Array.from({ length: 16 }, () => 4 * r() - 2));
      const kv = Array.from({ length: S }, () => Array.from({ length: 16 }, () => 4 * r() - 2));
      const attnMask = Array.from({ length: L }, (_, i) => Array.from({ length: S }, (_, j) =>
        i === 0 ? -Infinity : r() < 0.3 ? -Infinity : r() < 0.5 ? -3 * r() : 0)); // row 0 fully masked
      for (const options of [{}, { attnMask }, { causal: L === S }]) {
        const on = fastForward(mha, q, kv, kv, options);
        _setSimd(false);
        const off = fastForward(mha, q, kv, kv, options);
        _setSimd(true);
        expect(differing(on.flat.weights, off.flat.weights)).toBe(0);
        expect(differing(on.flat.scores, off.flat.scores)).toBe(0);
        expect(differing(on.flat.output, off.flat.output)).toBe(0);
      }
    }
  });

  it("a score or masked score that is not finite gives the same error with the module's products and the loops', word for word", () => {
    const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 5 });
    const x = [[1, 2, 3, 4, 5, 6, 7, 8], [1e155, 1e155, 1e155, 1e155, 1e155, 1e155, 1e155, 1e155], [0, 1, 0, 1, 0, 1, 0, 1]];
    const big = Array.from({ length: 3 }, (_, i) => Array.from({ length: 8 }, (_, j) => (i + 1) * (j % 3 - 1) * 1e150));
    const maxMask = [[0, 0, 0], [0, 0, 0], [0, Number.MAX_VALUE, 0]]; // finite, but u = s/√dK + m reaches +∞
    const errorOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return String((e as Error).message);
      }
      return "no error";
    };
    const calls: [string, () => unknown, RegExp][] = [
      ["scores overflow", () => fastForward(mha, x), /^head 1's scores Q·Kᵀ overflow at query row 1, key row 1/],
      ["masked score overflow", () => fastForward(mha, big, { attnMask: maxMask }), /^the mask at \[2\]\[1\] .* plus head 1.s scaled score/],
    ];
    for (const [what, call, message] of calls) {
      const withSimd = errorOf(call);
      _setSimd(false);
      const withLoops = errorOf(call);
      _setSimd(true);
      expect(withSimd, what).toBe(withLoops);
      expect(withSimd, what).toMatch(message);
    }
  });
});
