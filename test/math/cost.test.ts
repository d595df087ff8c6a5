import { describe, expect, it } from "vitest";
import { mhaCost } from "../../src/math/cost";
import { MultiHeadAttention } from "../../src/math/multi-head";
import { expectClose, lcg, randMatrix } from "./_helpers";

type M = number[][];

/**
 * Run multi-head attention with plain loops that COUNT operations as they happen:
 * a multiply-add = 2, a lone add (bias) = 1, the 1/√dK multiply = 1. Softmax and masks are not counted.
 */
function countingForward(mha: MultiHeadAttention, x: M, y: M, z: M): { output: M; flops: number } {
  let flops = 0;
  const mm = (a: M, b: M): M => a.map((row) => b[0].map((_, j) => {
    let s = 0;
    for (let k = 0; k < b.length; k++) { s += row[k] * b[k][j]; flops += 2; }
    return s;
  }));
  const addBias = (a: M, b: number[] | null): M => (b == null ? a : a.map((row) => row.map((v, j) => { flops += 1; return v + b[j]; })));
  const p = mha.params;
  const h = mha.numHeads;
  const d = mha.dK;
  const Q = addBias(mm(x, p.wQ), p.bQ);
  const K = addBias(mm(y, p.wK), p.bK);
  const V = addBias(mm(z, p.wV), p.bV);
  const cols = (a: M, i: number) => a.map((r) => r.slice(i * d, (i + 1) * d));
  const heads: M[] = [];
  for (let i = 0; i < h; i++) {
    const kT = cols(K, i)[0].map((_, c) => cols(K, i).map((r) => r[c]));
    const s = mm(cols(Q, i), kT).map((r) => r.map((v) => { flops += 1; return v / Math.sqrt(d); }));
    const w = s.map((r) => { const m = Math.max(...r); const e = r.map((v) => Math.exp(v - m)); const t = e.reduce((a, b) => a + b); return e.map((v) => v / t); });
    heads.push(mm(w, cols(V, i)));
  }
  const concat = heads[0].map((_, r) => heads.flatMap((hd) => hd[r]));
  return { output: addBias(mm(concat, p.wO), p.bO), flops };
}

describe("mhaCost", () => {
  it("mhaCost({ dModel: 8, numHeads: 2, seqLen: 4 }).params.total is 4·8·8 + 4·8 = 288", () => {
    expect(mhaCost({ dModel: 8, numHeads: 2, seqLen: 4 }).params.total).toBe(288);
  });

  for (const c of [
    { dModel: 8, numHeads: 2, seqLen: 4 },
    { dModel: 8, numHeads: 1, seqLen: 3, kvLen: 5, kdim: 3, vdim: 6 },
    { dModel: 12, numHeads: 4, seqLen: 2, kvLen: 3, bias: false },
  ]) {
    it(`params and FLOPs match a direct count for ${JSON.stringify(c)}`, () => {
      const { seqLen: _L, kvLen: _S, ...layer } = c as typeof c & { kvLen?: number };
      const mha = MultiHeadAttention.random({ ...layer, seed: 1 }); // random takes the layer's options only
      const cost = mhaCost(c);
      // parameters: count every number in the layer, and in PyTorch's state dict
      const p = mha.params;
      const count = [p.wQ, p.wK, p.wV, p.wO].reduce((s, w) => s + w.flat().length, 0) +
        [p.bQ, p.bK, p.bV, p.bO].reduce((s, b) => s + (b ? b.length : 0), 0);
      expect(cost.params.total).toBe(count);
      const torchCount = Object.values(mha.toTorchStateDict()).reduce((s, t) => s + (t as unknown[]).flat().length, 0);
      expect(cost.params.total).toBe(torchCount);
      // FLOPs: run the layer with counting loops (and check it computes the same output)
      const r = lcg(2);
      const x = randMatrix(c.seqLen, c.dModel, r);
      const y = randMatrix(c.kvLen ?? c.seqLen, c.kdim ?? c.dModel, r);
      const z = randMatrix(c.kvLen ?? c.seqLen, c.vdim ?? c.dModel, r);
      const counted = countingForward(mha, x, y, z);
      expectClose(counted.output, mha.forward(x, y, z).output, 1e-12);
      expect(cost.flops.total).toBe(counted.flops);
      expect(cost.softmaxElements).toBe(c.numHeads * c.seqLen * (c.kvLen ?? c.seqLen));
    });
  }

  it("h heads cost the same as one head at the same dModel (except scale and softmax)", () => {
    const one = mhaCost({ dModel: 64, numHeads: 1, seqLen: 10 });
    const eight = mhaCost({ dModel: 64, numHeads: 8, seqLen: 10 });
    expect(eight.params).toEqual(one.params);
    expect(eight.flops.scores).toBe(one.flops.scores);
    expect(eight.flops.weightedSum).toBe(one.flops.weightedSum);
    expect(eight.flops.scale).toBe(8 * one.flops.scale);
  });

  it("dK = dModel / h given explicitly is the default regime", () => {
    for (const h of [1, 2, 4, 8]) {
      expect(mhaCost({ dModel: 16, numHeads: h, seqLen: 5, kvLen: 3, dK: 16 / h })).toEqual(mhaCost({ dModel: 16, numHeads: h, seqLen: 5, kvLen: 3 }));
    }
  });

  it("fixed dK: params and FLOPs match a direct count of a layer with (dModel, h·dK) projections", () => {
    for (const c of [{ dModel: 6, numHeads: 3, dK: 4, seqLen: 3, kvLen: 5 }, { dModel: 4, numHeads: 1, dK: 8, seqLen: 2 }]) {
      const r = lcg(7);
      const HK = c.numHeads * c.dK;
      const params = {
        wQ: randMatrix(c.dModel, HK, r), wK: randMatrix(c.dModel, HK, r), wV: randMatrix(c.dModel, HK, r), wO: randMatrix(HK, c.dModel, r),
        bQ: randMatrix(1, HK, r)[0], bK: randMatrix(1, HK, r)[0], bV: randMatrix(1, HK, r)[0], bO: randMatrix(1, c.dModel, r)[0],
      };
      const layer = { params, numHeads: c.numHeads, dK: c.dK } as unknown as MultiHeadAttention;
      const S = c.kvLen ?? c.seqLen;
      const counted = countingForward(layer, randMatrix(c.seqLen, c.dModel, r), randMatrix(S, c.dModel, r), randMatrix(S, c.dModel, r));
      const cost = mhaCost(c);
      expect(cost.flops.total).toBe(counted.flops);
      const numbers = [params.wQ, params.wK, params.wV, params.wO].reduce((s, w) => s + w.flat().length, 0) + 3 * HK + c.dModel;
      expect(cost.params.total).toBe(numbers);
    }
  });

  it("fixed dK: parameters and FLOPs grow linearly with h; the default regime's stay flat", () => {
    const fixed = [1, 2, 4, 8, 16].map((h) => mhaCost({ dModel: 64, numHeads: h, seqLen: 10, dK: 16, bias: false }));
    fixed.forEach((c, i) => {
      const h = 2 ** i;
      expect(c.params.total).toBe(h * 4 * 64 * 16); // four (64, h·16) or (h·16, 64) matrices
      expect(c.flops.total).toBe(h * fixed[0].flops.total);
    });
    const flat = [1, 2, 4, 8, 16].map((h) => mhaCost({ dModel: 64, numHeads: h, seqLen: 10, bias: false }).params.total);
    expect(new Set(flat).size).toBe(1);
  });

  it("dV can differ from dK", () => {
    const c = mhaCost({ dModel: 8, numHeads: 2, seqLen: 3, dK: 2, dV: 5, bias: false });
    expect(c.params).toEqual({ wQ: 8 * 4, wK: 8 * 4, wV: 8 * 10, wO: 10 * 8, biases: 0, total: 32 + 32 + 80 + 80 });
    expect(c.flops.weightedSum).toBe(2 * 2 * 3 * 3 * 5);
  });

  it("errors name the size", () => {
    expect(() => mhaCost({ dModel: 8, numHeads: 2, seqLen: 4, dK: 0 })).toThrow("dK must be a positive integer, got 0");
    expect(() => mhaCost({ dModel: 10, numHeads: 3, seqLen: 4 })).toThrow("dModel 10 is not divisible by numHeads 3");
    expect(() => mhaCost({ dModel: 8, numHeads: 2, seqLen: 0 })).toThrow("seqLen must be a positive integer, got 0");
    expect(() => mhaCost(undefined as never)).toThrow("mhaCost options must be an object { dModel, numHeads");
    expect(() => mhaCost({ dModel: 8, numHeads: 2, seqlen: 4 } as never)).toThrow("`seqlen` is not an option of mhaCost; did you mean `seqLen`?");
  });
});
