/**
 * The linear projections of multi-head attention, in the two forms the literature uses:
 *   per head:   Q_i = X·W_i^Q + b_i^Q            (the paper's notation, one small matrix per head)
 *   fused:      Q = X·W^Q + b^Q, then split into h heads   (what PyTorch and every fast code does)
 * plus converters between per-head weights and the fused weight. Head i owns columns i·d … (i+1)·d − 1.
 *
 * Dependencies: linear, splitHeads, concatHeads.
 */
import { concatHeads, splitHeads, splitHeadsBackward } from "./heads";
import { linear, linearBackward, LinearGradients } from "./linear";
import { checkMatrix, checkPositiveInt, checkVector, shapeOf } from "./matrix";
import type { Matrix, Vector } from "./types";

function _checkHead(head: number, numHeads: number): void {
  checkPositiveInt("numHeads", numHeads);
  if (!Number.isInteger(head) || head < 0 || head >= numHeads) {
    throw new Error(`head must be an integer in 0…${numHeads - 1}, got ${head}`);
  }
}

/**
 * Split a fused weight (dIn, h·d) into h per-head weights W_i of shape (dIn, d).
 *   W = [W_0 | W_1 | … | W_{h−1}]
 * @param w (dIn, h·d)
 * @param numHeads h
 * @return h × (dIn, d)
 * @example perHeadWeights([[1, 2, 3, 4]], 2) // returns [[[1, 2]], [[3, 4]]]
 */
export function perHeadWeights(w: Matrix, numHeads: number, name = "w"): Matrix[] {
  return splitHeads(w, numHeads, name); // h × (dIn, d)
}

/**
 * Fuse per-head weights W_i (dIn, d) into one weight (dIn, h·d): the inverse of perHeadWeights.
 * @param ws h × (dIn, d)
 * @return (dIn, h·d)
 * @example fuseHeadWeights([[[1, 2]], [[3, 4]]]) // returns [[1, 2, 3, 4]]
 */
export function fuseHeadWeights(ws: Matrix[], name = "ws"): Matrix {
  return concatHeads(ws, name); // (dIn, h·d)
}

/**
 * Split a fused bias (h·d,) into h per-head biases (d,).
 * @param b (h·d,)
 * @param numHeads h
 * @return h × (d,)
 * @example perHeadBias([1, 2, 3, 4], 2) // returns [[1, 2], [3, 4]]
 */
export function perHeadBias(b: Vector, numHeads: number, name = "b"): Vector[] {
  checkVector(name, b);
  checkPositiveInt("numHeads", numHeads);
  if (b.length % numHeads !== 0) {
    throw new Error(`${name} has ${b.length} entries, which is not divisible by numHeads ${numHeads}`);
  }
  return perHeadWeights([b], numHeads, name).map((m) => m[0]); // h × (d,)
}

/**
 * Fuse per-head biases (d,) into one bias (h·d,): the inverse of perHeadBias.
 * @param bs h × (d,)
 * @return (h·d,)
 * @example fuseHeadBiases([[1, 2], [3, 4]]) // returns [1, 2, 3, 4]
 */
export function fuseHeadBiases(bs: Vector[], name = "bs"): Vector {
  if (!Array.isArray(bs)) throw new Error(`${name} must be an array of bias vectors`);
  bs.forEach((b, i) => checkVector(`${name}[${i}]`, b));
  return fuseHeadWeights(bs.map((b) => [b]), name)[0]; // (h·d,)
}

/**
 * Project X for ONE head with that head's slice of the fused weight.
 *   Q_i = X·W_i + b_i,  W_i = columns i·d … (i+1)·d − 1 of W
 * @param x (L, dIn)
 * @param w (dIn, h·d) the fused weight
 * @param b (h·d,) or null
 * @param head i in 0 … h−1
 * @param numHeads h
 * @return (L, d)
 * @example projectHead([[1, 2]], [[1, 0, 0, 1], [0, 1, 1, 0]], null, 1, 2) // returns [[2, 1]]
 */
export function projectHead(x: Matrix, w: Matrix, b: Vector | null | undefined, head: number, numHeads: number): Matrix {
  _checkHead(head, numHeads);
  const [, width] = shapeOf(checkMatrix("w", w));
  if (b != null) checkVector("b", b, { n: width, why: `w has ${width} columns` });
  const wi = perHeadWeights(w, numHeads)[head]; // (dIn, d)
  const [, d] = shapeOf(wi);
  const bi = b == null ? null : b.slice(head * d, (head + 1) * d); // (d,)
  return linear(x, wi, bi, ["x", `w's head ${head}`, "b"]); // (L, d)
}

/**
 * Project X once with the fused weight, then split the result into h heads.
 *   Q = X·W + b  (L, h·d),  then Q = [Q_0 | … | Q_{h−1}]
 * Gives the same numbers as projectHead for every head (tested).
 * @param x (L, dIn)
 * @param w (dIn, h·d)
 * @param b (h·d,) or null
 * @param numHeads h
 * @return h × (L, d)
 * @example projectThenSplit([[1, 2]], [[1, 0, 0, 1], [0, 1, 1, 0]], null, 2) // returns [[[1, 2]], [[2, 1]]]
 */
export function projectThenSplit(x: Matrix, w: Matrix, b: Vector | null | undefined, numHeads: number): Matrix[] {
  checkPositiveInt("numHeads", numHeads);
  const [, width] = shapeOf(checkMatrix("w", w));
  if (width % numHeads !== 0) {
    throw new Error(`w has ${width} columns, which is not divisible by numHeads ${numHeads}`);
  }
  const projected = linear(x, w, b); // (L, h·d)
  return splitHeads(projected, numHeads); // h × (L, d)
}

/**
 * The vector-Jacobian product of projectThenSplit: the heads' gradients are put side by side, then go
 * back through the fused linear map.
 *   ∂Q = [∂Q_0 | … | ∂Q_{h−1}],   ∂X = ∂Q·Wᵀ,   ∂W = Xᵀ·∂Q,   ∂b = Σ_rows ∂Q
 * @param x (L, dIn) the forward's input
 * @param w (dIn, h·d) the fused weight
 * @param dHeads h × (L, d) ∂loss/∂Q_i
 * @param withBias whether the forward had a bias (default true)
 * @return { dX (L, dIn), dW (dIn, h·d), db (h·d,) or null }
 * @example projectThenSplitBackward([[1, 2]], [[1, 0], [0, 1]], [[[1]], [[1]]]).dW // returns [[1, 1], [2, 2]]
 */
export function projectThenSplitBackward(x: Matrix, w: Matrix, dHeads: Matrix[], withBias = true): LinearGradients {
  const dQ = splitHeadsBackward(dHeads); // (L, h·d)
  return linearBackward(x, w, dQ, withBias, ["x", "w", "dHeads side by side"]);
}
