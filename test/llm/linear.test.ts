/**
 * The float32-weight linear step (src/llm/linear.ts, simd.wat's matmulF32W): the WebAssembly kernel, its
 * JavaScript loops and a naive loop over the same weights stored as float64 give the same bits at every shape
 * (including widths that are not multiples of 4 or 8, and more rows than the scratch area holds at once), and a
 * tiny random model with its weights stored as float32 computes exactly what it computes with them as float64.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { ChatModel } from "../../src/llm/chat-model";
import { _linearF32Loops, linearT } from "../../src/llm/linear";
import type { ChatWeights } from "../../src/llm/weights";
import { _f32Weights, _matmulF32Simd, _setSimd, _simdEnabled } from "../../src/math/fast/simd";
import { mulberry32 } from "../../src/math/random";
import { tinyChatModel } from "./_tiny";

afterEach(() => {
  _setSimd(true);
});

/** Same bits, entry by entry (−0 ≠ 0, NaN = NaN): the count of entries that differ. */
function differing(a: Float64Array, b: Float64Array): number {
  const x = new BigInt64Array(a.buffer, a.byteOffset, a.length);
  const y = new BigInt64Array(b.buffer, b.byteOffset, b.length);
  let d = x.length === y.length ? 0 : Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) d++;
  return d;
}

/** `count` float32 values (mixed scales and signs, exact zeros and −0) in a fresh _f32Weights memory. */
function f32Weights(count: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  const w = _f32Weights(count);
  for (let i = 0; i < count; i++) {
    const u = r();
    w[i] = u < 0.1 ? 0 : u < 0.15 ? -0 : (2 * r() - 1) * 10 ** Math.floor(4 * r() - 2);
  }
  return w;
}

function xs(count: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  return Float64Array.from({ length: count }, () => (2 * r() - 1) * 10 ** Math.floor(4 * r() - 2));
}

/** The definition, on the weights as float64: y[i, j] = Σ_p x[i, p]·w[j, p], p in order from 0. */
function naive(x: Float64Array, w: Float64Array, n: number, k: number, m: number): Float64Array {
  const y = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += x[i * k + p] * w[j * k + p];
      y[i * m + j] = s;
    }
  }
  return y;
}

describe("linearT(x, w) with float32 weights", () => {
  it("the WebAssembly kernel is in use for weights in _f32Weights memory, and not for a plain Float32Array", () => {
    expect(_simdEnabled()).toBe(true);
    const y = new Float64Array(3);
    const w = _f32Weights(6);
    w.set([1, 0, 0, 1, 1, 1]);
    expect(_matmulF32Simd(Float64Array.of(1, 2), 1, 2, w, 3, y)).toBe(true);
    expect(Array.from(y)).toEqual([1, 2, 3]);
    expect(_matmulF32Simd(Float64Array.of(1, 2), 1, 2, Float32Array.of(1, 0, 0, 1, 1, 1), 3, y)).toBe(false);
    _setSimd(false);
    expect(_matmulF32Simd(Float64Array.of(1, 2), 1, 2, w, 3, y)).toBe(false);
  });

  it("kernel = loops = naive float64 loop = the float64 path (linearT on Float64Array.from(w)), bit for bit, at any shape (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 35 }), fc.nat(1000), (n, k, m, seed) => {
        const x = xs(n * k, seed); // (n, k)
        const w = f32Weights(m * k, seed + 1); // (m, k), in a module's memory
        const w64 = Float64Array.from(w);
        const viaKernel = linearT(x, w, n, k, m); // (n, m)
        const viaLoops = new Float64Array(n * m);
        _linearF32Loops(x, w, n, k, m, viaLoops);
        expect(differing(viaKernel, viaLoops)).toBe(0);
        expect(differing(viaKernel, naive(x, w64, n, k, m))).toBe(0);
        expect(differing(viaKernel, linearT(x, w64, n, k, m))).toBe(0);
        _setSimd(false);
        expect(differing(linearT(x, w, n, k, m), viaKernel)).toBe(0);
        _setSimd(true);
      }),
      { numRuns: 120, seed: 7 },
    );
  });

  it("more rows than the 8 MiB scratch area holds at once (k + m = 8200: 127 rows a call) are done in chunks, same bits", () => {
    const [n, k, m] = [300, 8, 8192];
    const x = xs(n * k, 3);
    const w = f32Weights(m * k, 4);
    expect(differing(linearT(x, w, n, k, m), naive(x, Float64Array.from(w), n, k, m))).toBe(0);
  });

  it("Infinity and NaN propagate as in float64 (no silent zeros in the SIMD lanes or the tail)", () => {
    const w = _f32Weights(9 * 2); // 9 rows: one block of 8 and a tail of 1
    w.fill(1);
    w[0] = Infinity;
    w[16] = NaN;
    const y = linearT(Float64Array.of(1, 1), w, 1, 2, 9);
    expect(y[0]).toBe(Infinity);
    expect(Number.isNaN(y[8])).toBe(true);
    expect(Array.from(y.subarray(1, 8))).toEqual([2, 2, 2, 2, 2, 2, 2]);
  });

  it("a 2×2 case worked by hand: x = [[1, 2], [3, 4]], W = [[0.5, -1], [2, 0.25]] gives [[-1.5, 2.5], [-2.5, 7]]", () => {
    const w = _f32Weights(4);
    w.set([0.5, -1, 2, 0.25]);
    expect(Array.from(linearT(Float64Array.of(1, 2, 3, 4), w, 2, 2, 2))).toEqual([-1.5, 2.5, -2.5, 7]);
  });
});

/** The float32 sums' definition: x rounded to float32, lane l sums p ≡ l (mod 4) in float32, (l0 + l1) + (l2 + l3). */
function naiveF32(x: Float64Array, w: Float32Array, n: number, k: number, m: number): Float64Array {
  const f = Math.fround;
  const y = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const lane = [0, 0, 0, 0];
      for (let p = 0; p < k; p++) lane[p % 4] = f(lane[p % 4] + f(f(x[i * k + p]) * w[j * k + p]));
      y[i * m + j] = f(f(lane[0] + lane[1]) + f(lane[2] + lane[3]));
    }
  }
  return y;
}

describe("linearT(x, w, n, dIn, dOut, float32Sums = true): the decoding path's float32 sums (matmulF32Acc)", () => {
  it("equals its definition bit for bit (x rounded to float32, four float32 lanes across p) at any shape, the m mod 8 tail included (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 35 }), fc.nat(1000), (n, k4, m, seed) => {
        const k = 4 * k4;
        const x = xs(n * k, seed);
        const w = f32Weights(m * k, seed + 1);
        expect(differing(linearT(x, w, n, k, m, true), naiveF32(x, w, n, k, m))).toBe(0);
      }),
      { numRuns: 150, seed: 11 },
    );
  });

  it("is within 1e-6 of the float64 sums relative to Σ|x·w| (the error float32 allows), and not equal to them", () => {
    const [n, k, m] = [3, 576, 50];
    const x = xs(n * k, 21);
    const w = f32Weights(m * k, 22);
    const fast = linearT(x, w, n, k, m, true);
    const exact = linearT(x, w, n, k, m);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let scale = 0;
        for (let p = 0; p < k; p++) scale += Math.abs(x[i * k + p] * w[j * k + p]);
        worst = Math.max(worst, Math.abs(fast[i * m + j] - exact[i * m + j]) / scale);
      }
    }
    expect(worst).toBeLessThan(1e-6);
    expect(differing(fast, exact)).toBeGreaterThan(0);
  });

  it("falls back to the float64 sums (same bits as float32Sums false) where the kernel cannot: dIn not a multiple of 4, a plain Float32Array, SIMD off", () => {
    const x = xs(2 * 6, 5);
    const w = f32Weights(3 * 6, 6);
    expect(differing(linearT(x, w, 2, 6, 3, true), linearT(x, w, 2, 6, 3))).toBe(0);
    const plain = Float32Array.from(f32Weights(3 * 8, 7));
    const x8 = xs(2 * 8, 8);
    expect(differing(linearT(x8, plain, 2, 8, 3, true), linearT(x8, plain, 2, 8, 3))).toBe(0);
    const inArena = f32Weights(3 * 8, 7);
    _setSimd(false);
    expect(differing(linearT(x8, inArena, 2, 8, 3, true), linearT(x8, inArena, 2, 8, 3))).toBe(0);
  });
});

describe("a tiny random model with float32-stored weights", () => {
  // the tiny model's weights rounded to float32, kept once as float64 and once as float32 in a module's memory
  const base = tinyChatModel(3);
  const round = (a: Float64Array | Float32Array) => Float64Array.from(a, Math.fround);
  const w64: ChatWeights = {
    embedding: round(base.weights.embedding),
    layers: base.weights.layers.map((p) => ({
      ...p, wQ: round(p.wQ), wK: round(p.wK), wV: round(p.wV), wO: round(p.wO), wGate: round(p.wGate), wUp: round(p.wUp), wDown: round(p.wDown),
    })),
    finalNorm: base.weights.finalNorm,
  };
  const inArena = (a: Float64Array | Float32Array) => {
    const f = _f32Weights(a.length);
    f.set(a);
    return f;
  };
  const w32: ChatWeights = {
    embedding: inArena(w64.embedding),
    layers: w64.layers.map((p) => ({
      ...p, wQ: inArena(p.wQ), wK: inArena(p.wK), wV: inArena(p.wV), wO: inArena(p.wO), wGate: inArena(p.wGate), wUp: inArena(p.wUp), wDown: inArena(p.wDown),
    })),
    finalNorm: w64.finalNorm,
  };
  const m64 = new ChatModel(base.config, w64, base.tokenizer, "(tiny, float64)");
  const m32 = new ChatModel(base.config, w32, base.tokenizer, "(tiny, float32)");

  it("forward: logits, every attention weight and every hidden state are bit for bit those of the float64-stored model", () => {
    const ids = m64.tokenize("float32 holds these weights exactly").ids;
    const a = m64.forward(ids);
    const b = m32.forward(ids);
    expect(differing(Float64Array.from(b.logits.flat()), Float64Array.from(a.logits.flat()))).toBe(0);
    expect(differing(Float64Array.from(b.attentions.flat(3)), Float64Array.from(a.attentions.flat(3)))).toBe(0);
    expect(differing(Float64Array.from(b.hiddenStates.flat(2)), Float64Array.from(a.hiddenStates.flat(2)))).toBe(0);
  });

  it("decoding with the KV cache in float64 (_float32Decoding false): every step's logits equal, bit for bit, and so do 20 sampled tokens", () => {
    m32._float32Decoding = false;
    const ids = m64.tokenize("Hi").ids;
    const d64 = m64.prefill(ids, 30);
    const d32 = m32.prefill(ids, 30);
    for (let t = 0; t < 20; t++) {
      expect(differing(d32.logits, d64.logits)).toBe(0);
      const next = t % 5; // any ids will do: the point is the same numbers
      d64.next(next);
      d32.next(next);
    }
    const opts = { maxNewTokens: 20, temperature: 0.9, topK: 0, topP: 0.95, seed: 5, stop: [] };
    expect(m32.generate("Hi", opts).ids).toEqual(m64.generate("Hi", opts).ids);
    m32._float32Decoding = true;
  });

  it("decoding in float32 sums (the default for weights in the kernel's memory): logits within 1e-5 of the float64 path's (of max |logit|), but not equal", () => {
    expect(m32._float32Decoding).toBe(true);
    const ids = m64.tokenize("Hi there").ids;
    const d64 = m64.prefill(ids, 30);
    const d32 = m32.prefill(ids, 30);
    let worst = 0;
    let same = true;
    for (let t = 0; t < 15; t++) {
      const scale = Math.max(...d64.logits.map(Math.abs));
      for (let j = 0; j < d64.logits.length; j++) worst = Math.max(worst, Math.abs(d32.logits[j] - d64.logits[j]) / scale);
      same &&= differing(d32.logits, d64.logits) === 0;
      d64.next(t % 7);
      d32.next(t % 7);
    }
    expect(worst).toBeLessThan(1e-5);
    expect(same).toBe(false);
  });
});
