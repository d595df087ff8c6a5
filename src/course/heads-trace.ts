/**
 * Build an AttentionTrace from per-head (q, k, v) without a full layer, so the chart builders
 * (plotHeads, plotHeadStages, …) can draw attention computed by hand.
 *
 * Dependencies: scaledDotProductAttention, concatHeads.
 */
import { concatHeads, meanOverHeads } from "../math/heads";
import { fullyMaskedRows, Mask, toAdditiveMask } from "../math/masks";
import { scaledDotProductAttention } from "../math/scaled-dot-product";
import type { AttentionTrace, HeadTrace, Matrix } from "../math/trace";

/** One head's inputs. */
export interface HeadInputs {
  /** (L, dK) */ q: Matrix;
  /** (S, dK) */ k: Matrix;
  /** (S, dV) */ v: Matrix;
}

/**
 * Run scaled dot-product attention in each head and wrap the results as an AttentionTrace with
 * no output projection: W^O is the identity, so output = concat and each head's contribution is its
 * output placed in its own columns. query/key/value in the trace are the concatenated q, k, v.
 *   head_i = softmax(q_i·k_iᵀ/√dK + M)·v_i,  output = Concat(head_0, …, head_{h−1})
 * @param heads h × { q (L, dK), k (S, dK), v (S, dV) }, the same shapes in every head
 * @param mask (L, S) optional, PyTorch convention (true = not allowed, or float added)
 * @return an AttentionTrace with numHeads = h and dModel = h·dV
 * @example headsTrace([{ q: [[1, 0]], k: [[1, 0]], v: [[2, 3]] }]).output // returns [[2, 3]]
 */
export function headsTrace(heads: HeadInputs[], mask?: Mask | null): AttentionTrace {
  if (!Array.isArray(heads) || heads.length === 0) throw new Error("headsTrace: heads must be a non-empty array of { q, k, v }");
  const traces: HeadTrace[] = heads.map(({ q, k, v }, i) => {
    if (!q || !k || !v) throw new Error(`headsTrace: heads[${i}] must have q, k and v`);
    const s = scaledDotProductAttention(q, k, v, mask);
    return { q, k, v, scores: s.scores, scaledScores: s.scaledScores, maskedScores: s.maskedScores, weights: s.weights, output: s.output };
  });
  const h = heads.length;
  const dK = heads[0].q[0].length;
  const dV = heads[0].v[0].length;
  const concat = concatHeads(traces.map((t) => t.output)); // (L, h·dV)
  const contributions = traces.map((t, i) => t.output.map((row) => concat[0].map((_, j) => (j >= i * dV && j < (i + 1) * dV ? row[j - i * dV] : 0)))); // h × (L, h·dV)
  const weights = traces.map((t) => t.weights); // (h, L, S)
  return {
    dModel: h * dV, numHeads: h, dK, dV,
    query: concatHeads(heads.map((x) => x.q)), key: concatHeads(heads.map((x) => x.k)), value: concatHeads(heads.map((x) => x.v)),
    mask: mask == null ? null : toAdditiveMask(mask, "mask"), fullyMaskedRows: fullyMaskedRows(traces[0].maskedScores),
    heads: traces, weights, meanWeights: meanOverHeads(weights), concat, contributions, output: concat,
  };
}
