/**
 * Additive (Bahdanau) attention: the alternative scoring function to the dot product, and its backward.
 * `additiveAttention` checks its arguments and calls the unchecked step `_additiveAttention`; MultiHeadAttention's
 * additive heads call the step (their projections are folded into W_i^Q, W_i^K: wQ = wK = null).
 *
 * Dependencies: _linear, _softmaxRows, toAdditiveMask, _matmul, their backwards.
 */
import { _linear, _linearBackward } from "./linear";
import { checkMask, fullyMaskedRows, Mask, toAdditiveMask } from "./masks";
import { _matmul, _transpose, checkMatrix, checkVector, shapeOf } from "./matrix";
import { _checkSoftmaxRows, _softmaxRows, _softmaxRowsBackward } from "./softmax";
import type { Matrix, Vector } from "./types";

export type { Scoring } from "./types";

/**
 * Parameters of additive attention (names as in D2L; Bahdanau calls them W_a, U_a, v_a). wQ and wK may be null:
 * q (or k) is then used as it is, already projected (inside multi-head attention, Bahdanau's W_q is folded into
 * W_i^Q: a product of two linear maps is one linear map), and dHidden is q's width.
 */
export interface AdditiveParams {
  /** (dQ, dHidden), or null: q is already q·W_q */ wQ: Matrix | null;
  /** (dKey, dHidden), or null: k is already k·W_k */ wK: Matrix | null;
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
 * Check q, k, v and params against each other (the shapes additiveAttention and its backward need).
 * @return L, S, dV and dHidden
 */
function _checkAdditive(q: unknown, k: unknown, v: unknown, params: unknown): { L: number; S: number; dV: number; dHidden: number } {
  const [L, dQ] = shapeOf(checkMatrix("q", q));
  const [S, dKey] = shapeOf(checkMatrix("k", k));
  const [, dV] = shapeOf(checkMatrix("v", v, { rows: { n: S, why: `k has ${S} rows` } }));
  if (params == null || typeof params !== "object") throw new Error("params must be { wQ, wK, wV }");
  const p = params as AdditiveParams;
  const dHidden = p.wQ == null ? dQ
    : shapeOf(checkMatrix("params.wQ", p.wQ, { rows: { n: dQ, why: `q has ${dQ} columns` } }))[1];
  const from = p.wQ == null ? `q has ${dQ} columns (params.wQ is null)` : `params.wQ has ${dHidden} columns`;
  if (p.wK == null) {
    if (dKey !== dHidden) throw new Error(`k has ${dKey} columns but ${from}; with params.wK null, k is used as it is`);
  } else {
    checkMatrix("params.wK", p.wK, { rows: { n: dKey, why: `k has ${dKey} columns` }, cols: { n: dHidden, why: from } });
  }
  checkVector("params.wV", p.wV, { n: dHidden, why: from });
  return { L, S, dV, dHidden };
}

/**
 * Additive attention (Bahdanau et al. 2015): score each (query, key) pair with a one-hidden-layer MLP.
 *   e_ij = w_vᵀ·tanh(q_i·W_q + k_j·W_k),  weights = softmax_j(e_ij + M_ij),  output = weights·V
 * @param q (L, dQ) queries
 * @param k (S, dKey) keys
 * @param v (S, dV) values
 * @param params { wQ (dQ, dHidden) or null, wK (dKey, dHidden) or null, wV (dHidden,) }
 * @param mask (L, S) PyTorch convention (boolean true = not allowed, or float added), or null
 * @example additiveAttention([[0]], [[1], [2]], [[10], [20]], { wQ: [[1]], wK: [[0]], wV: [1] }).weights
 *   // returns [[0.5, 0.5]]   (both keys score tanh(0) = 0)
 */
export function additiveAttention(q: Matrix, k: Matrix, v: Matrix, params: AdditiveParams, mask?: Mask | null): AdditiveSteps {
  const { L, S } = _checkAdditive(q, k, v, params);
  const additive = mask == null ? null : toAdditiveMask(checkMask("mask", mask, L, S), "mask"); // (L, S)
  return _additiveAttention(q, k, v, params, additive);
}

/**
 * The step additiveAttention checks and then calls (shapes checked; the mask already additive: 0, −Infinity or
 * finite numbers).
 * @param mask (L, S) additive mask, or null
 * @example _additiveAttention([[0]], [[1], [2]], [[10], [20]], { wQ: null, wK: null, wV: [1] }, null).scores // returns [[0.7615941559557649, 0.9640275800758169]]
 */
export function _additiveAttention(q: Matrix, k: Matrix, v: Matrix, params: AdditiveParams, mask: Matrix | null): AdditiveSteps {
  const qW = params.wQ == null ? q : _linear(q, params.wQ, null, ["q", "params.wQ", ""]); // (L, dHidden)
  const kW = params.wK == null ? k : _linear(k, params.wK, null, ["k", "params.wK", ""]); // (S, dHidden)
  const wV = params.wV.map((x) => [x]); // (dHidden, 1)
  const scores = qW.map((qi) => {
    const features = kW.map((kj) => kj.map((x, d) => Math.tanh(qi[d] + x))); // (S, dHidden)
    return _matmul(features, wV).map((row) => row[0]); // (S,)
  }); // (L, S)
  const maskedScores = scores.map((row, i) => row.map((e, j) => e + (mask ? mask[i][j] : 0))); // (L, S)
  const weights = _softmaxRows(maskedScores); // (L, S)
  const output = _matmul(weights, v); // (L, dV)
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
 * With wQ (or wK) null, dQ (dK) is ∂(q·W_q) itself and dParams.wQ (wK) is null.
 * @param q (L, dQ), k (S, dKey), v (S, dV), params: the forward's inputs
 * @param weights (L, S) the forward's weights (AdditiveSteps.weights)
 * @param dOutput (L, dV) ∂loss/∂output
 * @return { dQ (L, dQ), dK (S, dKey), dV (S, dV), dParams { wQ, wK, wV } }
 * @example additiveAttentionBackward([[0]], [[1], [2]], [[10], [20]], { wQ: [[1]], wK: [[0]], wV: [1] }, [[0.5, 0.5]], [[1]]).dV // returns [[0.5], [0.5]]
 */
export function additiveAttentionBackward(
  q: Matrix, k: Matrix, v: Matrix, params: AdditiveParams, weights: Matrix, dOutput: Matrix,
): AdditiveGradients {
  const { L, S, dV } = _checkAdditive(q, k, v, params);
  checkMatrix("weights", weights, { rows: { n: L, why: `q has ${L} rows` }, cols: { n: S, why: `k has ${S} rows` } });
  checkMatrix("dOutput", dOutput, { rows: { n: L, why: `q has ${L} rows` }, cols: { n: dV, why: `v has ${dV} columns` } });
  _checkSoftmaxRows("weights", weights);
  return _additiveAttentionBackward(q, k, v, params, weights, dOutput);
}

/**
 * The step additiveAttentionBackward checks and then calls (shapes checked).
 * @example _additiveAttentionBackward([[0]], [[1], [2]], [[10], [20]], { wQ: null, wK: null, wV: [1] }, [[0.5, 0.5]], [[1]]).dV // returns [[0.5], [0.5]]
 */
export function _additiveAttentionBackward(
  q: Matrix, k: Matrix, v: Matrix, params: AdditiveParams, weights: Matrix, dOutput: Matrix,
): AdditiveGradients {
  const dVal = _matmul(_transpose(weights), dOutput); // (S, dV)
  const dWeights = _matmul(dOutput, _transpose(v)); // (L, S)
  const dE = _softmaxRowsBackward(weights, dWeights); // (L, S)
  const qW = params.wQ == null ? q : _linear(q, params.wQ, null, ["q", "params.wQ", ""]); // (L, dHidden)
  const kW = params.wK == null ? k : _linear(k, params.wK, null, ["k", "params.wK", ""]); // (S, dHidden)
  const [L, S, dHidden] = [q.length, k.length, params.wV.length];
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
  const gq = params.wQ == null ? { dX: dqW, dW: null } : _linearBackward(q, params.wQ, dqW, false); // dX (L, dQ), dW (dQ, dHidden)
  const gk = params.wK == null ? { dX: dkW, dW: null } : _linearBackward(k, params.wK, dkW, false); // dX (S, dKey), dW (dKey, dHidden)
  return { dQ: gq.dX, dK: gk.dX, dV: dVal, dParams: { wQ: gq.dW, wK: gk.dW, wV: dwV } };
}
