/**
 * An affine map in the paper's orientation (PyTorch stores wᵀ).
 *
 * Dependencies: mathjs multiply, transpose, checkMatrix, checkVector.
 */
import { _multiply } from "./_internal";
import { _checkProduct } from "./_overflow";
import { checkMatrix, checkVector, shapeOf, transpose } from "./matrix";
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
  const xw = _multiply(x, w); // (n, dOut), shapes checked above
  const y = b == null ? xw : xw.map((row) => row.map((yj, j) => yj + b[j])); // (n, dOut)
  _checkProduct(y, b == null ? `${names[0]}·${names[1]}` : `${names[0]}·${names[1]} + ${names[2]}`,
    `${names[0]} row`, x, `${names[1]} column`, w); // an overflow names the row of x and the column of w
  return y;
}

/** The gradients of linear with respect to its three inputs. */
export interface LinearGradients {
  /** (n, dIn) ∂loss/∂X */ dX: Matrix;
  /** (dIn, dOut) ∂loss/∂W */ dW: Matrix;
  /** (dOut,) ∂loss/∂b, or null when the forward had no bias */ db: Vector | null;
}

/**
 * The vector-Jacobian product of linear: given ∂loss/∂Y, the gradients of X, W and b.
 *   ∂X = ∂Y·Wᵀ,   ∂W = Xᵀ·∂Y,   ∂b = Σ_rows ∂Y
 * @param x (n, dIn) the forward's input
 * @param w (dIn, dOut) the forward's weight
 * @param dY (n, dOut) the upstream gradient ∂loss/∂Y
 * @param withBias whether the forward added a bias (default true); false gives db = null
 * @return { dX (n, dIn), dW (dIn, dOut), db (dOut,) or null }
 * @example linearBackward([[1, 2]], [[1, 0], [0, 1]], [[1, 1]]).dW // returns [[1, 1], [2, 2]]
 */
export function linearBackward(
  x: Matrix, w: Matrix, dY: Matrix, withBias = true, names: [string, string, string] = ["x", "w", "dY"],
): LinearGradients {
  const [n, dIn] = shapeOf(checkMatrix(names[0], x));
  const [, dOut] = shapeOf(checkMatrix(names[1], w, { rows: { n: dIn, why: `${names[0]} has ${dIn} columns` } }));
  checkMatrix(names[2], dY, {
    rows: { n, why: `${names[0]} has ${n} rows` }, cols: { n: dOut, why: `${names[1]} has ${dOut} columns` },
  });
  const dX = _multiply(dY, transpose(w, names[1])); // (n, dIn)
  const dW = _multiply(transpose(x, names[0]), dY); // (dIn, dOut)
  const db = withBias ? dY.reduce((s, row) => s.map((sj, j) => sj + row[j]), new Array<number>(dOut).fill(0)) : null; // (dOut,)
  return { dX, dW, db };
}
