/**
 * Numerically stable softmax over each row.
 *
 * Dependencies: checkMatrix.
 */
import { checkMatrix, shapeOf } from "./matrix";
import type { Matrix } from "./trace";

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
  return x.map((row) => {
    let max = -Infinity; // a loop, not Math.max(...row): that overflows the call stack past ~120,000 entries
    for (let j = 0; j < row.length; j++) if (row[j] > max) max = row[j];
    if (max === -Infinity) return row.map(() => 0); // every position masked
    const e = row.map((xj) => Math.exp(xj - max)); // exp(−Infinity) = 0
    const sum = e.reduce((s, ej) => s + ej, 0); // ≥ 1: the max term is exp(0)
    return e.map((ej) => ej / sum);
  });
}

/**
 * The vector-Jacobian product of softmaxRows: given a = softmax(s) and ∂loss/∂a, the gradient ∂loss/∂s.
 *   ∂s_j = a_j·(∂a_j − Σ_k a_k·∂a_k)   in every row
 * An entry with a_j = 0 (a masked key) gets ∂s_j = 0, and a fully masked row (all zeros) gets a zero row.
 * @param a (rows, cols) the forward's output (each row sums to 1 or is all zeros)
 * @param dA (rows, cols) the upstream gradient ∂loss/∂a
 * @return (rows, cols) ∂loss/∂s
 * @example softmaxRowsBackward([[0.5, 0.5]], [[1, 0]]) // returns [[0.25, -0.25]]
 */
export function softmaxRowsBackward(a: Matrix, dA: Matrix, names: [string, string] = ["a", "dA"]): Matrix {
  const [rows, cols] = shapeOf(checkMatrix(names[0], a));
  checkMatrix(names[1], dA, { rows: { n: rows, why: `${names[0]} has ${rows} rows` }, cols: { n: cols, why: `${names[0]} has ${cols} columns` } });
  return a.map((row, i) => {
    const dot = row.reduce((s, aj, j) => s + aj * dA[i][j], 0); // Σ_k a_k·∂a_k
    return row.map((aj, j) => aj * (dA[i][j] - dot)); // (cols,)
  }); // (rows, cols)
}
