/**
 * The fast path's matrix product for nested arrays: fastMatmul, a checked function, and installFastMultiply, which
 * puts it into a mathjs instance the caller owns (or takes it out again). mha-lab's own instance is never changed:
 * the readable path computes with mathjs's own multiply, so a learner who steps into it reads what runs.
 *
 * Dependencies: the kernels, checkMatrix, _checkProduct.
 */
import { checkMatrix, formatShape, shapeOf } from "../matrix";
import type { Matrix } from "../types";
import { _checkProduct } from "../_overflow";

function _checkMath(math: unknown): asserts math is MathWithMultiply {
  const m = math as Partial<MathWithMultiply> | null;
  if (m == null || typeof m.multiply !== "function" || typeof m.import !== "function") {
    throw new Error("math must be a mathjs instance (with multiply and import) that you created, e.g. create(all)");
  }
}
import { _fastMultiply, _multiplyNested, ORIGINAL_MULTIPLY } from "./kernels";

/** The part of a mathjs instance this needs. */
export interface MathWithMultiply {
  multiply: (...args: any[]) => unknown;
  import: (functions: object, options?: { override?: boolean }) => void;
}

/**
 * Matrix product of plain nested arrays on Float64Array buffers; the same numbers as `matmul` (mathjs).
 *   C = A·B,  C[i][j] = Σ_p A[i][p]·B[p][j]
 * @param a (n, k)
 * @param b (k, m)
 * @return (n, m)
 * @example fastMatmul([[1, 2], [3, 4]], [[5], [6]]) // returns [[17], [39]]
 */
export function fastMatmul(a: Matrix, b: Matrix, names: [string, string] = ["a", "b"]): Matrix {
  const [n, k] = shapeOf(checkMatrix(names[0], a));
  const [k2, m] = shapeOf(checkMatrix(names[1], b));
  if (k !== k2) {
    throw new Error(
      `${names[0]}·${names[1]}: ${names[0]} is ${formatShape(n, k)} and ${names[1]} is ` +
        `${formatShape(k2, m)}; inner sizes ${k} and ${k2} must match`,
    );
  }
  const c = _multiplyNested(a, b); // (n, m)
  _checkProduct(c, `${names[0]}·${names[1]}`, `${names[0]} row`, a, `${names[1]} column`, b);
  return c;
}

/**
 * Replace `math.multiply` by a wrapper that sends two 2-D number arrays to the kernel and everything else
 * (scalars, vectors, DenseMatrix, BigNumber, …) to the original, through mathjs's own extension mechanism
 * (math.import). Idempotent; undo with uninstallFastMultiply.
 *   multiply(A, B) = A·B, the same numbers as before, sooner
 * @param math a mathjs instance you created (create(all))
 * @example installFastMultiply(null) // throws "math must be a mathjs instance"
 */
export function installFastMultiply(math: MathWithMultiply): void {
  _checkMath(math);
  if ((math.multiply as { [ORIGINAL_MULTIPLY]?: unknown })[ORIGINAL_MULTIPLY]) return;
  math.import({ multiply: _fastMultiply(math.multiply) }, { override: true });
}

/**
 * Put the original `math.multiply` back after installFastMultiply.
 * @param math the same mathjs instance
 * @example uninstallFastMultiply(null) // throws "math must be a mathjs instance"
 */
export function uninstallFastMultiply(math: MathWithMultiply): void {
  _checkMath(math);
  const original = (math.multiply as { [ORIGINAL_MULTIPLY]?: unknown })[ORIGINAL_MULTIPLY];
  if (original) math.import({ multiply: original }, { override: true });
}
