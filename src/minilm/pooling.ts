/**
 * The sentence embedding of sentence-transformers' all-MiniLM-L6-v2 (modules.json: Transformer → Pooling → Normalize):
 * the mean of the last hidden states over the tokens, then divided by its length.
 *
 * Dependencies: none.
 */
import type { Matrix, Vector } from "../math/trace";
import { _toFlat } from "./_dense";

/**
 * The mean of the token vectors (every token counts, [CLS] and [SEP] included, as sentence-transformers'
 * pooling_mode_mean_tokens does for an unpadded sentence).
 *   m_j = (1/L) Σ_i h_ij
 *
 * @param hidden (L, d) the last hidden states
 * @return (d,)
 * @example meanPooling([[1, 2], [3, 4]]) // returns [2, 3]
 */
export function meanPooling(hidden: Matrix): Vector {
  if (!Array.isArray(hidden) || hidden.length === 0) throw new Error("meanPooling: hidden must have at least one row");
  const d = Array.isArray(hidden[0]) ? hidden[0].length : 0;
  return _meanPoolingFlat(_toFlat("meanPooling: hidden", hidden, d), hidden.length, d); // (d,)
}

/** Flat version: the mean of the rows of a row-major (L, d) buffer, summed row by row as meanPooling does. */
export function _meanPoolingFlat(x: Float64Array, L: number, d: number): Vector {
  const m = new Array<number>(d).fill(0);
  for (let i = 0; i < L; i++) for (let j = 0; j < d; j++) m[j] += x[i * d + j];
  return m.map((v) => v / L); // (d,)
}

/**
 * Scale a vector to length 1 (torch.nn.functional.normalize, p = 2, eps = 1e-12).
 *   u = v / max(‖v‖₂, 1e-12)
 *
 * @param v (d,)
 * @return (d,) with ‖u‖ = 1 (unless v = 0)
 * @example l2Normalize([3, 4]) // returns [0.6, 0.8]
 */
export function l2Normalize(v: Vector): Vector {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / Math.max(n, 1e-12));
}
