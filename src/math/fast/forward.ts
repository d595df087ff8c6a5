/**
 * The fast path of MultiHeadAttention.forward: the same trace, number for number, computed on
 * Float64Array buffers (products, softmax and weights·v in the WebAssembly SIMD module of simd.ts where it runs,
 * else register-blocked loops) instead of mathjs calls on nested arrays.
 * The readable path (multi-head.ts, scaled-dot-product.ts, …) stays the reference; test/math/fast
 * proves the two equal. `mha.forward(x, { kernel: "fast" })` runs this.
 *
 * The trace is returned lazily: each field is a view over the flat buffers, turned into nested arrays the
 * first time it is read (then kept). The scores themselves are recomputed (q·kᵀ, the same kernel) when first
 * read, so a call that reads only the output and weights never stores them. scaledScores and maskedScores are
 * recomputed from the scores with the same two operations the readable path uses (s / √dK, then + mask), and the
 * per-head contributions are multiplied when first read, so their numbers are the readable path's too.
 *
 * Dependencies: _forwardArgs, _forwardInputs (the call shapes, checks and masks forward uses), _validate (the
 * trusted layer and the overflow errors), the kernels in ./kernels.
 */
import { _forwardArgs, _forwardInputs } from "../_forward-inputs";
import type { ForwardInputs, ForwardLayer, ForwardOptions } from "../_forward-inputs";
import { _trustedLayer } from "../_validate";
import { _maskOverflow, _productOverflow, _scoresOverflow, _valuesOverflow } from "../_overflow";
import type { AttentionTrace, HeadTrace, Matrix, Vector } from "../trace";
import { _cachedTransposed, _flatten, _matmulTransB, _nested } from "./kernels";
import { _attentionSimd, _simdEnabled } from "./simd";
import { _lazy } from "../_lazy";

/** max |entry| of a cached (frozen) weight buffer. */
const _maxAbsCache = new WeakMap<Float64Array, number>();

/** Rows of a row-major (·, cols) buffer as a nested matrix, each entry mapped by f (rows r0 … r1−1). */
function _nestedMap(f: Float64Array, cols: number, r0: number, r1: number, map: (x: number, i: number, j: number) => number): Matrix {
  const out: Matrix = new Array(r1 - r0);
  for (let i = r0; i < r1; i++) {
    const r: number[] = new Array(cols);
    const o = i * cols;
    for (let j = 0; j < cols; j++) r[j] = map(f[o + j], i - r0, j);
    out[i - r0] = r;
  }
  return out;
}

/**
 * y = x·w + b into a flat (rows, dOut) buffer, each entry summed in order then b added (as linear does),
 * checked: an entry that overflows is an error naming the row of x and the column of w.
 * @param xFlat x as a row-major buffer (self-attention flattens its one input once for all three projections)
 */
function _linearFlat(
  x: Matrix, xFlat: Float64Array, w: Matrix, b: Vector | null, product: string, rowName: string, colName: string,
): Float64Array {
  const rows = x.length;
  const dIn = w.length;
  const dOut = w[0].length;
  const y = new Float64Array(rows * dOut);
  _matmulTransB(xFlat, 0, dIn, rows, dIn, _cachedTransposed(w), 0, dIn, dOut, y, 0); // (rows, dOut)
  for (let i = 0; i < rows; i++) {
    for (let j = 0, o = i * dOut; j < dOut; j++) {
      const v = b == null ? y[o + j] : (y[o + j] += b[j]);
      if (v - v !== 0) throw _productOverflow(product, rowName, x[i], colName, w.map((row) => row[j]), i, j, v);
    }
  }
  return y;
}

/**
 * Multi-head attention forward pass on flat buffers, returning the same AttentionTrace as
 * `mha.forward(query, key, value, options)`, and accepting the same calls: fastForward(mha, x),
 * fastForward(mha, x, { causal: true }), fastForward(mha, q, k, v, options), …
 *   head_i = softmax((X_q·W_i^Q + b_i^Q)(X_k·W_i^K + b_i^K)ᵀ/√dK + M)·(X_v·W_i^V + b_i^V)
 *   output = Concat(head_0 … head_{h−1})·W^O + b^O
 * @param mha the layer (a MultiHeadAttention; any other object is checked in full first)
 * @param query (L, dModel)
 * @param key (S, kdim), default query
 * @param value (S, vdim), default key
 * @param options { attnMask (L, S), keyPaddingMask (S,), causal }, checked like forward's
 * @return the AttentionTrace; output (L, dModel), weights (h, L, S); never NaN or Infinity; and `flat`, the same
 *   numbers as row-major Float64Arrays (FlatTrace)
 * @example (illustrative) fastForward(MultiHeadAttention.random({ dModel: 8, numHeads: 2 }), x, { causal: true }).output // returns (L, 8), equal to mha.forward(x, { causal: true }).output
 */
export function fastForward(mha: ForwardLayer, query: Matrix, options?: ForwardOptions): FastTrace;
export function fastForward(mha: ForwardLayer, query: Matrix, key: Matrix | null, options?: ForwardOptions): FastTrace;
export function fastForward(
  mha: ForwardLayer, query: Matrix, key?: Matrix | null, value?: Matrix | null, options?: ForwardOptions,
): FastTrace;
export function fastForward(mha: ForwardLayer, query: Matrix, ...rest: unknown[]): FastTrace {
  const layer = _trustedLayer(mha, "fastForward");
  const args = _forwardArgs(rest);
  const inputs = _forwardInputs(layer, query, args.key, args.value, args.options, "fastForward");
  return _fastForwardChecked(layer, query, inputs);
}

/**
 * fastForward after the checks (MultiHeadAttention.forward with kernel "fast" calls this directly, so the
 * inputs are checked once).
 * @param layer a trusted layer
 * @param query (L, dModel), checked
 * @param inputs what _forwardInputs returned for this call
 */
export function _fastForwardChecked(layer: ForwardLayer, query: Matrix, inputs: ForwardInputs): FastTrace {
  const { dModel: E, numHeads: h, dK, dV, params: p } = layer;
  const { L, S, key: k0, value: v0, mask, fullyMaskedRows } = inputs;

  // 1) linear projections with the fused weights
  const qFlat = _flatten(query); // (L, dModel)
  const kFlat = k0 === query ? qFlat : _flatten(k0); // (S, kdim)
  const vFlat = v0 === k0 ? kFlat : v0 === query ? qFlat : _flatten(v0); // (S, vdim)
  const Q = _linearFlat(query, qFlat, p.wQ, p.bQ, p.bQ ? "query·wQ + bQ" : "query·wQ", "query row", "wQ column"); // (L, E)
  const K = _linearFlat(k0, kFlat, p.wK, p.bK, p.bK ? "key·wK + bK" : "key·wK", "key row", "wK column"); // (S, E)
  const V = _linearFlat(v0, vFlat, p.wV, p.bV, p.bV ? "value·wV + bV" : "value·wV", "value row", "wV column"); // (S, E)

  // 2) scaled dot-product attention in every head
  const sqrtDK = Math.sqrt(dK);
  const LS = L * S;
  const weights = new Float64Array(h * LS); // (h·L, S) softmax of the masked scaled scores
  const concat = new Float64Array(L * E); // (L, h·dV) the head outputs side by side
  // every head inside the WebAssembly module where it runs (its scores stay there: allScores recomputes them when
  // read); the loops below do the heads it did not finish, and name the entry when one is not finite
  const done = _simdEnabled() ? _attentionSimd(Q, K, V, E, L, S, h, dK, dV, sqrtDK, mask, weights, concat) : 0;
  const qkT = (into: Float64Array, hd: number) => _matmulTransB(Q, hd * dK, E, L, dK, K, hd * dK, E, S, into, hd * LS); // (L, S)
  let scoresBuffer: Float64Array | null = null; // (h·L, S) q·kᵀ of every head
  const allScores = (): Float64Array => {
    if (scoresBuffer === null) {
      scoresBuffer = new Float64Array(h * LS);
      for (let hd = 0; hd < h; hd++) qkT(scoresBuffer, hd);
    }
    return scoresBuffer;
  };
  const scores = done < h ? allScores() : null; // the loops below need them now
  const vT = done < h ? new Float64Array(dV * S) : null; // (dV, S) one head's V, transposed (for the loops)
  for (let hd = done; hd < h; hd++) {
    const qOff = hd * dK;
    const sOff = hd * LS;
    for (let r = 0; r < L; r++) {
      const o = sOff + r * S;
      const mRow = mask == null ? null : mask[r];
      let max = -Infinity;
      for (let j = 0; j < S; j++) {
        const s = scores![o + j];
        if (s - s !== 0) {
          throw _scoresOverflow(hd, r, j, Q.subarray(r * E + qOff, r * E + qOff + dK), K.subarray(j * E + qOff, j * E + qOff + dK), s);
        }
        const t = s / sqrtDK;
        const u = mRow == null ? t : t + mRow[j];
        if (u - u !== 0 && u !== -Infinity) throw _maskOverflow(hd, r, j, t, mRow == null ? 0 : mRow[j]);
        weights[o + j] = u;
        if (u > max) max = u;
      }
      if (max === -Infinity) {
        for (let j = 0; j < S; j++) weights[o + j] = 0; // every key masked
      } else {
        let sum = 0;
        for (let j = 0; j < S; j++) {
          const e = Math.exp(weights[o + j] - max); // exp(−Infinity) = 0
          weights[o + j] = e;
          sum += e;
        }
        for (let j = 0; j < S; j++) weights[o + j] /= sum;
      }
    }
    const vOff = hd * dV;
    for (let j = 0; j < S; j++) for (let d = 0; d < dV; d++) vT![d * S + j] = V[j * E + vOff + d]; // (dV, S)
    _matmulTransB(weights, sOff, S, L, S, vT!, 0, S, dV, concat, vOff, E); // (L, dV) weights·v, into concat's columns
    for (let x = 0; x < L; x++) {
      for (let d = 0; d < dV; d++) {
        const y = concat[x * E + vOff + d];
        if (y - y !== 0) throw _valuesOverflow(hd, x, d, Array.from({ length: S }, (_, j) => V[j * E + vOff + d]), y);
      }
    }
  }

  // 3) concat + W^O
  const wOT = _cachedTransposed(p.wO); // (dModel, h·dV)
  const out = new Float64Array(L * E); // (L, dModel)
  _matmulTransB(concat, 0, E, L, E, wOT, 0, E, E, out, 0); // (L, dModel)
  if (p.bO != null) for (let r = 0; r < L; r++) for (let j = 0; j < E; j++) out[r * E + j] += p.bO[j];
  const concatRow = (i: number) => concat.subarray(i * E, (i + 1) * E);
  const wOColumn = (j: number, r0 = 0, r1 = E) => p.wO.slice(r0, r1).map((row) => row[j]);
  for (let e = 0; e < out.length; e++) {
    const v = out[e];
    if (v - v !== 0) {
      const i = Math.floor(e / E);
      throw _productOverflow(p.bO ? "concat·wO + bO" : "concat·wO", "concat row", concatRow(i), "wO column", wOColumn(e % E), i, e % E, v);
    }
  }
  const contribution = (hd: number): Matrix => {
    const c = new Float64Array(L * E);
    _matmulTransB(concat, hd * dV, E, L, dV, wOT, hd * dV, E, E, c, 0); // (L, dModel) head_i·W^O_i
    for (let e = 0; e < c.length; e++) {
      const v = c[e];
      if (v - v !== 0) {
        const i = Math.floor(e / E);
        throw _productOverflow(`heads[${hd}]·wO rows of head ${hd}`, `heads[${hd}] row`,
          concat.subarray(i * E + hd * dV, i * E + (hd + 1) * dV), `wO rows of head ${hd} column`, wOColumn(e % E, hd * dV, (hd + 1) * dV), i, e % E, v);
      }
    }
    return _nested(c, E, 0, L, 0, E);
  };
  // a contribution can overflow where the output does not (cancellation): then compute them now, to fail now
  let maxConcat = 0;
  for (let e = 0; e < concat.length; e++) maxConcat = Math.max(maxConcat, Math.abs(concat[e]));
  let maxWO = _maxAbsCache.get(wOT); // a layer's W^O is frozen, so its transposed buffer (and this) is cached
  if (maxWO === undefined) {
    maxWO = 0;
    for (let e = 0; e < wOT.length; e++) maxWO = Math.max(maxWO, Math.abs(wOT[e]));
    _maxAbsCache.set(wOT, maxWO);
  }
  const eager = maxConcat * maxWO * dV >= 1e300 ? Array.from({ length: h }, (_, hd) => contribution(hd)) : null;

  const heads: HeadTrace[] = new Array(h);
  for (let hd = 0; hd < h; hd++) {
    const head = {} as HeadTrace;
    const qOff = hd * dK;
    const vOff = hd * dV;
    const r0 = hd * L;
    _lazy(head, "q", () => _nested(Q, E, 0, L, qOff, dK)); // (L, dK)
    _lazy(head, "k", () => _nested(K, E, 0, S, qOff, dK)); // (S, dK)
    _lazy(head, "v", () => _nested(V, E, 0, S, vOff, dV)); // (S, dV)
    _lazy(head, "scores", () => _nested(allScores(), S, r0, r0 + L, 0, S)); // (L, S)
    _lazy(head, "scaledScores", () => _nestedMap(allScores(), S, r0, r0 + L, (s) => s / sqrtDK)); // (L, S)
    _lazy(head, "maskedScores", () => (mask == null
      ? _nestedMap(allScores(), S, r0, r0 + L, (s) => s / sqrtDK)
      : _nestedMap(allScores(), S, r0, r0 + L, (s, i, j) => s / sqrtDK + mask[i][j]))); // (L, S)
    _lazy(head, "weights", () => _nested(weights, S, r0, r0 + L, 0, S)); // (L, S)
    _lazy(head, "output", () => _nested(concat, E, 0, L, vOff, dV)); // (L, dV)
    heads[hd] = head;
  }
  const trace = {
    dModel: E, numHeads: h, dK, dV, query, key: k0, value: v0, mask, fullyMaskedRows, heads,
  } as AttentionTrace;
  _lazy(trace, "weights", () => heads.map((head) => head.weights)); // (h, L, S)
  _lazy(trace, "meanWeights", () => {
    const mean = new Float64Array(LS); // Σ over heads in head order, then ÷ h (as meanOverHeads)
    for (let hd = 0; hd < h; hd++) for (let x = 0; x < LS; x++) mean[x] += weights[hd * LS + x];
    for (let x = 0; x < LS; x++) mean[x] /= h;
    return _nested(mean, S, 0, L, 0, S);
  }); // (L, S)
  _lazy(trace, "concat", () => _nested(concat, E, 0, L, 0, E)); // (L, h·dV)
  _lazy(trace, "contributions", () => eager ?? Array.from({ length: h }, (_, hd) => contribution(hd))); // h × (L, dModel)
  _lazy(trace, "output", () => _nested(out, E, 0, L, 0, E)); // (L, dModel)
  const flat = { output: out, weights, concat } as FlatTrace;
  _lazy(flat, "scores", allScores);
  Object.defineProperty(trace, "flat", { value: flat, enumerable: false });
  return trace as FastTrace;
}

/**
 * The row-major Float64Array buffers a fast trace's nested fields are read from: what a caller that wants
 * numbers, not nested arrays, reads (as tfjs's dataSync or a PyTorch tensor gives them). Read them, do not
 * write them: the nested fields not yet read are built from them.
 */
export interface FlatTrace {
  /** (L·dModel,) trace.output, row by row */
  readonly output: Float64Array;
  /** (h·L·S,) trace.weights: head 0's rows, then head 1's, … */
  readonly weights: Float64Array;
  /** (h·L·S,) every head's scores (q·kᵀ), in the order of weights (computed when first read) */
  readonly scores: Float64Array;
  /** (L·h·dV,) trace.concat, row by row */
  readonly concat: Float64Array;
}

/** fastForward's AttentionTrace, with its flat buffers (not enumerable: spreads, JSON and clones leave them out). */
export type FastTrace = AttentionTrace & { readonly flat: FlatTrace };
