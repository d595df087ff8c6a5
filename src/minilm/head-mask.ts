/**
 * Hugging Face's head_mask on one layer's attention trace: head i's attention probabilities are multiplied by
 * m_i (1 keeps the head, 0 removes it), so its output, its contribution and its share of W^O's input scale too.
 *
 * Dependencies: _lazy, _cachedTransposed, _matmulTransB (src/math/fast/kernels), _flatOf/_toNested (./_dense).
 */
import { _lazy } from "../math/_lazy";
import { _cachedTransposed, _matmulTransB } from "../math/fast/kernels";
import type { AttentionTrace, HeadTrace, Matrix, Vector } from "../math/trace";
import { _describe } from "../math/_describe";
import { _flatOf, _toNested } from "./_dense";

/** A trace with a head mask applied: `headMask` records the factors (not enumerable: spreads and JSON leave it out). */
export type MaskedAttentionTrace = AttentionTrace & { readonly headMask?: readonly number[] };

/** Check one row of head-mask factors: an array of `h` finite numbers, holes named (a loop: forEach skips holes). */
export function _checkHeadMaskRow(row: unknown, h: number, name: string): number[] {
  if (!Array.isArray(row) || row.length !== h) {
    throw new Error(`${name} must have one factor per head (${h}: 1 keeps a head, 0 ablates it), got ${Array.isArray(row) ? `${row.length}` : _describe(row)}`);
  }
  for (let i = 0; i < h; i++) {
    const v: unknown = row[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(`${name}[${i}] is ${i in row ? _describe(v) : "empty (a hole in the array)"}; use 1 to keep the head and 0 to ablate it`);
    }
  }
  return row as number[];
}

/** Check a head mask: a matrix (layers × heads) of finite numbers, usually 0 or 1. */
export function _checkHeadMask(headMask: unknown, numLayers: number, numHeads: number): number[][] {
  const ok = Array.isArray(headMask) && headMask.length === numLayers &&
    headMask.every((r) => Array.isArray(r) && r.length === numHeads);
  if (!ok) {
    const got = Array.isArray(headMask) ? `${headMask.length} rows${Array.isArray(headMask[0]) ? ` of ${headMask[0].length}` : ""}` : _describe(headMask);
    throw new Error(`headMask must be ${numLayers} layers × ${numHeads} heads (1 keeps a head, 0 ablates it), got ${got}`);
  }
  for (let l = 0; l < numLayers; l++) _checkHeadMaskRow((headMask as unknown[])[l], numHeads, `headMask[${l}]`);
  return headMask as number[][];
}

/**
 * Scale each head of a trace as Hugging Face's head_mask does (BertSelfAttention: probs = probs · head_mask).
 *   A_i ← m_i·A_i,   head_i ← m_i·head_i,   output = Concat(head_0 … head_{h−1})·W^O + b^O
 * An all-ones mask returns the trace unchanged. The output is computed now (from the flat concat); the scaled
 * heads, contributions and nested output are built when first read. The result records the mask as `headMask`.
 *
 * @param trace one layer's AttentionTrace (from forward or fastForward)
 * @param mask  (h,) one factor per head; 0 removes the head, 1 keeps it
 * @param wO    (dModel, dModel) the layer's W^O (paper orientation)
 * @param bO    (dModel,) or null
 * @return a new AttentionTrace; masked heads have zero weights, outputs and contributions
 * @example (illustrative) applyHeadMask(trace, [1, 0], mha.params.wO, mha.params.bO).weights[1] // returns an all-zero (L, L)
 */
export function applyHeadMask(trace: AttentionTrace, mask: number[], wO: Matrix, bO: Vector | null): MaskedAttentionTrace {
  const h = trace.numHeads;
  _checkHeadMaskRow(mask, h, "head mask");
  if (mask.every((m) => m === 1)) return trace;
  const L = trace.query.length;
  const E = trace.dModel;
  const dV = trace.dV;
  const concat = Float64Array.from(_flatOf(trace, "concat", L, E)); // (L, h·dV) the heads side by side
  for (let r = 0; r < L; r++) for (let i = 0; i < h; i++) for (let d = 0; d < dV; d++) concat[r * E + i * dV + d] *= mask[i];
  const out = new Float64Array(L * E);
  _matmulTransB(concat, 0, E, L, E, _cachedTransposed(wO), 0, E, E, out, 0); // (L, dModel)
  if (bO != null) for (let r = 0; r < L; r++) for (let j = 0; j < E; j++) out[r * E + j] += bO[j];

  const scale = (m: Matrix, s: number): Matrix => m.map((row) => row.map((v) => v * s));
  const heads = trace.heads.map((hd, i) => {
    if (mask[i] === 1) return hd;
    const scaled = {} as HeadTrace; // q, k, v and the scores are the original's, read when first read (a spread would build them all now)
    for (const key of Object.keys(hd) as (keyof HeadTrace)[]) _lazy(scaled, key, () => hd[key]);
    _lazy(scaled, "weights", () => scale(hd.weights, mask[i])); // (L, S)
    _lazy(scaled, "output", () => scale(hd.output, mask[i])); // (L, dV)
    return scaled;
  });
  const { dModel, numHeads, dK, query, key, value, mask: attnMask, fullyMaskedRows } = trace; // plain fields, not lazy
  const masked = { dModel, numHeads, dK, dV, query, key, value, mask: attnMask, fullyMaskedRows, heads } as AttentionTrace;
  _lazy(masked, "weights", () => heads.map((hd) => hd.weights)); // (h, L, S)
  _lazy(masked, "meanWeights", () => {
    const w = heads.map((hd) => hd.weights);
    return w[0].map((row, i) => row.map((_, j) => w.reduce((s, m) => s + m[i][j], 0) / h)); // (L, S)
  });
  _lazy(masked, "concat", () => _toNested(concat, L, E)); // (L, h·dV)
  _lazy(masked, "contributions", () => trace.contributions.map((c, i) => (mask[i] === 1 ? c : scale(c, mask[i])))); // h × (L, dModel)
  _lazy(masked, "output", () => _toNested(out, L, E)); // (L, dModel)
  Object.defineProperty(masked, "flat", { value: { output: out, concat }, enumerable: false });
  Object.defineProperty(masked, "headMask", { value: Object.freeze(mask.slice()), enumerable: false });
  return masked as MaskedAttentionTrace;
}
