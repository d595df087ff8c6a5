/**
 * Additive heads inside the attention block (issue 22): e_ts = w_iᵀ·tanh(Q_i[t] + K_g[s]), checked three ways:
 * against a PyTorch float64 module written from the same equations (scripts/golden_blocks.py,
 * AdditiveMultiHeadAttention: fixtures in test/blocks/fixtures/additive), against central finite differences of the
 * block's own forward, and (one head) against src/math's readable additiveAttention.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Attention } from "../../src/blocks";
import type { AttentionParams } from "../../src/blocks";
import { additiveAttention } from "../../src/math/additive";
import { zeroFlatParams } from "../../src/math/fast/flat-attention";
import { mulberry32 } from "../../src/math/random";
import type { BlockFixture } from "./_fixtures";
import { dot, f64, maxRelDiff, numericGrad } from "./_fixtures";

const DIR = join(__dirname, "fixtures", "additive");
const fixtures: Record<string, BlockFixture> = Object.fromEntries(readdirSync(DIR).filter((f) => f.endsWith(".json")).map((f) => {
  const fx = JSON.parse(readFileSync(join(DIR, f), "utf8")) as BlockFixture;
  return [fx.name, fx];
}));

const KEYS = ["wQ", "wK", "wV", "wO", "bQ", "bK", "bV", "bO", "wA"] as const;
const rand = mulberry32(22);
const randn = (n: number, scale = 1) => Float64Array.from({ length: n }, () => (2 * rand() - 1) * scale);
/** (B·L, d) rows as nested arrays, sequence b. */
const rows = (f: Float64Array, b: number, n: number, w: number) => Array.from({ length: n }, (_, i) => Array.from(f.subarray((b * n + i) * w, (b * n + i + 1) * w)));

describe("additive attention block against PyTorch autograd (test/blocks/fixtures/additive)", () => {
  it("the script wrote every case: self, causal, cross; h = 1, 2, 4; numKVHeads < h twice", () => {
    expect(Object.keys(fixtures).sort()).toEqual([
      "additive_causal_gqa_h4_kv1", "additive_causal_h2", "additive_cross_h4", "additive_self_gqa_h4_kv2", "additive_self_h1",
    ]);
  });

  for (const name of Object.keys(fixtures).sort()) {
    it(`Attention.forward(…, { scoring: "additive" }) and its backward equal torch (${name})`, () => {
      const fx = fixtures[name];
      const { B, L, S, d, h, numKVHeads } = fx.sizes as Record<string, number>;
      const role = fx.sizes.role;
      const p = Object.fromEntries(KEYS.map((k) => [k, f64(fx.params[k])])) as unknown as AttentionParams;
      const context = role === "cross" ? f64(fx.inputs.context) : undefined;
      const opts = { causal: role === "causal", context, contextLength: S, numKVHeads, scoring: "additive" as const };
      const c = Attention.forward(f64(fx.inputs.x), p, B, L, d, h, opts);
      expect(maxRelDiff(c.y, fx.outputs.y.data)).toBeLessThan(1e-12);
      expect(maxRelDiff(c.weights, fx.outputs.weights.data)).toBeLessThan(1e-12);
      const g = zeroFlatParams(p);
      const r = Attention.backward(c, p, f64(fx.G!), g);
      expect(maxRelDiff(r.dX, fx.grads.x.data)).toBeLessThan(1e-12);
      if (context) expect(maxRelDiff(r.dContext!, fx.grads.context.data)).toBeLessThan(1e-12);
      for (const k of KEYS) expect(maxRelDiff(g[k]!, fx.grads[k].data), k).toBeLessThan(1e-12);
    });
  }
});

describe("additive attention block against finite differences", () => {
  const cases = [
    { role: "self", h: 2, hKV: 2 }, { role: "causal", h: 4, hKV: 2 }, { role: "cross", h: 2, hKV: 1 },
    { role: "keys", h: 1, hKV: 1 },
  ] as const;
  for (const { role, h, hKV } of cases) {
    it(`Attention.backward, scoring "additive" (${role}, h = ${h}, numKVHeads = ${hKV}): every input and parameter`, () => {
      const [B, L, d] = [2, 3, 4];
      const [S, dKV] = role === "cross" ? [4, 3] : [L, d];
      const dK = d / h;
      const x = randn(B * L * d);
      const context = role === "cross" ? randn(B * S * dKV) : undefined;
      const keys = role === "keys" ? randn(B * L * d) : undefined;
      const p: AttentionParams = {
        wQ: randn(d * d), wK: randn(dKV * hKV * dK), wV: randn(dKV * hKV * dK), wO: randn(d * d),
        bQ: randn(d), bK: randn(hKV * dK), bV: randn(hKV * dK), bO: randn(d), wA: randn(h * dK, 2),
      };
      const G = randn(B * L * d);
      const opts = { causal: role === "causal", context, contextLength: S, keys, numKVHeads: hKV, scoring: "additive" as const };
      const loss = () => dot(Attention.forward(x, p, B, L, d, h, opts).y, G);
      const g = zeroFlatParams(p);
      const r = Attention.backward(Attention.forward(x, p, B, L, d, h, opts), p, G, g);
      expect(maxRelDiff(r.dX, numericGrad(x, loss))).toBeLessThan(1e-7);
      if (context) expect(maxRelDiff(r.dContext!, numericGrad(context, loss))).toBeLessThan(1e-7);
      if (keys) expect(maxRelDiff(r.dKeys!, numericGrad(keys, loss))).toBeLessThan(1e-7);
      for (const k of KEYS) expect(maxRelDiff(g[k]!, numericGrad(p[k]!, loss)), k).toBeLessThan(1e-7);
    });
  }
});

describe("additive attention block: properties and errors", () => {
  it("one head (h = 1, no biases) equals additiveAttention(x, c, c·W^V, { wQ: W^Q, wK: W^K, wV: w }) to 1e-12", () => {
    const [B, L, S, d, dKV] = [2, 4, 3, 3, 5];
    const x = randn(B * L * d);
    const context = randn(B * S * dKV);
    const p: AttentionParams = {
      wQ: randn(d * d), wK: randn(dKV * d), wV: randn(dKV * d), wO: randn(d * d), bQ: null, bK: null, bV: null, bO: null, wA: randn(d, 2),
    };
    const c = Attention.forward(x, p, B, L, d, 1, { context, contextLength: S, scoring: "additive", causal: true });
    const W = (f: Float64Array, n: number) => rows(f, 0, n, d); // (n, d) weight as nested rows
    for (let b = 0; b < B; b++) {
      const ctx = rows(context, b, S, dKV); // (S, dKV)
      const v = ctx.map((cr) => Array.from({ length: d }, (_, j) => cr.reduce((s, cv, m) => s + cv * p.wV[m * d + j], 0))); // (S, d)
      const causal = Array.from({ length: L }, (_, i) => Array.from({ length: S }, (_, j) => j > i)); // (L, S)
      const one = additiveAttention(rows(x, b, L, d), ctx, v, { wQ: W(p.wQ, d), wK: W(p.wK, dKV), wV: Array.from(p.wA!) }, causal);
      expect(maxRelDiff(c.weights.subarray(b * L * S, (b + 1) * L * S), one.weights.flat())).toBeLessThan(1e-12);
      expect(maxRelDiff(c.flat.concat.subarray(b * L * d, (b + 1) * L * d), one.output.flat())).toBeLessThan(1e-12);
    }
  });

  it("scoring \"dot\" (the default) is bit-identical with and without the option", () => {
    const [B, L, d, h] = [2, 3, 4, 2];
    const p: AttentionParams = { wQ: randn(d * d), wK: randn(d * d), wV: randn(d * d), wO: randn(d * d), bQ: randn(d), bK: null, bV: null, bO: null };
    const x = randn(B * L * d);
    const a = Attention.forward(x, p, B, L, d, h, { causal: true });
    const b = Attention.forward(x, { ...p, wA: null }, B, L, d, h, { causal: true, scoring: "dot" });
    expect(Array.from(b.y)).toEqual(Array.from(a.y));
    expect(a.flat.tanh).toBeNull();
  });

  it("additive weights are a softmax: each row sums to 1, causally masked keys get exactly 0", () => {
    const [B, L, d, h] = [1, 4, 4, 2];
    const p: AttentionParams = { wQ: randn(d * d), wK: randn(d * d), wV: randn(d * d), wO: randn(d * d), bQ: null, bK: null, bV: null, bO: null, wA: randn(d) };
    const c = Attention.forward(randn(B * L * d), p, B, L, d, h, { causal: true, scoring: "additive" });
    for (let r = 0; r < h * L; r++) {
      const row = Array.from(c.weights.subarray(r * L, (r + 1) * L));
      expect(Math.abs(row.reduce((s, w) => s + w, 0) - 1)).toBeLessThan(1e-15);
      for (let j = (r % L) + 1; j < L; j++) expect(row[j]).toBe(0);
    }
  });

  it("property: without a mask, additive self-attention is permutation-equivariant, and cross-attention ignores the order of the context", () => {
    const [L, S, d, h] = [4, 3, 4, 2];
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4 }), (seed, perm) => {
      const r = mulberry32(seed);
      const rn = (n: number) => Float64Array.from({ length: n }, () => 2 * r() - 1);
      const p: AttentionParams = { wQ: rn(d * d), wK: rn(d * d), wV: rn(d * d), wO: rn(d * d), bQ: rn(d), bK: rn(d), bV: rn(d), bO: rn(d), wA: rn(d) };
      const x = rn(L * d);
      const permute = (f: Float64Array, idx: number[]) => Float64Array.from(idx.flatMap((i) => Array.from(f.subarray(i * d, (i + 1) * d))));
      const y = Attention.forward(x, p, 1, L, d, h, { scoring: "additive" }).y;
      const yp = Attention.forward(permute(x, perm), p, 1, L, d, h, { scoring: "additive" }).y;
      expect(maxRelDiff(yp, permute(y, perm))).toBeLessThan(1e-12);
      const c = rn(S * d);
      const opts = (context: Float64Array) => ({ scoring: "additive" as const, context, contextLength: S });
      const cross = Attention.forward(x, p, 1, L, d, h, opts(c)).y;
      const crossP = Attention.forward(x, p, 1, L, d, h, opts(permute(c, perm.filter((i) => i < S)))).y;
      expect(maxRelDiff(crossP, cross)).toBeLessThan(1e-12);
    }), { numRuns: 30 });
  });

  it("errors name what was passed: unknown scoring, wA missing, wA of the wrong length, wA with dot scoring", () => {
    const [L, d, h] = [3, 4, 2];
    const p: AttentionParams = { wQ: randn(16), wK: randn(16), wV: randn(16), wO: randn(16), bQ: null, bK: null, bV: null, bO: null };
    const x = randn(L * d);
    expect(() => Attention.forward(x, p, 1, L, d, h, { scoring: "addtive" as never }))
      .toThrow('attention: scoring must be "dot" or "additive", got the string "addtive"; did you mean "additive"?');
    expect(() => Attention.forward(x, p, 1, L, d, h, { scoring: 3 as never })).toThrow('attention: scoring must be "dot" or "additive", got 3');
    expect(() => Attention.forward(x, p, 1, L, d, h, { scorng: "additive" } as never))
      .toThrow("`scorng` is not an option of attention; did you mean `scoring`?");
    expect(() => Attention.forward(x, p, 1, L, d, h, { scoring: "additive" }))
      .toThrow('attention: scoring "additive" needs the parameter wA (h, dK) = (2, 2), got none');
    expect(() => Attention.forward(x, { ...p, wA: null }, 1, L, d, h, { scoring: "additive" }))
      .toThrow('attention: scoring "additive" needs the parameter wA (h, dK) = (2, 2), got null');
    expect(() => Attention.forward(x, { ...p, wA: randn(3) }, 1, L, d, h, { scoring: "additive" }))
      .toThrow('attention: wA has 3 numbers but scoring "additive" needs (h, dK) = (2, 2) = 4');
    expect(() => Attention.forward(x, { ...p, wA: randn(4) }, 1, L, d, h))
      .toThrow('attention: wA is given but scoring is "dot", which has no score vector; pass wA: null, or scoring: "additive"');
    const c = Attention.forward(x, { ...p, wA: randn(4) }, 1, L, d, h, { scoring: "additive" });
    expect(() => Attention.backward(c, { ...p, wA: randn(4) }, randn(L * d), zeroFlatParams(p)))
      .toThrow("mhaBackwardFlat: the forward scored additively: p.wA and grads.wA are needed");
  });
});
