/**
 * Module-private helpers (not re-exported from the package).
 *
 * Dependencies: the mathjs instance.
 */
import { _math as math } from "./_mathjs";
import type { Matrix } from "./trace";

/** mathjs multiply without checks: only for callers that have just validated a and b. */
export function _multiply(a: Matrix, b: Matrix): Matrix {
  return math.multiply(a, b) as unknown as Matrix; // (n, p)
}
