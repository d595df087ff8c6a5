/**
 * Hugging Face's head_mask on one layer's attention trace: head i's attention probabilities are multiplied by
 * m_i (1 keeps the head, 0 removes it), so its output, its contribution and its share of W^O's input scale too.
 *
 * Dependencies: _cachedTransposed, _matmulTransB (src/math/fast/kernels).
 */
import { _cachedTransposed, _matmulTransB, _nested } from "../math/fast/kernels";
import type { AttentionTrace, Matrix, Vector } from "../math/trace";

/** Check a head mask: a matrix (layers × heads) of finite numbers, usually 0 or 1. */
export function _checkHeadMask(headMask: unknown, numLayers: number, numHeads: number): number[][] {
  const ok = Array.isArray(headMask) && headMask.length === numLayers &&
    headMask.every((r) => Array.isArray(r) && r.length === numHeads);
  if (!ok) {
    const got = Array.isArray(headMask) ? `${headMask.length} rows${Array.isArray(headMask[0]) ? ` of ${headMask[0].length}` : ""}` : typeof headMask;
    throw new Error(`headMask must be ${numLayers} layers × ${numHeads} heads (1 keeps a head, 0 ablates it), got ${got}`);
  }
  (headMask as unknown[][]).forEach((r, l) => r.forEach((v, h) => {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`headMask[${l}][${h}] is ${v}; use 1 to keep the head and 0 to ablate it`);
  }));
  return headMask as number[][];
}

/**
 * Scale each head of a trace as Hugging Face's head_mask does (BertSelfAttention: probs = probs · head_mask).
 *   A_i ← m_i·A_i,   head_i ← m_i·head_i,   output = Concat(head_0 … head_{h−1})·W^O + b^O
 * An all-ones mask returns the trace unchanged.
 *
 * @param trace one layer's AttentionTrace (from forward or fastForward)
 * @param mask  (h,) one factor per head; 0 removes the head, 1 keeps it
 * @param wO    (dModel, dModel) the layer's W^O (paper orientation)
 * @param bO    (dModel,) or null
 * @return a new AttentionTrace; masked heads have zero weights, outputs and contributions
 * @example (illustrative) applyHeadMask(trace, [1, 0], mha.params.wO, mha.params.bO).weights[1] // returns an all-zero (L, L)
 */
export function applyHeadMask(trace: AttentionTrace, mask: number[], wO: Matrix, bO: Vector | null): AttentionTrace {
  const h = trace.numHeads;
  if (mask.length !== h) throw new Error(`head mask has ${mask.length} entries but the layer has ${h} heads`);
  if (mask.every((m) => m === 1)) return trace;
  const scale = (m: Matrix, s: number): Matrix => m.map((row) => row.map((v) => v * s));
  const heads = trace.heads.map((hd, i) => (mask[i] === 1 ? hd : { ...hd, weights: scale(hd.weights, mask[i]), output: scale(hd.output, mask[i]) }));
  const L = trace.query.length;
  const E = trace.dModel;
  const dV = trace.dV;
  const concat = new Float64Array(L * E); // (L, h·dV)
  heads.forEach((hd, i) => hd.output.forEach((row, r) => row.forEach((v, d) => (concat[r * E + i * dV + d] = v))));
  const out = new Float64Array(L * E);
  _matmulTransB(concat, 0, E, L, E, _cachedTransposed(wO), 0, E, E, out, 0); // (L, dModel)
  if (bO != null) for (let r = 0; r < L; r++) for (let j = 0; j < E; j++) out[r * E + j] += bO[j];
  const weights = heads.map((hd) => hd.weights); // (h, L, S)
  const meanWeights = weights[0].map((row, i) => row.map((_, j) => weights.reduce((s, w) => s + w[i][j], 0) / h));
  return {
    ...trace, heads, weights, meanWeights,
    concat: _nested(concat, E, 0, L, 0, E),
    contributions: trace.contributions.map((c, i) => (mask[i] === 1 ? c : scale(c, mask[i]))),
    output: _nested(out, E, 0, L, 0, E),
  };
}
