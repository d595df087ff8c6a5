/**
 * Split a (L, h·d) matrix into h heads of (L, d), and put heads back side by side.
 *
 * Dependencies: checkMatrix.
 */
import { checkMatrix, checkPositiveInt, formatShape, shapeOf } from "./matrix";
import type { Matrix } from "./trace";

/**
 * Cut the columns into numHeads equal blocks: head i gets columns i·d … (i+1)·d − 1.
 *   X = [X_0 | X_1 | … | X_{h−1}]
 * @param x (L, h·d)
 * @param numHeads h
 * @return h × (L, d)
 * @example splitHeads([[1, 2, 3, 4]], 2) // returns [[[1, 2]], [[3, 4]]]
 */
export function splitHeads(x: Matrix, numHeads: number, name = "x"): Matrix[] {
  const [, width] = shapeOf(checkMatrix(name, x, { allowNegInfinity: true }));
  checkPositiveInt("numHeads", numHeads);
  if (width % numHeads !== 0) {
    throw new Error(`${name} has ${width} columns, which is not divisible by numHeads ${numHeads}`);
  }
  const d = width / numHeads;
  const heads: Matrix[] = [];
  for (let i = 0; i < numHeads; i++) {
    heads.push(x.map((row) => row.slice(i * d, (i + 1) * d))); // (L, d)
  }
  return heads; // h × (L, d)
}

/**
 * Put the heads side by side (the inverse of splitHeads).
 *   Concat(head_0, …, head_{h−1})
 * @param heads h × (L, d), all the same shape
 * @return (L, h·d)
 * @example concatHeads([[[1, 2]], [[3, 4]]]) // returns [[1, 2, 3, 4]]
 */
export function concatHeads(heads: Matrix[], name = "heads"): Matrix {
  if (!Array.isArray(heads) || heads.length === 0) {
    throw new Error(`${name} must be a non-empty array of (L, d) matrices`);
  }
  const [L, d] = shapeOf(checkMatrix(`${name}[0]`, heads[0], { allowNegInfinity: true }));
  heads.forEach((head, i) => {
    const [Li, di] = shapeOf(checkMatrix(`${name}[${i}]`, head, { allowNegInfinity: true }));
    if (Li !== L || di !== d) {
      throw new Error(`${name}[${i}] is ${formatShape(Li, di)} but ${name}[0] is ${formatShape(L, d)}`);
    }
  });
  return heads[0].map((_, r) => {
    const row: number[] = []; // row r of every head, side by side (a loop: flatMap is several times slower here)
    for (const head of heads) for (const x of head[r]) row.push(x);
    return row;
  }); // (L, h·d)
}

/**
 * The vector-Jacobian product of splitHeads: the gradients of the heads, put back side by side.
 *   ∂X = [∂X_0 | ∂X_1 | … | ∂X_{h−1}]
 * @param dHeads h × (L, d) ∂loss/∂X_i
 * @return (L, h·d) ∂loss/∂X
 * @example splitHeadsBackward([[[1, 2]], [[3, 4]]]) // returns [[1, 2, 3, 4]]
 */
export function splitHeadsBackward(dHeads: Matrix[], name = "dHeads"): Matrix {
  return concatHeads(dHeads, name); // (L, h·d)
}

/**
 * The vector-Jacobian product of concatHeads: the gradient of the concatenation, cut into the heads' columns.
 *   ∂head_i = columns i·d … (i+1)·d − 1 of ∂Concat
 * @param dConcat (L, h·d) ∂loss/∂Concat
 * @param numHeads h
 * @return h × (L, d)
 * @example concatHeadsBackward([[1, 2, 3, 4]], 2) // returns [[[1, 2]], [[3, 4]]]
 */
export function concatHeadsBackward(dConcat: Matrix, numHeads: number, name = "dConcat"): Matrix[] {
  return splitHeads(dConcat, numHeads, name); // h × (L, d)
}

/**
 * The attention weights averaged over heads (what nn.MultiheadAttention returns with
 * average_attn_weights=True).
 *   Ā = (1/h) Σ_i A_i
 * @param weights h × (L, S)
 * @return (L, S)
 * @example meanOverHeads([[[1, 0]], [[0, 1]]]) // returns [[0.5, 0.5]]
 */
export function meanOverHeads(weights: Matrix[]): Matrix {
  if (!Array.isArray(weights) || weights.length === 0) {
    throw new Error("weights must be a non-empty array of (L, S) matrices, one per head");
  }
  const [L, S] = shapeOf(checkMatrix("weights[0]", weights[0]));
  weights.forEach((w, i) => checkMatrix(`weights[${i}]`, w, { rows: { n: L, why: `weights[0] has ${L} rows` }, cols: { n: S, why: `weights[0] has ${S} columns` } }));
  const h = weights.length;
  return weights[0].map((row, i) => row.map((_, j) => weights.reduce((s, w) => s + w[i][j], 0) / h)); // (L, S)
}
