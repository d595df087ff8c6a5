/**
 * BERT's position-wise feed-forward block: widen (384 → 1536), GELU, narrow back (1536 → 384).
 *
 * Dependencies: _denseFlat, gelu.
 */
import type { Matrix } from "../math/trace";
import { _denseFlat, _toFlat, _toNested, Dense } from "./_dense";
import { gelu } from "../blocks/activation";

/** The two linear maps of the block, in PyTorch's layout. */
export interface FeedForwardWeights {
  /** intermediate.dense: (dFF, d) */ intermediate: Dense;
  /** output.dense: (d, dFF) */ output: Dense;
}

/** Flat version: x (L, d) → { intermediate (L, dFF) after GELU, output (L, d) }. */
export function _feedForwardFlat(x: Float64Array, L: number, w: FeedForwardWeights): { intermediate: Float64Array; output: Float64Array } {
  const h = _denseFlat(x, L, w.intermediate); // (L, dFF)
  for (let i = 0; i < h.length; i++) h[i] = gelu(h[i]);
  return { intermediate: h, output: _denseFlat(h, L, w.output) }; // (L, d)
}

/**
 * The feed-forward block, applied to every token on its own.
 *   FFN(x) = GELU(x·W_1ᵀ + b_1)·W_2ᵀ + b_2,   W_1 (dFF, d), W_2 (d, dFF)  (PyTorch's nn.Linear layout)
 *
 * @param x       (L, d)
 * @param weights { intermediate: W_1, b_1; output: W_2, b_2 }
 * @return { intermediate (L, dFF): GELU(x·W_1ᵀ + b_1); output (L, d) } — before the residual
 * @example (illustrative) feedForward(h, model.weights.layers[0].feedForward).output.length // returns L
 */
export function feedForward(x: Matrix, weights: FeedForwardWeights): { intermediate: Matrix; output: Matrix } {
  const { inFeatures: d, outFeatures: dFF } = weights.intermediate;
  if (weights.output.inFeatures !== dFF || weights.output.outFeatures !== d) {
    throw new Error(`feedForward: intermediate is (${dFF}, ${d}) but output is (${weights.output.outFeatures}, ${weights.output.inFeatures}); expected (${d}, ${dFF})`);
  }
  const L = x.length;
  const r = _feedForwardFlat(_toFlat("feedForward x", x, d), L, weights);
  return { intermediate: _toNested(r.intermediate, L, dFF), output: _toNested(r.output, L, d) };
}
