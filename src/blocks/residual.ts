/**
 * The residual block: a sub-layer's output added to its input (the "residual stream" every layer reads and
 * writes), with its backward: the gradient reaches both branches unchanged.
 *
 * Dependencies: none.
 */

/** The residual block: forward Y = X + F(X), backward ∂X = ∂Y + the sub-layer's ∂X. */
export const Residual = Object.freeze({
  /**
   * Add a sub-layer's output to its input.
   *   Y = X + F(X)
   * @param x (n, d) the stream before the sub-layer
   * @param fx (n, d) the sub-layer's output
   * @return (n, d) a new buffer
   * @example Array.from(Residual.forward(Float64Array.of(1, 2), Float64Array.of(10, 20))) // returns [11, 22]
   */
  forward(x: Float64Array, fx: Float64Array): Float64Array {
    if (x.length !== fx.length) throw new Error(`residual: x has ${x.length} numbers but the sub-layer's output has ${fx.length}`);
    const y = new Float64Array(x.length); // (n, d)
    for (let k = 0; k < x.length; k++) y[k] = x[k] + fx[k];
    return y;
  },

  /**
   * The backward pass of residual: ∂Y flows to the stream and to the sub-layer unchanged, so the stream's
   * gradient is the sub-layer's input gradient plus ∂Y.
   *   ∂X = ∂Y + ∂F/∂X ᵀ·∂Y
   * @param dY (n, d) ∂loss/∂Y
   * @param dXThroughF (n, d) the sub-layer's backward applied to dY (its ∂X)
   * @return (n, d) ∂loss/∂X, a new buffer
   * @example Array.from(Residual.backward(Float64Array.of(1, 1), Float64Array.of(2, 3))) // returns [3, 4]
   */
  backward(dY: Float64Array, dXThroughF: Float64Array): Float64Array {
    return Residual.forward(dY, dXThroughF);
  },
});
