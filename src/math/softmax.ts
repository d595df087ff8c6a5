/**
 * Numerically stable softmax over each row.
 *
 * Dependencies: checkMatrix.
 */
import { checkMatrix } from "./matrix";
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
    const max = Math.max(...row);
    if (max === -Infinity) return row.map(() => 0); // every position masked
    const e = row.map((xj) => Math.exp(xj - max)); // exp(−Infinity) = 0
    const sum = e.reduce((s, ej) => s + ej, 0); // ≥ 1: the max term is exp(0)
    return e.map((ej) => ej / sum);
  });
}
