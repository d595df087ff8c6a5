/**
 * The chat model's causal self-attention: rotary positions and grouped-query attention, with a KV cache.
 * Built from the course's readable steps: each query head is src/math's scaledDotProductAttention on its own
 * q and on the key/value head it shares (llama's repeat_kv: query head i reads key/value head ⌊i / g⌋, with
 * g = numHeads / numKVHeads query heads per key/value head). No new softmax.
 *
 * The decoding path (prefill and next, which never return the weights) runs the same steps on the flat cache with
 * the fast path's kernels instead (_attendFlat: q·kᵀ, the fast softmax row, weights·v, each summed in the same
 * order), so a new token does not rebuild nested rows of every cached position.
 *
 * Dependencies: scaledDotProductAttention (src/math), _matmulTransB, _softmaxRow, _transposeFlat (src/math/fast),
 * RoPE (src/blocks), linearT (./linear).
 */
import { RoPE } from "../blocks/rope";
import { _transposeFlat } from "../math/fast/convert";
import { _matmulTransB, _softmaxRow } from "../math/fast/kernels";
import { scaledDotProductAttention } from "../math/scaled-dot-product";
import { linearT } from "./linear";
import type { ChatModelConfig, LayerWeights } from "./weights";

/**
 * The keys and values of every position seen so far, per layer: llama's cache_k and cache_v, filled at
 * start_pos. Keys are stored after RoPE, so a new token never recomputes an old one.
 */
export class KVCache {
  /** positions stored */ length = 0;
  /**
   * per layer (room, numKVHeads·dHead) keys, after RoPE; room grows (doubling, up to capacity) as positions are
   * added, so a cache prefilled for the whole context costs only what it holds
   */
  keys: Float64Array[];
  /** per layer (room, numKVHeads·dHead) values, grown with keys */ values: Float64Array[];
  /**
   * per layer, per key/value head: the same keys and values as (S, dHead) nested rows, the form
   * scaledDotProductAttention takes; grown by _headRows as positions are added, so a new token converts only its
   * own row instead of the whole cache (not counted in `bytes`: JavaScript arrays, about as much again)
   */
  readonly _rows: { k: number[][]; v: number[][] }[][];
  /** @param c the model's sizes  @param capacity the most positions it will hold (≤ contextLength) */
  constructor(readonly c: ChatModelConfig, readonly capacity: number) {
    const room = Math.min(capacity, 16) * c.numKVHeads * c.dHead; // 16 positions to start; reserve doubles it
    this.keys = Array.from({ length: c.numLayers }, () => new Float64Array(room));
    this.values = Array.from({ length: c.numLayers }, () => new Float64Array(room));
    this._rows = Array.from({ length: c.numLayers }, () => Array.from({ length: c.numKVHeads }, () => ({ k: [], v: [] })));
  }
  /** Bytes the cache takes when full: 2 (K and V) × layers × capacity × numKVHeads·dHead × 8. */
  get bytes(): number {
    return 2 * this.c.numLayers * this.capacity * this.c.numKVHeads * this.c.dHead * 8;
  }
  /**
   * Makes room for `positions` positions (≤ capacity): the buffers double (or jump to what is asked) and keep what
   * they hold. Callers read cache.keys[layer] after this, never a reference taken before.
   */
  reserve(positions: number): void {
    const width = this.c.numKVHeads * this.c.dHead;
    if (positions * width <= this.keys[0].length) return;
    if (positions > this.capacity) throw new Error(`the cache holds at most ${this.capacity} positions; ${positions} were asked for`);
    const room = Math.min(this.capacity, Math.max(positions, 2 * (this.keys[0].length / width))) * width;
    const grow = (a: Float64Array) => {
      const b = new Float64Array(room);
      b.set(a.subarray(0, this.length * width));
      return b;
    };
    this.keys = this.keys.map(grow);
    this.values = this.values.map(grow);
  }
}

/** What one attention layer computed. */
export interface AttentionLayerResult {
  /** (L, d) the attention's output, after W_O */ y: Float64Array;
  /**
   * numHeads × (L, S) attention weights (S = positions cached before + L), each row summing to 1; empty on the
   * decoding path (fast: true), which keeps none
   */
  weights: number[][][];
}

/**
 * Every query head's attention over the flat cache, written into concat (the decoding path: no weights kept).
 *   head_i = softmax(Q_i·K_gᵀ/√dHead + M)·V_g · m_i,  g = ⌊i / (h / hKV)⌋,  M: query r sees keys 0 … start + r
 * One new token (L = 1): the h / hKV query heads sharing a key/value head are one (h / hKV, dHead) block of q, so
 * each product covers the group at once (grouped-query attention's saving, on the kernel's register blocks).
 * @param q (L, h·dHead) queries after RoPE
 * @param keys (capacity, hKV·dHead) this layer's cached keys (after RoPE), positions 0 … start + L − 1 written; values likewise
 * @param concat (L, h·dHead), written
 */
function _attendFlat(
  q: Float64Array, keys: Float64Array, values: Float64Array, c: ChatModelConfig, L: number, start: number,
  headMask: ArrayLike<number> | null, concat: Float64Array,
): void {
  const { numHeads: h, numKVHeads: hKV, dHead } = c;
  const S = start + L;
  const QW = h * dHead;
  const KW = hKV * dHead;
  const group = h / hKV;
  const sqrtD = Math.sqrt(dHead);
  const rows = L === 1 ? group : L; // rows of one product: the group's heads (L = 1), or one head's positions
  const a = new Float64Array(rows * S); // (rows, S) scores, then weights
  for (let g = 0; g < hKV; g++) {
    const vT = _transposeFlat(values, g * dHead, KW, S, dHead); // (dHead, S) V_gᵀ
    for (let i = g * group; i < (g + 1) * group; i += L === 1 ? group : 1) {
      const stride = L === 1 ? dHead : QW; // next row of the block: the next head, or the next position
      _matmulTransB(q, i * dHead, stride, rows, dHead, keys, g * dHead, KW, S, a, 0); // (rows, S) q·kᵀ
      for (let r = 0; r < rows; r++) _softmaxRow(a, r * S, S, sqrtD, null, 0, L === 1 ? S : start + r + 1, null, 0); // causal
      _matmulTransB(a, 0, S, rows, S, vT, 0, S, dHead, concat, i * dHead, stride); // (rows, dHead) weights·v
    }
  }
  if (headMask != null) {
    for (let i = 0; i < h; i++) if (headMask[i] !== 1) for (let r = 0; r < L; r++) for (let e = 0; e < dHead; e++) concat[r * QW + i * dHead + e] *= headMask[i];
  }
}

/** The (L, S) nested block of a flat (rows, width) buffer: rows r0 … r0 + L − 1, columns c0 … c0 + w − 1. */
function _block(x: Float64Array, width: number, r0: number, L: number, c0: number, w: number): number[][] {
  return Array.from({ length: L }, (_, i) => Array.from(x.subarray((r0 + i) * width + c0, (r0 + i) * width + c0 + w)));
}

/**
 * Each key/value head's cached keys and values of one layer as (S, dHead) nested rows: rows before `start` as
 * earlier calls left them (positions before cache.length are never rewritten), rows start … S − 1 read from the
 * flat cache now.
 * @param cache the cache, with positions 0 … S − 1 written
 * @param layer which layer
 * @param start positions cached before this call
 * @param S positions cached now
 * @return numKVHeads × { k (S, dHead), v (S, dHead) }
 */
function _headRows(cache: KVCache, layer: number, start: number, S: number): { k: number[][]; v: number[][] }[] {
  const { numKVHeads: hKV, dHead } = cache.c;
  const dKV = hKV * dHead;
  return cache._rows[layer].map((rows, j) => {
    if (rows.k.length > start) rows.k.length = rows.v.length = start;
    for (let r = rows.k.length; r < S; r++) {
      rows.k.push(_block(cache.keys[layer], dKV, r, 1, j * dHead, dHead)[0]); // (dHead,)
      rows.v.push(_block(cache.values[layer], dKV, r, 1, j * dHead, dHead)[0]); // (dHead,)
    }
    return rows; // (S, dHead) each
  });
}

/**
 * Causal self-attention of one layer on L new positions, after `cache.length` cached ones.
 *   Q = X·W_Qᵀ, K = X·W_Kᵀ, V = X·W_Vᵀ;   Q, K ← RoPE(·, positions)
 *   head_i = softmax(Q_i·K_{⌊i/g⌋}ᵀ/√dHead + M)·V_{⌊i/g⌋},   M_ij = −∞ where key j comes after query i
 *   Y = Concat(m_1·head_1, …, m_h·head_h)·W_Oᵀ   (m = the head mask row, 1 keeps a head, 0 removes it)
 * @param x (L, d) the normalised input of the new positions
 * @param w the layer's weights
 * @param c sizes
 * @param layer which layer (its slot in the cache)
 * @param cache the keys and values so far; this call appends the L new ones
 * @param headMask (numHeads,) or null
 * @param fast the decoding path: the projections' sums in float32 (linearT, where the weights are float32 in the
 *   kernel's memory) and the flat attention (_attendFlat), no weights returned; default false
 * @return { y (L, d), weights numHeads × (L, S) (empty when fast) }
 */
export function causalSelfAttention(
  x: Float64Array, w: LayerWeights, c: ChatModelConfig, layer: number, cache: KVCache, headMask: ArrayLike<number> | null,
  fast = false,
): AttentionLayerResult {
  const { dModel: d, numHeads: h, numKVHeads: hKV, dHead, ropeBase } = c;
  const L = x.length / d;
  const start = cache.length;
  const S = start + L;
  const dKV = hKV * dHead;
  const positions = Array.from({ length: L }, (_, i) => start + i);
  // 1) linear projections, then rotary positions on queries and keys
  const q = RoPE.forward(linearT(x, w.wQ, L, d, h * dHead, fast), positions, h, dHead, ropeBase); // (L, h·dHead)
  const k = RoPE.forward(linearT(x, w.wK, L, d, dKV, fast), positions, hKV, dHead, ropeBase); // (L, hKV·dHead)
  const v = linearT(x, w.wV, L, d, dKV, fast); // (L, hKV·dHead)
  // 2) append the new keys and values to the cache (llama: cache_k[:, start_pos : start_pos + L] = xk)
  cache.reserve(start + L); // grows every layer's buffers at layer 0; a no-op after
  cache.keys[layer].set(k, start * dKV);
  cache.values[layer].set(v, start * dKV);
  if (fast) {
    const concat = new Float64Array(L * h * dHead); // (L, h·dHead)
    _attendFlat(q, cache.keys[layer], cache.values[layer], c, L, start, headMask, concat);
    return { y: linearT(concat, w.wO, L, h * dHead, d, true), weights: [] }; // (L, d)
  }
  // 3) causal mask: query i (position start + i) sees keys 0 … start + i
  const mask = L === 1 ? null : Array.from({ length: L }, (_, i) => Array.from({ length: S }, (_, j) => j > start + i)); // (L, S)
  // 4) each query head attends over the key/value head it shares (repeat_kv)
  const concat = new Float64Array(L * h * dHead); // (L, h·dHead)
  const weights: number[][][] = [];
  const group = h / hKV;
  const kvHeads = _headRows(cache, layer, start, S); // hKV × { k (S, dHead), v (S, dHead) }
  for (let i = 0; i < h; i++) {
    const kv = kvHeads[Math.floor(i / group)];
    const steps = scaledDotProductAttention(_block(q, h * dHead, 0, L, i * dHead, dHead), kv.k, kv.v, mask); // (L, dHead)
    const m = headMask == null ? 1 : headMask[i];
    weights.push(m === 1 ? steps.weights : steps.weights.map((row) => row.map((a) => a * m))); // (L, S)
    steps.output.forEach((row, r) => row.forEach((o, j) => (concat[r * h * dHead + i * dHead + j] = m * o)));
  }
  // 5) output projection
  return { y: linearT(concat, w.wO, L, h * dHead, d), weights }; // (L, d)
}
