/**
 * Additive (Bahdanau) attention: the alternative scoring function to the dot product.
 *
 * Dependencies: linear, softmaxRows, toAdditiveMask, matmul.
 */
import { linear, linearBackward } from "./linear";
import { checkMask, fullyMaskedRows, Mask, toAdditiveMask } from "./masks";
import { checkMatrix, checkVector, matmul, shapeOf, transpose } from "./matrix";
import { softmaxRows, softmaxRowsBackward } from "./softmax";
import type { Matrix, Vector } from "./types";

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
  return { scores, maskedScores, weights, output, fullyMaskedRows: fullyMaskedRows(maskedScores) };
}

/** The gradients of additiveAttention. */
export interface AdditiveGradients {
  /** (L, dQ) */ dQ: Matrix;
  /** (S, dKey) */ dK: Matrix;
  /** (S, dV) */ dV: Matrix;
  /** the same keys and shapes as params */ dParams: AdditiveParams;
}

/**
 * The vector-Jacobian product of additiveAttention, from the forward's weights A.
 *   ∂V = Aᵀ·∂O,   ∂e = A ⊙ (∂A − rowsum(A ⊙ ∂A)) with ∂A = ∂O·Vᵀ,
 *   with t_ijd = tanh(q_i·W_q + k_j·W_k)_d:   ∂w_v = Σ_ij ∂e_ij·t_ij,   ∂h_ijd = ∂e_ij·w_v,d·(1 − t_ijd²),
 *   ∂(q·W_q)_i = Σ_j ∂h_ij,   ∂(k·W_k)_j = Σ_i ∂h_ij, then through the two linear maps.
 * Masked entries (A_ij = 0) and fully masked rows get zero gradient.
 * @param q (L, dQ), k (S, dKey), v (S, dV), params: the forward's inputs
 * @param weights (L, S) the forward's weights (AdditiveSteps.weights)
 * @param dOutput (L, dV) ∂loss/∂output
 * @return { dQ (L, dQ), dK (S, dKey), dV (S, dV), dParams { wQ, wK, wV } }
 * @example additiveAttentionBackward([[0]], [[1], [2]], [[10], [20]], { wQ: [[1]], wK: [[0]], wV: [1] }, [[0.5, 0.5]], [[1]]).dV // returns [[0.5], [0.5]]
 */
export function additiveAttentionBackward(
  q: Matrix, k: Matrix, v: Matrix, params: AdditiveParams, weights: Matrix, dOutput: Matrix,
): AdditiveGradients {
  const [L, dQ] = shapeOf(checkMatrix("q", q));
  const [S] = shapeOf(checkMatrix("k", k));
  const [, dV] = shapeOf(checkMatrix("v", v, { rows: { n: S, why: `k has ${S} rows` } }));
  if (params == null || typeof params !== "object") throw new Error("params must be { wQ, wK, wV }");
  const [, dHidden] = shapeOf(checkMatrix("params.wQ", params.wQ, { rows: { n: dQ, why: `q has ${dQ} columns` } }));
  checkMatrix("weights", weights, { rows: { n: L, why: `q has ${L} rows` }, cols: { n: S, why: `k has ${S} rows` } });
  checkMatrix("dOutput", dOutput, { rows: { n: L, why: `q has ${L} rows` }, cols: { n: dV, why: `v has ${dV} columns` } });

  const dVal = matmul(transpose(weights, "weights"), dOutput, ["weightsᵀ", "dOutput"]); // (S, dV)
  const dWeights = matmul(dOutput, transpose(v, "v"), ["dOutput", "vᵀ"]); // (L, S)
  const dE = softmaxRowsBackward(weights, dWeights, ["weights", "dWeights"]); // (L, S)
  const qW = linear(q, params.wQ, null, ["q", "params.wQ", ""]); // (L, dHidden)
  const kW = linear(k, params.wK, null, ["k", "params.wK", ""]); // (S, dHidden)
  const dwV = new Array<number>(dHidden).fill(0); // (dHidden,)
  const dqW = qW.map(() => new Array<number>(dHidden).fill(0)); // (L, dHidden)
  const dkW = kW.map(() => new Array<number>(dHidden).fill(0)); // (S, dHidden)
  for (let i = 0; i < L; i++) {
    for (let j = 0; j < S; j++) {
      const g = dE[i][j];
      if (g === 0) continue; // masked entries contribute nothing
      for (let d = 0; d < dHidden; d++) {
        const t = Math.tanh(qW[i][d] + kW[j][d]);
        dwV[d] += g * t;
        const dh = g * params.wV[d] * (1 - t * t);
        dqW[i][d] += dh;
        dkW[j][d] += dh;
      }
    }
  }
  const gq = linearBackward(q, params.wQ, dqW, false, ["q", "params.wQ", "d(q·wQ)"]); // dX (L, dQ), dW (dQ, dHidden)
  const gk = linearBackward(k, params.wK, dkW, false, ["k", "params.wK", "d(k·wK)"]); // dX (S, dKey), dW (dKey, dHidden)
  return { dQ: gq.dX, dK: gk.dX, dV: dVal, dParams: { wQ: gq.dW, wK: gk.dW, wV: dwV } };
}
