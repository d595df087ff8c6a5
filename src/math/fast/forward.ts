/**
 * The fast path of MultiHeadAttention.forward: the same trace, number for number, computed on
 * Float64Array buffers with blocked loops instead of mathjs calls on nested arrays.
 * The readable path (multi-head.ts, scaled-dot-product.ts, …) stays the reference; test/math-fast
 * proves the two equal.
 *
 * Dependencies: _forwardInputs (the checks and masks MultiHeadAttention.forward uses), the kernels in ./kernels.
 */
import { _forwardInputs, ForwardLayer } from "../_forward-inputs";
import type { ForwardOptions } from "../multi-head";
import type { AttentionTrace, HeadTrace, Matrix, Vector } from "../trace";
import { _cachedTransposed, _flatten, _matmulTransB, _nested } from "./kernels";

/** What fastForward needs of a layer: a MultiHeadAttention satisfies it. */
export type FastLayer = ForwardLayer;

/** Options of fastForward; the same as MultiHeadAttention.forward's. */
export type FastForwardOptions = ForwardOptions;

/** y = x·w + b into a flat (rows, dOut) buffer; each entry sums in order, then adds b (as linear does). */
function _linearFlat(x: Matrix, w: Matrix, b: Vector | null): Float64Array {
  const rows = x.length;
  const dIn = w.length;
  const dOut = w[0].length;
  const y = new Float64Array(rows * dOut);
  _matmulTransB(_flatten(x), 0, dIn, rows, dIn, _cachedTransposed(w), 0, dIn, dOut, y, 0); // (rows, dOut)
  if (b != null) {
    for (let i = 0; i < rows; i++) for (let j = 0; j < dOut; j++) y[i * dOut + j] += b[j];
  }
  return y;
}

/**
 * Multi-head attention forward pass on flat buffers, returning the same AttentionTrace as
 * `mha.forward(query, key, value, options)`.
 *   head_i = softmax((X_q·W_i^Q + b_i^Q)(X_k·W_i^K + b_i^K)ᵀ/√dK + M)·(X_v·W_i^V + b_i^V)
 *   output = Concat(head_0 … head_{h−1})·W^O + b^O
 * @param mha the layer (a MultiHeadAttention)
 * @param query (L, dModel)
 * @param key (S, kdim), default query
 * @param value (S, vdim), default key
 * @param options { attnMask (L, S), keyPaddingMask (S,), causal }
 * @return the AttentionTrace; output (L, dModel), weights (h, L, S)
 * @example (illustrative) fastForward(MultiHeadAttention.random({ dModel: 8, numHeads: 2 }), x).output // returns (L, 8), equal to mha.forward(x).output
 */
export function fastForward(
  mha: FastLayer, query: Matrix, key?: Matrix | null, value?: Matrix | null, options: FastForwardOptions = {},
): AttentionTrace {
  const { dModel: E, numHeads: h, dK, dV, params: p } = mha;
  const { L, S, key: k0, value: v0, mask, fullyMaskedRows } = _forwardInputs(mha, query, key, value, options);

  // 1) linear projections with the fused weights
  const Q = _linearFlat(query, p.wQ, p.bQ); // (L, E)
  const K = _linearFlat(k0, p.wK, p.bK); // (S, E)
  const V = _linearFlat(v0, p.wV, p.bV); // (S, E)

  // 2) scaled dot-product attention in every head
  const sqrtDK = Math.sqrt(dK);
  const scoresBuf = new Float64Array(L * S); // (L, S), reused by every head
  const weightsBuf = new Float64Array(L * S); // (L, S)
  const meanBuf = new Float64Array(L * S); // (L, S) Σ over heads
  const vT = new Float64Array(dV * S); // (dV, S)
  const headOut = new Float64Array(L * dV); // (L, dV)
  const concatBuf = new Float64Array(L * E); // (L, h·dV)
  const heads: HeadTrace[] = new Array(h);
  for (let hd = 0; hd < h; hd++) {
    const qOff = hd * dK;
    _matmulTransB(Q, qOff, E, L, dK, K, qOff, E, S, scoresBuf, 0); // (L, S) q·kᵀ
    const scores: Matrix = new Array(L);
    const scaledScores: Matrix = new Array(L);
    const maskedScores: Matrix = new Array(L);
    const weights: Matrix = new Array(L);
    for (let r = 0; r < L; r++) {
      const o = r * S;
      const sRow: number[] = new Array(S);
      const tRow: number[] = new Array(S);
      const uRow: number[] = new Array(S);
      const wRow: number[] = new Array(S);
      const mRow = mask == null ? null : mask[r];
      let max = -Infinity;
      for (let j = 0; j < S; j++) {
        const s = scoresBuf[o + j];
        const t = s / sqrtDK;
        const u = mRow == null ? t : t + mRow[j];
        sRow[j] = s;
        tRow[j] = t;
        uRow[j] = u;
        if (u > max) max = u;
      }
      if (max === -Infinity) {
        for (let j = 0; j < S; j++) {
          wRow[j] = 0; // every key masked
          weightsBuf[o + j] = 0;
        }
      } else {
        let sum = 0;
        for (let j = 0; j < S; j++) {
          const e = Math.exp(uRow[j] - max);
          weightsBuf[o + j] = e;
          sum += e;
        }
        for (let j = 0; j < S; j++) {
          const w = weightsBuf[o + j] / sum;
          weightsBuf[o + j] = w;
          wRow[j] = w;
          meanBuf[o + j] += w;
        }
      }
      scores[r] = sRow;
      scaledScores[r] = tRow;
      maskedScores[r] = uRow;
      weights[r] = wRow;
    }
    const vOff = hd * dV;
    for (let j = 0; j < S; j++) for (let d = 0; d < dV; d++) vT[d * S + j] = V[j * E + vOff + d]; // (dV, S)
    _matmulTransB(weightsBuf, 0, S, L, S, vT, 0, S, dV, headOut, 0); // (L, dV) weights·v
    for (let r = 0; r < L; r++) for (let d = 0; d < dV; d++) concatBuf[r * E + vOff + d] = headOut[r * dV + d];
    heads[hd] = {
      q: _nested(Q, E, 0, L, qOff, dK), // (L, dK)
      k: _nested(K, E, 0, S, qOff, dK), // (S, dK)
      v: _nested(V, E, 0, S, vOff, dV), // (S, dV)
      scores, scaledScores, maskedScores, weights,
      output: _nested(headOut, dV, 0, L, 0, dV), // (L, dV)
    };
  }
  for (let x = 0; x < L * S; x++) meanBuf[x] /= h;

  // 3) concat + W^O
  const wOT = _cachedTransposed(p.wO); // (dModel, h·dV)
  const contribBuf = new Float64Array(L * E); // (L, dModel)
  const contributions: Matrix[] = new Array(h);
  for (let hd = 0; hd < h; hd++) {
    _matmulTransB(concatBuf, hd * dV, E, L, dV, wOT, hd * dV, E, E, contribBuf, 0); // (L, dModel) head_i·W^O_i
    contributions[hd] = _nested(contribBuf, E, 0, L, 0, E);
  }
  const outBuf = new Float64Array(L * E);
  _matmulTransB(concatBuf, 0, E, L, E, wOT, 0, E, E, outBuf, 0); // (L, dModel)
  if (p.bO != null) for (let r = 0; r < L; r++) for (let j = 0; j < E; j++) outBuf[r * E + j] += p.bO[j];

  return {
    dModel: E, numHeads: h, dK, dV, query, key: k0, value: v0, mask, fullyMaskedRows,
    heads, weights: heads.map((head) => head.weights), meanWeights: _nested(meanBuf, S, 0, L, 0, S),
    concat: _nested(concatBuf, E, 0, L, 0, E), contributions, output: _nested(outBuf, E, 0, L, 0, E),
  };
}
