/**
 * MultiHeadAttention with additive heads (issue 22): scoring "additive" in the readable class, checked against
 * PyTorch (the block fixtures of scripts/golden_blocks.py, one sequence at a time), against the flat path (the block
 * Attention on the same numbers), against finite differences, and (one head) against additiveAttention.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Attention } from "../../src/blocks";
import type { AttentionParams } from "../../src/blocks";
import { additiveAttention } from "../../src/math/additive";
import { fastBackward, fastForward } from "../../src/math/fast";
import { zeroFlatParams } from "../../src/math/fast/flat-attention";
import { MultiHeadAttention } from "../../src/math/multi-head";
import type { MhaLayerParams } from "../../src/math/multi-head";
import { causalMask } from "../../src/math/masks";
import { dotAll, maxAbsDiff, numericGrad } from "./_fd";
import { expectClose, lcg, randMatrix, refMatmul } from "./_helpers";

type M = number[][];
const flat = (m: M | number[] | null | undefined): Float64Array | null => (m == null ? null : Float64Array.from((m as number[][]).flat()));
/** The layer's parameters as the block's flat buffers. */
function flatParams(p: MhaLayerParams): AttentionParams {
  return { wQ: flat(p.wQ)!, wK: flat(p.wK)!, wV: flat(p.wV)!, wO: flat(p.wO)!, bQ: flat(p.bQ), bK: flat(p.bK), bV: flat(p.bV), bO: flat(p.bO), wA: flat(p.wA) };
}
/** rows … rows + n of a flat (·, w) buffer as nested arrays. */
const nested = (f: ArrayLike<number>, w: number, r0: number, n: number): M =>
  Array.from({ length: n }, (_, i) => Array.from({ length: w }, (_, j) => f[(r0 + i) * w + j]));

describe("MultiHeadAttention, scoring \"additive\", against PyTorch autograd (test/blocks/fixtures/additive)", () => {
  const dir = join(__dirname, "..", "blocks", "fixtures", "additive");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    it(`forward and backward, one sequence at a time, equal torch (${file})`, () => {
      const fx = JSON.parse(readFileSync(join(dir, file), "utf8"));
      const { B, L, S, d, h, numKVHeads: hKV, dKV, role } = fx.sizes;
      const dK = d / h;
      const P = (k: string, rows: number) => nested(fx.params[k].data, fx.params[k].data.length / rows, 0, rows);
      const params = {
        wQ: P("wQ", d), wK: P("wK", dKV), wV: P("wV", dKV), wO: P("wO", d), wA: P("wA", h),
        bQ: fx.params.bQ.data, bK: fx.params.bK.data, bV: fx.params.bV.data, bO: fx.params.bO.data,
      };
      const mha = new MultiHeadAttention(params, h, hKV, { scoring: "additive" });
      const sum: Record<string, M | number[]> = {};
      for (let b = 0; b < B; b++) {
        const x = nested(fx.inputs.x.data, d, b * L, L);
        const c = role === "cross" ? nested(fx.inputs.context.data, dKV, b * S, S) : null;
        const t = mha.forward(x, c, c, { causal: role === "causal" });
        expectClose(t.output, nested(fx.outputs.y.data, d, b * L, L), 1e-12);
        expectClose(t.weights, Array.from({ length: h }, (_, i) => nested(fx.outputs.weights.data, S, (b * h + i) * L, L)), 1e-12);
        const g = mha.backward(t, nested(fx.G.data, d, b * L, L));
        const dX = role === "cross" ? g.dQuery : g.dQuery.map((row, i) => row.map((v, j) => v + g.dKey[i][j] + g.dValue[i][j]));
        expectClose(dX, nested(fx.grads.x.data, d, b * L, L), 1e-12);
        if (role === "cross") expectClose(g.dKey.map((row, i) => row.map((v, j) => v + g.dValue[i][j])), nested(fx.grads.context.data, dKV, b * S, S), 1e-12);
        for (const [k, v] of Object.entries(g.dParams)) {
          const prev = sum[k];
          sum[k] = prev == null ? v! : (v as M).map((row: M[number] | number, i: number) => Array.isArray(row)
            ? row.map((e, j) => e + (prev as M)[i][j]) : (row as number) + (prev as number[])[i]) as M;
        }
      }
      for (const k of Object.keys(sum)) expectClose((sum[k] as number[]).flat(), fx.grads[k].data, 1e-12, k);
      expect(Object.keys(sum).sort()).toEqual(["bK", "bO", "bQ", "bV", "wA", "wK", "wO", "wQ", "wV"]);
      expect(dK * h).toBe(d);
    });
  }
});

describe("MultiHeadAttention, scoring \"additive\": the same answer two ways", () => {
  const rand = lcg(2222);
  for (const { h, hKV, cross, causal } of [
    { h: 2, hKV: 2, cross: false, causal: true }, { h: 4, hKV: 2, cross: true, causal: false }, { h: 4, hKV: 1, cross: false, causal: false },
  ]) {
    it(`the readable class equals the flat path (Attention block): weights, output, every gradient (h ${h}, numKVHeads ${hKV}${cross ? ", cross" : ""}${causal ? ", causal" : ""})`, () => {
      const [L, S, E, kdim] = [3, cross ? 4 : 3, 8, cross ? 5 : 8];
      const mha = MultiHeadAttention.random({ dModel: E, numHeads: h, numKVHeads: hKV, kdim, vdim: kdim, scoring: "additive", seed: 7 });
      const p = { ...mha.params, bQ: randMatrix(1, E, rand)[0], bK: randMatrix(1, hKV * E / h, rand)[0] }; // nonzero biases
      const layer = new MultiHeadAttention(p, h, hKV, { scoring: "additive" });
      const x = randMatrix(L, E, rand);
      const c = cross ? randMatrix(S, kdim, rand) : null;
      const G = randMatrix(L, E, rand);
      const t = layer.forward(x, c, c, { causal });
      const fp = flatParams(layer.params);
      const block = Attention.forward(flat(x)!, fp, 1, L, E, h, { causal, numKVHeads: hKV, scoring: "additive", ...(cross ? { context: flat(c)!, contextLength: S } : {}) });
      expectClose(t.output, nested(block.y, E, 0, L), 1e-12);
      expectClose(t.weights.flat(2), Array.from(block.weights), 1e-12);
      const g = layer.backward(t, G);
      const fg = zeroFlatParams(fp);
      const r = Attention.backward(block, fp, flat(G)!, fg);
      const dX = cross ? g.dQuery : g.dQuery.map((row, i) => row.map((v, j) => v + g.dKey[i][j] + g.dValue[i][j]));
      expectClose(dX.flat(), Array.from(r.dX), 1e-12);
      if (cross) expectClose(g.dKey.map((row, i) => row.map((v, j) => v + g.dValue[i][j])).flat(), Array.from(r.dContext!), 1e-12);
      for (const k of ["wQ", "wK", "wV", "wO", "bQ", "bK", "bV", "bO", "wA"] as const) {
        expectClose((g.dParams[k] as number[]).flat(), Array.from(fg[k]!), 1e-12, k);
      }
    });
  }

  it("one head (h = 1, no biases) equals additiveAttention(query, key, key·W^V, { wQ: W^Q, wK: W^K, wV: w }) to 1e-12", () => {
    const rand = lcg(5);
    const [L, S, E, kdim] = [4, 3, 3, 5];
    const params = {
      wQ: randMatrix(E, E, rand), wK: randMatrix(kdim, E, rand), wV: randMatrix(kdim, E, rand), wO: randMatrix(E, E, rand),
      bQ: null, bK: null, bV: null, bO: null, wA: randMatrix(1, E, rand, 2),
    };
    const mha = new MultiHeadAttention(params, 1, 1, { scoring: "additive" });
    const [x, c] = [randMatrix(L, E, rand), randMatrix(S, kdim, rand)];
    const t = mha.forward(x, c, c, { causal: true });
    const one = additiveAttention(x, c, refMatmul(c, params.wV), { wQ: params.wQ, wK: params.wK, wV: params.wA[0] }, causalMask(L, S));
    expect(maxAbsDiff(t.heads[0].weights, one.weights)).toBeLessThan(1e-12);
    expect(maxAbsDiff(t.heads[0].output, one.output)).toBeLessThan(1e-12);
    expect(maxAbsDiff(t.heads[0].scores, one.scores)).toBeLessThan(1e-12);
    expect((t as unknown as { scoring: string }).scoring).toBe("additive");
  });

  it("backward against finite differences: every input and parameter, wA included (h 2, causal, biases)", () => {
    const rand = lcg(9);
    const [L, S, E] = [3, 4, 4];
    const params = {
      wQ: randMatrix(E, E, rand), wK: randMatrix(3, E, rand), wV: randMatrix(3, E, rand), wO: randMatrix(E, E, rand),
      bQ: randMatrix(1, E, rand)[0], bK: randMatrix(1, E, rand)[0], bV: randMatrix(1, E, rand)[0], bO: randMatrix(1, E, rand)[0],
      wA: randMatrix(2, 2, rand, 2),
    };
    const [q, k, v, G] = [randMatrix(L, E, rand), randMatrix(S, 3, rand), randMatrix(S, 3, rand), randMatrix(L, E, rand)];
    const mask = [[false, true, false, false], [false, false, false, true], [false, false, false, false]];
    const loss = () => dotAll(new MultiHeadAttention(params, 2, 2, { scoring: "additive" }).forward(q, k, v, { attnMask: mask }).output, G);
    const mha = new MultiHeadAttention(params, 2, 2, { scoring: "additive" });
    const g = mha.backward(mha.forward(q, k, v, { attnMask: mask }), G);
    expectClose(g.dQuery, numericGrad(q, loss), 1e-7);
    expectClose(g.dKey, numericGrad(k, loss), 1e-7);
    expectClose(g.dValue, numericGrad(v, loss), 1e-7);
    for (const key of ["wQ", "wK", "wV", "wO", "bQ", "bK", "bV", "bO", "wA"] as const) {
      expectClose(g.dParams[key], numericGrad(params[key] as M, loss), 1e-7, key);
    }
  });

  it("random({ scoring: \"additive\" }) draws wA last: wQ … bO are the dot layer's of the same seed; a dot layer has no wA", () => {
    const dot = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 3 });
    const add = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 3, scoring: "additive" });
    const { wA, ...rest } = add.params;
    expect(rest).toEqual(dot.params);
    expect("wA" in dot.params).toBe(false);
    expect(dot.scoring).toBe("dot");
    expect(wA!.length).toBe(2);
    expect(wA![0].length).toBe(4);
    const a = Math.sqrt(6 / 5);
    expect(wA!.flat().every((w) => Math.abs(w) <= a)).toBe(true);
    expect(Object.isFrozen(wA) && Object.isFrozen(wA![0])).toBe(true);
  });
});

describe("MultiHeadAttention, scoring \"additive\": errors name what was passed", () => {
  const p = { wQ: [[1, 0], [0, 1]], wK: [[1, 0], [0, 1]], wV: [[1, 0], [0, 1]], wO: [[1, 0], [0, 1]], bQ: null, bK: null, bV: null, bO: null };
  it("unknown scoring, wA missing, of the wrong shape, or given to a dot layer", () => {
    expect(() => MultiHeadAttention.random({ dModel: 4, numHeads: 2, scoring: "bahdanau" as never }))
      .toThrow('scoring must be "dot" or "additive", got the string "bahdanau"');
    expect(() => new MultiHeadAttention(p, 2, 2, { scoring: "Additive" as never })).toThrow('scoring must be "dot" or "additive", got the string "Additive"');
    expect(() => new MultiHeadAttention(p, 2, 2, { scorer: "additive" } as never)).toThrow("`scorer` is not an option of new MultiHeadAttention; the options are `scoring`");
    expect(() => new MultiHeadAttention(p, 2, 2, { scoring: "additive" }))
      .toThrow('new MultiHeadAttention: scoring "additive" needs params.wA (numHeads, dK) = (2, 1), one score vector per head');
    expect(() => new MultiHeadAttention({ ...p, wA: [[1, 2]] }, 2, 2, { scoring: "additive" })).toThrow("wA has 1 rows but numHeads is 2");
    expect(() => new MultiHeadAttention({ ...p, wA: [[1, 2], [3, 4]] }, 2, 2, { scoring: "additive" })).toThrow("wA has 2 columns but dK is 1");
    expect(() => new MultiHeadAttention({ ...p, wA: [[1], [NaN]] }, 2, 2, { scoring: "additive" })).toThrow("wA[1][0] is NaN");
    expect(() => new MultiHeadAttention({ ...p, wA: [[1], [2]] }, 2))
      .toThrow('new MultiHeadAttention: params.wA is only read by additive scoring; pass { scoring: "additive" }, or drop wA');
  });

  it("the fast kernel, fastForward and toTorchStateDict refuse an additive layer instead of computing dot-product heads", () => {
    const mha = new MultiHeadAttention({ ...p, wA: [[1], [2]] }, 2, 2, { scoring: "additive" });
    const x = [[1, 2], [3, 4]];
    expect(() => mha.forward(x, { kernel: "fast" })).toThrow('forward: kernel "fast" computes dot-product heads only, and this layer scores additively');
    expect(() => fastForward(mha, x)).toThrow('fastForward computes dot-product heads only, and this layer scores additively (scoring "additive")');
    expect(() => mha.toTorchStateDict()).toThrow("toTorchStateDict: PyTorch's nn.MultiheadAttention has no additive scoring");
    // fastBackward would compare the trace with dot-product scores and blame the trace ("differs … by 0.239")
    expect(() => fastBackward(mha, mha.forward(x), [[1, 0], [0, 1]])).toThrow(
      "fastBackward computes dot-product heads only, and this layer scores additively: call mha.backward(trace, dOutput)",
    );
  });

  it("backward: a trace of the other scoring, an edited trace, a wrong dOutput", () => {
    const add = new MultiHeadAttention({ ...p, wA: [[1], [2]] }, 2, 2, { scoring: "additive" });
    const dot = new MultiHeadAttention(p, 2);
    const x = [[1, 2], [3, 4], [0, 1]];
    const G = [[1, 0], [0, 1], [1, 1]];
    expect(() => add.backward(dot.forward(x), G))
      .toThrow('backward: the trace was computed with dot scoring but this layer scores "additive"; pass the trace this layer\'s forward returned');
    expect(() => dot.backward(add.forward(x), G)).toThrow('backward: the trace was computed with additive scoring but this layer scores "dot"');
    const t = add.forward(x);
    const edited = { ...t, heads: t.heads.map((hd, i) => (i === 1 ? { ...hd, weights: hd.weights.map((r) => [...r].reverse()) } : hd)) };
    expect(() => add.backward(edited, G)).toThrow(/^backward: trace\.heads\[1\]\.weights \(head 2\) differs from what this layer computes/);
    expect(() => add.backward(t, [[1, 0]])).toThrow("dOutput has 1 rows but trace.output is 3×2");
    expect(() => add.backward({ ...t, query: [[1, 2, 3]] }, G)).toThrow("backward: the trace's query, key, value or mask do not fit this layer: query has 3 columns but dModel is 2");
  });
});
