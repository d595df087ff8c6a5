/**
 * An affine map in the paper's orientation (PyTorch stores wᵀ).
 *
 * Dependencies: mathjs multiply, checkMatrix, checkVector.
 */
import { _multiply } from "./_internal";
import { checkMatrix, checkVector, shapeOf } from "./matrix";
import type { Matrix, Vector } from "./trace";

/**
 * Multiply every row of x by w and add the bias b.
 *   Y = X·W + b   (PyTorch's nn.Linear computes X·Wᵀ + b with W stored as (out, in))
 * @param x (n, dIn)
 * @param w (dIn, dOut)
 * @param b (dOut,) or null/undefined for no bias
 * @return (n, dOut)
 * @example linear([[1, 2]], [[1, 0], [0, 1]], [10, 20]) // returns [[11, 22]]
 */
export function linear(x: Matrix, w: Matrix, b?: Vector | null, names: [string, string, string] = ["x", "w", "b"]): Matrix {
  const [, dIn] = shapeOf(checkMatrix(names[0], x));
  const [, dOut] = shapeOf(checkMatrix(names[1], w, { rows: { n: dIn, why: `${names[0]} has ${dIn} columns` } }));
  if (b != null) checkVector(names[2], b, { n: dOut, why: `${names[1]} has ${dOut} columns` });
  const y = _multiply(x, w); // (n, dOut), shapes checked above
  return b == null ? y : y.map((row) => row.map((yj, j) => yj + b[j])); // (n, dOut)
}
