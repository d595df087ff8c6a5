/**
 * Every block's backward against central finite differences of its own forward (the second way, besides
 * PyTorch autograd in golden.test.ts), on seeded random inputs: loss = Σ output ⊙ G.
 */
import { describe, expect, it } from "vitest";
import {
  Attention, CrossEntropy, Embedding, FeedForward, LayerNorm, LearnedPositions, Linear, Residual,
} from "../../src/blocks";
import type { AttentionParams } from "../../src/blocks";
import { mulberry32 } from "../../src/math/random";
import { dot, maxRelDiff, numericGrad } from "./_fixtures";

const TOL = 1e-7;
const rand = mulberry32(7);
const randn = (n: number, scale = 1) => Float64Array.from({ length: n }, () => (2 * rand() - 1) * scale);

describe("block backward passes against finite differences", () => {
  it("linearBackward: ∂X, ∂W, ∂b", () => {
    const [n, dIn, dOut] = [3, 4, 2];
    const x = randn(n * dIn);
    const p = { w: randn(dIn * dOut), b: randn(dOut) };
    const G = randn(n * dOut);
    const loss = () => dot(Linear.forward(x, p, n, dIn, dOut), G);
    const g = { w: new Float64Array(dIn * dOut), b: new Float64Array(dOut) };
    const dX = Linear.backward(x, p, G, g, n, dIn, dOut);
    expect(maxRelDiff(dX, numericGrad(x, loss))).toBeLessThan(TOL);
    expect(maxRelDiff(g.w, numericGrad(p.w, loss))).toBeLessThan(TOL);
    expect(maxRelDiff(g.b, numericGrad(p.b, loss))).toBeLessThan(TOL);
  });

  it("layerNormBackward: ∂x, ∂γ, ∂β", () => {
    const [n, d] = [3, 5];
    const x = randn(n * d, 3);
    const p = { gamma: randn(d), beta: randn(d) };
    const G = randn(n * d);
    const loss = () => dot(LayerNorm.forward(x, p, n, d).y, G);
    const g = { gamma: new Float64Array(d), beta: new Float64Array(d) };
    const dX = LayerNorm.backward(LayerNorm.forward(x, p, n, d), p, G, g, n, d);
    expect(maxRelDiff(dX, numericGrad(x, loss))).toBeLessThan(TOL);
    expect(maxRelDiff(g.gamma, numericGrad(p.gamma, loss))).toBeLessThan(TOL);
    expect(maxRelDiff(g.beta, numericGrad(p.beta, loss))).toBeLessThan(TOL);
  });

  for (const activation of ["gelu", "relu"] as const) {
    it(`feedForwardBackward (${activation}): ∂X and every parameter`, () => {
      const [n, d, hidden] = [2, 3, 6];
      const x = randn(n * d, 2);
      const p = { up: { w: randn(d * hidden), b: randn(hidden) }, down: { w: randn(hidden * d), b: randn(d) } };
      const G = randn(n * d);
      const loss = () => dot(FeedForward.forward(x, p, n, d, hidden, activation).y, G);
      const g = { up: { w: new Float64Array(d * hidden), b: new Float64Array(hidden) }, down: { w: new Float64Array(hidden * d), b: new Float64Array(d) } };
      const dX = FeedForward.backward(FeedForward.forward(x, p, n, d, hidden, activation), p, G, g, n, d, hidden, activation);
      expect(maxRelDiff(dX, numericGrad(x, loss))).toBeLessThan(TOL);
      expect(maxRelDiff(g.up.w, numericGrad(p.up.w, loss))).toBeLessThan(TOL);
      expect(maxRelDiff(g.up.b, numericGrad(p.up.b!, loss))).toBeLessThan(TOL);
      expect(maxRelDiff(g.down.w, numericGrad(p.down.w, loss))).toBeLessThan(TOL);
    });
  }

  it("residualBackward: ∂X = ∂Y + the sub-layer's ∂X (here F = linear)", () => {
    const [n, d] = [2, 3];
    const x = randn(n * d);
    const p = { w: randn(d * d), b: null };
    const G = randn(n * d);
    const loss = () => dot(Residual.forward(x, Linear.forward(x, p, n, d, d)), G);
    const dX = Residual.backward(G, Linear.backward(x, p, G, { w: new Float64Array(d * d), b: null }, n, d, d));
    expect(maxRelDiff(dX, numericGrad(x, loss))).toBeLessThan(TOL);
  });

  const attnParams = (d: number, dKV: number): AttentionParams => ({
    wQ: randn(d * d), wK: randn(dKV * d), wV: randn(dKV * d), wO: randn(d * d), bQ: randn(d), bK: randn(d), bV: randn(d), bO: randn(d),
  });
  const zeros = (p: AttentionParams): AttentionParams => Object.fromEntries(
    Object.entries(p).map(([k, v]) => [k, v == null ? null : new Float64Array(v.length)])) as unknown as AttentionParams;

  for (const role of ["self", "causal", "cross", "keys"] as const) {
    it(`attentionBackward (${role}): every input and parameter`, () => {
      const [B, L, S, d, h, dKV] = [2, 3, role === "cross" ? 4 : 3, 4, 2, role === "cross" ? 3 : 4];
      const x = randn(B * L * d);
      const context = role === "cross" ? randn(B * S * dKV) : undefined;
      const keys = role === "keys" ? randn(B * L * d) : undefined;
      const p = attnParams(d, dKV);
      const G = randn(B * L * d);
      const opts = { causal: role === "causal", context, contextLength: S, keys };
      const loss = () => dot(Attention.forward(x, p, B, L, d, h, opts).y, G);
      const g = zeros(p);
      const r = Attention.backward(Attention.forward(x, p, B, L, d, h, opts), p, G, g);
      expect(maxRelDiff(r.dX, numericGrad(x, loss))).toBeLessThan(TOL);
      if (context) expect(maxRelDiff(r.dContext!, numericGrad(context, loss))).toBeLessThan(TOL);
      if (keys) expect(maxRelDiff(r.dKeys!, numericGrad(keys, loss))).toBeLessThan(TOL);
      for (const k of ["wQ", "wK", "wV", "wO", "bQ", "bK", "bV", "bO"] as const) {
        expect(maxRelDiff(g[k]!, numericGrad(p[k]!, loss)), k).toBeLessThan(TOL);
      }
    });
  }

  it("Attention.backward with grouped queries (numKVHeads 2 of 4, causal): every input and parameter", () => {
    const [B, L, d, h, hKV] = [2, 3, 8, 4, 2];
    const dK = d / h;
    const x = randn(B * L * d);
    const p: AttentionParams = { wQ: randn(d * d), wK: randn(d * hKV * dK), wV: randn(d * hKV * dK), wO: randn(d * d), bQ: randn(d), bK: randn(hKV * dK), bV: randn(hKV * dK), bO: randn(d) };
    const G = randn(B * L * d);
    const opts = { causal: true, numKVHeads: hKV };
    const loss = () => dot(Attention.forward(x, p, B, L, d, h, opts).y, G);
    const g = zeros(p);
    const r = Attention.backward(Attention.forward(x, p, B, L, d, h, opts), p, G, g);
    expect(maxRelDiff(r.dX, numericGrad(x, loss))).toBeLessThan(TOL);
    for (const k of ["wQ", "wK", "wV", "wO", "bQ", "bK", "bV", "bO"] as const) expect(maxRelDiff(g[k]!, numericGrad(p[k]!, loss)), k).toBeLessThan(TOL);
  });

  it("crossEntropyBackward: ∂logits (an unscored row gets 0)", () => {
    const [n, C] = [4, 5];
    const z = randn(n * C, 3);
    const t = [2, -1, 0, 4];
    const dZ = CrossEntropy.backward(CrossEntropy.forward(z, t, n, C), n, C);
    expect(maxRelDiff(dZ, numericGrad(z, () => CrossEntropy.forward(z, t, n, C).loss))).toBeLessThan(TOL);
    expect(Array.from(dZ.subarray(C, 2 * C))).toEqual([0, 0, 0, 0, 0]);
  });
});

describe("block properties", () => {
  it("causal attention: changing a later token never changes an earlier output", () => {
    const [B, L, d, h] = [1, 5, 4, 2];
    const p = { wQ: randn(d * d), wK: randn(d * d), wV: randn(d * d), wO: randn(d * d), bQ: null, bK: null, bV: null, bO: null };
    const x = randn(B * L * d);
    const y1 = Attention.forward(x, p, B, L, d, h, { causal: true }).y;
    for (let j = 3 * d; j < L * d; j++) x[j] += 1; // positions 3 and 4
    const y2 = Attention.forward(x, p, B, L, d, h, { causal: true }).y;
    expect(Array.from(y2.subarray(0, 3 * d))).toEqual(Array.from(y1.subarray(0, 3 * d)));
    expect(maxRelDiff(y2.subarray(3 * d), y1.subarray(3 * d))).toBeGreaterThan(1e-3);
  });

  it("attention's headMask 0 equals zeroing that head's rows of W^O", () => {
    const [B, L, d, h] = [2, 3, 6, 3];
    const p = { wQ: randn(d * d), wK: randn(d * d), wV: randn(d * d), wO: randn(d * d), bQ: randn(d), bK: null, bV: null, bO: randn(d) };
    const x = randn(B * L * d);
    const masked = Attention.forward(x, p, B, L, d, h, { headMask: Float64Array.of(1, 0, 1) }).y;
    const wO = p.wO.slice();
    wO.fill(0, 2 * d, 4 * d); // head 2's rows (d/h = 2 rows of d)
    expect(maxRelDiff(masked, Attention.forward(x, { ...p, wO }, B, L, d, h).y)).toBeLessThan(1e-15);
  });

  it("grouped-query attention is multi-head attention with each K/V head repeated (llama's repeat_kv)", () => {
    const [B, L, d, h, hKV] = [1, 4, 8, 4, 2];
    const dK = d / h;
    const wK = randn(d * hKV * dK);
    const wV = randn(d * hKV * dK);
    const repeat = (w: Float64Array) => Float64Array.from({ length: d * d }, (_, k) => { // (d, h·dK): column block i = block ⌊i/2⌋
      const [row, col] = [Math.floor(k / d), k % d];
      return w[row * hKV * dK + Math.floor(col / dK / (h / hKV)) * dK + (col % dK)];
    });
    const p = { wQ: randn(d * d), wK, wV, wO: randn(d * d), bQ: null, bK: null, bV: null, bO: null };
    const x = randn(B * L * d);
    const gqa = Attention.forward(x, p, B, L, d, h, { causal: true, numKVHeads: hKV });
    const mha = Attention.forward(x, { ...p, wK: repeat(wK), wV: repeat(wV) }, B, L, d, h, { causal: true });
    expect(maxRelDiff(gqa.y, mha.y)).toBeLessThan(1e-15);
    expect(maxRelDiff(gqa.weights, mha.weights)).toBeLessThan(1e-15);
    expect(() => Attention.forward(x, p, B, L, d, h, { numKVHeads: 3 })).toThrow("attention: numKVHeads 3 does not divide the 4 query heads");
  });

  it("a batch of two sequences equals each sequence alone", () => {
    const [L, d, h] = [4, 4, 2];
    const p = { wQ: randn(d * d), wK: randn(d * d), wV: randn(d * d), wO: randn(d * d), bQ: null, bK: null, bV: null, bO: null };
    const x = randn(2 * L * d);
    const both = Attention.forward(x, p, 2, L, d, h, { causal: true }).y;
    const second = Attention.forward(x.slice(L * d), p, 1, L, d, h, { causal: true }).y;
    expect(maxRelDiff(both.subarray(L * d), second)).toBeLessThan(1e-15);
  });

  it("embedding of a token used twice sends both gradients to its row", () => {
    const table = randn(3 * 2);
    expect(Array.from(Embedding.forward([2, 2], table, 2))).toEqual([table[4], table[5], table[4], table[5]]);
    expect(Array.from(LearnedPositions.forward(new Float64Array(4), Float64Array.of(1, 2, 3, 4), 1, 2, 2))).toEqual([1, 2, 3, 4]);
  });

  it("errors name what was passed", () => {
    const p = { wQ: randn(16), wK: randn(16), wV: randn(16), wO: randn(16), bQ: null, bK: null, bV: null, bO: null };
    expect(() => Attention.forward(randn(12), p, 1, 3, 4, 3)).toThrow("attention: d = 4 is not divisible by h = 3 heads");
    expect(() => Attention.forward(randn(11), p, 1, 3, 4, 2)).toThrow("attention: x has 11 numbers but B·L·d = 1·3·4 = 12");
    expect(() => Attention.forward(randn(12), p, 1, 3, 4, 2, { context: randn(8) })).toThrow("attention: contextLength (S) is required with context");
    expect(() => Attention.forward(randn(12), p, 1, 3, 4, 2, { keyPadding: Uint8Array.of(0, 1) })).toThrow("attention: keyPadding must be a Uint8Array of B·S = 1·3 = 3 flags (1 = padding), got a Uint8Array of 2");
    expect(() => Attention.forward(randn(12), p, 1, 3, 4, 2, { keyPadding: [0, 0, 1] as never })).toThrow("attention: keyPadding must be a Uint8Array of B·S = 1·3 = 3 flags (1 = padding), got an array of 3");
    // a padding key gets no weight from any query, and the rest of each row still sums to 1
    const w = Attention.forward(randn(12), p, 1, 3, 4, 2, { keyPadding: Uint8Array.of(0, 1, 0) }).weights; // (1, 2, 3, 3)
    for (let r = 0; r < 6; r++) expect([w[r * 3 + 1], w[r * 3] + w[r * 3 + 2]]).toEqual([0, expect.closeTo(1, 14)]);
    expect(() => Residual.forward(randn(2), randn(3))).toThrow("residual: x has 2 numbers but the sub-layer's output has 3");
    expect(() => CrossEntropy.forward(Float64Array.of(NaN, 0), [0], 1, 2)).toThrow("logits[0][0] is NaN");
  });
});
