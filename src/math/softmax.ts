/**
 * Numerically stable softmax over each row, and its backward. `softmaxRows` checks its argument and calls the
 * unchecked step `_softmaxRows`; the readable forward calls the step on scores it computed itself.
 *
 * Dependencies: checkMatrix.
 */
import { checkMatrix, shapeOf } from "./matrix";
import type { Matrix } from "./types";

/**
 * Softmax of every row, with the row maximum subtracted first so exp never overflows.
 *   softmax(x)_j = exp(x_j − max x) / Σ_k exp(x_k − max x)
 * A row that is entirely −Infinity (every key masked) gives all zeros, never NaN.
 * NaN and +Infinity are rejected with an Error naming the entry.
 * @param x (rows, cols) scores; −Infinity marks masked positions
 * @return (rows, cols) each row sums to 1 (or is all zeros)
 * @example softmaxRows([[100, 100], [-1000, 1000]]) // returns [[0.5, 0.5], [0, 1]]
 */
export function softmaxRows(x: Matrix, name = "x"): Matrix {
  checkMatrix(name, x, { allowNegInfinity: true });
  return _softmaxRows(x);
}

/**
 * The step softmaxRows checks and then calls (x holds numbers and −Infinity only).
 * @example _softmaxRows([[0, -Infinity]]) // returns [[1, 0]]
 */
export function _softmaxRows(x: Matrix): Matrix {
  return x.map((row) => {
    let max = -Infinity; // a loop, not Math.max(...row): that overflows the call stack past ~120,000 entries
    for (let j = 0; j < row.length; j++) if (row[j] > max) max = row[j];
    if (max === -Infinity) return row.map(() => 0); // every position masked
    const e = row.map((xj) => Math.exp(xj - max)); // exp(−Infinity) = 0
    const sum = e.reduce((s, ej) => s + ej, 0); // ≥ 1: the max term is exp(0)
    return e.map((ej) => ej / sum);
  });
}

/** How far a row of softmax weights may sum from 1 (rounding of S terms is far below this). */
export const SOFTMAX_SUM_TOLERANCE = 1e-9;

/**
 * Check that `a` holds softmax weights: every entry in [0, 1] and every row summing to 1 (within
 * SOFTMAX_SUM_TOLERANCE) or all zeros (a fully masked row); throw an Error naming the row and the value otherwise.
 * @param name e.g. "weights" or "trace.heads[2].weights"
 * @param a (rows, cols), already checked to be a finite matrix
 * @example _checkSoftmaxRows("a", [[0.5, 0.6]]) // throws "a row 0 sums to 1.1, not 1"
 */
export function _checkSoftmaxRows(name: string, a: Matrix): void {
  for (let i = 0; i < a.length; i++) {
    const row = a[i];
    let sum = 0;
    for (let j = 0; j < row.length; j++) {
      if (row[j] < 0 || row[j] > 1) {
        throw new Error(`${name}[${i}][${j}] is ${row[j]}, but softmax weights lie in [0, 1]; pass the weights the forward returned`);
      }
      sum += row[j];
    }
    if (sum !== 0 && !(Math.abs(sum - 1) <= SOFTMAX_SUM_TOLERANCE)) {
      throw new Error(`${name} row ${i} sums to ${Number(sum.toPrecision(6))}, not 1: softmax weights sum to 1 in every row ` +
        "(or are all 0 where every key was masked); pass the weights the forward returned");
    }
  }
}

/**
 * The vector-Jacobian product of softmaxRows: given a = softmax(s) and ∂loss/∂a, the gradient ∂loss/∂s.
 *   ∂s_j = a_j·(∂a_j − Σ_k a_k·∂a_k)   in every row
 * An entry with a_j = 0 (a masked key) gets ∂s_j = 0, and a fully masked row (all zeros) gets a zero row.
 * Weights that are not a softmax (a negative entry, a row not summing to 1) are an error naming the row.
 * @param a (rows, cols) the forward's output (each row sums to 1 or is all zeros)
 * @param dA (rows, cols) the upstream gradient ∂loss/∂a
 * @return (rows, cols) ∂loss/∂s
 * @example softmaxRowsBackward([[0.5, 0.5]], [[1, 0]]) // returns [[0.25, -0.25]]
 */
export function softmaxRowsBackward(a: Matrix, dA: Matrix, names: [string, string] = ["a", "dA"]): Matrix {
  const [rows, cols] = shapeOf(checkMatrix(names[0], a));
  checkMatrix(names[1], dA, { rows: { n: rows, why: `${names[0]} has ${rows} rows` }, cols: { n: cols, why: `${names[0]} has ${cols} columns` } });
  _checkSoftmaxRows(names[0], a);
  return _softmaxRowsBackward(a, dA);
}

/**
 * The step softmaxRowsBackward checks and then calls.
 * @example _softmaxRowsBackward([[1, 0]], [[5, 7]]) // returns [[0, 0]]
 */
export function _softmaxRowsBackward(a: Matrix, dA: Matrix): Matrix {
  return a.map((row, i) => {
    const dot = row.reduce((s, aj, j) => s + aj * dA[i][j], 0); // Σ_k a_k·∂a_k
    return row.map((aj, j) => aj * (dA[i][j] - dot)); // (cols,)
  }); // (rows, cols)
}
