/**
 * Layer normalisation over the features of each token, as BERT uses it (after every residual).
 *
 * Dependencies: LayerNorm (mha-lab/blocks, the one LayerNorm), _toFlat, _toNested.
 */
import { LayerNorm } from "../blocks/layer-norm";
import type { Matrix } from "../math/trace";
import { _toFlat, _toNested, NormParams } from "./_dense";

/** BERT's (and all-MiniLM-L6-v2's) layer_norm_eps. */
export const BERT_LAYER_NORM_EPS = 1e-12;

/** In place on a flat (rows, d) buffer: mha-lab/blocks' LayerNorm (the biased variance, as torch.nn.LayerNorm). */
export function _layerNormFlat(x: Float64Array, rows: number, d: number, p: NormParams, eps: number): Float64Array {
  x.set(LayerNorm.forward(x, { gamma: p.weight, beta: p.bias }, rows, d, eps).y); // (rows, d)
  return x;
}

/**
 * Normalise each row to mean 0 and variance 1, then scale by γ and shift by β.
 *   y_ij = (x_ij − μ_i) / √(σ²_i + ε) · γ_j + β_j,   μ_i = (1/d) Σ_j x_ij,   σ²_i = (1/d) Σ_j (x_ij − μ_i)²  (biased)
 *
 * @param x     (L, d) one row per token
 * @param gamma (d,) γ, the LayerNorm weight
 * @param beta  (d,) β, the LayerNorm bias
 * @param eps   added to the variance (default 1e-12, BERT's layer_norm_eps)
 * @return (L, d)
 * @example layerNorm([[1, 3]], [1, 1], [0, 0]) // returns [[-1…, 1…]]  (−1 and 1 to 1e-12: ε is added to the variance)
 */
export function layerNorm(x: Matrix, gamma: ArrayLike<number>, beta: ArrayLike<number>, eps = BERT_LAYER_NORM_EPS): Matrix {
  const d = gamma.length;
  if (beta.length !== d) throw new Error(`layerNorm: gamma has ${d} entries but beta has ${beta.length}`);
  if (!(eps > 0)) throw new Error(`layerNorm: eps must be > 0, got ${eps}`);
  const f = _toFlat("layerNorm x", x, d); // (L, d)
  const p = { weight: Float64Array.from(gamma), bias: Float64Array.from(beta) };
  return _toNested(_layerNormFlat(f, x.length, d, p, eps), x.length, d); // (L, d)
}
