/**
 * The attention block in its three roles, one function with options, on a batch of flat sequences:
 *   - self-attention: queries, keys and values from the same sequence x;
 *   - causal self-attention (`causal: true`): position i sees only positions 0 … i;
 *   - cross-attention (`context`): queries from x, keys and values from another sequence (an encoder's output).
 * Grouped-query attention is one more option, `numKVHeads`: query head i reads key/value head ⌊i/(h/numKVHeads)⌋
 * (llama's repeat_kv; numKVHeads = h is ordinary multi-head attention, 1 is multi-query attention).
 * The scoring function inside every head is another (`scoring`): the scaled dot product (default) or additive
 * (Bahdanau), e_ts = w_iᵀ·tanh(Q_i[t] + K_g[s]) with the score vectors in p.wA (h, dK).
 * The arithmetic is src/math's batched flat multi-head attention and its backward (never a copy of it here);
 * this block chooses where queries, keys and values come from and adds the input gradients back up.
 *
 * Dependencies: mhaForwardFlat, mhaBackwardFlat, _checkScoring (src/math/fast/flat-attention.ts), _validateOptions, _describe.
 */
import {
  _checkScoring, FlatAttentionCache, FlatAttentionDims, FlatAttentionParams, mhaBackwardFlat, mhaForwardFlat, Scoring,
} from "../math/fast/flat-attention";
import { _checkedLater, _isBoolean, _validateOptions } from "../math/_validate";
import { _describe } from "../math/_describe";

/** The options Attention.forward knows (an unknown key is an error with a "did you mean"; values checked below). */
const OPTIONS = {
  causal: _isBoolean, context: _checkedLater, contextLength: _checkedLater, keys: _checkedLater, headMask: _checkedLater,
  numKVHeads: _checkedLater, scoring: _checkedLater, keyPadding: _checkedLater,
};

/**
 * An attention block's parameters (or their gradients), paper orientation, row-major:
 * wQ (d, d), wK (dKV, hKV·dK), wV (dKV, hKV·dK), wO (d, d), biases or null (dKV = d for self-attention, the
 * context's width for cross-attention; hKV = numKVHeads, = h unless grouped). Head i uses columns
 * i·dK … (i+1)·dK − 1 of wQ (and of wK, wV when hKV = h). With scoring "additive", wA (h, dK): head i's score
 * vector is wA[i·dK … (i+1)·dK − 1]; null or absent for dot scoring.
 */
export type AttentionParams = FlatAttentionParams;

/** Options of attention. */
export interface AttentionOptions {
  /** position i attends only to keys 0 … i (a decoder, a language model); default false */ causal?: boolean;
  /** (B·S, dKV) keys and values come from here (cross-attention); default x itself */ context?: Float64Array;
  /** S, the context's length (required with context) */ contextLength?: number;
  /** (B·L, d) keys only come from here (an analysis: e.g. the stream with an earlier head removed) */ keys?: Float64Array;
  /** (h,) multiplier of each head's output: 0 removes a head (ablation); default all 1 */ headMask?: Float64Array | null;
  /** key/value heads (h must be divisible by it); default h */ numKVHeads?: number;
  /**
   * (B·S,) 1 where a key is padding: no query attends to it (PyTorch's key_padding_mask True); a query whose keys
   * are all padding gets all-zero weights. Default null (every key counts)
   */
  keyPadding?: Uint8Array | null;
  /**
   * how each head scores a (query, key) pair: "dot" (default), Q_i·K_gᵀ/√dK; "additive", w_iᵀ·tanh(Q_i[t] + K_g[s])
   * with w_i from p.wA (h, dK) and no 1/√dK
   */
  scoring?: Scoring;
}

/** What attention computed (everything its backward and a chart need). */
export interface AttentionCache {
  B: number;
  L: number;
  S: number;
  /** numHeads */ h: number;
  /** (B, h, L, S) attention weights: weights[((b·h + i)·L + q)·S + k] */ weights: Float64Array;
  /** (B·L, d) the block's output */ y: Float64Array;
  /** where keys and values came from */ sources: { keys: "x" | "context" | "keys"; values: "x" | "context" };
  /** the kernel's sizes and cache (its backward's input) */ dims: FlatAttentionDims;
  flat: FlatAttentionCache;
}

/** What attentionBackward returns. */
export interface AttentionInputGradients {
  /** (B·L, d) ∂loss/∂x (from every use of x: queries, and keys/values in self-attention) */ dX: Float64Array;
  /** (B·S, dKV) ∂loss/∂context, or null without one */ dContext: Float64Array | null;
  /** (B·L, d) ∂loss/∂keys, or null without that option */ dKeys: Float64Array | null;
}

/** The attention block (self, causal self, cross): forward and backward on a batch of flat sequences. */
export const Attention = Object.freeze({
  /**
   * Multi-head attention on B sequences at once.
   *   head_i = softmax(Q_i·K_gᵀ/√dK + M)·V_g (g = i without grouping),   Y = Concat(head_1 … head_h)·W^O + b^O
   *   Q = X·W^Q + b^Q;  K = C·W^K + b^K, V = C·W^V + b^V with C = X (self) or the context (cross);
   *   M_ij = −∞ for j > i when causal, else 0
   *   scoring "additive": head_i = softmax(e + M)·V_g with e_ts = w_iᵀ·tanh(Q_i[t] + K_g[s]), w_i = row i of p.wA
   *   (Bahdanau's w_vᵀ·tanh(q·W_q + k·W_k) with W_q, W_k folded into W_i^Q, W_i^K: the hidden size is dK)
   * @param x (B·L, d) the sequences, one after the other
   * @param p the block's parameters
   * @param B sequences
   * @param L positions per sequence
   * @param d model width
   * @param h heads (d must be divisible by h)
   * @param options { causal, context, contextLength, keys, headMask, numKVHeads, scoring, keyPadding }
   * @return { weights (B, h, L, S), y (B·L, d), … }
   * @example (illustrative) Attention.forward(x, p, 2, 5, 8, 2, { causal: true }).weights.length // returns 2·2·5·5 = 100
   */
  forward(
    x: Float64Array, p: AttentionParams, B: number, L: number, d: number, h: number, options: AttentionOptions = {},
  ): AttentionCache {
    if (!Number.isInteger(h) || h < 1 || d % h !== 0) throw new Error(`attention: d = ${d} is not divisible by h = ${h} heads`);
    if (x.length !== B * L * d) throw new Error(`attention: x has ${x.length} numbers but B·L·d = ${B}·${L}·${d} = ${B * L * d}`);
    _validateOptions("attention", options, OPTIONS); // "`scorng` is not an option of attention; did you mean `scoring`?"
    const { causal = false, context, keys, headMask = null, keyPadding = null } = options;
    const scoring = _checkScoring("attention", options.scoring, p.wA, h, d / h);
    const hKV = options.numKVHeads ?? h;
    if (!Number.isInteger(hKV) || hKV < 1 || h % hKV !== 0) throw new Error(`attention: numKVHeads ${hKV} does not divide the ${h} query heads`);
    const S = context == null ? L : options.contextLength ?? -1;
    if (context != null && !(Number.isInteger(S) && S > 0)) throw new Error("attention: contextLength (S) is required with context");
    const dK = d / h;
    const dKV = p.wK.length / (hKV * dK); // the width keys and values are read from
    if (context != null && context.length !== B * S * dKV) {
      throw new Error(`attention: context has ${context.length} numbers but B·S·dKV = ${B}·${S}·${dKV} = ${B * S * dKV}`);
    }
    if (keys != null && (context != null || keys.length !== x.length)) throw new Error("attention: keys must be shaped like x, and only in self-attention");
    if (keyPadding != null && (!(keyPadding instanceof Uint8Array) || keyPadding.length !== B * S)) {
      throw new Error(`attention: keyPadding must be a Uint8Array of B·S = ${B}·${S} = ${B * S} flags (1 = padding), got ${_describe(keyPadding)}`);
    }
    const kv = context ?? x; // (B·S, dKV)
    const dims: FlatAttentionDims = { dModel: d, numHeads: h, numKVHeads: hKV, dK, dV: dK, kdim: dKV, vdim: dKV };
    const flat = mhaForwardFlat(dims, p, B, L, S, x, keys ?? kv, kv, { causal, headMask, scoring, keyPadding });
    return {
      B, L, S, h, weights: flat.weights, y: flat.output, dims, flat,
      sources: { keys: keys != null ? "keys" : context != null ? "context" : "x", values: context != null ? "context" : "x" },
    };
  },

  /**
   * The backward pass of attention: ADD the parameter gradients into grads and return the input gradients,
   * summed over the roles each input played.
   *   ∂X = ∂X_q (+ ∂X_k + ∂X_v in self-attention),   ∂C = ∂C_k + ∂C_v in cross-attention
   *   (the per-head equations are those of src/math's scaledDotProductAttentionBackward)
   * @param cache what attention returned
   * @param p the forward's parameters
   * @param dY (B·L, d) ∂loss/∂Y
   * @param grads where ∂W^Q … ∂b^O (and ∂wA with additive scoring) are added (zero them first for a fresh gradient)
   * @return { dX (B·L, d), dContext (B·S, dKV) or null, dKeys (B·L, d) or null }
   * @example (illustrative) Attention.backward(Attention.forward(x, p, B, L, d, h, { causal: true }), p, dY, grads).dX
   */
  backward(
    cache: AttentionCache, p: AttentionParams, dY: Float64Array, grads: AttentionParams,
  ): AttentionInputGradients {
    const { dXq, dXk, dXv } = mhaBackwardFlat(cache.dims, p, cache.flat, dY, grads);
    const dX = dXq; // (B·L, d)
    const { keys, values } = cache.sources;
    if (keys === "x") for (let k = 0; k < dX.length; k++) dX[k] += dXk[k];
    if (values === "x") for (let k = 0; k < dX.length; k++) dX[k] += dXv[k];
    let dContext: Float64Array | null = null;
    if (values === "context") {
      dContext = dXv; // (B·S, dKV)
      for (let k = 0; k < dContext.length; k++) dContext[k] += dXk[k];
    }
    return { dX, dContext, dKeys: keys === "keys" ? dXk : null };
  },
});
