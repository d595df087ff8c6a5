/**
 * Scaled dot-product attention, returning every intermediate.
 *
 * Dependencies: matmul, transpose, softmaxRows, softmaxRowsBackward, toAdditiveMask.
 */
import { checkMask, fullyMaskedRows, Mask, toAdditiveMask } from "./masks";
import { checkMatrix, matmul, shapeOf, transpose } from "./matrix";
import { softmaxRows, softmaxRowsBackward } from "./softmax";
import type { Matrix } from "./trace";

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

  const scores = matmul(q, transpose(k, "k"), ["q", "kᵀ"]); // (L, S)
  const scaledScores = scores.map((row) => row.map((s) => s / Math.sqrt(dK))); // (L, S)
  const additive = mask == null ? null : toAdditiveMask(mask, "mask"); // (L, S)
  const maskedScores = additive == null ? scaledScores.map((row) => row.slice())
    : scaledScores.map((row, i) => row.map((s, j) => s + additive[i][j])); // (L, S)
  const weights = softmaxRows(maskedScores, "maskedScores"); // (L, S)
  const output = matmul(weights, v, ["weights", "v"]); // (L, dV)
  return { scores, scaledScores, maskedScores, weights, output, fullyMaskedRows: fullyMaskedRows(maskedScores) };
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
 * gets zero gradients everywhere, where PyTorch's autograd gives NaN.
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

  const dVal = matmul(transpose(weights, "weights"), dOutput, ["weightsᵀ", "dOutput"]); // (S, dV)
  const dWeights = matmul(dOutput, transpose(v, "v"), ["dOutput", "vᵀ"]); // (L, S)
  const dScaledScores = softmaxRowsBackward(weights, dWeights, ["weights", "dWeights"]); // (L, S)
  const dScores = dScaledScores.map((row) => row.map((g) => g / Math.sqrt(dK))); // (L, S)
  const dQ = matmul(dScores, k, ["dScores", "k"]); // (L, dK)
  const dKey = matmul(transpose(dScores, "dScores"), q, ["dScoresᵀ", "q"]); // (S, dK)
  return { dWeights, dScaledScores, dQ, dK: dKey, dV: dVal };
}
