/**
 * The output projection W^O, and each head's share of it.
 *
 * Dependencies: linear, _matmul, _checkProduct.
 */
import { _checkProduct } from "./_overflow";
import { _linear, _linearBackward, linear, linearBackward } from "./linear";
import { _matmul, checkMatrix, checkPositiveInt, formatShape, shapeOf } from "./matrix";
import type { Matrix, Vector } from "./types";

/**
 * Project the concatenated heads back to dModel.
 *   MultiHead(Q, K, V) = Concat(head_0, …, head_{h−1})·W^O + b^O
 * @param concat (L, h·dV)
 * @param wO (h·dV, dModel)
 * @param bO (dModel,) or null
 * @return (L, dModel)
 * @example outputProjection([[1, 2]], [[1, 0], [0, 1]], [0.5, 0]) // returns [[1.5, 2]]
 */
export function outputProjection(concat: Matrix, wO: Matrix, bO?: Vector | null): Matrix {
  return linear(concat, wO, bO, ["concat", "wO", "bO"]); // (L, dModel)
}

/** The gradients of outputProjection. */
export interface OutputProjectionGradients {
  /** (L, h·dV) */ dConcat: Matrix;
  /** (h·dV, dModel) */ dWO: Matrix;
  /** (dModel,) or null without bias */ dbO: Vector | null;
}

/**
 * The vector-Jacobian product of outputProjection.
 *   ∂Concat = ∂Out·W^Oᵀ,   ∂W^O = Concatᵀ·∂Out,   ∂b^O = Σ_rows ∂Out
 * Row block i of ∂W^O (rows i·dV … (i+1)·dV − 1) is head_iᵀ·∂Out: only head i's output reaches it.
 * @param concat (L, h·dV) the forward's input
 * @param wO (h·dV, dModel)
 * @param dOutput (L, dModel) ∂loss/∂output
 * @param withBias whether the forward added bO (default true)
 * @return { dConcat (L, h·dV), dWO (h·dV, dModel), dbO (dModel,) or null }
 * @example outputProjectionBackward([[1, 2]], [[1, 0], [0, 1]], [[1, 0]]).dConcat // returns [[1, 0]]
 */
export function outputProjectionBackward(concat: Matrix, wO: Matrix, dOutput: Matrix, withBias = true): OutputProjectionGradients {
  const { dX, dW, db } = linearBackward(concat, wO, dOutput, withBias, ["concat", "wO", "dOutput"]);
  return { dConcat: dX, dWO: dW, dbO: db }; // (L, h·dV), (h·dV, dModel), (dModel,)
}

/**
 * What each head adds to the output: head i times its own rows of W^O.
 *   contribution_i = head_i·W^O[i·dV … (i+1)·dV − 1, :]
 *   output = Σ_i contribution_i + b^O   (because Concat(…)·W^O is a block sum)
 * @param heads h × (L, dV) the per-head attention outputs
 * @param wO (h·dV, dModel)
 * @return h × (L, dModel)
 * @example headContributions([[[1]], [[2]]], [[1, 0], [0, 1]]) // returns [[[1, 0]], [[0, 2]]]
 */
export function headContributions(heads: Matrix[], wO: Matrix): Matrix[] {
  if (!Array.isArray(heads) || heads.length === 0) {
    throw new Error("heads must be a non-empty array of (L, dV) matrices");
  }
  const h = checkPositiveInt("heads.length", heads.length);
  const [L, dV] = shapeOf(checkMatrix("heads[0]", heads[0]));
  checkMatrix("wO", wO, { rows: { n: h * dV, why: `${h} heads × dV ${dV} = ${h * dV}` } });
  heads.forEach((head, i) => {
    const [Li, di] = shapeOf(checkMatrix(`heads[${i}]`, head));
    if (Li !== L || di !== dV) {
      throw new Error(`heads[${i}] is ${formatShape(Li, di)} but heads[0] is ${formatShape(L, dV)}`);
    }
  });
  return _headContributions(heads, wO);
}

/**
 * The step headContributions checks and then calls.
 * @example _headContributions([[[2]]], [[1, 3]]) // returns [[[2, 6]]]
 */
export function _headContributions(heads: Matrix[], wO: Matrix): Matrix[] {
  const dV = heads[0][0].length;
  return heads.map((head, i) => {
    const wOi = wO.slice(i * dV, (i + 1) * dV); // (dV, dModel)
    const c = _matmul(head, wOi); // (L, dModel)
    _checkProduct(c, `heads[${i}]·wO rows of head ${i}`, `heads[${i}] row`, head, `wO rows of head ${i} column`, wOi);
    return c;
  });
}

/**
 * The step outputProjection checks and then calls.
 * @example _outputProjection([[1, 2]], [[1], [1]], null) // returns [[3]]
 */
export function _outputProjection(concat: Matrix, wO: Matrix, bO: Vector | null): Matrix {
  return _linear(concat, wO, bO, ["concat", "wO", "bO"]); // (L, dModel)
}

/**
 * The step outputProjectionBackward checks and then calls.
 * @example _outputProjectionBackward([[1, 2]], [[1, 0], [0, 1]], [[1, 0]], false).dWO // returns [[1, 0], [2, 0]]
 */
export function _outputProjectionBackward(concat: Matrix, wO: Matrix, dOutput: Matrix, withBias: boolean): OutputProjectionGradients {
  const { dX, dW, db } = _linearBackward(concat, wO, dOutput, withBias);
  return { dConcat: dX, dWO: dW, dbO: db }; // (L, h·dV), (h·dV, dModel), (dModel,)
}
