/**
 * The chat model's configuration and weights, read from its GGUF file and dequantized: the matrices to float32
 * (every Q4_1/Q8_0/F16 value is a float32 exactly, so nothing is lost and a token reads half the bytes), the
 * RMSNorm gains to float64.
 * Weights keep the orientation the file (and PyTorch's nn.Linear) stores: W is (dOut, dIn) and a linear step is
 * y = x·Wᵀ, so no weight is ever transposed. The rows of W_Q and W_K are un-permuted on load (below).
 *
 * Dependencies: ./gguf, ./dequantize, ./linear (WeightArray), _f32Weights (src/math/fast/simd).
 */
import { _f32Weights } from "../math/fast/simd";
import { dequantize } from "./dequantize";
import type { GgufHeader, GgufTensorInfo } from "./gguf";
import type { WeightArray } from "./linear";

/** The sizes of a llama-architecture model (SmolLM2-135M: 30, 576, 9, 3, 64, 1536, 49152, 8192, 1e5, 1e-5). */
export interface ChatModelConfig {
  numLayers: number;
  dModel: number;
  /** query heads */ numHeads: number;
  /** key/value heads (grouped-query attention: numHeads / numKVHeads query heads share each) */ numKVHeads: number;
  /** dModel / numHeads */ dHead: number;
  /** the SwiGLU feed-forward's inner width */ ffnHidden: number;
  vocabSize: number;
  /** the longest sequence the model was trained on */ contextLength: number;
  /** RoPE's frequency base */ ropeBase: number;
  /** RMSNorm's ε */ rmsEps: number;
}

/**
 * One decoder layer's weights, each W (dOut, dIn) row-major as stored: Float32Array from loadChatWeights (exact),
 * Float64Array allowed (the tiny test models); either gives the same numbers for the same values.
 */
export interface LayerWeights {
  /** (d,) RMSNorm gain before attention */ attnNorm: Float64Array;
  /** (numHeads·dHead, d) */ wQ: WeightArray;
  /** (numKVHeads·dHead, d) */ wK: WeightArray;
  /** (numKVHeads·dHead, d) */ wV: WeightArray;
  /** (d, numHeads·dHead) */ wO: WeightArray;
  /** (d,) RMSNorm gain before the feed-forward */ ffnNorm: Float64Array;
  /** (hidden, d) */ wGate: WeightArray;
  /** (hidden, d) */ wUp: WeightArray;
  /** (d, hidden) */ wDown: WeightArray;
}

/** All the weights. The output layer is tied: logits = x·Eᵀ with the token embedding E. */
export interface ChatWeights {
  /** (vocab, d) token embedding, also the output layer */ embedding: WeightArray;
  layers: LayerWeights[];
  /** (d,) the final RMSNorm's gain */ finalNorm: Float64Array;
}

/** A number from the metadata, or an error naming the key. */
function _num(m: GgufHeader["metadata"], key: string): number {
  const v = m[key];
  const n = typeof v === "bigint" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n)) throw new Error(`the GGUF file has no number ${key} (found ${v === undefined ? "nothing" : typeof v})`);
  return n;
}

/**
 * The model's sizes from the file's llama.* metadata. Another architecture is an error.
 * @param h the parsed header
 * @return the configuration
 * @example (illustrative) chatModelConfig(h).numKVHeads // returns 3
 */
export function chatModelConfig(h: GgufHeader): ChatModelConfig {
  const m = h.metadata;
  const arch = m["general.architecture"];
  if (arch !== "llama") throw new Error(`the GGUF file holds a ${JSON.stringify(arch)} model; this loader reads the llama architecture (SmolLM2, Llama) only`);
  const dModel = _num(m, "llama.embedding_length");
  const numHeads = _num(m, "llama.attention.head_count");
  const numKVHeads = m["llama.attention.head_count_kv"] === undefined ? numHeads : _num(m, "llama.attention.head_count_kv");
  if (dModel % numHeads !== 0 || numHeads % numKVHeads !== 0) {
    throw new Error(`the GGUF file's sizes do not fit: embedding_length ${dModel}, head_count ${numHeads}, head_count_kv ${numKVHeads}`);
  }
  const tokens = m["tokenizer.ggml.tokens"];
  return {
    numLayers: _num(m, "llama.block_count"),
    dModel,
    numHeads,
    numKVHeads,
    dHead: dModel / numHeads,
    ffnHidden: _num(m, "llama.feed_forward_length"),
    vocabSize: m["llama.vocab_size"] !== undefined ? _num(m, "llama.vocab_size") : Array.isArray(tokens) ? tokens.length : 0,
    contextLength: _num(m, "llama.context_length"),
    ropeBase: m["llama.rope.freq_base"] === undefined ? 10000 : _num(m, "llama.rope.freq_base"),
    rmsEps: _num(m, "llama.attention.layer_norm_rms_epsilon"),
  };
}

/**
 * Undo llama.cpp's permutation of the rows of W_Q or W_K. llama.cpp rotates adjacent pairs (x_{2i}, x_{2i+1}),
 * so its converter reorders each head's rows from halves [0 … d/2 − 1 | d/2 … d − 1] to pairs; Hugging Face's RoPE
 * rotates halves (x_i, x_{i+d/2}). File row h·dHead + 2i + s becomes row h·dHead + s·dHead/2 + i (s = 0, 1),
 * as transformers' reverse_permute_weights does.
 * @param w (heads·dHead, dIn) rows as stored in the file
 * @param heads heads of this weight (numHeads for W_Q, numKVHeads for W_K)
 * @param dHead head width
 * @param dIn columns
 * @param out where to write (heads·dHead, dIn) (default: a new Float64Array)
 * @return out, in Hugging Face's order
 * @example Array.from(_unpermuteRows(Float64Array.of(0, 1, 2, 3), 1, 4, 1)) // returns [0, 2, 1, 3]
 */
export function _unpermuteRows<T extends WeightArray = Float64Array>(
  w: WeightArray, heads: number, dHead: number, dIn: number, out: T = new Float64Array(w.length) as T,
): T {
  const half = dHead / 2;
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      for (let s = 0; s < 2; s++) {
        const from = (h * dHead + 2 * i + s) * dIn;
        out.set(w.subarray(from, from + dIn), (h * dHead + s * half + i) * dIn);
      }
    }
  }
  return out;
}

/**
 * Dequantize every weight the model needs, checking each tensor's shape against the configuration first. The
 * matrices go to float32, all in one block of memory (_f32Weights: the WebAssembly kernel's, so decoding reads
 * them where they lie); the RMSNorm gains to float64.
 * @param bytes the whole file
 * @param h its parsed header
 * @param c the configuration (chatModelConfig(h))
 * @return the weights
 */
export function loadChatWeights(bytes: Uint8Array, h: GgufHeader, c: ChatModelConfig): ChatWeights {
  const byName = new Map(h.tensors.map((t) => [t.name, t]));
  const { dModel: d, numHeads, numKVHeads, dHead, ffnHidden } = c;
  const dKV = numKVHeads * dHead;
  const tensor = (name: string, ne: number[]): GgufTensorInfo => {
    const t: GgufTensorInfo | undefined = byName.get(name);
    if (!t) throw new Error(`the GGUF file has no tensor ${name}`);
    if (t.ne.length !== ne.length || t.ne.some((n, i) => n !== ne[i])) {
      throw new Error(`the GGUF file's ${name} is ${t.ne.join(" × ")} but the model needs ${ne.join(" × ")} (ggml order, row length first)`);
    }
    return t;
  };
  const raw = (t: GgufTensorInfo) => bytes.subarray(t.fileOffset, t.fileOffset + t.byteLength);
  const norm = (name: string): Float64Array => {
    const t = tensor(name, [d]);
    return dequantize(raw(t), t.type, t.count);
  };
  // every matrix, checked, before anything big is allocated
  const matrices = (p: string): [string, number[]][] => [
    [p + "attn_q.weight", [d, numHeads * dHead]], [p + "attn_k.weight", [d, dKV]], [p + "attn_v.weight", [d, dKV]],
    [p + "attn_output.weight", [numHeads * dHead, d]], [p + "ffn_gate.weight", [d, ffnHidden]],
    [p + "ffn_up.weight", [d, ffnHidden]], [p + "ffn_down.weight", [ffnHidden, d]],
  ];
  const plan: [string, number[]][] = [["token_embd.weight", [d, c.vocabSize]]];
  for (let l = 0; l < c.numLayers; l++) plan.push(...matrices(`blk.${l}.`));
  const infos = new Map(plan.map(([name, ne]) => [name, tensor(name, ne)]));
  if (byName.has("output.weight")) throw new Error("the GGUF file has a separate output.weight; this loader expects the output tied to token_embd (SmolLM2)");
  const all = _f32Weights(plan.reduce((sum, [name]) => sum + infos.get(name)!.count, 0)); // every matrix, float32
  let used = 0;
  const read = (name: string): Float32Array => {
    const t = infos.get(name)!;
    const out = all.subarray(used, used + t.count);
    used += t.count;
    return dequantize(raw(t), t.type, t.count, out);
  };
  const readQK = (name: string, heads: number): Float32Array => {
    const t = infos.get(name)!;
    const out = all.subarray(used, used + t.count);
    used += t.count;
    return _unpermuteRows(dequantize(raw(t), t.type, t.count, new Float32Array(t.count)), heads, dHead, d, out);
  };
  const embedding = read("token_embd.weight"); // (vocab, d)
  const layers: LayerWeights[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const p = `blk.${l}.`;
    layers.push({
      attnNorm: norm(p + "attn_norm.weight"),
      wQ: readQK(p + "attn_q.weight", numHeads), // (d, d)
      wK: readQK(p + "attn_k.weight", numKVHeads), // (dKV, d)
      wV: read(p + "attn_v.weight"), // (dKV, d)
      wO: read(p + "attn_output.weight"), // (d, d)
      ffnNorm: norm(p + "ffn_norm.weight"),
      wGate: read(p + "ffn_gate.weight"), // (hidden, d)
      wUp: read(p + "ffn_up.weight"), // (hidden, d)
      wDown: read(p + "ffn_down.weight"), // (d, hidden)
    });
  }
  return { embedding, layers, finalNorm: norm("output_norm.weight") };
}
