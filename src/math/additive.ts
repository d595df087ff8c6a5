/**
 * Additive (Bahdanau) attention: the alternative scoring function to the dot product.
 *
 * Dependencies: linear, softmaxRows, toAdditiveMask, matmul.
 */
import { linear } from "./linear";
import { checkMask, Mask, toAdditiveMask } from "./masks";
import { checkMatrix, checkVector, matmul, shapeOf } from "./matrix";
import { softmaxRows } from "./softmax";
import type { Matrix, Vector } from "./trace";

/** Parameters of additive attention (names as in D2L; Bahdanau calls them W_a, U_a, v_a). */
export interface AdditiveParams {
  /** (dQ, dHidden) */ wQ: Matrix;
  /** (dKey, dHidden) */ wK: Matrix;
  /** (dHidden,) the score vector w_v */ wV: Vector;
}

/** The steps of additiveAttention. */
export interface AdditiveSteps {
  /** (L, S) e_ij = w_vᵀ·tanh(q_i·W_q + k_j·W_k) */ scores: Matrix;
  /** (L, S) scores + additive mask */ maskedScores: Matrix;
  /** (L, S) softmax of each row (all zeros for a fully masked row) */ weights: Matrix;
  /** (L, dV) weights·v */ output: Matrix;
  /** query rows whose keys were all masked */ fullyMaskedRows: number[];
}

/**
 * Additive attention (Bahdanau et al. 2015): score each (query, key) pair with a one-hidden-layer MLP.
 *   e_ij = w_vᵀ·tanh(q_i·W_q + k_j·W_k),  weights = softmax_j(e_ij + M_ij),  output = weights·V
 * @param q (L, dQ) queries
 * @param k (S, dKey) keys
 * @param v (S, dV) values
 * @param params { wQ (dQ, dHidden), wK (dKey, dHidden), wV (dHidden,) }
 * @param mask (L, S) PyTorch convention (boolean true = not allowed, or float added), or null
 * @example additiveAttention([[0]], [[1], [2]], [[10], [20]], { wQ: [[1]], wK: [[0]], wV: [1] }).weights
 *   // returns [[0.5, 0.5]]   (both keys score tanh(0) = 0)
 */
export function additiveAttention(q: Matrix, k: Matrix, v: Matrix, params: AdditiveParams, mask?: Mask | null): AdditiveSteps {
  const [L, dQ] = shapeOf(checkMatrix("q", q));
  const [S, dKey] = shapeOf(checkMatrix("k", k));
  checkMatrix("v", v, { rows: { n: S, why: `k has ${S} rows` } });
  if (params == null || typeof params !== "object") throw new Error("params must be { wQ, wK, wV }");
  const [, dHidden] = shapeOf(checkMatrix("params.wQ", params.wQ, { rows: { n: dQ, why: `q has ${dQ} columns` } }));
  checkMatrix("params.wK", params.wK, {
    rows: { n: dKey, why: `k has ${dKey} columns` },
    cols: { n: dHidden, why: `params.wQ has ${dHidden} columns` },
  });
  checkVector("params.wV", params.wV, { n: dHidden, why: `params.wQ has ${dHidden} columns` });
  if (mask != null) checkMask("mask", mask, L, S);

  const qW = linear(q, params.wQ, null, ["q", "params.wQ", ""]); // (L, dHidden)
  const kW = linear(k, params.wK, null, ["k", "params.wK", ""]); // (S, dHidden)
  const wV = params.wV.map((x) => [x]); // (dHidden, 1)
  const scores = qW.map((qi) => {
    const features = kW.map((kj) => kj.map((x, d) => Math.tanh(qi[d] + x))); // (S, dHidden)
    return matmul(features, wV, ["features", "wV"]).map((row) => row[0]); // (S,)
  }); // (L, S)
  const additive = mask == null ? null : toAdditiveMask(mask, "mask");
  const maskedScores = scores.map((row, i) => row.map((e, j) => e + (additive ? additive[i][j] : 0))); // (L, S)
  const weights = softmaxRows(maskedScores, "maskedScores"); // (L, S)
  const output = matmul(weights, v, ["weights", "v"]); // (L, dV)
  const fullyMaskedRows = maskedScores.flatMap((row, i) => (row.every((s) => s === -Infinity) ? [i] : []));
  return { scores, maskedScores, weights, output, fullyMaskedRows };
}
