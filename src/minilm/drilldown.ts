/**
 * One attention weight, followed from the numbers that make it to what it changes: score → scaled → softmax row
 * → weight·V → the head's slice of W^O → the head's contribution to the layer's output.
 *
 * Dependencies: softmaxRows (src/math); reads a trace of MultiHeadAttention.forward, fastForward or applyHeadMask.
 */
import { softmaxRows } from "../math/softmax";
import type { AttentionTrace, Matrix, Vector } from "../math/trace";
import { _describe } from "../math/_describe";
import type { MaskedAttentionTrace } from "./head-mask";

/** Every number on the way from (query i, key j) of one head to that head's contribution to output row i. */
export interface WeightDrilldown {
  head: number;
  query: number;
  key: number;
  dK: number;
  /** (dK,) q_i of this head */ q: Vector;
  /** (dK,) k_j */ k: Vector;
  /** (dK,) q_i,d · k_j,d: their sum is the score */ products: Vector;
  /** q_i · k_j */ score: number;
  /** score / √dK */ scaled: number;
  /** (S,) query i's scaled scores against every key, plus the trace's mask (−Infinity where not allowed) */ scaledRow: Vector;
  /** (S,) m_h·softmax(scaledRow): query i's weights (m_h the trace's head-mask factor, 1 without one) */ weightsRow: Vector;
  /** a_ij = weightsRow[key] */ weight: number;
  /** (dV,) v_j */ v: Vector;
  /** (dV,) a_ij · v_j: what key j adds to the head's output row i */ weightedValue: Vector;
  /** (dV,) o_i = Σ_j a_ij v_j, the head's output row i */ headOutput: Vector;
  /** (dV, dModel) rows head·dV … (head+1)·dV − 1 of W^O */ wOSlice: Matrix;
  /** (dModel,) o_i · W^O_head: this head's contribution to output row i */ contribution: Vector;
  /** (dModel,) a_ij v_j · W^O_head: the part of it that comes through key j */ keyContribution: Vector;
  /** (dModel,) the layer's attention output row i = Σ_heads contributions + b^O */ output: Vector;
}

const _dot = (a: Vector, b: Vector) => a.reduce((s, x, d) => s + x * b[d], 0);
const _vecMat = (x: Vector, m: Matrix) => m[0].map((_, c) => x.reduce((s, xi, r) => s + xi * m[r][c], 0)); // (cols,)

/**
 * Follow weight a_ij of one head through the layer, recomputing each step from the step before, with the trace's
 * own attention mask (causal or padding: `trace.mask`) and head mask (applyHeadMask's `trace.headMask`) applied.
 *   s_ij = q_i·k_j,  t_ij = s_ij/√dK + M_ij,  a_i = m_h·softmax(t_i),  o_i = Σ_j a_ij v_j,  c_i = o_i·W^O_h
 * The recomputed row must reproduce the trace's weights (to 1e-9); a trace that does not (edited, or masked in a
 * way the trace does not record) is refused with an error rather than drilled into with the wrong numbers.
 *
 * @param trace  one layer's trace (MultiHeadAttention.forward, or `encoding.traces[l]`)
 * @param wO     (dModel, dModel) the layer's W^O, paper orientation (`mha.params.wO`)
 * @param head   0-based head index
 * @param query  query position i
 * @param key    key position j
 * @return every intermediate (see WeightDrilldown); each is recomputed here, so it can be checked against the trace
 * @example (illustrative) weightDrilldown(enc.traces[0], model.weights.layers[0].attention.params.wO, 2, 4, 3).weight // returns enc.attentions[0][2][4][3]
 */
export function weightDrilldown(trace: AttentionTrace, wO: Matrix, head: number, query: number, key: number): WeightDrilldown {
  if (trace == null || typeof trace !== "object" || !Array.isArray(trace.heads)) {
    throw new Error(`weightDrilldown: trace must be an attention trace (forward's, or encoding.traces[l]), got ${_describe(trace)}`);
  }
  const h = trace.numHeads;
  if (!Number.isInteger(head) || head < 0 || head >= h) throw new Error(`head index ${head} does not exist; indices 0 … ${h - 1} (head 1 … head ${h})`);
  const hd = trace.heads[head];
  const L = hd.q.length;
  const S = hd.k.length;
  if (!Number.isInteger(query) || query < 0 || query >= L) throw new Error(`query ${query} is not a position 0 … ${L - 1}`);
  if (!Number.isInteger(key) || key < 0 || key >= S) throw new Error(`key ${key} is not a position 0 … ${S - 1}`);
  const { dK, dV, dModel: E } = trace;
  if (!Array.isArray(wO) || wO.length !== E || !wO.every((r) => Array.isArray(r) && r.length === E)) {
    throw new Error(`weightDrilldown: wO must be the layer's (${E}, ${E}) W^O (mha.params.wO), got ${Array.isArray(wO) ? `(${wO.length}, ${Array.isArray(wO[0]) ? wO[0].length : _describe(wO[0])})` : _describe(wO)}`);
  }
  const maskRow = trace.mask?.[query] ?? null; // (S,) the trace's additive mask: −Infinity where not allowed
  const m = (trace as MaskedAttentionTrace).headMask?.[head] ?? 1; // the head-mask factor applyHeadMask recorded
  const q = hd.q[query].slice(); // (dK,)
  const k = hd.k[key].slice(); // (dK,)
  const products = q.map((x, d) => x * k[d]); // (dK,)
  const scaledRow = hd.k.map((kj, j) => _dot(q, kj) / Math.sqrt(dK) + (maskRow === null ? 0 : maskRow[j])); // (S,)
  const weightsRow = softmaxRows([scaledRow], "the scaled scores")[0].map((a) => m * a); // (S,) src/math's softmax, then m_h
  let worst = 0;
  let at = 0;
  hd.weights[query].forEach((a, j) => {
    const diff = Math.abs(a - weightsRow[j]);
    if (!(diff <= worst)) [worst, at] = [diff, j];
  });
  if (!(worst <= 1e-9)) {
    throw new Error(`weightDrilldown: m·softmax(q·k/√dK + mask) of head ${head} (head ${head + 1}), query ${query}, does not reproduce the trace's ` +
      `weights (${weightsRow[at]} against ${hd.weights[query][at]} at key ${at}, head-mask factor ${m}): the trace was edited, or masked ` +
      "in a way it does not record (use a trace from forward, fastForward, encode or applyHeadMask)");
  }
  const v = hd.v[key].slice(); // (dV,)
  const weight = weightsRow[key];
  const weightedValue = v.map((x) => weight * x); // (dV,)
  const headOutput = Array.from({ length: dV }, (_, d) => hd.v.reduce((s, vj, j) => s + weightsRow[j] * vj[d], 0)); // (dV,)
  const wOSlice = wO.slice(head * dV, (head + 1) * dV).map((r) => r.slice()); // (dV, dModel)
  return {
    head, query, key, dK, q, k, products, score: _dot(q, k), scaled: _dot(q, k) / Math.sqrt(dK), scaledRow, weightsRow, weight,
    v, weightedValue, headOutput, wOSlice,
    contribution: _vecMat(headOutput, wOSlice), // (dModel,)
    keyContribution: _vecMat(weightedValue, wOSlice), // (dModel,)
    output: trace.output[query].slice(),
  };
}
