/**
 * MiniLM's self-attention step (src/minilm/self-attention.ts) calls the one flat forward on the layer's flat input
 * with the weights kept in PyTorch's layout from load. Its trace must be fastForward's bit for bit, whichever way the
 * flat weights were made (kept from PyTorch's buffers, or derived from the layer's nested parameters), and an
 * overflow must give fastForward's error, never a NaN.
 */
import { describe, expect, it } from "vitest";
import { MultiHeadAttention } from "../../src/math/multi-head";
import { fastForward } from "../../src/math/fast/forward";
import { mulberry32 } from "../../src/math/random";
import type { AttentionTrace, Matrix } from "../../src/math/trace";
import type { Dense } from "../../src/minilm/_dense";
import { applyHeadMask } from "../../src/minilm/head-mask";
import { hasMiniLMFiles } from "../../src/minilm/files";
import { loadMiniLMModel } from "../../src/minilm/load";
import { _flatAttention, _keepTorchAttention, _selfAttentionFlat } from "../../src/minilm/self-attention";

const rand = mulberry32(21);
const matrix = (r: number, c: number, s = 1): Matrix => Array.from({ length: r }, () => Array.from({ length: c }, () => (rand() * 2 - 1) * s));
const flat = (m: Matrix) => Float64Array.from(m.flat());

/** A layer as loadMiniLMModel builds it: four nn.Linear (out, in) in PyTorch's layout, then fromTorchStateDict. */
function torchLayer(d: number, h: number, scale = 0.3): { mha: MultiHeadAttention; q: Dense; k: Dense; v: Dense; o: Dense } {
  const dense = (): Dense => ({ inFeatures: d, outFeatures: d, weight: flat(matrix(d, d, scale)), bias: Float64Array.from(matrix(1, d)[0]) });
  const [q, k, v, o] = [dense(), dense(), dense(), dense()];
  const rows = (w: Float64Array) => Array.from({ length: d }, (_, i) => Array.from(w.subarray(i * d, (i + 1) * d)));
  const mha = MultiHeadAttention.fromTorchStateDict({
    in_proj_weight: [...rows(q.weight), ...rows(k.weight), ...rows(v.weight)],
    in_proj_bias: [...q.bias, ...k.bias, ...v.bias],
    "out_proj.weight": rows(o.weight),
    "out_proj.bias": Array.from(o.bias),
  }, { numHeads: h });
  return { mha, q, k, v, o };
}

/** Every field of a trace a chart or a test reads, as plain arrays. */
function fields(t: AttentionTrace) {
  return {
    query: t.query, key: t.key, value: t.value, mask: t.mask, fullyMaskedRows: t.fullyMaskedRows,
    weights: t.weights, meanWeights: t.meanWeights, concat: t.concat, contributions: t.contributions, output: t.output,
    heads: t.heads.map((hd) => ({ q: hd.q, k: hd.k, v: hd.v, scores: hd.scores, scaledScores: hd.scaledScores, maskedScores: hd.maskedScores, weights: hd.weights, output: hd.output })),
  };
}

describe("_selfAttentionFlat(x, L, mha, nested): the one flat forward on MiniLM's flat buffers", () => {
  const L = 5, d = 8, h = 2;
  const x = matrix(L, d);

  it("kept PyTorch buffers: the trace is fastForward's, bit for bit, every field", () => {
    const { mha, q, k, v, o } = torchLayer(d, h);
    _keepTorchAttention(mha, q, k, v, o);
    expect(_flatAttention(mha).wT.wQ).toBe(q.weight); // the buffer itself, no copy
    const t = _selfAttentionFlat(flat(x), L, mha, () => x);
    expect(fields(t)).toEqual(fields(fastForward(mha, x)));
    expect(Array.from((t as AttentionTrace & { flat: { output: Float64Array } }).flat.output)).toEqual(fastForward(mha, x).output.flat());
  });

  it("a layer not built by the loader: the flat form derived from its nested parameters gives the same trace", () => {
    const mha = MultiHeadAttention.random({ dModel: d, numHeads: h, seed: 4 });
    const t = _selfAttentionFlat(flat(x), L, mha, () => x);
    expect(fields(t)).toEqual(fields(fastForward(mha, x)));
    expect(_flatAttention(mha)).toBe(_flatAttention(mha)); // built once
  });

  it("both ways of making the flat form agree: kept from PyTorch's buffers and derived from the nested weights", () => {
    const a = torchLayer(d, h);
    const b = torchLayer(d, h); // other weights
    _keepTorchAttention(a.mha, a.q, a.k, a.v, a.o);
    const twin = MultiHeadAttention.fromTorchStateDict(a.mha.toTorchStateDict(), { numHeads: h }); // same weights, not kept
    expect(_flatAttention(twin)).toEqual(_flatAttention(a.mha));
    expect(_flatAttention(b.mha)).not.toEqual(_flatAttention(a.mha));
  });

  it("a layer-like object that is not a MultiHeadAttention is checked as fastForward checks it, and not kept", () => {
    const mha = MultiHeadAttention.random({ dModel: d, numHeads: h, seed: 9 });
    const { dModel, numHeads, numKVHeads, dK, dV, kdim, vdim } = mha;
    const copy = { dModel, numHeads, numKVHeads, dK, dV, kdim, vdim, params: { ...mha.params }, forward: mha.forward } as unknown as MultiHeadAttention;
    expect(_selfAttentionFlat(flat(x), L, copy, () => x).output).toEqual(fastForward(mha, x).output);
    expect(_flatAttention(copy)).not.toBe(_flatAttention(copy)); // derived again each time: a plain object can change
    const wQ = mha.params.wQ.map((r) => r.slice());
    wQ[1][2] = NaN;
    const broken = { ...copy, params: { ...mha.params, wQ } } as unknown as MultiHeadAttention;
    expect(() => _selfAttentionFlat(flat(x), L, broken, () => x)).toThrow(/^bertLayer: the layer is not a MultiHeadAttention built by its constructor, and its parameters do not hold up: .*wQ/);
  });

  it("the trace's query, key and value are the nested input, built on first read", () => {
    const { mha } = torchLayer(d, h);
    let built = 0;
    const t = _selfAttentionFlat(flat(x), L, mha, () => (built++, x));
    void t.weights;
    void t.output;
    expect(built).toBe(0);
    expect(t.query).toBe(x);
    expect(t.key).toBe(x);
    expect(t.value).toBe(x);
  });

  it("an overflow throws fastForward's error naming the intermediate, not a NaN", () => {
    const { mha } = torchLayer(d, h, 1e160);
    let expected = "";
    try {
      fastForward(mha, x);
    } catch (e) {
      expected = (e as Error).message;
    }
    expect(expected).toMatch(/^head 1's scores Q·Kᵀ overflow at query row 0, key row 0 \(NaN\): Q row 0 has entries up to /); // named
    expect(() => _selfAttentionFlat(flat(x), L, mha, () => x)).toThrow(expected);
  });
});

const haveWheel = hasMiniLMFiles();
describe.skipIf(!haveWheel)(`encode runs every layer's attention as fastForward would${haveWheel ? "" : " (SKIPPED: no model in .venv)"}`, () => {
  it("traces[l] equal fastForward(layers[l].attention, hiddenStates[l]) bit for bit, and with a head mask applyHeadMask of it", () => {
    const model = loadMiniLMModel();
    const s = "The trophy didn't fit in the suitcase because it was too big.";
    const headMask = Array.from({ length: 6 }, (_, l) => Array.from({ length: 12 }, (_, i) => (i === l ? 0 : i === 11 ? 0.5 : 1)));
    for (const options of [{}, { headMask }]) {
      const e = model.encode(s, options);
      for (let l = 0; l < 6; l++) {
        const mha = model.weights.layers[l].attention;
        const ref = fastForward(mha, e.hiddenStates[l]);
        const want = "headMask" in options ? applyHeadMask(ref, headMask[l], mha.params.wO, mha.params.bO) : ref;
        expect(e.traces[l].output).toEqual(want.output);
        expect(e.traces[l].weights).toEqual(want.weights);
        expect(e.traces[l].query).toBe(e.hiddenStates[l]);
      }
    }
  }, 60_000);
});
