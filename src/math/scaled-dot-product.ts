/**
 * Scaled dot-product attention, returning every intermediate.
 *
 * Dependencies: matmul, transpose, softmaxRows, toAdditiveMask.
 */
import { checkMask, Mask, toAdditiveMask } from "./masks";
import { checkMatrix, matmul, shapeOf, transpose } from "./matrix";
import { softmaxRows } from "./softmax";
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
  const fullyMaskedRows = maskedScores.flatMap((row, i) => (row.every((s) => s === -Infinity) ? [i] : []));
  return { scores, scaledScores, maskedScores, weights, output, fullyMaskedRows };
}
