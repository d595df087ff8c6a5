/**
 * BERT's input embeddings: one vector per token from three tables, summed, then LayerNorm.
 *
 * Dependencies: _layerNormFlat, _toNested.
 */
import type { Matrix } from "../math/trace";
import { _toNested, NormParams } from "./_dense";
import { _layerNormFlat, BERT_LAYER_NORM_EPS } from "./layer-norm";

/** A lookup table: row i is the vector of id i. */
export interface EmbeddingTable {
  /** number of ids (e.g. 30522 words, 512 positions, 2 token types) */ rows: number;
  /** width d */ dim: number;
  /** (rows, dim) row-major */ data: Float64Array;
}

/** The three tables and the LayerNorm of BERT's embedding layer. */
export interface BertEmbeddingWeights {
  /** (vocab, d) */ word: EmbeddingTable;
  /** (maxPositions, d) */ position: EmbeddingTable;
  /** (typeVocab, d) */ tokenType: EmbeddingTable;
  /** γ, β (d,) */ layerNorm: NormParams;
}

/** Flat (L, d) sum word[id_i] + position[i] + tokenType[t_i], checked. */
export function _embeddingSumFlat(inputIds: number[], tokenTypeIds: number[], w: BertEmbeddingWeights): Float64Array {
  const L = inputIds.length;
  const d = w.word.dim;
  if (L === 0) throw new Error("inputIds is empty: a sentence has at least [CLS] and [SEP]");
  if (tokenTypeIds.length !== L) throw new Error(`tokenTypeIds has ${tokenTypeIds.length} entries but inputIds has ${L}`);
  if (L > w.position.rows) throw new Error(`inputIds has ${L} tokens but the model has ${w.position.rows} positions`);
  const x = new Float64Array(L * d);
  for (let i = 0; i < L; i++) {
    const id = inputIds[i];
    const t = tokenTypeIds[i];
    if (!Number.isInteger(id) || id < 0 || id >= w.word.rows) throw new Error(`inputIds[${i}] is ${id}; ids run 0 … ${w.word.rows - 1}`);
    if (!Number.isInteger(t) || t < 0 || t >= w.tokenType.rows) throw new Error(`tokenTypeIds[${i}] is ${t}; types run 0 … ${w.tokenType.rows - 1}`);
    for (let j = 0; j < d; j++) {
      x[i * d + j] = w.word.data[id * d + j] + w.position.data[i * d + j] + w.tokenType.data[t * d + j]; // word + position + type
    }
  }
  return x; // (L, d)
}

/**
 * BERT's embedding layer: look up each token's word vector, add the vector of its position and of its
 * token type (segment), then LayerNorm.
 *   E_i = LayerNorm(W_word[id_i] + W_pos[i] + W_type[t_i])
 *
 * @param inputIds     (L,) token ids, e.g. [101, 2002, …, 102]
 * @param tokenTypeIds (L,) segment ids, all 0 for one sentence
 * @param weights      the three tables and LayerNorm γ, β
 * @param eps          LayerNorm ε (default 1e-12)
 * @return { sum (L, d) before LayerNorm, output (L, d) }: output is hidden_states[0] of the model
 * @example (illustrative) bertEmbeddings([101, 102], [0, 0], model.weights.embeddings).output.length // returns 2
 */
export function bertEmbeddings(
  inputIds: number[], tokenTypeIds: number[], weights: BertEmbeddingWeights, eps = BERT_LAYER_NORM_EPS,
): { sum: Matrix; output: Matrix } {
  const L = inputIds.length;
  const d = weights.word.dim;
  const r = _embeddingsFlat(inputIds, tokenTypeIds, weights, eps);
  return { sum: _toNested(r.sum, L, d), output: _toNested(r.output, L, d) }; // (L, d)
}

/** Flat version: { sum (L, d) before LayerNorm, output (L, d) after }, both row-major. */
export function _embeddingsFlat(
  inputIds: number[], tokenTypeIds: number[], weights: BertEmbeddingWeights, eps: number,
): { sum: Float64Array; output: Float64Array } {
  const sum = _embeddingSumFlat(inputIds, tokenTypeIds, weights); // (L, d)
  const output = _layerNormFlat(Float64Array.from(sum), inputIds.length, weights.word.dim, weights.layerNorm, eps); // (L, d)
  return { sum, output };
}
