/**
 * The bad-input table (issue 13): every public math function, fed what a hostile or hurried user would pass,
 * must throw an Error whose text names what the user passed — never a TypeError from deep inside, never a
 * silent NaN, Infinity or unmasked result. Both forward paths are held to the same table, and a property
 * test throws huge-but-finite numbers at both: each call either returns only finite numbers or throws an
 * Error in the user's terms.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as m from "../../src/math";
import { fastForward, fastMatmul, installFastMultiply, uninstallFastMultiply } from "../../src/math/fast";

const { MultiHeadAttention: MHA } = m;
const mha = MHA.random({ dModel: 4, numHeads: 2, seed: 1 });
const x = [[1, 0, 0, 0], [0, 1, 0, 0]];
const huge = (v: number) => [[v, v, v, v]];
const withWO = (v: number) => new MHA({ ...mha.params, wO: mha.params.wO.map((r) => r.map(() => v)) }, 2);
const I = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
const ones = I.map((r) => r.map(() => 1));
/** wQ all ones: Q = query·wQ sums a row, so a row of 1e308 overflows */
const summing = new MHA({ wQ: ones, wK: I, wV: I, wO: I, bQ: null, bK: null, bV: null, bO: null }, 1);
/** identity weights, one head: the score of [a, 0, 0, 0] with itself is a², scaled a²/2 */
const identity = new MHA({ wQ: I, wK: I, wV: I, wO: I, bQ: null, bK: null, bV: null, bO: null }, 1);

/** [what is called, the call, a piece of the error text it must throw] */
const TABLE: [string, () => unknown, string][] = [
  // forward's options, checked like arguments (both paths)
  ["forward { attn_mask } (PyTorch's spelling)", () => mha.forward(x, { attn_mask: [[0, 0], [0, 0]] } as never), "`attn_mask` is not an option of forward; did you mean `attnMask`?"],
  ["forward { mask }", () => mha.forward(x, { mask: [[0, 0], [0, 0]] } as never), "`mask` is not an option of forward; did you mean `attnMask`?"],
  ["forward { is_causal }", () => mha.forward(x, { is_causal: true } as never), "`is_causal` is not an option of forward; did you mean `causal`?"],
  ["forward { casual }", () => mha.forward(x, { casual: true } as never), "did you mean `causal`?"],
  ["forward { key_padding_mask }", () => mha.forward(x, { key_padding_mask: [false, true] } as never), "did you mean `keyPaddingMask`?"],
  ["forward { need_weights }", () => mha.forward(x, { need_weights: true } as never), "`need_weights` is not an option of forward; the options are `attnMask`, `keyPaddingMask`, `causal`, `kernel`"],
  ["forward { causal: \"yes\" }", () => mha.forward(x, { causal: "yes" } as never), "causal must be true or false, got the string \"yes\""],
  ["forward { kernel: \"gpu\" }", () => mha.forward(x, { kernel: "gpu" } as never), "kernel must be \"readable\" or \"fast\", got the string \"gpu\""],
  ["forward options not an object", () => mha.forward(x, x, x, 5 as never), "forward options must be an object"],
  ["forward 5 arguments", () => (mha.forward as any)(x, x, x, {}, {}), "forward takes (query, key?, value?, options?)"],
  ["fastForward { attn_mask }", () => fastForward(mha, x, { attn_mask: 1 } as never), "`attn_mask` is not an option of fastForward; did you mean `attnMask`?"],
  ["fastForward { kernel: 1 }", () => fastForward(mha, x, { kernel: 1 } as never), "kernel must be \"readable\" or \"fast\", got 1"],
  // forward's arguments
  ["forward(null)", () => mha.forward(null as never), "query must be a 2-D array of numbers, got null"],
  ["forward wrong width", () => mha.forward([[1, 2, 3]]), "query has 3 columns but dModel is 4"],
  ["forward NaN", () => mha.forward([[1, NaN, 0, 0]]), "query[0][1] is NaN"],
  ["forward string entry", () => mha.forward([[1, "2", 0, 0]] as never), "query[0][1] is the string \"2\", not a number"],
  ["forward ragged key", () => mha.forward(x, [[1, 0, 0, 0], [1]], null), "key is ragged: row 1 has 1 columns but row 0 has 4"],
  ["forward attnMask shape", () => mha.forward(x, { attnMask: [[false]] }), "attnMask is 1×1 but the attention is 2×2"],
  ["forward sparse keyPaddingMask", () => mha.forward(x, { keyPaddingMask: [false, , true] as never }), "keyPaddingMask[1] is undefined"],
  ["forward keyPaddingMask NaN", () => mha.forward(x, { keyPaddingMask: [0, NaN] }), "keyPaddingMask[1] is NaN"],
  ["forward too long", () => mha.forward(Array.from({ length: 7000 }, () => [0, 0, 0, 0])), "forward with L = 7000 queries and S = 7000 keys (h = 2, dModel = 4) would allocate 4.8 GiB, more than the 2.0 GiB mha-lab accepts in one call; split the sequence into shorter chunks"],
  ["fastForward too long", () => fastForward(mha, Array.from({ length: 7000 }, () => [0, 0, 0, 0])), "fastForward with L = 7000 queries"],
  // overflow, in the user's terms, on both paths
  ["forward query 1e308", () => summing.forward(huge(1e308)), "query row 0 is so large (1e+308) that query·wQ overflows: entry [0][0] is Infinity"],
  ["fastForward query 1e308", () => fastForward(summing, huge(1e308)), "query row 0 is so large (1e+308) that query·wQ overflows: entry [0][0] is Infinity"],
  ["forward scores overflow", () => mha.forward(huge(1e200)), "head 1's scores Q·Kᵀ overflow at query row 0, key row 0"],
  ["fastForward scores overflow", () => fastForward(mha, huge(1e200)), "head 1's scores Q·Kᵀ overflow at query row 0, key row 0"],
  ["forward mask overflow", () => identity.forward([[1e154, 0, 0, 0]], { attnMask: [[1.7e308]] }), "the mask at [0][0] (1.7e+308) plus head 1's scaled score (5e+307) overflows"],
  ["fastForward mask overflow", () => fastForward(identity, [[1e154, 0, 0, 0]], { attnMask: [[1.7e308]] }), "the mask at [0][0] (1.7e+308) plus head 1's scaled score (5e+307) overflows"],
  ["forward W^O overflow", () => withWO(1e308).forward([[5, 5, 5, 5]]), "wO column 0 is so large (1e+308) that concat·wO + bO overflows"],
  ["fastForward W^O overflow", () => fastForward(withWO(1e308), [[5, 5, 5, 5]]), "wO column 0 is so large (1e+308) that concat·wO + bO overflows"],
  // the layer
  ["fastForward(null, x)", () => fastForward(null as never, x), "fastForward needs a MultiHeadAttention layer as its first argument, got null"],
  ["fastForward hand-made layer, wrong dModel", () => fastForward({ ...mha, dModel: 8 } as never, x), "fastForward: the layer says dModel = 8 but its parameters give 4"],
  ["fastForward hand-made layer, 2×2 wQ", () => fastForward({ ...mha, params: { ...mha.params, wQ: [[1, 2], [3, 4]] } } as never, x), "fastForward: the layer is not a MultiHeadAttention built by its constructor"],
  ["fastForward hand-made layer, NaN weight", () => fastForward({ ...mha, params: { ...mha.params, bO: [NaN, 0, 0, 0] } } as never, x), "bO[0] is NaN"],
  ["params edited after construction", () => { (mha.params.wK[0] as number[])[0] = NaN; }, "read only"],
  ["params replaced after construction", () => { (mha as any).params = {}; }, "read only"],
  ["new MultiHeadAttention(null)", () => new MHA(null as never, 2), "new MultiHeadAttention: params must be { wQ, wK, wV, wO, bQ, bK, bV, bO }, got null"],
  ["new MultiHeadAttention NaN weight", () => new MHA({ ...mha.params, wV: [[NaN, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]] }, 2), "wV[0][0] is NaN"],
  ["new MultiHeadAttention string bias", () => new MHA({ ...mha.params, bQ: ["1", 0, 0, 0] as never }, 2), "bQ[0] is the string \"1\", not a number"],
  ["new MultiHeadAttention { wq }", () => new MHA({ ...mha.params, wq: mha.params.wQ } as never, 2), "`wq` is not a parameter of MultiHeadAttention; did you mean `wQ`?"],
  ["new MultiHeadAttention dropped row of wK", () => new MHA({ ...mha.params, wK: [[1, 2, 3]] }, 2), "wK has 3 columns but dModel is 4"],
  ["new MultiHeadAttention numHeads 3", () => new MHA(mha.params, 3), "dModel 4 is not divisible by numHeads 3"],
  // random
  ["random(null)", () => MHA.random(null as never), "MultiHeadAttention.random options must be an object"],
  ["random { bias: \"false\" }", () => MHA.random({ dModel: 4, numHeads: 2, bias: "false" } as never), "bias must be true or false, got the string \"false\""],
  ["random { heads }", () => MHA.random({ dModel: 4, heads: 2 } as never), "`heads` is not an option of MultiHeadAttention.random; did you mean `numHeads`?"],
  ["random { embed_dim }", () => MHA.random({ embed_dim: 4, numHeads: 2 } as never), "did you mean `dModel`?"],
  ["random without numHeads", () => MHA.random({ dModel: 4 } as never), "MultiHeadAttention.random needs `numHeads`"],
  ["random { seed: 1.5 }", () => MHA.random({ dModel: 4, numHeads: 2, seed: 1.5 }), "seed must be an integer, got 1.5"],
  ["random { dModel: 100000 }", () => MHA.random({ dModel: 100000, numHeads: 2 }), "MultiHeadAttention.random({ dModel: 100000 }) would allocate 596 GiB, more than the 2.0 GiB mha-lab accepts in one call"],
  ["random { dModel: 6 } h 4", () => MHA.random({ dModel: 6, numHeads: 4 }), "dModel 6 is not divisible by numHeads 4"],
  // PyTorch state dicts
  ["fromTorchStateDict { num_heads }", () => MHA.fromTorchStateDict(mha.toTorchStateDict(), { num_heads: 2 } as never), "`num_heads` is not an option of fromTorchStateDict; did you mean `numHeads`?"],
  ["fromTorchStateDict { prefix: 3 }", () => MHA.fromTorchStateDict(mha.toTorchStateDict(), { numHeads: 2, prefix: 3 } as never), "prefix must be a string, got 3"],
  ["fromTorchStateDict(null)", () => MHA.fromTorchStateDict(null as never, { numHeads: 2 }), "stateDict must be an object of nested arrays"],
  ["paramsFromTorchStateDict({})", () => m.paramsFromTorchStateDict({}, { numHeads: 1 }), "stateDict[\"out_proj.weight\"] is missing"],
  ["torchStateDictFromParams(null)", () => m.torchStateDictFromParams(null as never, null as never), "torchStateDictFromParams: params must be"],
  // the steps
  ["softmaxRows NaN", () => m.softmaxRows([[NaN]]), "x[0][0] is NaN"],
  ["softmaxRows(null)", () => m.softmaxRows(null as never), "x must be a 2-D array of numbers, got null"],
  ["matmul shapes", () => m.matmul([[1]], [[1, 2], [3, 4]]), "a·b: a is 1×1 and b is 2×2; inner sizes 1 and 2 must match"],
  ["matmul overflow", () => m.matmul([[1e308, 1e308]], [[1e308], [1]]), "a row 0 is so large (1e+308) that a·b overflows: entry [0][0] is Infinity"],
  ["fastMatmul overflow", () => fastMatmul([[1e308, 1e308]], [[1e308], [1]]), "a row 0 is so large (1e+308) that a·b overflows"],
  ["linear overflow", () => m.linear([[1e308, 1e308]], [[1], [1]], [0]), "x row 0 is so large (1e+308) that x·w + b overflows"],
  ["transpose(null)", () => m.transpose(null as never), "a must be a 2-D array of numbers, got null"],
  ["splitHeads width", () => m.splitHeads([[1, 2, 3]], 2), "x has 3 columns, which is not divisible by numHeads 2"],
  ["concatHeads([])", () => m.concatHeads([]), "heads must be a non-empty array of (L, d) matrices"],
  ["meanOverHeads([])", () => m.meanOverHeads([]), "weights must be a non-empty array of (L, S) matrices"],
  ["meanOverHeads shapes", () => m.meanOverHeads([[[1]], [[1, 0]]]), "weights[1] has 2 columns but weights[0] has 1 columns"],
  ["perHeadWeights", () => m.perHeadWeights([[1, 2, 3]], 2), "w has 3 columns, which is not divisible by numHeads 2"],
  ["perHeadBias", () => m.perHeadBias([1, 2, 3], 2), "b has 3 entries, which is not divisible by numHeads 2"],
  ["fuseHeadWeights(null)", () => m.fuseHeadWeights(null as never), "ws must be a non-empty array of (L, d) matrices"],
  ["fuseHeadBiases NaN", () => m.fuseHeadBiases([[1], [NaN]]), "bs[1][0] is NaN"],
  ["projectHead head 2 of 2", () => m.projectHead([[1, 2]], [[1, 0], [0, 1]], null, 2, 2), "head must be an integer in 0…1, got 2"],
  ["projectThenSplit", () => m.projectThenSplit([[1, 2]], [[1, 0, 0], [0, 1, 0]], null, 2), "w has 3 columns, which is not divisible by numHeads 2"],
  ["scaledDotProductAttention shapes", () => m.scaledDotProductAttention([[1]], [[1, 2]], [[1]]), "k has 2 columns but q has 1 columns"],
  ["scaledDotProductAttention overflow", () => m.scaledDotProductAttention([[1e200]], [[1e200]], [[1]]), "q row 0 is so large (1e+200) that q·kᵀ overflows"],
  ["outputProjection shapes", () => m.outputProjection([[1, 2]], [[1]], null), "wO has 1 rows but concat has 2 columns"],
  ["outputProjection overflow", () => m.outputProjection([[1e308, 1e308]], [[1e308], [1]], null), "concat row 0 is so large (1e+308) that concat·wO overflows"],
  ["headContributions([])", () => m.headContributions([], [[1]]), "heads must be a non-empty array of (L, dV) matrices"],
  ["additiveAttention(null params)", () => m.additiveAttention([[1]], [[1]], [[1]], null as never), "params must be { wQ, wK, wV }"],
  ["mhaCost { seqlen }", () => m.mhaCost({ dModel: 4, numHeads: 2, seqlen: 3 } as never), "`seqlen` is not an option of mhaCost; did you mean `seqLen`?"],
  ["mhaCost(null)", () => m.mhaCost(null as never), "mhaCost options must be an object"],
  ["mulberry32(NaN)", () => m.mulberry32(NaN), "seed must be an integer, got NaN"],
  ["glorotUniform(0, 2)", () => m.glorotUniform(0, 2, Math.random), "fanIn must be a positive integer, got 0"],
  ["glorotUniform huge", () => m.glorotUniform(1e6, 1e6, Math.random), "glorotUniform(1000000, 1000000) would allocate 7451 GiB, more than the 2.0 GiB mha-lab accepts in one call; use smaller sizes"],
  // masks
  ["causalMask(0)", () => m.causalMask(0), "L must be a positive integer, got 0"],
  ["causalMask huge", () => m.causalMask(1e6, 1e6), "causalMask(1000000, 1000000) would allocate 7451 GiB, more than the 2.0 GiB mha-lab accepts in one call; use a shorter sequence"],
  ["keyPaddingMask(5, 3)", () => m.keyPaddingMask(5, 3), "validLength must be an integer in 0…3, got 5"],
  ["expandKeyPaddingMask bad entry", () => m.expandKeyPaddingMask([true, "x"] as never, 2), "keyPaddingMask[1] is the string \"x\"; expected all booleans or all numbers (−Infinity allowed)"],
  ["combineMasks()", () => m.combineMasks(), "combineMasks needs at least one mask"],
  ["combineMasks shapes", () => m.combineMasks([[true]], [[0, 0]]), "masks[1] is 1×2 but the attention is 1×1"],
  ["toAdditiveMask NaN", () => m.toAdditiveMask([[NaN]]), "mask[0][0] is NaN"],
  ["fullyMaskedRows(null)", () => m.fullyMaskedRows(null as never), "masked must be a 2-D array of numbers, got null"],
  ["fromKerasMask 2", () => m.fromKerasMask([[2]]), "mask[0][0] is 2; a Keras mask holds 1 (attend) or 0 (masked)"],
  ["fromKerasMask sparse", () => m.fromKerasMask([[1, , 0]] as never), "mask[0][1] is undefined"],
  ["toKerasMask 1", () => m.toKerasMask([[1 as never]]), "mask[0][0] is 1; expected a boolean mask (true = not allowed)"],
  ["fromAnnotatedMask NaN", () => m.fromAnnotatedMask([[NaN]]), "mask[0][0] is NaN; expected finite numbers or booleans"],
  ["toAnnotatedMask 1", () => m.toAnnotatedMask([[1 as never]]), "mask[0][0] is 1; expected a boolean mask"],
  ["fromSdpaBoolMask 1", () => m.fromSdpaBoolMask([[1 as never]]), "mask[0][0] is 1; expected a boolean mask"],
  ["fromHfAttentionMask([])", () => m.fromHfAttentionMask([]), "mask is empty; a Hugging Face attention_mask has one 0/1 entry per token"],
  ["fromHfAttentionMask sparse", () => m.fromHfAttentionMask([1, , 0] as never), "mask[1] is undefined"],
  ["fromHfAttentionMask(null)", () => m.fromHfAttentionMask(null as never), "mask must be a 1-D array of 0/1"],
  // the mathjs kernel
  ["installFastMultiply({})", () => installFastMultiply({} as never), "math must be a mathjs instance (with multiply and import)"],
  ["uninstallFastMultiply(null)", () => uninstallFastMultiply(null as never), "math must be a mathjs instance"],
];

describe("the bad-input table: every public math function names what the user passed", () => {
  it.each(TABLE)("%s", (_what, call, text) => {
    let error: unknown = null;
    try {
      call();
    } catch (e) {
      error = e;
    }
    expect(error, "it must throw").toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(text);
    if (!text.includes("read only")) expect((error as Error).constructor).toBe(Error); // not a TypeError/RangeError from inside
  });

  it("huge but finite inputs that do not overflow give finite answers on both paths", () => {
    for (const t of [mha.forward(huge(1e150)), fastForward(mha, huge(1e150)), mha.forward(huge(1e-300)), fastForward(mha, huge(-1e150))]) {
      for (const row of t.output) for (const v of row) expect(Number.isFinite(v)).toBe(true);
    }
    expect(m.softmaxRows([new Array(200_000).fill(0)])[0][199_999]).toBe(1 / 200_000); // no Math.max(...row) stack overflow
  });

  it("property: any magnitude, on either path, gives only finite numbers or an Error in the user's terms", () => {
    const magnitude = fc.oneof(fc.constant(1), fc.double({ min: 1e100, max: 1.7e308, noNaN: true }), fc.double({ min: -1.7e308, max: -1e100, noNaN: true }));
    fc.assert(fc.property(fc.array(fc.array(magnitude, { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 3 }), fc.boolean(), fc.boolean(),
      (q, fast, causal) => {
        try {
          const t = fast ? fastForward(mha, q, { causal }) : mha.forward(q, { causal });
          const all = [t.output, t.concat, ...t.weights, ...t.contributions, ...t.heads.flatMap((h) => [h.q, h.k, h.v, h.scores, h.scaledScores])];
          for (const mat of all) for (const row of mat) for (const v of row) expect(Number.isFinite(v)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          expect((e as Error).constructor).toBe(Error);
          expect((e as Error).message).toMatch(/so large|overflow/);
        }
      }), { numRuns: 200 });
  });
});
