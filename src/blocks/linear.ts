/**
 * The linear block: an affine map of every row, on flat row-major buffers, with its backward beside it.
 * Paper orientation (Y = X·W, W is (dIn, dOut)), as src/math's linear; PyTorch's nn.Linear stores Wᵀ.
 *
 * Dependencies: _matmulNN, _matmulStrided, _matmulTransB, _addColumnSums (src/math/fast: the flat products every block uses).
 */
import { _addColumnSums, _matmulNN, _matmulStrided, _matmulTransB } from "../math/fast/kernels";

/** A linear block's parameters (or their gradients): W (dIn, dOut) row-major and b (dOut,) or null. */
export interface LinearParams {
  /** (dIn, dOut) */ w: Float64Array;
  /** (dOut,) or null for no bias */ b: Float64Array | null;
}

/** The linear block: forward Y = X·W + b, backward ∂X, ∂W, ∂b. */
export const Linear = Object.freeze({
  /**
   * Multiply every row of x by W and add b.
   *   Y = X·W + b
   * @param x (n, dIn) row-major
   * @param p { w (dIn, dOut), b (dOut,) or null }
   * @param n rows of x
   * @param dIn columns of x (= rows of W)
   * @param dOut columns of W
   * @return (n, dOut)
   * @example Array.from(Linear.forward(Float64Array.of(1, 2), { w: Float64Array.of(1, 0, 0, 1), b: Float64Array.of(10, 20) }, 1, 2, 2)) // returns [11, 22]
   */
  forward(x: Float64Array, p: LinearParams, n: number, dIn: number, dOut: number): Float64Array {
    const y = new Float64Array(n * dOut);
    _matmulNN(x, 0, dIn, n, dIn, p.w, 0, dOut, dOut, y, 0); // (n, dOut) X·W
    const b = p.b;
    if (b != null) for (let i = 0; i < n; i++) for (let j = 0, o = i * dOut; j < dOut; j++) y[o + j] += b[j];
    return y;
  },

  /**
   * The backward pass of linear: ADD ∂W and ∂b into grads and return ∂X.
   *   ∂X = ∂Y·Wᵀ,   ∂W += Xᵀ·∂Y,   ∂b += Σ_rows ∂Y
   * @param x (n, dIn) the forward's input
   * @param p the forward's parameters
   * @param dY (n, dOut) ∂loss/∂Y
   * @param grads where ∂W (dIn, dOut) and ∂b (dOut,) are added (b null when the forward had none)
   * @return (n, dIn) ∂loss/∂X
   * @example Array.from(Linear.backward(Float64Array.of(1, 2), { w: Float64Array.of(1, 0, 0, 1), b: null }, Float64Array.of(1, 1), { w: new Float64Array(4), b: null }, 1, 2, 2)) // returns [1, 1]
   */
  backward(
    x: Float64Array, p: LinearParams, dY: Float64Array, grads: LinearParams, n: number, dIn: number, dOut: number,
  ): Float64Array {
    _matmulStrided(x, 0, 1, dIn, dIn, n, dY, 0, 1, dOut, dOut, grads.w, 0, dOut, true); // (dIn, dOut) ∂W += Xᵀ·∂Y, X read down its columns
    if (grads.b != null) _addColumnSums(dY, n, dOut, grads.b);
    const dX = new Float64Array(n * dIn);
    _matmulTransB(dY, 0, dOut, n, dOut, p.w, 0, dOut, dIn, dX, 0, dIn, false); // (n, dIn) ∂Y·Wᵀ: row r of W is column r of Wᵀ
    return dX;
  },
});
