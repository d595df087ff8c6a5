/**
 * The position-wise feed-forward block: two linear blocks with an activation between, applied to every row
 * on its own, with its backward.
 *
 * Dependencies: linear, linearBackward, gelu, relu (and their backward passes).
 */
import { Activation, GELU, ReLU } from "./activation";
import { Linear, LinearParams } from "./linear";

/** A feed-forward block's parameters (or their gradients). */
export interface FeedForwardParams {
  /** W₁ (d, hidden), b₁ (hidden,) */ up: LinearParams;
  /** W₂ (hidden, d), b₂ (d,) */ down: LinearParams;
}

/** What feedForward computed. */
export interface FeedForwardCache {
  /** (n, d) the input */ x: Float64Array;
  /** (n, hidden) X·W₁ + b₁ */ pre: Float64Array;
  /** (n, hidden) act(pre) */ act: Float64Array;
  /** (n, d) act·W₂ + b₂ */ y: Float64Array;
}

/** The position-wise feed-forward block: forward act(X·W₁ + b₁)·W₂ + b₂, backward ∂X and every parameter. */
export const FeedForward = Object.freeze({
  /**
   * FFN(X) = act(X·W₁ + b₁)·W₂ + b₂, row by row.
   * @param x (n, d)
   * @param p { up: W₁ (d, hidden), b₁; down: W₂ (hidden, d), b₂ }
   * @param n rows
   * @param d model width
   * @param hidden inner width (often 4d)
   * @param activation "gelu" (default) or "relu"
   * @return { x, pre (n, hidden), act (n, hidden), y (n, d) }
   * @example Array.from(FeedForward.forward(Float64Array.of(1), { up: { w: Float64Array.of(1, -1), b: null }, down: { w: Float64Array.of(1, 1), b: null } }, 1, 1, 2, "relu").y) // returns [1]
   */
  forward(
    x: Float64Array, p: FeedForwardParams, n: number, d: number, hidden: number, activation: Activation = "gelu",
  ): FeedForwardCache {
    const pre = Linear.forward(x, p.up, n, d, hidden); // (n, hidden)
    const act = activation === "gelu" ? GELU.forward(pre) : ReLU.forward(pre); // (n, hidden)
    const y = Linear.forward(act, p.down, n, hidden, d); // (n, d)
    return { x, pre, act, y };
  },

  /**
   * The backward pass of feedForward: ADD the parameter gradients into grads and return ∂X.
   *   ∂act = ∂Y·W₂ᵀ,   ∂pre = ∂act ⊙ act′(pre),   ∂X = ∂pre·W₁ᵀ   (and ∂W, ∂b of each linear)
   * @param cache what feedForward returned
   * @param p the forward's parameters
   * @param dY (n, d) ∂loss/∂Y
   * @param grads where the gradients are added
   * @return (n, d) ∂loss/∂X
   * @example (illustrative) FeedForward.backward(FeedForward.forward(x, p, n, d, hidden), p, dY, grads, n, d, hidden)
   */
  backward(
    cache: FeedForwardCache, p: FeedForwardParams, dY: Float64Array, grads: FeedForwardParams,
    n: number, d: number, hidden: number, activation: Activation = "gelu",
  ): Float64Array {
    const dAct = Linear.backward(cache.act, p.down, dY, grads.down, n, hidden, d); // (n, hidden)
    const dPre = activation === "gelu" ? GELU.backward(cache.pre, dAct) : ReLU.backward(cache.pre, dAct); // (n, hidden)
    return Linear.backward(cache.x, p.up, dPre, grads.up, n, d, hidden); // (n, d)
  },
});
