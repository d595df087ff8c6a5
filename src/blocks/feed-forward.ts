/**
 * The position-wise feed-forward block: two linear blocks with an activation between, applied to every row
 * on its own, with its backward.
 *
 * Dependencies: linear, linearBackward, gelu, relu (and their backward passes).
 */
import { Activation, gelu, geluBackward, relu, reluBackward } from "./activation";
import { linear, linearBackward, LinearParams } from "./linear";

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

/**
 * FFN(X) = act(X·W₁ + b₁)·W₂ + b₂, row by row.
 * @param x (n, d)
 * @param p { up: W₁ (d, hidden), b₁; down: W₂ (hidden, d), b₂ }
 * @param n rows
 * @param d model width
 * @param hidden inner width (often 4d)
 * @param activation "gelu" (default) or "relu"
 * @return { x, pre (n, hidden), act (n, hidden), y (n, d) }
 * @example Array.from(feedForward(Float64Array.of(1), { up: { w: Float64Array.of(1, -1), b: null }, down: { w: Float64Array.of(1, 1), b: null } }, 1, 1, 2, "relu").y) // returns [1]
 */
export function feedForward(
  x: Float64Array, p: FeedForwardParams, n: number, d: number, hidden: number, activation: Activation = "gelu",
): FeedForwardCache {
  const pre = linear(x, p.up, n, d, hidden); // (n, hidden)
  const act = activation === "gelu" ? gelu(pre) : relu(pre); // (n, hidden)
  const y = linear(act, p.down, n, hidden, d); // (n, d)
  return { x, pre, act, y };
}

/**
 * The backward pass of feedForward: ADD the parameter gradients into grads and return ∂X.
 *   ∂act = ∂Y·W₂ᵀ,   ∂pre = ∂act ⊙ act′(pre),   ∂X = ∂pre·W₁ᵀ   (and ∂W, ∂b of each linear)
 * @param cache what feedForward returned
 * @param p the forward's parameters
 * @param dY (n, d) ∂loss/∂Y
 * @param grads where the gradients are added
 * @return (n, d) ∂loss/∂X
 * @example (illustrative) feedForwardBackward(feedForward(x, p, n, d, hidden), p, dY, grads, n, d, hidden)
 */
export function feedForwardBackward(
  cache: FeedForwardCache, p: FeedForwardParams, dY: Float64Array, grads: FeedForwardParams,
  n: number, d: number, hidden: number, activation: Activation = "gelu",
): Float64Array {
  const dAct = linearBackward(cache.act, p.down, dY, grads.down, n, hidden, d); // (n, hidden)
  const dPre = activation === "gelu" ? geluBackward(cache.pre, dAct) : reluBackward(cache.pre, dAct); // (n, hidden)
  return linearBackward(cache.x, p.up, dPre, grads.up, n, d, hidden); // (n, d)
}
