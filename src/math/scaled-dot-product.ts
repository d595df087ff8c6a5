/**
 * Scaled dot-product attention, returning every intermediate, and its backward. Each public function checks
 * its arguments, then calls the unchecked step of the same name with a leading `_` (MultiHeadAttention calls
 * the steps directly).
 *
 * Dependencies: _matmul, _transpose, _softmaxRows, _softmaxRowsBackward, toAdditiveMask, _checkProduct.
 */
import { _checkProduct, _firstNonFinite, _valuesOverflow } from "./_overflow";
import { checkMask, fullyMaskedRows, Mask, toAdditiveMask } from "./masks";
import { _matmul, _transpose, checkMatrix, shapeOf } from "./matrix";
import { _checkSoftmaxRows, _softmaxRows, _softmaxRowsBackward } from "./softmax";
import type { Matrix } from "./types";

/** Every step of scaledDotProductAttention, in the order it was computed. */
export interface AttentionSteps {
  /** (L, S) q·kᵀ */ scores: Matrix;
  /** (L, S) q·kᵀ / √dK */ scaledScores: Matrix;
  /** (L, S) scaledScores + additive mask (−Infinity where not allowed) */ maskedScores: Matrix;
  /** (L, S) softmax of each row; all zeros for a fully masked row */ weights: Matrix;
  /** (L, dV) weights·v */ output: Matrix;
  /** query rows whose keys were all masked (their weights and output are zero) */ fullyMaskedRows: number[];
}

/**
 * Scaled dot-product attention (Vaswani et al. 2017, eq. 1).
 *   Attention(Q, K, V) = softmax(Q·Kᵀ/√dK + M)·V
 * A query row whose keys are all masked gets zero weights and a zero output row and is listed
 * in fullyMaskedRows (PyTorch's nn.MultiheadAttention gives NaN there).
 *
 * Worked by hand (dK = 2, √dK = √2 ≈ 1.41421):
 *   q = [[1, 0], [0, 1]],  k = [[1, 0], [1, 1]],  v = [[1, 2], [3, 4]]
 *   scores = q·kᵀ = [[1·1+0·0, 1·1+0·1], [0·1+1·0, 0·1+1·1]] = [[1, 1], [0, 1]]
 *   scaledScores = scores/√2 = [[0.70711, 0.70711], [0, 0.70711]]
 *   weights row 0: equal scores → [0.5, 0.5]
 *   weights row 1: e^0 = 1, e^0.70711 ≈ 2.02811, sum 3.02811 → [0.33024, 0.66976]
 *   output row 0: 0.5·[1, 2] + 0.5·[3, 4] = [2, 3]
 *   output row 1: 0.33024·[1, 2] + 0.66976·[3, 4] = [2.33952, 3.33952]
 *
 * @param q (L, dK) queries
 * @param k (S, dK) keys
 * @param v (S, dV) values
 * @param mask (L, S) PyTorch convention: boolean true = not allowed, or float added; null for none
 * @example scaledDotProductAttention([[1, 0], [0, 1]], [[1, 0], [1, 1]], [[1, 2], [3, 4]]).output
 *   // returns [[2, 3], [2.33952…, 3.33952…]]
 */
export function scaledDotProductAttention(q: Matrix, k: Matrix, v: Matrix, mask?: Mask | null): AttentionSteps {
  const [L, dK] = shapeOf(checkMatrix("q", q));
  const [S] = shapeOf(checkMatrix("k", k, { cols: { n: dK, why: `q has ${dK} columns` } }));
  checkMatrix("v", v, { rows: { n: S, why: `k has ${S} rows` } });
  if (mask != null) checkMask("mask", mask, L, S);
  const steps = _scaledDotProductAttention(q, k, v, mask == null ? null : toAdditiveMask(mask, "mask"));
  return { ...steps, fullyMaskedRows: fullyMaskedRows(steps.maskedScores) };
}

/**
 * The step scaledDotProductAttention checks and then calls: shapes already checked, the mask additive.
 * A score or output that overflows is an error naming the rows it came from.
 * @param additive (L, S) added to the scaled scores (0 or −Infinity, or float values), or null
 * @param head which head of a layer this is (0-based), to name it in an overflow error; null for none
 * @example _scaledDotProductAttention([[0]], [[0], [0]], [[1], [3]], null).output // returns [[2]]
 */
export function _scaledDotProductAttention(
  q: Matrix, k: Matrix, v: Matrix, additive: Matrix | null, head: number | null = null,
): Omit<AttentionSteps, "fullyMaskedRows"> {
  const sqrtDK = Math.sqrt(q[0].length);
  const kT = _transpose(k); // (dK, S)
  const scores = _matmul(q, kT); // (L, S)
  _checkProduct(scores, "q·kᵀ", "q row", q, "kᵀ column", kT);
  const scaledScores = scores.map((row) => row.map((s) => s / sqrtDK)); // (L, S)
  const maskedScores = additive == null ? scaledScores.map((row) => row.slice())
    : scaledScores.map((row, i) => row.map((s, j) => s + additive[i][j])); // (L, S)
  const weights = _softmaxRows(maskedScores); // (L, S)
  const output = _matmul(weights, v); // (L, dV)
  const at = head == null ? null : _firstNonFinite(output);
  if (at) throw _valuesOverflow(head!, at[0], at[1], v.map((row) => row[at[1]]), output[at[0]][at[1]]);
  _checkProduct(output, "weights·v", "weights row", weights, "v column", v);
  return { scores, scaledScores, maskedScores, weights, output };
}

/** The gradients of scaledDotProductAttention, with the intermediate ones a chart may want. */
export interface AttentionGradients {
  /** (L, S) ∂loss/∂weights = ∂O·Vᵀ */ dWeights: Matrix;
  /** (L, S) ∂loss/∂maskedScores (= ∂ of the scaled scores: the mask is a constant) */ dScaledScores: Matrix;
  /** (L, dK) */ dQ: Matrix;
  /** (S, dK) */ dK: Matrix;
  /** (S, dV) */ dV: Matrix;
}

/**
 * The vector-Jacobian product of scaledDotProductAttention, from the forward's weights A.
 *   ∂V = Aᵀ·∂O,   ∂A = ∂O·Vᵀ,   ∂T = A ⊙ (∂A − rowsum(A ⊙ ∂A)),   ∂Q = ∂T·K/√dK,   ∂K = ∂Tᵀ·Q/√dK
 * A masked entry has A_ij = 0, so its score gets zero gradient; a fully masked row (all zero weights)
 * gets zero gradients everywhere, where PyTorch's autograd gives NaN. Weights that are not a softmax (a negative
 * entry, a row not summing to 1) are an error naming the row.
 * @param q (L, dK), k (S, dK), v (S, dV) the forward's inputs
 * @param weights (L, S) the forward's weights (AttentionSteps.weights)
 * @param dOutput (L, dV) ∂loss/∂output
 * @return { dWeights, dScaledScores (L, S), dQ (L, dK), dK (S, dK), dV (S, dV) }
 * @example scaledDotProductAttentionBackward([[1]], [[0], [0]], [[1], [3]], [[0.5, 0.5]], [[1]]).dK // returns [[-0.5], [0.5]]
 */
export function scaledDotProductAttentionBackward(
  q: Matrix, k: Matrix, v: Matrix, weights: Matrix, dOutput: Matrix,
): AttentionGradients {
  const [L, dK] = shapeOf(checkMatrix("q", q));
  const [S] = shapeOf(checkMatrix("k", k, { cols: { n: dK, why: `q has ${dK} columns` } }));
  const [, dV] = shapeOf(checkMatrix("v", v, { rows: { n: S, why: `k has ${S} rows` } }));
  checkMatrix("weights", weights, { rows: { n: L, why: `q has ${L} rows` }, cols: { n: S, why: `k has ${S} rows` } });
  checkMatrix("dOutput", dOutput, { rows: { n: L, why: `q has ${L} rows` }, cols: { n: dV, why: `v has ${dV} columns` } });
  _checkSoftmaxRows("weights", weights);
  return _scaledDotProductAttentionBackward(q, k, v, weights, dOutput);
}

/**
 * The step scaledDotProductAttentionBackward checks and then calls.
 * @example _scaledDotProductAttentionBackward([[1]], [[0], [0]], [[1], [3]], [[0.5, 0.5]], [[1]]).dV // returns [[0.5], [0.5]]
 */
export function _scaledDotProductAttentionBackward(
  q: Matrix, k: Matrix, v: Matrix, weights: Matrix, dOutput: Matrix,
): AttentionGradients {
  const sqrtDK = Math.sqrt(q[0].length);
  const dVal = _matmul(_transpose(weights), dOutput); // (S, dV)
  const dWeights = _matmul(dOutput, _transpose(v)); // (L, S)
  const dScaledScores = _softmaxRowsBackward(weights, dWeights); // (L, S)
  const dScores = dScaledScores.map((row) => row.map((g) => g / sqrtDK)); // (L, S)
  const dQ = _matmul(dScores, k); // (L, dK)
  const dKey = _matmul(_transpose(dScores), q); // (S, dK)
  return { dWeights, dScaledScores, dQ, dK: dKey, dV: dVal };
}
