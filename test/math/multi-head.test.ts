import { describe, expect, it } from "vitest";
import { concatHeads } from "../../src/math/heads";
import { linear } from "../../src/math/linear";
import { causalMask, keyPaddingMask, toAdditiveMask } from "../../src/math/masks";
import { MultiHeadAttention } from "../../src/math/multi-head";
import type { TorchStateDict } from "../../src/math/torch-state-dict";
import { scaledDotProductAttention } from "../../src/math/scaled-dot-product";
import { expectClose, lcg, randMatrix, refMha } from "./_helpers";

const r = lcg(11);
const X = randMatrix(4, 8, r); // (L=4, dModel=8)
const Y = randMatrix(5, 3, r); // (S=5, kdim=3)
const Z = randMatrix(5, 6, r); // (S=5, vdim=6)

/** A layer with non-zero biases, so bias handling is exercised. */
function layer(opts: { dModel: number; numHeads: number; kdim?: number; vdim?: number; bias?: boolean; seed?: number }): MultiHeadAttention {
  const base = MultiHeadAttention.random(opts);
  if (opts.bias === false) return base;
  const rb = lcg(99);
  const b = () => randMatrix(1, opts.dModel, rb)[0];
  return new MultiHeadAttention({ ...base.params, bQ: b(), bK: b(), bV: b(), bO: b() }, opts.numHeads);
}

describe("MultiHeadAttention.random", () => {
  it("has the paper shapes and dK = dV = dModel / numHeads", () => {
    const m = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 0, kdim: 3, vdim: 6 });
    expect([m.dModel, m.numHeads, m.dK, m.dV, m.kdim, m.vdim]).toEqual([8, 2, 4, 4, 3, 6]);
    expect([m.params.wQ.length, m.params.wQ[0].length]).toEqual([8, 8]);
    expect([m.params.wK.length, m.params.wK[0].length]).toEqual([3, 8]);
    expect([m.params.wV.length, m.params.wV[0].length]).toEqual([6, 8]);
    expect(m.params.bQ).toEqual(new Array(8).fill(0));
    expect(MultiHeadAttention.random({ dModel: 4, numHeads: 1, bias: false }).params.bO).toBeNull();
  });
  it("same seed → same weights; different seed → different weights", () => {
    const a = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 5 });
    const b = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 5 });
    const c = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 6 });
    expect(a.params).toEqual(b.params);
    expect(a.params.wQ).not.toEqual(c.params.wQ);
    expect(a.params.wO).not.toEqual(c.params.wO);
  });
  it("draws Glorot-uniform weights within ±√(6/(fanIn+fanOut))", () => {
    const m = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 1, kdim: 4 });
    expect(Math.max(...m.params.wQ.flat().map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 16));
    expect(Math.max(...m.params.wK.flat().map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 12));
  });
  it("errors name the sizes", () => {
    expect(() => MultiHeadAttention.random({ dModel: 10, numHeads: 3, seed: 0 })).toThrow("dModel 10 is not divisible by numHeads 3");
    expect(() => MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 0.5 })).toThrow("seed must be an integer, got 0.5");
    expect(() => MultiHeadAttention.random({ dModel: 0, numHeads: 1 })).toThrow("dModel must be a positive integer, got 0");
    expect(() => MultiHeadAttention.random({ dModel: 4, numHeads: 1, kdim: -1 })).toThrow("kdim must be a positive integer, got -1");
  });
});

describe("MultiHeadAttention.forward", () => {
  const mha = layer({ dModel: 8, numHeads: 2, seed: 3 });

  it("self-attention equals the plain-loop reference; key and value default to query", () => {
    const t = mha.forward(X);
    expectClose(t.output, refMha(mha.params, 2, X, X, X, null).output, 1e-12);
    expect(mha.forward(X, X, X)).toEqual(t);
    expect(mha.forward(X, X)).toEqual(t);
    expect([t.output.length, t.output[0].length]).toEqual([4, 8]);
    expect(t.weights).toHaveLength(2);
    expect(t.fullyMaskedRows).toEqual([]);
    expect(t.mask).toBeNull();
  });

  it("cross-attention with kdim = 3, vdim = 6 equals the reference", () => {
    const cross = layer({ dModel: 8, numHeads: 4, kdim: 3, vdim: 6, seed: 4 });
    const t = cross.forward(X, Y, Z);
    const ref = refMha(cross.params, 4, X, Y, Z, null);
    expectClose(t.output, ref.output, 1e-12);
    expectClose(t.weights, ref.weights, 1e-12);
    expect([t.weights[0].length, t.weights[0][0].length]).toEqual([4, 5]); // (L, S)
  });

  it("the trace holds every step: per-head q, k, v, scores, concat, contributions, meanWeights", () => {
    const t = mha.forward(X, { causal: true });
    expect(t.heads).toHaveLength(2);
    expect([t.heads[1].q.length, t.heads[1].q[0].length]).toEqual([4, 4]);
    expect(t.concat).toEqual(concatHeads(t.heads.map((h) => h.output)));
    expectClose(t.output, linear(t.concat, mha.params.wO, mha.params.bO), 1e-15);
    const summed = t.output.map((row, i) => row.map((_, j) => t.contributions[0][i][j] + t.contributions[1][i][j] + (mha.params.bO as number[])[j]));
    expectClose(summed, t.output, 1e-12);
    expectClose(t.meanWeights, t.weights[0].map((row, i) => row.map((w, j) => (w + t.weights[1][i][j]) / 2)), 1e-15);
    expect(t.weights).toEqual(t.heads.map((h) => h.weights));
  });

  it("causal: true gives exactly the same trace outputs as attnMask = causalMask(L)", () => {
    const a = mha.forward(X, { causal: true });
    const b = mha.forward(X, null, null, { attnMask: causalMask(4) });
    expect(a.output).toEqual(b.output);
    expect(a.weights).toEqual(b.weights);
    expect(a.weights[0][0]).toEqual([1, 0, 0, 0]);
    expectClose(a.output, refMha(mha.params, 2, X, X, X, toAdditiveMask(causalMask(4))).output, 1e-12);
  });

  it("keyPaddingMask equals the same pattern given as an explicit (L, S) attnMask", () => {
    const pad = keyPaddingMask(3, 4); // last key is padding
    const a = mha.forward(X, { keyPaddingMask: pad });
    const b = mha.forward(X, { attnMask: X.map(() => pad.slice()) });
    expect(a.output).toEqual(b.output);
    expect(a.weights.every((w) => w.every((row) => row[3] === 0))).toBe(true);
  });

  it("masks combine like PyTorch: bool OR bool; float attnMask + bool padding → float + -Infinity", () => {
    const pad = [false, false, true, false];
    const a = mha.forward(X, { causal: true, keyPaddingMask: pad });
    const explicit = causalMask(4).map((row) => row.map((c, j) => c || pad[j]));
    expect(a.output).toEqual(mha.forward(X, { attnMask: explicit }).output);
    const f = randMatrix(4, 4, lcg(5));
    const b = mha.forward(X, { attnMask: f, keyPaddingMask: pad });
    const fPlus = f.map((row) => row.map((v, j) => v + (pad[j] ? -Infinity : 0)));
    expectClose(b.output, refMha(mha.params, 2, X, X, X, fPlus).output, 1e-12);
    expect(b.mask).toEqual(fPlus);
  });

  it("fully masked rows: zero weights, output = bO, listed in fullyMaskedRows, no NaN (PyTorch gives NaN)", () => {
    const mask = [[false, true, true, true], [true, true, true, true], [false, false, true, true], [true, true, true, true]];
    const t = mha.forward(X, { attnMask: mask });
    expect(t.fullyMaskedRows).toEqual([1, 3]);
    for (const w of t.weights) expect(w[1]).toEqual([0, 0, 0, 0]);
    expect(t.output[3]).toEqual(mha.params.bO);
    expect(t.output.flat().some(Number.isNaN)).toBe(false);
    const all = mha.forward(X, { keyPaddingMask: [true, true, true, true] });
    expect(all.fullyMaskedRows).toEqual([0, 1, 2, 3]);
  });

  it("h = 1 equals single-head scaledDotProductAttention on the projected inputs", () => {
    const one = layer({ dModel: 8, numHeads: 1, seed: 8 });
    const p = one.params;
    const t = one.forward(X, { causal: true });
    const single = scaledDotProductAttention(linear(X, p.wQ, p.bQ), linear(X, p.wK, p.bK), linear(X, p.wV, p.bV), causalMask(4));
    expectClose(t.heads[0].weights, single.weights, 1e-15);
    expectClose(t.output, linear(single.output, p.wO, p.bO), 1e-14);
  });

  it("bias = false works and matches the reference", () => {
    const nb = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 2, bias: false });
    expectClose(nb.forward(X).output, refMha(nb.params, 2, X, X, X, null).output, 1e-12);
  });

  it("errors: every bad input named with its numbers", () => {
    const q5 = randMatrix(3, 5, lcg(1));
    expect(() => mha.forward(q5)).toThrow("query has 5 columns but dModel is 8");
    const bad = X.map((row) => row.slice());
    bad[2][3] = NaN;
    expect(() => mha.forward(bad)).toThrow("query[2][3] is NaN");
    expect(() => mha.forward(X, { attnMask: causalMask(3, 4) })).toThrow("attnMask is 3×4 but the attention is 4×4");
    expect(() => mha.forward([])).toThrow("query is empty (0 rows)");
    expect(() => mha.forward([X[0], X[1].slice(1)])).toThrow("query is ragged: row 1 has 7 columns but row 0 has 8");
    expect(() => mha.forward(X, X, X.slice(0, 3))).toThrow("value has 3 rows but key has 4 rows");
    expect(() => mha.forward(X, X.map((r) => r.slice(0, 3)))).toThrow("key has 3 columns but kdim is 8");
    expect(() => mha.forward(X, { keyPaddingMask: [false, true] })).toThrow("keyPaddingMask has 2 entries but key has 4 rows");
    expect(() => mha.forward(X, { attnMask: X.map((r) => r.slice(0, 4).map(() => Infinity)) })).toThrow("attnMask[0][0] is Infinity");
    expect(() => mha.forward(X, { causal: 1 as unknown as boolean })).toThrow("causal must be true or false, got 1");
    expect(() => mha.forward(X, [[Infinity, 0, 0, 0, 0, 0, 0, 0]])).toThrow("key[0][0] is Infinity");
  });
});

describe("PyTorch state dicts", () => {
  it("in_proj_weight rows [W_q; W_k; W_v] become wQ = W_qᵀ etc. (q = x·W_qᵀ)", () => {
    const sd: TorchStateDict = {
      in_proj_weight: [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 12]],
      in_proj_bias: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
      "out_proj.weight": [[1, 0], [0, 2]],
      "out_proj.bias": [0, 1],
    };
    const m = MultiHeadAttention.fromTorchStateDict(sd, { numHeads: 1 });
    expect(m.params.wQ).toEqual([[1, 3], [2, 4]]);
    expect(m.params.wK).toEqual([[5, 7], [6, 8]]);
    expect(m.params.wV).toEqual([[9, 11], [10, 12]]);
    expect(m.params.wO).toEqual([[1, 0], [0, 2]]);
    expect([m.params.bQ, m.params.bK, m.params.bV, m.params.bO]).toEqual([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [0, 1]]);
    // x = [1, 0]: PyTorch's q = W_q·x + b = [1, 3] + [0.1, 0.2]
    expectClose(m.forward([[1, 0]]).heads[0].q, [[1.1, 3.2]], 1e-15);
  });

  it("toTorchStateDict ∘ fromTorchStateDict is the identity (in_proj layout, separate q/k/v layout, bias=False)", () => {
    for (const opts of [
      { dModel: 8, numHeads: 2 },
      { dModel: 8, numHeads: 4, kdim: 3, vdim: 6 },
      { dModel: 6, numHeads: 3, bias: false },
      { dModel: 6, numHeads: 3, kdim: 6, vdim: 2, bias: false },
    ]) {
      const m = layer({ ...opts, seed: 21 });
      const sd = m.toTorchStateDict();
      const back = MultiHeadAttention.fromTorchStateDict(sd, { numHeads: opts.numHeads });
      expect(back.params).toEqual(m.params);
      expect(back.toTorchStateDict()).toEqual(sd);
      const rr = lcg(3);
      const [x, y, z] = [randMatrix(4, opts.dModel, rr), randMatrix(5, opts.kdim ?? opts.dModel, rr), randMatrix(5, opts.vdim ?? opts.dModel, rr)];
      expect(back.forward(x, y, z).output).toEqual(m.forward(x, y, z).output);
    }
  });

  it("uses PyTorch's key names and shapes", () => {
    const sd = layer({ dModel: 8, numHeads: 2 }).toTorchStateDict();
    expect(Object.keys(sd)).toEqual(["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]);
    expect([sd.in_proj_weight.length, (sd.in_proj_weight[0] as number[]).length]).toEqual([24, 8]);
    const sep = MultiHeadAttention.random({ dModel: 8, numHeads: 2, kdim: 3, vdim: 6, bias: false }).toTorchStateDict();
    expect(Object.keys(sep)).toEqual(["q_proj_weight", "k_proj_weight", "v_proj_weight", "out_proj.weight"]);
    expect([sep.k_proj_weight.length, (sep.k_proj_weight[0] as number[]).length]).toEqual([8, 3]);
  });

  it("accepts a prefix such as self_attn.", () => {
    const m = layer({ dModel: 4, numHeads: 2 });
    const sd = Object.fromEntries(Object.entries(m.toTorchStateDict()).map(([k, v]) => [`self_attn.${k}`, v]));
    sd["linear1.weight"] = [[1]];
    expect(MultiHeadAttention.fromTorchStateDict(sd, { numHeads: 2, prefix: "self_attn." }).params).toEqual(m.params);
  });

  it("errors name the key and the shapes", () => {
    const sd = layer({ dModel: 4, numHeads: 2 }).toTorchStateDict();
    const from = (s: TorchStateDict, h = 2) => () => MultiHeadAttention.fromTorchStateDict(s, { numHeads: h });
    expect(from(sd, 3)).toThrow("dModel 4 is not divisible by numHeads 3");
    expect(from({ ...sd, in_proj_weight: sd.in_proj_weight.slice(0, 8) })).toThrow('stateDict["in_proj_weight"] has 8 rows but 3·E is 12');
    expect(from({ ...sd, bias_k: [[0, 0, 0, 0]] })).toThrow("stateDict has bias_k: add_bias_kv=True is not supported");
    expect(from({ ...sd, "out_proj.weights": [[1]] })).toThrow('stateDict has an unknown key "out_proj.weights"');
    const { "out_proj.bias": _, ...noOutBias } = sd;
    expect(from(noOutBias)).toThrow("stateDict has in_proj_bias but no out_proj.bias");
    const { in_proj_weight: __, ...noIn } = sd;
    expect(from(noIn)).toThrow('stateDict["q_proj_weight"] is missing (and there is no in_proj_weight)');
    expect(from({ ...sd, "out_proj.weight": [[1, 2], [3, 4]] })).toThrow('stateDict["in_proj_weight"] has 12 rows but 3·E is 6');
    expect(from({ ...sd, in_proj_bias: [1, 2] })).toThrow('stateDict["in_proj_bias"] has 2 entries but 3·E is 12');
    expect(() => MultiHeadAttention.fromTorchStateDict(sd, {} as never)).toThrow("fromTorchStateDict needs `numHeads`");
    const partial = layer({ dModel: 4, numHeads: 2 });
    const m = new MultiHeadAttention({ ...partial.params, bK: null }, 2);
    expect(() => m.toTorchStateDict()).toThrow("PyTorch's layer has all four biases or none, but only bK is null");
  });

  it("the constructor checks parameter shapes", () => {
    const p = MultiHeadAttention.random({ dModel: 4, numHeads: 2 }).params;
    expect(() => new MultiHeadAttention({ ...p, wO: [[1, 2, 3, 4]] }, 2)).toThrow("wO has 1 rows but dModel is 4");
    expect(() => new MultiHeadAttention({ ...p, wK: [[1, 2]] }, 2)).toThrow("wK has 2 columns but dModel is 4");
    expect(() => new MultiHeadAttention({ ...p, bV: [1] }, 2)).toThrow("bV has 1 entries but dModel is 4");
    expect(() => new MultiHeadAttention(p, 3)).toThrow("dModel 4 is not divisible by numHeads 3");
  });
});
