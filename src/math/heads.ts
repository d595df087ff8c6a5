/**
 * Split a (L, h·d) matrix into h heads of (L, d), put heads back side by side, and share key/value heads among
 * query heads (grouped-query attention). Each public function checks its arguments, then calls the unchecked
 * step of the same name with a leading `_`, which MultiHeadAttention calls directly.
 *
 * Dependencies: checkMatrix.
 */
import { checkMatrix, checkPositiveInt, formatShape, shapeOf } from "./matrix";
import type { Matrix } from "./types";

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
  return _splitHeads(x, numHeads);
}

/**
 * The step splitHeads checks and then calls (the width divisible by numHeads).
 * @example _splitHeads([[1, 2]], 2) // returns [[[1]], [[2]]]
 */
export function _splitHeads(x: Matrix, numHeads: number): Matrix[] {
  const d = x[0].length / numHeads;
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
  return _concatHeads(heads);
}

/**
 * The step concatHeads checks and then calls (heads all the same shape).
 * @example _concatHeads([[[1]], [[2]]]) // returns [[1, 2]]
 */
export function _concatHeads(heads: Matrix[]): Matrix {
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
  return _meanOverHeads(weights);
}

/**
 * The step meanOverHeads checks and then calls.
 * @example _meanOverHeads([[[1, 0]], [[0, 0]]]) // returns [[0.5, 0]]
 */
export function _meanOverHeads(weights: Matrix[]): Matrix {
  const h = weights.length;
  return weights[0].map((row, i) => row.map((_, j) => weights.reduce((s, w) => s + w[i][j], 0) / h)); // (L, S)
}

/**
 * Grouped-query attention's sharing of key/value heads (llama's `repeat_kv`): numKVHeads heads become
 * numKVHeads·nRep, each repeated nRep times in a row, so query head i reads key/value head ⌊i / nRep⌋.
 *   [K_0, K_1] with nRep = 2  →  [K_0, K_0, K_1, K_1]
 * With nRep = 1 (as many key/value heads as query heads) it is the identity: ordinary multi-head attention.
 * @param heads hKV × (S, d)
 * @param nRep how many query heads share each key/value head (numHeads / numKVHeads)
 * @return (hKV·nRep) × (S, d): the same arrays, not copies
 * @example repeatKV([[[1]], [[2]]], 2) // returns [[[1]], [[1]], [[2]], [[2]]]
 */
export function repeatKV(heads: Matrix[], nRep: number, name = "heads"): Matrix[] {
  if (!Array.isArray(heads) || heads.length === 0) throw new Error(`${name} must be a non-empty array of (S, d) matrices`);
  heads.forEach((m, i) => checkMatrix(`${name}[${i}]`, m));
  checkPositiveInt("nRep", nRep);
  return _repeatKV(heads, nRep);
}

/**
 * The step repeatKV checks and then calls.
 * @example _repeatKV([[[1]]], 3).length // returns 3
 */
export function _repeatKV(heads: Matrix[], nRep: number): Matrix[] {
  return heads.flatMap((m) => Array.from({ length: nRep }, () => m)); // (hKV·nRep) × (S, d)
}

/**
 * The vector-Jacobian product of repeatKV: a shared key/value head's gradient is the sum of the gradients of
 * the query heads that read it.
 *   ∂K_g = Σ_{r < nRep} ∂K_{g·nRep + r}
 * @param dHeads (hKV·nRep) × (S, d)
 * @param nRep how many query heads share each key/value head
 * @return hKV × (S, d)
 * @example repeatKVBackward([[[1]], [[2]], [[3]], [[4]]], 2) // returns [[[3]], [[7]]]
 */
export function repeatKVBackward(dHeads: Matrix[], nRep: number, name = "dHeads"): Matrix[] {
  if (!Array.isArray(dHeads) || dHeads.length === 0) throw new Error(`${name} must be a non-empty array of (S, d) matrices`);
  checkPositiveInt("nRep", nRep);
  if (dHeads.length % nRep !== 0) throw new Error(`${name} has ${dHeads.length} heads, which is not divisible by nRep ${nRep}`);
  const [S, d] = shapeOf(checkMatrix(`${name}[0]`, dHeads[0]));
  dHeads.forEach((m, i) => checkMatrix(`${name}[${i}]`, m, { rows: { n: S, why: `${name}[0] has ${S} rows` }, cols: { n: d, why: `${name}[0] has ${d} columns` } }));
  return _repeatKVBackward(dHeads, nRep);
}

/**
 * The step repeatKVBackward checks and then calls.
 * @example _repeatKVBackward([[[1]], [[2]]], 1) // returns [[[1]], [[2]]]
 */
export function _repeatKVBackward(dHeads: Matrix[], nRep: number): Matrix[] {
  if (nRep === 1) return dHeads;
  const groups: Matrix[] = [];
  for (let g = 0; g < dHeads.length / nRep; g++) {
    const sum = dHeads[g * nRep].map((row) => row.slice()); // (S, d)
    for (let r = 1; r < nRep; r++) {
      const m = dHeads[g * nRep + r];
      for (let i = 0; i < sum.length; i++) for (let j = 0; j < sum[i].length; j++) sum[i][j] += m[i][j];
    }
    groups.push(sum);
  }
  return groups; // hKV × (S, d)
}
