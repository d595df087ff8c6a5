/**
 * One attention weight, followed from the numbers that make it to what it changes: score → scaled → softmax row
 * → weight·V → the head's slice of W^O → the head's contribution to the layer's output.
 *
 * Dependencies: none (reads a trace of MultiHeadAttention.forward).
 */
import type { AttentionTrace, Matrix, Vector } from "../math/trace";

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
  /** (S,) query i's scaled scores against every key */ scaledRow: Vector;
  /** (S,) softmax(scaledRow): query i's weights */ weightsRow: Vector;
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
 * Follow weight a_ij of one head through the layer, recomputing each step from the step before.
 *   s_ij = q_i·k_j,  t_ij = s_ij/√dK,  a_i = softmax(t_i),  o_i = Σ_j a_ij v_j,  c_i = o_i·W^O_h
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
  const h = trace.numHeads;
  if (!Number.isInteger(head) || head < 0 || head >= h) throw new Error(`head index ${head} does not exist; indices 0 … ${h - 1} (head 1 … head ${h})`);
  const hd = trace.heads[head];
  const L = hd.q.length;
  const S = hd.k.length;
  if (!Number.isInteger(query) || query < 0 || query >= L) throw new Error(`query ${query} is not a position 0 … ${L - 1}`);
  if (!Number.isInteger(key) || key < 0 || key >= S) throw new Error(`key ${key} is not a position 0 … ${S - 1}`);
  const { dK, dV } = trace;
  const q = hd.q[query].slice(); // (dK,)
  const k = hd.k[key].slice(); // (dK,)
  const products = q.map((x, d) => x * k[d]); // (dK,)
  const scaledRow = hd.k.map((kj) => _dot(q, kj) / Math.sqrt(dK)); // (S,)
  const max = Math.max(...scaledRow);
  const e = scaledRow.map((t) => Math.exp(t - max));
  const z = e.reduce((a, b) => a + b, 0);
  const weightsRow = e.map((x) => x / z); // (S,)
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
