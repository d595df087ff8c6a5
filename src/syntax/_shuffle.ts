/**
 * Module-private: a seeded Fisher–Yates shuffle of 0 … n−1 (one implementation for the halves and the random
 * pruning orders).
 *
 * Dependencies: mulberry32.
 */
import { mulberry32 } from "../math/random";

/**
 * 0 … n−1 in a seeded random order.
 * @example _shuffled(3, 0).sort() // returns [0, 1, 2]
 */
export function _shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, k) => k);
  const rand = mulberry32(seed);
  for (let k = n - 1; k > 0; k--) {
    const j = Math.floor(rand() * (k + 1));
    [order[k], order[j]] = [order[j], order[k]];
  }
  return order;
}
