/**
 * Module-private: the checks every backward pass starts with (MultiHeadAttention.backward and the fast
 * kernel's fastBackward share them): the trace must come from this layer and dOutput must fit it.
 *
 * Dependencies: checkMatrix.
 */
import type { ForwardLayer } from "./_forward-inputs";
import { checkMatrix, formatShape, shapeOf } from "./matrix";
import type { AttentionTrace, Matrix, Vector } from "./trace";

/** Largest |a − b| / (1 + |b|) between row-major values computed here and the trace's. */
function _relDiff(got: number, want: number): number {
  return Math.abs(got - want) / (1 + Math.abs(want));
}

/** max over the rows of x of the relative difference between (x·w[:, c0…c1) + b[c0…c1)) and y. */
function _projectionDiff(x: Matrix, w: Matrix, b: Vector | null, c0: number, c1: number, y: Matrix): number {
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    for (let c = c0; c < c1; c++) {
      let s = 0;
      for (let p = 0; p < w.length; p++) s += x[i][p] * w[p][c];
      if (b != null) s += b[c];
      worst = Math.max(worst, _relDiff(s, y[i][c - c0]));
    }
  }
  return worst;
}

/**
 * Validate a trace and an upstream gradient against the layer.
 * Sizes are compared first; then head 1's q, k, v and the output are recomputed from the trace's inputs
 * with the layer's weights, which catches a trace made by another layer of the same sizes, or weights
 * changed between forward and backward.
 * @param layer the layer whose backward is called
 * @param trace what layer.forward (or fastForward(layer, …)) returned
 * @param dOutput (L, dModel) ∂loss/∂output
 * @return L and S
 */
export function _backwardInputs(layer: ForwardLayer, trace: AttentionTrace, dOutput: Matrix): { L: number; S: number } {
  if (trace == null || typeof trace !== "object" || !Array.isArray(trace.heads) || !Array.isArray(trace.output)) {
    throw new Error("trace must be the object forward returned (with heads, concat, output)");
  }
  const { dModel: E, numHeads: h, kdim, vdim, params: p } = layer;
  const [L] = shapeOf(checkMatrix("trace.query", trace.query));
  const [S, kCols] = shapeOf(checkMatrix("trace.key", trace.key));
  const [, vCols] = shapeOf(checkMatrix("trace.value", trace.value));
  const qCols = trace.query[0].length;
  if (trace.heads.length !== h || qCols !== E || kCols !== kdim || vCols !== vdim) {
    throw new Error(
      `trace is from another layer: it has ${trace.heads.length} heads, query ${formatShape(L, qCols)}, ` +
        `key ${formatShape(S, kCols)}, value ${formatShape(S, vCols)}, but this layer has numHeads ${h}, ` +
        `dModel ${E}, kdim ${kdim}, vdim ${vdim}`,
    );
  }
  const [oRows, oCols] = shapeOf(checkMatrix("trace.output", trace.output));
  checkMatrix("dOutput", dOutput, {
    rows: { n: oRows, why: `trace.output is ${formatShape(oRows, oCols)}` },
    cols: { n: oCols, why: `trace.output is ${formatShape(oRows, oCols)}` },
  });
  const { dK, dV } = layer;
  const head0 = trace.heads[0];
  const diffs: [string, number][] = [
    ["head 1's q", _projectionDiff(trace.query, p.wQ, p.bQ, 0, dK, head0.q)],
    ["head 1's k", _projectionDiff(trace.key, p.wK, p.bK, 0, dK, head0.k)],
    ["head 1's v", _projectionDiff(trace.value, p.wV, p.bV, 0, dV, head0.v)],
    ["output", _projectionDiff(trace.concat, p.wO, p.bO, 0, E, trace.output)],
  ];
  for (const [what, d] of diffs) {
    if (!(d <= 1e-9)) {
      throw new Error(
        `trace is not from this layer: trace's ${what} differs from what this layer's weights give by ` +
          `${d.toPrecision(3)} (relative); pass the trace this layer's forward returned, and do not change ` +
          "the weights between forward and backward",
      );
    }
  }
  return { L, S };
}
