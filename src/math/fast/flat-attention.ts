/**
 * Multi-head attention on B sequences at once, on row-major Float64Array buffers, and its backward: the one flat
 * forward behind fastForward, the trainer and the blocks. Same order of operations as the readable path
 * (multi-head.ts): scores q·kᵀ, then ÷ √dK, then + mask, then the softmax (exp(u − max), ÷ Σ), then weights·v,
 * so the two agree to rounding (tested ≤ 1e-12 relative).
 *
 * Options: causal, an additive mask shared by the batch, key padding per sequence, keys and values from another
 * sequence (cross-attention: pass xk, xv with S rows each), a head mask, grouped-query attention (numKVHeads <
 * numHeads: query head i reads key/value head ⌊i / (numHeads / numKVHeads)⌋, llama's repeat_kv), and the scoring
 * function of every head: the scaled dot product (default) or additive (Bahdanau), e_ts = w_iᵀ·tanh(Q_i[t] + K_g[s]).
 *
 * No checks here (callers check once: fastForward through _forwardInputs, the trainer and blocks their own), and
 * no overflow naming (forward-overflow.ts does that for fastForward). The one exception is the scoring option, a
 * constant-time check (_checkScoring) because a wrong or missing wA would otherwise give silent garbage.
 *
 * Dependencies: _matmulNN, _matmulStrided, _matmulTransB, _addColumnSums, _softmaxRow (kernels.ts), _suggest, _describe.
 */
import { _suggest } from "../../_suggest";
import { _describe } from "../_describe";
import { _addColumnSums, _matmulNN, _matmulStrided, _matmulTransB, _softmaxRow } from "./kernels";
import type { Scoring } from "../types";

export type { Scoring } from "../additive";

/** The sizes of an attention layer, as the flat kernels need them. */
export interface FlatAttentionDims {
  dModel: number;
  /** h, query heads */ numHeads: number;
  /** key/value heads; numHeads for ordinary multi-head attention (h must be divisible by it) */ numKVHeads: number;
  dK: number;
  dV: number;
  /** width of the key input */ kdim: number;
  /** width of the value input */ vdim: number;
}

/** A layer's parameters (or their gradients) as row-major buffers, paper orientation. */
export interface FlatAttentionParams {
  /** (dModel, h·dK) */ wQ: Float64Array;
  /** (kdim, hKV·dK) */ wK: Float64Array;
  /** (vdim, hKV·dV) */ wV: Float64Array;
  /** (h·dV, dModel) */ wO: Float64Array;
  /** (h·dK,) or null */ bQ: Float64Array | null;
  /** (hKV·dK,) or null */ bK: Float64Array | null;
  /** (hKV·dV,) or null */ bV: Float64Array | null;
  /** (dModel,) or null */ bO: Float64Array | null;
  /**
   * (h, dK) row-major, additive scoring's score vectors (head i: wA[i·dK … (i+1)·dK − 1]); null or absent for dot
   * scoring. Optional so that the dot path's callers need not name it.
   */
  wA?: Float64Array | null;
}

/** The transposes of the four weights, for a caller that keeps them (a frozen layer computes them once). */
export interface FlatWeightsT {
  wQ: Float64Array;
  wK: Float64Array;
  wV: Float64Array;
  wO: Float64Array;
}

/** Options of mhaForwardFlat. */
export interface FlatAttentionOptions {
  /** (L·S,) additive mask shared by the batch (0 = allowed, −Infinity = not, or float values), or null */
  mask?: Float64Array | null;
  /** query i sees keys 0 … i only (top-left aligned, as causalMask) */ causal?: boolean;
  /** (B·S,) 1 = the key is padding, ignored (PyTorch's key_padding_mask True), per sequence */ keyPadding?: Uint8Array | null;
  /** (h,) multiplier of each head's output (0 removes a head), or null */ headMask?: Float64Array | null;
  /** the weights' transposes when the caller keeps them (default: none; the weights are read as stored) */ weightsT?: FlatWeightsT;
  /** "dot" (default): softmax(Q_i·K_gᵀ/√dK + M); "additive": softmax(w_iᵀ·tanh(Q_i[t] + K_g[s]) + M), needs p.wA */
  scoring?: Scoring;
}

/** What mhaForwardFlat computed: its output, and what the backward pass and a trace need. */
export interface FlatAttentionCache {
  B: number;
  L: number;
  S: number;
  /** (B·L, dModel) queries */ xq: Float64Array;
  /** (B·S, kdim) */ xk: Float64Array;
  /** (B·S, vdim) */ xv: Float64Array;
  /** (B·L, h·dK) Q = Xq·W^Q + b^Q */ Q: Float64Array;
  /** (B·S, hKV·dK) */ K: Float64Array;
  /** (B·S, hKV·dV) */ V: Float64Array;
  /** (B, h, L, S) attention weights; a fully masked row is all zeros */ weights: Float64Array;
  /** how the heads scored (set by mhaForwardFlat; absent = "dot", for caches built by hand) */ scoring?: Scoring;
  /**
   * (B, h, L, S, dK) additive scoring's tanh(Q_i[t] + K_g[s]), kept for the backward (1 − tanh² and ∂w_i need
   * them; recomputing would cost B·h·L·S·dK tanh calls again); null (or absent) for dot scoring
   */
  tanh?: Float64Array | null;
  /** (B·L, h·dV) the heads side by side (after headMask) */ concat: Float64Array;
  /** (B·L, dModel) Concat·W^O + b^O */ output: Float64Array;
  /** the combined additive mask applied, or null */ mask: Float64Array | null;
  causal: boolean;
  keyPadding: Uint8Array | null;
  headMask: Float64Array | null;
}

/** The input gradients of mhaBackwardFlat. */
export interface FlatAttentionInputGradients {
  /** (B·L, dModel) */ dXq: Float64Array;
  /** (B·S, kdim) */ dXk: Float64Array;
  /** (B·S, vdim) */ dXv: Float64Array;
}

/** Y (rows, dOut) = X (rows, dIn)·W + b, with W (dIn, dOut) as stored, or its transpose (dOut, dIn) if a caller keeps one. */
function _project(x: Float64Array, rows: number, dIn: number, w: { w: Float64Array } | { wT: Float64Array }, b: Float64Array | null, dOut: number): Float64Array {
  const y = new Float64Array(rows * dOut);
  if ("wT" in w) _matmulTransB(x, 0, dIn, rows, dIn, w.wT, 0, dIn, dOut, y, 0); // (rows, dOut)
  else _matmulNN(x, 0, dIn, rows, dIn, w.w, 0, dOut, dOut, y, 0); // (rows, dOut)
  if (b != null) for (let i = 0; i < rows; i++) for (let j = 0, o = i * dOut; j < dOut; j++) y[o + j] += b[j];
  return y;
}

/** ∂W += Xᵀ·∂Y, ∂b += Σ_rows ∂Y, and return ∂X = ∂Y·Wᵀ. */
function _linearBackward(
  x: Float64Array, rows: number, dIn: number, w: Float64Array, dY: Float64Array, dOut: number,
  dW: Float64Array, db: Float64Array | null,
): Float64Array {
  _matmulStrided(x, 0, 1, dIn, dIn, rows, dY, 0, 1, dOut, dOut, dW, 0, dOut, true); // (dIn, dOut) ∂W += Xᵀ·∂Y, X read down its columns
  if (db != null) _addColumnSums(dY, rows, dOut, db);
  const dX = new Float64Array(rows * dIn);
  _matmulTransB(dY, 0, dOut, rows, dOut, w, 0, dOut, dIn, dX, 0, dIn); // (rows, dIn): row j of W is column j of Wᵀ
  return dX;
}

/**
 * Check the scoring option and its parameter (constant time): an unknown scoring, additive without wA, wA of the
 * wrong length, or a wA that dot scoring would ignore is an error naming what was passed.
 * @param where the caller's name for messages, e.g. "attention"
 * @param scoring the option as passed (undefined = "dot")
 * @param wA the parameter as passed
 * @param h query heads; dK the head size
 * @return the scoring
 * @example _checkScoring("attention", "additive", null, 2, 4) // throws "attention: scoring \"additive\" needs the parameter wA (h, dK) = (2, 4), got null"
 */
export function _checkScoring(where: string, scoring: unknown, wA: Float64Array | null | undefined, h: number, dK: number): Scoring {
  if (scoring === undefined || scoring === "dot") {
    if (wA != null) throw new Error(`${where}: wA is given but scoring is "dot", which has no score vector; pass wA: null, or scoring: "additive"`);
    return "dot";
  }
  if (scoring !== "additive") {
    const s = typeof scoring === "string" ? _suggest(scoring, ["dot", "additive"], {}) : null;
    throw new Error(`${where}: scoring must be "dot" or "additive", got ${_describe(scoring)}${s ? `; did you mean "${s}"?` : ""}`);
  }
  if (!(wA instanceof Float64Array)) {
    throw new Error(`${where}: scoring "additive" needs the parameter wA (h, dK) = (${h}, ${dK}), got ${wA === undefined ? "none" : _describe(wA)}`);
  }
  if (wA.length !== h * dK) {
    throw new Error(`${where}: wA has ${wA.length} numbers but scoring "additive" needs (h, dK) = (${h}, ${dK}) = ${h * dK}`);
  }
  return "additive";
}

/**
 * One head's additive scores of one sequence: e_ts = w_iᵀ·tanh(Q_i[t] + K_g[s]), written into a (L, S) block of
 * `scores`, and the tanh values into a (L, S, dK) block of `tanh` (the backward reads them).
 * @param Q (B·L, h·dK), this head's columns from q0 (row stride QW); K (B·S, hKV·dK) from k0 (row stride KW)
 * @param w (h·dK,) the score vectors, this head's from w0
 */
function _additiveScores(
  Q: Float64Array, q0: number, QW: number, K: Float64Array, k0: number, KW: number, w: Float64Array, w0: number,
  L: number, S: number, dK: number, scores: Float64Array, a0: number, tanh: Float64Array, t0: number,
): void {
  for (let t = 0; t < L; t++) {
    for (let s = 0; s < S; s++) {
      const tOff = t0 + (t * S + s) * dK; // this pair's dK tanh values
      let e = 0;
      for (let d = 0; d < dK; d++) {
        const th = Math.tanh(Q[q0 + t * QW + d] + K[k0 + s * KW + d]);
        tanh[tOff + d] = th;
        e += w[w0 + d] * th;
      }
      scores[a0 + t * S + s] = e; // (L, S)
    }
  }
}

/**
 * Multi-head attention forward for B sequences at once on flat buffers, keeping what backward needs.
 *   Q = Xq·W^Q + b^Q,  K = Xk·W^K + b^K,  V = Xv·W^V + b^V
 *   head_i = softmax(Q_i·K_gᵀ/√dK + M)·V_g · headMask_i,  g = ⌊i / (h / hKV)⌋
 *   out = Concat(head_0 … head_{h−1})·W^O + b^O
 * With scoring "additive" the scores of head i are e_ts = w_iᵀ·tanh(Q_i[t] + K_g[s]) (no 1/√dK): Bahdanau's
 * w_vᵀ·tanh(q·W_q + k·W_k) with W_q, W_k folded into W_i^Q, W_i^K (two linear maps in a row are one), so the
 * hidden size is dK.
 * @param dims the layer's sizes
 * @param p the layer's parameters (p.wA (h, dK) with additive scoring)
 * @param B sequences; L queries and S keys per sequence
 * @param xq (B·L, dModel) queries; xk (B·S, kdim) keys; xv (B·S, vdim) values (pass the same buffer for self-attention)
 * @param options { mask (L·S), causal, keyPadding (B·S), headMask (h), weightsT, scoring }
 * @return the cache: weights (B, h, L, S), concat (B·L, h·dV), output (B·L, dModel), …
 * @example Array.from(mhaForwardFlat({ dModel: 1, numHeads: 1, numKVHeads: 1, dK: 1, dV: 1, kdim: 1, vdim: 1 }, { wQ: Float64Array.of(1), wK: Float64Array.of(0), wV: Float64Array.of(1), wO: Float64Array.of(1), bQ: null, bK: null, bV: null, bO: null }, 1, 2, 2, Float64Array.of(1, 3), Float64Array.of(1, 3), Float64Array.of(1, 3)).output) // returns [2, 2]
 */
export function mhaForwardFlat(
  dims: FlatAttentionDims, p: FlatAttentionParams, B: number, L: number, S: number,
  xq: Float64Array, xk: Float64Array, xv: Float64Array, options: FlatAttentionOptions = {},
): FlatAttentionCache {
  const { dModel: E, numHeads: h, numKVHeads: hKV, dK, dV, kdim, vdim } = dims;
  const { mask = null, causal = false, keyPadding = null, headMask = null } = options;
  const scoring = _checkScoring("mhaForwardFlat", options.scoring, p.wA, h, dK);
  const nRep = h / hKV; // query heads per key/value head
  const wT = options.weightsT ?? null; // a frozen layer's kept transposes, else the weights as stored
  const weight = (k: keyof FlatWeightsT) => (wT != null ? { wT: wT[k] } : { w: p[k] });
  const QW = h * dK; // width of Q
  const KW = hKV * dK; // width of K
  const VW = hKV * dV; // width of V
  const CW = h * dV; // width of concat

  // 1) linear projections, each once with the fused weights
  const Q = _project(xq, B * L, E, weight("wQ"), p.bQ, QW); // (B·L, h·dK)
  const K = _project(xk, B * S, kdim, weight("wK"), p.bK, KW); // (B·S, hKV·dK)
  const V = _project(xv, B * S, vdim, weight("wV"), p.bV, VW); // (B·S, hKV·dV)

  // 2) attention in every head of every sequence: scores, softmax, weights·v
  const additive = scoring === "additive";
  const scale = additive ? 1 : Math.sqrt(dK); // additive scores are not scaled (x / 1 is exact)
  const weights = new Float64Array(B * h * L * S); // (B, h, L, S)
  const tanh = additive ? new Float64Array(B * h * L * S * dK) : null; // (B, h, L, S, dK)
  const concat = new Float64Array(B * L * CW); // (B·L, h·dV)
  for (let b = 0; b < B; b++) {
    for (let g = 0; g < hKV; g++) {
      for (let hd = g * nRep; hd < (g + 1) * nRep; hd++) {
        const aOff = (b * h + hd) * L * S;
        if (tanh != null) {
          _additiveScores(Q, b * L * QW + hd * dK, QW, K, b * S * KW + g * dK, KW, p.wA!, hd * dK, L, S, dK,
            weights, aOff, tanh, aOff * dK); // (L, S) w_iᵀ·tanh(q + k)
        } else {
          _matmulTransB(Q, b * L * QW + hd * dK, QW, L, dK, K, b * S * KW + g * dK, KW, S, weights, aOff); // (L, S) q·kᵀ
        }
        for (let r = 0; r < L; r++) {
          _softmaxRow(weights, aOff + r * S, S, scale, mask, r * S, causal ? r + 1 : S, keyPadding, b * S);
        }
        const cOff = b * L * CW + hd * dV; // this head's columns of concat
        _matmulStrided(weights, aOff, S, 1, L, S, V, b * S * VW + g * dV, 1, VW, dV, concat, cOff, CW, false); // (L, dV) weights·V_g
        const m = headMask == null ? 1 : headMask[hd];
        if (m !== 1) for (let r = 0; r < L; r++) for (let d = 0; d < dV; d++) concat[cOff + r * CW + d] *= m;
      }
    }
  }

  // 3) concat + W^O
  const output = _project(concat, B * L, CW, weight("wO"), p.bO, E); // (B·L, dModel)
  return { B, L, S, xq, xk, xv, Q, K, V, weights, scoring, tanh, concat, output, mask, causal, keyPadding, headMask };
}

/**
 * The backward pass of mhaForwardFlat: accumulate the parameter gradients into `grads` and return the input gradients.
 *   ∂Concat = ∂Out·W^Oᵀ, ∂W^O += Concatᵀ·∂Out;  per head ∂A = ∂head·V_gᵀ, ∂T = A ⊙ (∂A − rowsum(A ⊙ ∂A)),
 *   ∂Q_i = ∂T·K_g/√dK, ∂K_g += ∂Tᵀ·Q_i/√dK, ∂V_g += Aᵀ·∂head;  ∂W^Q += Xqᵀ·∂Q, ∂Xq = ∂Q·W^Qᵀ (and so for K, V)
 * Additive scoring (e_ts = w_iᵀ·τ_ts, τ_ts = tanh(Q_i[t] + K_g[s]), from the cache): with ∂e = A ⊙ (∂A − rowsum(A ⊙ ∂A)),
 *   ∂w_i += Σ_ts ∂e_ts·τ_ts,   ∂u_ts = ∂e_ts·w_i ⊙ (1 − τ_ts²),   ∂Q_i[t] += Σ_s ∂u_ts,   ∂K_g[s] += Σ_t ∂u_ts
 * Masks are constants: masked pairs and fully masked rows get zero gradient.
 * @param dims the layer's sizes
 * @param p the layer's parameters (as used by the forward)
 * @param cache what mhaForwardFlat returned
 * @param dOut (B·L, dModel) ∂loss/∂output
 * @param grads where ∂loss/∂params are ADDED (zero them first for a fresh gradient; grads.wA with additive scoring)
 * @return { dXq (B·L, dModel), dXk (B·S, kdim), dXv (B·S, vdim) } (add all three for self-attention)
 * @example (illustrative) mhaBackwardFlat(dims, p, mhaForwardFlat(dims, p, B, L, L, x, x, x), dOut, grads).dXq // returns (B·L, dModel)
 */
export function mhaBackwardFlat(
  dims: FlatAttentionDims, p: FlatAttentionParams, cache: FlatAttentionCache, dOut: Float64Array, grads: FlatAttentionParams,
): FlatAttentionInputGradients {
  const { dModel: E, numHeads: h, numKVHeads: hKV, dK, dV, kdim, vdim } = dims;
  const { B, L, S, Q, K, V, weights: A, concat, headMask } = cache;
  const tanh = cache.tanh ?? null; // (B, h, L, S, dK) with additive scoring
  const nRep = h / hKV;
  const [QW, KW, VW, CW] = [h * dK, hKV * dK, hKV * dV, h * dV];

  // 3) back through W^O (and the head mask)
  const dConcat = _linearBackward(concat, B * L, CW, p.wO, dOut, E, grads.wO, grads.bO); // (B·L, h·dV)
  if (headMask != null) {
    for (let hd = 0; hd < h; hd++) {
      const m = headMask[hd];
      if (m !== 1) for (let r = 0; r < B * L; r++) for (let d = 0; d < dV; d++) dConcat[r * CW + hd * dV + d] *= m;
    }
  }

  // 2) back through the attention in every head
  const dQ = new Float64Array(B * L * QW); // (B·L, h·dK)
  const dKf = new Float64Array(B * S * KW); // (B·S, hKV·dK), summed over the heads of a group
  const dVf = new Float64Array(B * S * VW); // (B·S, hKV·dV)
  const dT = new Float64Array(L * S); // (L, S), reused
  const sqrtDK = Math.sqrt(dK);
  if (tanh != null && (p.wA == null || grads.wA == null)) throw new Error("mhaBackwardFlat: the forward scored additively: p.wA and grads.wA are needed");
  for (let b = 0; b < B; b++) {
    for (let hd = 0; hd < h; hd++) {
      const g = Math.floor(hd / nRep); // its key/value head
      const aOff = (b * h + hd) * L * S;
      const hOff = b * L * CW + hd * dV; // this head's columns of concat
      const kOff = b * S * KW + g * dK;
      const vOff = b * S * VW + g * dV;
      _matmulTransB(dConcat, hOff, CW, L, dV, V, vOff, VW, S, dT, 0); // (L, S) ∂A = ∂head·Vᵀ
      for (let r = 0; r < L; r++) {
        let dot = 0;
        for (let j = 0; j < S; j++) dot += A[aOff + r * S + j] * dT[r * S + j];
        if (tanh != null) for (let j = 0; j < S; j++) dT[r * S + j] = A[aOff + r * S + j] * (dT[r * S + j] - dot); // ∂e
        else for (let j = 0; j < S; j++) dT[r * S + j] = (A[aOff + r * S + j] * (dT[r * S + j] - dot)) / sqrtDK; // ∂scores
      }
      if (tanh != null) {
        _additiveScoresBackward(dT, tanh, aOff * dK, p.wA!, grads.wA!, hd * dK, dQ, b * L * QW + hd * dK, QW, dKf, kOff, KW, L, S, dK);
      } else {
        const qOff = b * L * QW + hd * dK;
        _matmulStrided(dT, 0, S, 1, L, S, K, kOff, 1, KW, dK, dQ, qOff, QW, false); // (L, dK) ∂Q_i = ∂T·K_g
        _matmulStrided(dT, 0, 1, S, S, L, Q, qOff, 1, QW, dK, dKf, kOff, KW, true); // (S, dK) ∂K_g += ∂Tᵀ·Q_i
      }
      _matmulStrided(A, aOff, 1, S, S, L, dConcat, hOff, 1, CW, dV, dVf, vOff, VW, true); // (S, dV) ∂V_g += Aᵀ·∂head
    }
  }

  // 1) back through the projections
  const dXq = _linearBackward(cache.xq, B * L, E, p.wQ, dQ, QW, grads.wQ, grads.bQ); // (B·L, dModel)
  const dXk = _linearBackward(cache.xk, B * S, kdim, p.wK, dKf, KW, grads.wK, grads.bK); // (B·S, kdim)
  const dXv = _linearBackward(cache.xv, B * S, vdim, p.wV, dVf, VW, grads.wV, grads.bV); // (B·S, vdim)
  return { dXq, dXk, dXv };
}

/**
 * The backward of _additiveScores for one head of one sequence: from ∂e (L, S) and the forward's tanh values,
 * ∂w_i += Σ_ts ∂e_ts·τ_ts and ∂u_ts = ∂e_ts·w_i ⊙ (1 − τ_ts²), added to ∂Q_i[t] and ∂K_g[s].
 * @param dE (L, S) ∂loss/∂e; tanh (L, S, dK) from t0; w, dW (h·dK,) this head's from w0
 * @param dQ (B·L, h·dK) from q0 (row stride QW); dK (B·S, hKV·dK) from k0 (row stride KW): both ADDED to
 */
function _additiveScoresBackward(
  dE: Float64Array, tanh: Float64Array, t0: number, w: Float64Array, dW: Float64Array, w0: number,
  dQ: Float64Array, q0: number, QW: number, dKf: Float64Array, k0: number, KW: number, L: number, S: number, dK: number,
): void {
  for (let t = 0; t < L; t++) {
    for (let s = 0; s < S; s++) {
      const g = dE[t * S + s];
      if (g === 0) continue; // a masked pair (A = 0) contributes nothing
      const tOff = t0 + (t * S + s) * dK;
      for (let d = 0; d < dK; d++) {
        const th = tanh[tOff + d];
        dW[w0 + d] += g * th;
        const du = g * w[w0 + d] * (1 - th * th); // ∂(Q_i[t] + K_g[s])_d
        dQ[q0 + t * QW + d] += du;
        dKf[k0 + s * KW + d] += du;
      }
    }
  }
}

/** Zeroed buffers shaped like p (nulls stay null): a fresh gradient for mhaBackwardFlat. */
export function zeroFlatParams(p: FlatAttentionParams): FlatAttentionParams {
  const z = (b: Float64Array | null) => (b == null ? null : new Float64Array(b.length));
  return {
    wQ: new Float64Array(p.wQ.length), wK: new Float64Array(p.wK.length), wV: new Float64Array(p.wV.length),
    wO: new Float64Array(p.wO.length), bQ: z(p.bQ), bK: z(p.bK), bV: z(p.bV), bO: z(p.bO), wA: z(p.wA ?? null),
  };
}
