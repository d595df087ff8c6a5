/**
 * Small statistics for the notebooks' experiments: dot product, mean, variance, entropy of attention rows.
 *
 * Dependencies: none.
 */
import type { Matrix, Vector } from "../math/trace";

/**
 * Dot product of two vectors of the same length, by a plain loop (a second way to get a score).
 *   a·b = Σ_j a_j b_j
 * @param a (n,)
 * @param b (n,)
 * @example dot([1, 2, 3], [4, 5, 6]) // returns 32
 */
export function dot(a: Vector, b: Vector): number {
  if (a.length !== b.length) throw new Error(`dot: a has ${a.length} entries but b has ${b.length}`);
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

/**
 * Arithmetic mean.
 *   mean(x) = Σ x_i / n
 * @param x (n,), n ≥ 1
 * @example mean([1, 2, 3]) // returns 2
 */
export function mean(x: Vector): number {
  if (x.length === 0) throw new Error("mean: x is empty");
  return x.reduce((s, v) => s + v, 0) / x.length;
}

/**
 * Population variance (divides by n).
 *   var(x) = Σ (x_i − mean)² / n
 * @param x (n,), n ≥ 1
 * @example variance([1, 2, 3, 4]) // returns 1.25
 */
export function variance(x: Vector): number {
  const m = mean(x);
  return x.reduce((s, v) => s + (v - m) ** 2, 0) / x.length;
}

/**
 * Entropy (in nats) of every row of a matrix of probabilities; 0·ln 0 counts as 0.
 * A uniform row over S keys has entropy ln S; a one-hot row has 0.
 *   H(p) = −Σ_j p_j ln p_j
 * @param p (L, S) attention weights, rows sum to 1
 * @return (L,)
 * @example rowEntropy([[0.5, 0.5], [1, 0]]) // returns [0.693147…, 0]
 */
export function rowEntropy(p: Matrix): Vector {
  return p.map((row) => row.reduce((h, pj) => (pj > 0 ? h - pj * Math.log(pj) : h), 0) + 0);
}

/**
 * The largest entry of every row (for attention weights: how peaked each query's distribution is).
 * @param x (L, S)
 * @return (L,)
 * @example rowMax([[0.2, 0.8], [0.5, 0.5]]) // returns [0.8, 0.5]
 */
export function rowMax(x: Matrix): Vector {
  return x.map((row) => Math.max(...row));
}
