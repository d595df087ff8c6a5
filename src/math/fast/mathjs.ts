/**
 * Bring the fast matrix product into a mathjs instance: `multiply(Array, Array)` of plain 2-D number
 * arrays runs on Float64Array buffers; every other call goes to the original multiply.
 *
 * Dependencies: fastMatmul.
 */
import { fastMatmul } from "./kernels";
import type { Matrix } from "../trace";
import { _math } from "../_mathjs";

/** The part of a mathjs instance this needs. */
export interface MathWithMultiply {
  multiply: (...args: any[]) => unknown;
  import: (functions: object, options?: { override?: boolean }) => void;
}

const ORIGINAL = Symbol.for("mha-lab.fast.originalMultiply");

function _isNumberMatrix(x: unknown): x is Matrix {
  if (!Array.isArray(x) || x.length === 0) return false;
  const cols = Array.isArray(x[0]) ? x[0].length : 0;
  if (cols === 0) return false;
  for (const row of x) {
    if (!Array.isArray(row) || row.length !== cols) return false;
    for (let j = 0; j < cols; j++) if (typeof row[j] !== "number") return false;
  }
  return true;
}

/**
 * Replace `math.multiply` by a wrapper that sends two 2-D number arrays to fastMatmul and everything else
 * (scalars, vectors, DenseMatrix, BigNumber, …) to the original. Idempotent; undo with uninstallFastMultiply.
 *   multiply(A, B) = A·B, the same numbers as before, sooner
 * @param math a mathjs instance; by default the one mha-lab computes with
 * @example installFastMultiply(); new MultiHeadAttention(...).forward(x) // the same trace, sooner
 */
export function installFastMultiply(math: MathWithMultiply = _math): void {
  const current = math.multiply as { [ORIGINAL]?: unknown };
  if (current[ORIGINAL]) return;
  const original = math.multiply;
  const wrapper = (...args: unknown[]) =>
    args.length === 2 && _isNumberMatrix(args[0]) && _isNumberMatrix(args[1]) && args[0][0].length === args[1].length
      ? fastMatmul(args[0], args[1])
      : original(...args);
  Object.assign(wrapper, { [ORIGINAL]: original });
  math.import({ multiply: wrapper }, { override: true });
}

/**
 * Put the original `math.multiply` back after installFastMultiply.
 * @param math the same mathjs instance (default: mha-lab's own)
 * @example uninstallFastMultiply() // returns undefined
 */
export function uninstallFastMultiply(math: MathWithMultiply = _math): void {
  const original = (math.multiply as { [ORIGINAL]?: unknown })[ORIGINAL];
  if (original) math.import({ multiply: original }, { override: true });
}
