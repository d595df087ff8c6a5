/**
 * Module-private: the checks every backward pass starts with (MultiHeadAttention.backward and the fast
 * kernel's fastBackward share them). The WHOLE trace is checked, not a sample: every field the backward reads is
 * a finite matrix of the right shape, and every one is recomputed from the trace's inputs with the layer's weights
 * (each head's q, k, v, its weights, the heads' outputs in concat, and the output), so a trace made by another
 * layer, weights changed between forward and backward, or an edited field (say `heads[2].weights`) is an error
 * naming the field and the head. The check costs about one forward pass.
 *
 * Dependencies: checkMatrix, _checkSoftmaxRows, _softmaxRows.
 */
import type { ForwardLayer } from "./_forward-inputs";
import { checkMatrix, formatShape, shapeOf } from "./matrix";
import { _checkSoftmaxRows, _softmaxRows } from "./softmax";
import type { AttentionTrace } from "./trace";
import type { Matrix, Vector } from "./types";

/** How far (relative) a traced number may be from its recomputation: rounding is ~1e-15. */
const TRACE_TOLERANCE = 1e-9;

/** |got − want| / (1 + |want|). */
function _relDiff(got: number, want: number): number {
  return Math.abs(got - want) / (1 + Math.abs(want));
}

/** The worst relative difference between y (rows, c1 − c0) and rows of x·w[:, c0 … c1) + b[c0 … c1), and where. */
function _projectionDiff(x: Matrix, w: Matrix, b: Vector | null, c0: number, c1: number, y: Matrix, yCol0 = 0): [number, number, number] {
  let worst: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < x.length; i++) {
    for (let c = c0; c < c1; c++) {
      let s = 0;
      for (let p = 0; p < w.length; p++) s += x[i][p] * w[p][c];
      if (b != null) s += b[c];
      const d = _relDiff(y[i][yCol0 + c - c0], s);
      if (!(d <= worst[0])) worst = [d, i, c - c0];
    }
  }
  return worst;
}

/** The error for a traced field that is not what the layer computes from the trace's inputs. */
function _mismatch(where: string, field: string, diff: [number, number, number]): Error {
  return new Error(
    `${where}: ${field} differs from what this layer computes from the trace's inputs by ${diff[0].toPrecision(3)} ` +
      `(relative) at [${diff[1]}][${diff[2]}]; pass the trace this layer's forward returned, unedited, and do not change ` +
      "the weights between forward and backward",
  );
}

/**
 * Validate a whole trace and an upstream gradient against the layer.
 * @param layer the layer whose backward is called
 * @param trace what layer.forward (or fastForward(layer, …)) returned
 * @param dOutput (L, dModel) ∂loss/∂output
 * @param where "backward" or "fastBackward", for messages
 * @return L and S
 */
export function _backwardInputs(layer: ForwardLayer, trace: AttentionTrace, dOutput: Matrix, where = "backward"): { L: number; S: number } {
  if ((layer as { scoring?: string }).scoring === "additive") {
    throw new Error(`${where} computes dot-product heads only, and this layer scores additively: call mha.backward(trace, dOutput)`);
  }
  if (trace == null || typeof trace !== "object" || !Array.isArray(trace.heads) || !Array.isArray(trace.output)) {
    throw new Error("trace must be the object forward returned (with heads, concat, output)");
  }
  const { dModel: E, numHeads: h, dK, dV, kdim, vdim, params: p } = layer;
  const hKV = layer.numKVHeads ?? h;
  const [L] = shapeOf(checkMatrix("trace.query", trace.query));
  const [S, kCols] = shapeOf(checkMatrix("trace.key", trace.key));
  const [, vCols] = shapeOf(checkMatrix("trace.value", trace.value, { rows: { n: S, why: `trace.key has ${S} rows` } }));
  const qCols = trace.query[0].length;
  if (trace.heads.length !== h || qCols !== E || kCols !== kdim || vCols !== vdim) {
    throw new Error(
      `trace is from another layer: it has ${trace.heads.length} heads, query ${formatShape(L, qCols)}, ` +
        `key ${formatShape(S, kCols)}, value ${formatShape(S, vCols)}, but this layer has numHeads ${h}, ` +
        `dModel ${E}, kdim ${kdim}, vdim ${vdim}`,
    );
  }
  const rowsCols = (name: string, rows: number, cols: number) => ({
    rows: { n: rows, why: `${name} is ${formatShape(rows, cols)} in this layer` }, cols: { n: cols, why: `${name} is ${formatShape(rows, cols)} in this layer` },
  });
  checkMatrix("trace.output", trace.output, rowsCols("the output", L, E));
  checkMatrix("trace.concat", trace.concat, rowsCols("concat", L, h * dV));
  checkMatrix("dOutput", dOutput, {
    rows: { n: L, why: `trace.output is ${formatShape(L, E)}` }, cols: { n: E, why: `trace.output is ${formatShape(L, E)}` },
  });
  const mask = trace.mask == null ? null : checkMatrix("trace.mask", trace.mask, { ...rowsCols("the mask", L, S), allowNegInfinity: true });

  // every head: the shapes, then each field recomputed from the trace's inputs
  const nRep = h / hKV;
  const sqrtDK = Math.sqrt(dK);
  for (let i = 0; i < h; i++) {
    const hd = trace.heads[i];
    const name = `trace.heads[${i}]`;
    const headN = `(head ${i + 1})`;
    if (hd == null || typeof hd !== "object") throw new Error(`${name} ${headN} must be the head's trace { q, k, v, weights, … }`);
    const g = Math.floor(i / nRep);
    checkMatrix(`${name}.q`, hd.q, rowsCols("a head's q", L, dK));
    checkMatrix(`${name}.k`, hd.k, rowsCols("a head's k", S, dK));
    checkMatrix(`${name}.v`, hd.v, rowsCols("a head's v", S, dV));
    checkMatrix(`${name}.weights`, hd.weights, rowsCols("a head's weights", L, S));
    _checkSoftmaxRows(`${name}.weights ${headN}`, hd.weights);
    const checks: [string, [number, number, number]][] = [
      [`${name}.q ${headN}`, _projectionDiff(trace.query, p.wQ, p.bQ, i * dK, (i + 1) * dK, hd.q)],
      [`${name}.k ${headN}`, _projectionDiff(trace.key, p.wK, p.bK, g * dK, (g + 1) * dK, hd.k)],
      [`${name}.v ${headN}`, _projectionDiff(trace.value, p.wV, p.bV, g * dV, (g + 1) * dV, hd.v)],
    ];
    for (const [field, d] of checks) if (!(d[0] <= TRACE_TOLERANCE)) throw _mismatch(where, field, d);
    // its weights: softmax(q·kᵀ/√dK + mask), and its output in concat: weights·v
    const u: Matrix = hd.q.map((qr, r) => hd.k.map((kr, j) => {
      let s = 0;
      for (let d = 0; d < dK; d++) s += qr[d] * kr[d];
      return s / sqrtDK + (mask == null ? 0 : mask[r][j]);
    })); // (L, S)
    const a = _softmaxRows(u);
    let worst: [number, number, number] = [0, 0, 0];
    for (let r = 0; r < L; r++) for (let j = 0; j < S; j++) {
      const d = Math.abs(hd.weights[r][j] - a[r][j]); // weights lie in [0, 1]: an absolute difference
      if (!(d <= worst[0])) worst = [d, r, j];
    }
    if (!(worst[0] <= TRACE_TOLERANCE)) throw _mismatch(where, `${name}.weights ${headN}`, worst);
    worst = [0, 0, 0];
    for (let r = 0; r < L; r++) for (let c = 0; c < dV; c++) {
      let s = 0;
      for (let j = 0; j < S; j++) s += hd.weights[r][j] * hd.v[j][c];
      const d = _relDiff(trace.concat[r][i * dV + c], s);
      if (!(d <= worst[0])) worst = [d, r, i * dV + c];
    }
    if (!(worst[0] <= TRACE_TOLERANCE)) throw _mismatch(where, `trace.concat's columns of head ${i + 1}`, worst);
  }
  const out = _projectionDiff(trace.concat, p.wO, p.bO, 0, E, trace.output);
  if (!(out[0] <= TRACE_TOLERANCE)) throw _mismatch(where, "trace.output", out);
  return { L, S };
}
