/**
 * An affine map in the paper's orientation (PyTorch stores wᵀ), and its backward.
 * `linear` and `linearBackward` check their arguments, then call the unchecked steps `_linear` and
 * `_linearBackward`, which MultiHeadAttention calls directly on arrays it has checked or built.
 *
 * Dependencies: _matmul, _transpose, checkMatrix, checkVector, _checkProduct.
 */
import { _checkProduct } from "./_overflow";
import { _matmul, _transpose, checkMatrix, checkVector, shapeOf } from "./matrix";
import type { Matrix, Vector } from "./types";

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
  return _linear(x, w, b ?? null, names);
}

/**
 * The step linear checks and then calls (shapes already checked): Y = X·W + b, an overflow named by the row of
 * x and the column of w it came from.
 * @param x (n, dIn)
 * @param w (dIn, dOut)
 * @param b (dOut,) or null
 * @example _linear([[1, 2]], [[1], [1]], [0.5]) // returns [[3.5]]
 */
export function _linear(x: Matrix, w: Matrix, b: Vector | null, names: [string, string, string] = ["x", "w", "b"]): Matrix {
  const xw = _matmul(x, w); // (n, dOut)
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
  return _linearBackward(x, w, dY, withBias);
}

/**
 * The step linearBackward checks and then calls (shapes already checked).
 * @example _linearBackward([[1, 2]], [[1], [1]], [[1]], false).dX // returns [[1, 1]]
 */
export function _linearBackward(x: Matrix, w: Matrix, dY: Matrix, withBias: boolean): LinearGradients {
  const dOut = w[0].length;
  const dX = _matmul(dY, _transpose(w)); // (n, dIn)
  const dW = _matmul(_transpose(x), dY); // (dIn, dOut)
  const db = withBias ? dY.reduce((s, row) => s.map((sj, j) => sj + row[j]), new Array<number>(dOut).fill(0)) : null; // (dOut,)
  return { dX, dW, db };
}
