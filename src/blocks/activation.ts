/**
 * Element-wise activations of the feed-forward blocks, each with its derivative beside it: GELU in its exact
 * (erf) form, as BERT and torch.nn.functional.gelu (approximate="none"), and ReLU.
 * (SwiGLU, a gated feed-forward, sits in swiglu.ts.)
 *
 * Dependencies: erf.
 */
import { erf } from "./erf";

/** The activations a feed-forward block can use. */
export type Activation = "gelu" | "relu";

/**
 * The Gaussian error linear unit, x times the standard normal CDF of x.
 *   GELU(x) = x·Φ(x) = ½·x·(1 + erf(x/√2))
 *
 * @param x any number
 * @return GELU(x)
 * @example gelu(1) // returns 0.841344746068543  (torch.nn.functional.gelu gives the same double)
 */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x * Math.SQRT1_2));
}

/** GELU(x) = x·Φ(x), element-wise, and its backward. */
export const GELU = Object.freeze({
  /**
   * GELU of every entry: x times the standard normal CDF of x.
   *   GELU(x) = x·Φ(x) = ½·x·(1 + erf(x/√2))
   * @param x (n,) any shape, flat
   * @return (n,)
   * @example GELU.forward(Float64Array.of(0, 1))[1] // returns 0.841344746068543
   */
  forward(x: Float64Array): Float64Array {
    const y = new Float64Array(x.length); // plain loops: TypedArray#map with a callback measured ~10× slower here
    for (let k = 0; k < x.length; k++) y[k] = gelu(x[k]);
    return y;
  },

  /**
   * The backward pass of gelu: ∂x = ∂y ⊙ GELU′(x).
   *   GELU′(x) = Φ(x) + x·φ(x),   φ(x) = exp(−x²/2)/√(2π)
   * @param x (n,) the forward's input
   * @param dY (n,) ∂loss/∂y
   * @return (n,) ∂loss/∂x
   * @example GELU.backward(Float64Array.of(0), Float64Array.of(1))[0] // returns 0.5
   */
  backward(x: Float64Array, dY: Float64Array): Float64Array {
    const dX = new Float64Array(x.length);
    for (let k = 0; k < x.length; k++) {
      const v = x[k];
      dX[k] = dY[k] * (0.5 * (1 + erf(v * Math.SQRT1_2)) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI));
    }
    return dX;
  },
});

/** ReLU(x) = max(0, x), element-wise, and its backward. */
export const ReLU = Object.freeze({
  /**
   * ReLU of every entry.
   *   ReLU(x) = max(0, x)
   * @param x (n,)
   * @return (n,)
   * @example Array.from(ReLU.forward(Float64Array.of(-1, 2))) // returns [0, 2]
   */
  forward(x: Float64Array): Float64Array {
    const y = new Float64Array(x.length);
    for (let k = 0; k < x.length; k++) {
      // x > 0 ? x : 0 without a branch on the sign (random signs mispredict: 4× slower); NaN and −∞ give 0, −0 gives 0
      const r = x[k] * +(x[k] > 0);
      y[k] = r === r ? r + 0 : 0;
    }
    return y;
  },

  /**
   * The backward pass of relu: the gradient passes where x > 0 (PyTorch's choice: 0 at x = 0).
   *   ∂x = ∂y ⊙ [x > 0]
   * @param x (n,) the forward's input
   * @param dY (n,) ∂loss/∂y
   * @return (n,) ∂loss/∂x
   * @example Array.from(ReLU.backward(Float64Array.of(-1, 2), Float64Array.of(5, 5))) // returns [0, 5]
   */
  backward(x: Float64Array, dY: Float64Array): Float64Array {
    const dX = new Float64Array(x.length);
    for (let k = 0; k < x.length; k++) {
      const g = dY[k] * +(x[k] > 0); // x > 0 ? dY : 0 without a branch on the sign
      dX[k] = g === g ? g : x[k] > 0 ? dY[k] : 0; // ∞·0 = NaN where x ≤ 0 and ∂y = ±∞: 0 there, as the ternary
    }
    return dX;
  },
});
