/**
 * The model's sizes from its config.json, and its pipeline from modules.json, each value type-checked with an
 * error that names the file, the key and what it holds (a string "1e-12" for layer_norm_eps would otherwise turn
 * LayerNorm's `v/d + ε` into string concatenation; num_hidden_layers 0 would build a model with no layers).
 *
 * Pure: give it the parsed JSON and the file's path (for messages); loadMiniLMModel reads the files.
 *
 * Dependencies: _describe (src/math, the one way to describe a bad value).
 */
import { _describe } from "../math/_describe";

/** The sizes of the model, from its config.json. */
export interface MiniLMConfig {
  /** 384 */ hiddenSize: number;
  /** 6 */ numLayers: number;
  /** 12 */ numHeads: number;
  /** 1536 */ intermediateSize: number;
  /** 512 */ maxPositions: number;
  /** 30522 */ vocabSize: number;
  /** 1e-12 */ layerNormEps: number;
}

/** The largest sizes a config.json may give: more than any BERT published, less than what would exhaust memory. */
const _LIMITS: { [key: string]: number } = {
  hidden_size: 8192, num_hidden_layers: 128, num_attention_heads: 256, intermediate_size: 65536,
  max_position_embeddings: 65536, vocab_size: 1_000_000, type_vocab_size: 1024,
};

/**
 * Check config.json and return the sizes our model uses.
 *   BERT (model_type "bert"), hidden_act "gelu" (the erf form), absolute positions; every size a positive integer
 *   (numHeads divides hiddenSize); layer_norm_eps a number in (0, 1).
 *
 * @param json the parsed config.json
 * @param file its path, named in every error
 * @return { hiddenSize, numLayers, numHeads, intermediateSize, maxPositions, vocabSize, layerNormEps }
 * @example _parseConfig({ model_type: "bert", hidden_act: "gelu", hidden_size: 384, num_hidden_layers: 6, num_attention_heads: 12, intermediate_size: 1536, max_position_embeddings: 512, vocab_size: 30522, type_vocab_size: 2, layer_norm_eps: 1e-12 }, "config.json").numHeads // returns 12
 * @example _parseConfig({ model_type: "bert", hidden_act: "gelu", hidden_size: 384, num_hidden_layers: 0, num_attention_heads: 12, intermediate_size: 1536, max_position_embeddings: 512, vocab_size: 30522, type_vocab_size: 2, layer_norm_eps: 1e-12 }, "config.json") // throws "config.json: num_hidden_layers must be an integer in 1 … 128, got 0"
 */
export function _parseConfig(json: unknown, file: string): MiniLMConfig {
  if (json == null || typeof json !== "object" || Array.isArray(json)) throw new Error(`${file}: expected a JSON object of the model's settings, got ${_describe(json)}`);
  const c = json as { [key: string]: unknown };
  if (c.model_type !== "bert") throw new Error(`${file}: model_type is ${_describe(c.model_type)}, not "bert": this loader runs BERT models only`);
  if (c.hidden_act !== "gelu") throw new Error(`${file}: hidden_act is ${_describe(c.hidden_act)}, not "gelu" (the erf GELU our feed-forward computes)`);
  if (c.position_embedding_type !== undefined && c.position_embedding_type !== "absolute") {
    throw new Error(`${file}: position_embedding_type is ${_describe(c.position_embedding_type)}, not "absolute" (the learned position table our embeddings add)`);
  }
  const int = (key: string): number => {
    const v = c[key];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1 || v > _LIMITS[key]) {
      throw new Error(`${file}: ${key} must be an integer in 1 … ${_LIMITS[key]}, got ${_describe(v)}`);
    }
    return v;
  };
  const hiddenSize = int("hidden_size");
  const numHeads = int("num_attention_heads");
  if (hiddenSize % numHeads !== 0) throw new Error(`${file}: hidden_size ${hiddenSize} is not divisible by num_attention_heads ${numHeads}`);
  if (c.type_vocab_size !== undefined) int("type_vocab_size");
  const eps = c.layer_norm_eps;
  if (typeof eps !== "number" || !(eps > 0 && eps < 1)) throw new Error(`${file}: layer_norm_eps must be a number in (0, 1), got ${_describe(eps)}`);
  return {
    hiddenSize, numLayers: int("num_hidden_layers"), numHeads, intermediateSize: int("intermediate_size"),
    maxPositions: int("max_position_embeddings"), vocabSize: int("vocab_size"), layerNormEps: eps,
  };
}

/**
 * Check modules.json: sentence-transformers' pipeline must be Transformer → Pooling → Normalize (what encode's
 * mean pooling and L2 normalisation reproduce).
 * @param json the parsed modules.json
 * @param file its path, named in every error
 */
export function _checkModules(json: unknown, file: string): void {
  if (!Array.isArray(json)) throw new Error(`${file}: expected a JSON list of modules, got ${_describe(json)}`);
  const kinds = json.map((m, i) => {
    const type = (m as { type?: unknown } | null)?.type;
    if (typeof type !== "string") throw new Error(`${file}: module ${i} has type ${_describe(type)}, not a string`);
    return type.split(".").pop();
  });
  if (kinds.join(",") !== "Transformer,Pooling,Normalize") throw new Error(`${file} lists ${kinds.join(" → ")}, not Transformer → Pooling → Normalize`);
}
