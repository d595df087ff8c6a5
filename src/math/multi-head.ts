/**
 * MultiHeadAttention: the layer of Vaswani et al. (2017), numerically equal to PyTorch's
 * nn.MultiheadAttention (batch of one, float64), returning a trace of every intermediate.
 *
 * The layer calls the unchecked steps (_linear, _splitHeads, _scaledDotProductAttention, …) after checking its
 * inputs once; every step is a public, checked function too (linear, splitHeads, …), for a learner to call.
 * With `scoring: "additive"` each head is Bahdanau's additive attention (_additiveAttention) instead of the scaled
 * dot product.
 *
 * Dependencies: _forwardInputs, _linear, _splitHeads, _repeatKV, _scaledDotProductAttention, _additiveAttention,
 * _concatHeads, _outputProjection, _headContributions, their backwards, glorotUniform, paramsFromTorchStateDict.
 */
import { _additiveAttention, _additiveAttentionBackward } from "./additive";
import { _concatHeads, _meanOverHeads, _repeatKV, _repeatKVBackward, _splitHeads } from "./heads";
import { _backwardInputs } from "./_backward-inputs";
import { _forwardArgs, _forwardInputs } from "./_forward-inputs";
import type { ForwardOptions } from "./_forward-inputs";
import { _forwardKernel } from "./_forward-kernels";
import { _linear, _linearBackward } from "./linear";
import { _headContributions, _outputProjection, _outputProjectionBackward } from "./output-projection";
import { glorotUniform, mulberry32 } from "./random";
import { _scaledDotProductAttention, _scaledDotProductAttentionBackward } from "./scaled-dot-product";
import { paramsFromTorchStateDict, torchStateDictFromParams } from "./torch-state-dict";
import type { FromTorchOptions, TorchStateDict } from "./torch-state-dict";
import type { AttentionTrace, HeadTrace, MhaParams } from "./trace";
import { checkMatrix } from "./matrix";
import type { Matrix, Scoring } from "./types";
import {
  _validateOptions, _checkParams, _checkSize, _isBoolean, _isOneOf, _isPositiveInt, _isSafeInteger, _markValidated, _nestedBytes,
} from "./_validate";
import { _maskOverflow, _scoresOverflow } from "./_overflow";

export type { ForwardOptions } from "./_forward-inputs";
export type { Scoring } from "./additive";

/**
 * A layer's parameters: MhaParams, and with additive scoring wA (numHeads, dK), row i the score vector w_i of head i
 * (absent with dot scoring).
 */
export interface MhaLayerParams extends MhaParams {
  /** (numHeads, dK) additive scoring's score vectors, or absent */ wA?: Matrix;
}

/** Options of the MultiHeadAttention constructor. */
export interface MhaOptions {
  /**
   * how each head scores a (query, key) pair: "dot" (default), Q_i·K_iᵀ/√dK; "additive", e_ts = w_iᵀ·tanh(Q_i[t] +
   * K_i[s]) with w_i = params.wA[i] (no 1/√dK)
   */
  scoring?: Scoring;
}

/** Options of MultiHeadAttention.random. */
export interface MhaRandomOptions {
  dModel: number;
  numHeads: number;
  /** any safe integer (taken modulo 2^32); default 0 */ seed?: number;
  /** key width (default dModel) */ kdim?: number;
  /** value width (default dModel) */ vdim?: number;
  /** with biases (default true); they start at zero, as in PyTorch */ bias?: boolean;
  /**
   * key/value heads (default numHeads): fewer gives grouped-query attention, where numHeads / numKVHeads query
   * heads share each key/value head (wK, wV are then (kdim, numKVHeads·dK)); 1 gives multi-query attention
   */
  numKVHeads?: number;
  /** "dot" (default) or "additive": then wA (numHeads, dK) is drawn too, after wO, each row U(−a, a), a = √(6/(dK + 1)) */
  scoring?: Scoring;
}

/** What MultiHeadAttention.backward returns: the gradient of the loss with respect to each input and parameter. */
export interface MhaGradients {
  /** (L, dModel) ∂loss/∂query */ dQuery: Matrix;
  /** (S, kdim) ∂loss/∂key (for self-attention, add dQuery + dKey + dValue to get ∂x) */ dKey: Matrix;
  /** (S, vdim) ∂loss/∂value */ dValue: Matrix;
  /**
   * the same keys and shapes as mha.params (wA too, with additive scoring); a bias gradient is null when the layer has
   * no such bias
   */
  dParams: MhaLayerParams;
}

const SCORING = _isOneOf(["dot", "additive"]);
const RANDOM_OPTIONS = {
  dModel: _isPositiveInt, numHeads: _isPositiveInt, seed: _isSafeInteger, kdim: _isPositiveInt, vdim: _isPositiveInt, bias: _isBoolean,
  numKVHeads: _isPositiveInt, scoring: SCORING,
};

/** How far (relative) an additive trace may be from its recomputation: rounding is ~1e-15 (as _backward-inputs.ts). */
const TRACE_TOLERANCE = 1e-9;

/** A bound on one head's scores, max|Q|·max|K|·dK ≥ |q_i·k_j|: when it is below 1e300 no score can overflow. */
function _scoresBound(q: Matrix, k: Matrix): number {
  const maxAbs = (m: Matrix) => m.reduce((best, row) => row.reduce((b, x) => Math.max(b, Math.abs(x)), best), 0);
  return maxAbs(q) * maxAbs(k) * q[0].length;
}

/**
 * Find the score or masked score that overflows, computed entry by entry in the order matmul sums (only when
 * the bound says one might): throws the error in the user's terms, or returns when none does.
 */
function _checkScores(head: number, q: Matrix, k: Matrix, mask: Matrix | null, sqrtDK: number): void {
  for (let i = 0; i < q.length; i++) {
    for (let j = 0; j < k.length; j++) {
      let s = 0;
      for (let p = 0; p < q[i].length; p++) s += q[i][p] * k[j][p];
      if (s - s !== 0) throw _scoresOverflow(head, i, j, q[i], k[j], s);
      const m = mask == null ? 0 : mask[i][j];
      const u = s / sqrtDK + m;
      if (u - u !== 0 && u !== -Infinity) throw _maskOverflow(head, i, j, s / sqrtDK, m);
    }
  }
}

/**
 * Multi-head attention.
 *   head_i = Attention(X_q·W_i^Q + b_i^Q, X_k·W_g^K + b_g^K, X_v·W_g^V + b_g^V),   g = i (or ⌊i / (h / hKV)⌋)
 *   MultiHead = Concat(head_0, …, head_{h−1})·W^O + b^O,   dK = dV = dModel / h
 * With numKVHeads = hKV < h (grouped-query attention), h / hKV query heads share each key/value head g.
 * With scoring "additive" (Bahdanau), Attention(q, k, v) = softmax(e + M)·v with e_ts = w_iᵀ·tanh(q_t + k_s) and no
 * 1/√dK: Bahdanau's w_vᵀ·tanh(q·W_q + k·W_k) with W_q, W_k folded into W_i^Q, W_i^K (two linear maps in a row are
 * one linear map), so the hidden size of the tanh layer is dK; w_i is row i of params.wA (numHeads, dK).
 * Weights are kept in the paper's orientation (see MhaParams); PyTorch stores the transposes.
 * @example
 *   const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 1 });
 *   mha.forward(x, { causal: true }).output // returns (L, 8)
 */
export class MultiHeadAttention {
  readonly dModel: number;
  readonly numHeads: number;
  /** key/value heads: numHeads, or fewer for grouped-query attention */ readonly numKVHeads: number;
  readonly dK: number;
  readonly dV: number;
  readonly kdim: number;
  readonly vdim: number;
  /** how each head scores: "dot" or "additive" */ readonly scoring: Scoring;
  readonly params: MhaLayerParams;

  /**
   * Build a layer from paper-orientation parameters: validated (shapes, types, finite numbers), copied, and
   * frozen, deep, together with the layer itself. A layer therefore never changes after it is built, so no
   * forward pass (readable or fast) can meet a weight edited into NaN, a string or a wrong shape. To change
   * weights (training), build a new layer from new params.
   * @param params wQ (dModel, dModel), wK (kdim, hKV·dK), wV (vdim, hKV·dV), wO (dModel, dModel), biases or null;
   *   wA (h, dK) with scoring "additive" (and only then)
   * @param numHeads h; dModel must be divisible by h
   * @param numKVHeads hKV, key/value heads (default h); h must be divisible by it
   * @param options { scoring: "dot" (default) | "additive" }
   * @example new MultiHeadAttention({ wQ: [[1]], wK: [[1]], wV: [[1]], wO: [[1]], bQ: null, bK: null, bV: null, bO: null, wA: [[2]] }, 1, 1, { scoring: "additive" }).scoring // returns "additive"
   */
  constructor(params: MhaLayerParams, numHeads: number, numKVHeads?: number, options: MhaOptions = {}) {
    _validateOptions("new MultiHeadAttention", options, { scoring: SCORING });
    const sizes = _checkParams(params, numHeads, "new MultiHeadAttention", numKVHeads, options.scoring ?? "dot");
    this.scoring = options.scoring ?? "dot";
    this.dModel = sizes.dModel;
    this.numHeads = sizes.numHeads;
    this.numKVHeads = sizes.numKVHeads;
    this.dK = sizes.dK;
    this.dV = sizes.dV;
    this.kdim = sizes.kdim;
    this.vdim = sizes.vdim;
    this.params = sizes.params;
    Object.freeze(this);
    _markValidated(this);
  }

  /**
   * A layer with Xavier/Glorot-uniform weights from a seeded PRNG (mulberry32): the same seed gives
   * the same weights on every run and machine. Draw order: wQ, wK, wV, wO, each row by row, each
   * U(−a, a) with a = √(6/(fanIn + fanOut)) of its own paper-orientation shape. Biases are zero
   * (as PyTorch initialises them). With numKVHeads < numHeads, wK and wV are (kdim, numKVHeads·dK). With scoring
   * "additive", wA (numHeads, dK) is drawn last, row by row (each w_i is a dK → 1 map: a = √(6/(dK + 1))), so wQ … wO
   * are the same as a dot layer's with the same seed.
   * @param options { dModel, numHeads, seed = 0, kdim = dModel, vdim = dModel, bias = true, numKVHeads = numHeads, scoring = "dot" }
   * @example MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 0 }).dK // returns 4
   */
  static random(options: MhaRandomOptions): MultiHeadAttention {
    _validateOptions("MultiHeadAttention.random", options, RANDOM_OPTIONS, ["dModel", "numHeads"]);
    const { dModel: E, numHeads: h } = options;
    if (E % h !== 0) throw new Error(`dModel ${E} is not divisible by numHeads ${h}`);
    const hKV = options.numKVHeads ?? h;
    if (h % hKV !== 0) throw new Error(`numHeads ${h} is not divisible by numKVHeads ${hKV}: each key/value head serves the same number of query heads`);
    const kdim = options.kdim ?? E;
    const vdim = options.vdim ?? E;
    const KV = hKV * (E / h); // width of K and V
    _checkSize(`MultiHeadAttention.random({ dModel: ${E}${kdim !== E ? `, kdim: ${kdim}` : ""}${vdim !== E ? `, vdim: ${vdim}` : ""} })`,
      2 * (2 * _nestedBytes(E, E) + _nestedBytes(kdim, KV) + _nestedBytes(vdim, KV)),
      "the weights and their validated copy must fit; use a smaller dModel");
    const rand = mulberry32(options.seed ?? 0);
    const zeros = (options.bias ?? true) ? (n: number) => new Array<number>(n).fill(0) : () => null;
    const params: MhaLayerParams = {
      wQ: glorotUniform(E, E, rand), // (dModel, dModel)
      wK: glorotUniform(kdim, KV, rand), // (kdim, hKV·dK)
      wV: glorotUniform(vdim, KV, rand), // (vdim, hKV·dV)
      wO: glorotUniform(E, E, rand), // (dModel, dModel)
      bQ: zeros(E), bK: zeros(KV), bV: zeros(KV), bO: zeros(E),
    };
    const scoring = options.scoring ?? "dot";
    if (scoring === "additive") {
      params.wA = Array.from({ length: h }, () => glorotUniform(E / h, 1, rand).map((row) => row[0])); // (h, dK)
    }
    return new MultiHeadAttention(params, h, hKV, { scoring });
  }

  /**
   * Load nn.MultiheadAttention.state_dict() given as nested arrays (layouts: paramsFromTorchStateDict).
   * @param stateDict e.g. { in_proj_weight, in_proj_bias, "out_proj.weight", "out_proj.bias" }
   * @param options { numHeads, prefix? }
   * @example MultiHeadAttention.fromTorchStateDict({ in_proj_weight: [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 12]], "out_proj.weight": [[1, 0], [0, 1]] }, { numHeads: 1 }).params.wQ // returns [[1, 3], [2, 4]]
   */
  static fromTorchStateDict(stateDict: TorchStateDict, options: FromTorchOptions): MultiHeadAttention {
    const { params, numHeads } = paramsFromTorchStateDict(stateDict, options);
    return new MultiHeadAttention(params, numHeads);
  }

  /**
   * The inverse of fromTorchStateDict, ready for `torch.tensor(...)` and `load_state_dict` (layouts: torchStateDictFromParams).
   * @example Object.keys(MultiHeadAttention.random({ dModel: 4, numHeads: 2 }).toTorchStateDict())
   *   // returns ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
   */
  toTorchStateDict(): TorchStateDict {
    if (this.scoring !== "dot") {
      throw new Error(`toTorchStateDict: PyTorch's nn.MultiheadAttention has no additive scoring, and this layer scores ` +
        `"${this.scoring}"; read mha.params instead (wA holds the score vectors)`);
    }
    if (this.numKVHeads !== this.numHeads) {
      throw new Error(`toTorchStateDict: PyTorch's nn.MultiheadAttention has no grouped-query attention, and this layer has ` +
        `numKVHeads ${this.numKVHeads} < numHeads ${this.numHeads}; read mha.params instead`);
    }
    return torchStateDictFromParams(this.params, this);
  }

  /**
   * Run the layer on one sequence (no batch dimension) and return every intermediate.
   * key defaults to query and value to key, which gives self-attention; pass other sequences for
   * cross-attention. Masks follow nn.MultiheadAttention and are combined (OR for booleans, sum for floats).
   * A query row whose keys are ALL masked gets zero weights and a head output of zero (so its
   * output row is bO) and is listed in trace.fullyMaskedRows; PyTorch returns NaN for such a row.
   * @param query (L, dModel)
   * @param key (S, kdim), default query
   * @param value (S, vdim), default key
   * @param options { attnMask (L, S), keyPaddingMask (S,), causal, kernel: "readable" (default) | "fast" }; an unknown
   *   key is an error (`attn_mask` → "did you mean `attnMask`?"). kernel "fast" runs fastForward: the same trace.
   * @return the AttentionTrace; trace.output is (L, dModel), trace.weights is (h, L, S). Never NaN or Infinity:
   *   an intermediate that overflows is an error naming the input row or weight column at fault. An additive layer's
   *   trace also says scoring: "additive", and each head's scaledScores are its scores (no 1/√dK).
   * @example
   *   const mha = MultiHeadAttention.random({ dModel: 4, numHeads: 2, seed: 0 });
   *   const t = mha.forward([[1, 0, 0, 0], [0, 1, 0, 0]], { causal: true });
   *   t.weights[0] // returns [[1, 0], [w, 1 − w]] for head 0; t.output is (2, 4)
   */
  forward(query: Matrix, options?: ForwardOptions): AttentionTrace;
  forward(query: Matrix, key: Matrix | null, options?: ForwardOptions): AttentionTrace;
  forward(query: Matrix, key?: Matrix | null, value?: Matrix | null, options?: ForwardOptions): AttentionTrace;
  forward(query: Matrix, ...rest: unknown[]): AttentionTrace {
    const args = _forwardArgs(rest);
    const { dModel: E, numHeads: h, numKVHeads: hKV, dK, dV, params: p } = this;
    const inputs = _forwardInputs(this, query, args.key, args.value, args.options);
    if (this.scoring === "additive" && inputs.options.kernel === "fast") {
      throw new Error(`forward: kernel "fast" computes dot-product heads only, and this layer scores additively; ` +
        `use kernel "readable" (the default), or the block Attention.forward(…, { scoring: "additive" }) on flat buffers`);
    }
    if (inputs.options.kernel !== undefined && inputs.options.kernel !== "readable") {
      return _forwardKernel(inputs.options.kernel)(this, query, inputs);
    }
    const { mask, fullyMaskedRows, key, value } = inputs; // (L, S) additive mask or null; (S, kdim); (S, vdim)
    // the inputs are checked above: the steps below are the unchecked ones

    // 1) linear projections, done once with the fused weights, then split into heads
    const Q = _linear(query, p.wQ, p.bQ, ["query", "wQ", "bQ"]); // (L, dModel); an overflow names the query row
    const K = _linear(key, p.wK, p.bK, ["key", "wK", "bK"]); // (S, hKV·dK)
    const V = _linear(value, p.wV, p.bV, ["value", "wV", "bV"]); // (S, hKV·dV)
    const qs = _splitHeads(Q, h); // h × (L, dK)
    const ks = _repeatKV(_splitHeads(K, hKV), h / hKV); // h × (S, dK): query head i reads key head ⌊i·hKV / h⌋
    const vs = _repeatKV(_splitHeads(V, hKV), h / hKV); // h × (S, dV)

    // 2) attention in every head: scaled dot-product, or additive with w_i = row i of wA (e_ts = w_iᵀ·tanh(q_t + k_s)
    //    lies within ±Σ|w_i|: nothing to overflow)
    const wA = p.wA; // (h, dK) or undefined
    let maxMask = 0;
    if (mask != null) for (const row of mask) for (const m of row) if (m > maxMask) maxMask = m;
    const heads: HeadTrace[] = qs.map((q, i) => {
      if (wA != null) {
        const { scores, maskedScores, weights, output } = _additiveAttention(q, ks[i], vs[i], { wQ: null, wK: null, wV: wA[i] }, mask);
        return { q, k: ks[i], v: vs[i], scores, scaledScores: scores, maskedScores, weights, output };
      }
      if (_scoresBound(q, ks[i]) / Math.sqrt(dK) + maxMask >= 1e300) _checkScores(i, q, ks[i], mask, Math.sqrt(dK));
      const { scores, scaledScores, maskedScores, weights, output } = _scaledDotProductAttention(q, ks[i], vs[i], mask, i);
      return { q, k: ks[i], v: vs[i], scores, scaledScores, maskedScores, weights, output };
    });

    // 3) concat + W^O
    const headOutputs = heads.map((head) => head.output); // h × (L, dV)
    const concat = _concatHeads(headOutputs); // (L, h·dV)
    const output = _outputProjection(concat, p.wO, p.bO); // (L, dModel)
    const contributions = _headContributions(headOutputs, p.wO); // h × (L, dModel)

    const weights = heads.map((head) => head.weights); // (h, L, S)
    return {
      dModel: E, numHeads: h, numKVHeads: hKV, dK, dV, query, key, value, mask, fullyMaskedRows,
      heads, weights, meanWeights: _meanOverHeads(weights), concat, contributions, output,
      ...(wA != null ? { scoring: "additive" } : {}), // an additive layer's trace says so (a dot trace is unchanged)
    };
  }

  /**
   * The backward pass: given the trace forward returned and ∂loss/∂output, the gradient of every input
   * and every parameter (the vector-Jacobian product of forward), step by step in reverse:
   *   ∂Concat, ∂W^O, ∂b^O = outputProjectionBackward(Concat, W^O, ∂Out)
   *   ∂head_i = columns of head i of ∂Concat
   *   ∂Q_i, ∂K_i, ∂V_i = scaledDotProductAttentionBackward(Q_i, K_i, V_i, A_i, ∂head_i)
   *   ∂query, ∂W^Q, ∂b^Q = projectThenSplitBackward(query, W^Q, ∂Q_0 … ∂Q_{h−1})   (and so for key, value)
   * For self-attention through forward(x), x was used three times, so ∂x = dQuery + dKey + dValue.
   * Masks are constants: masked (query, key) pairs and fully masked query rows get zero gradient (PyTorch's
   * autograd gives NaN for a fully masked row, as its forward does).
   * @param trace what this layer's forward returned (a trace from another layer, or from before the weights
   *   changed, is rejected)
   * @param dOutput (L, dModel) ∂loss/∂output, finite
   * @return { dQuery (L, dModel), dKey (S, kdim), dValue (S, vdim), dParams: the keys and shapes of mha.params
   *   (paper orientation; a bias gradient is null when the layer has no such bias) }
   * @example
   *   const t = mha.forward(x);
   *   const g = mha.backward(t, dOutput); // loss = Σ output ⊙ dOutput
   *   g.dParams.wQ // returns (dModel, dModel); ∂x = g.dQuery + g.dKey + g.dValue
   */
  backward(trace: AttentionTrace, dOutput: Matrix): MhaGradients {
    const traced = (trace as { scoring?: unknown } | null)?.scoring === "additive" ? "additive" : "dot";
    if (trace != null && traced !== this.scoring) {
      throw new Error(`backward: the trace was computed with ${traced} scoring but this layer scores "${this.scoring}"; ` +
        "pass the trace this layer's forward returned");
    }
    if (this.scoring === "additive") _checkAdditiveTrace(this, trace, dOutput); // the whole trace, recomputed
    else _backwardInputs(this, trace, dOutput, "backward"); // the whole trace, checked against this layer
    const { numHeads: h, numKVHeads: hKV, params: p } = this;
    const wA = p.wA; // (h, dK) with additive scoring

    // 3) back through W^O and the concatenation
    const { dConcat, dWO, dbO } = _outputProjectionBackward(trace.concat, p.wO, dOutput, p.bO != null); // (L, h·dV)
    const dHeads = _splitHeads(dConcat, h); // h × (L, dV)

    // 2) back through the attention in every head (additive: also ∂w_i, row i of ∂wA)
    const grads = trace.heads.map((hd, i) => (wA != null
      ? _additiveAttentionBackward(hd.q, hd.k, hd.v, { wQ: null, wK: null, wV: wA[i] }, hd.weights, dHeads[i])
      : { ..._scaledDotProductAttentionBackward(hd.q, hd.k, hd.v, hd.weights, dHeads[i]), dParams: null }));
    const dKs = _repeatKVBackward(grads.map((g) => g.dK), h / hKV); // hKV × (S, dK): a shared head sums its group's
    const dVs = _repeatKVBackward(grads.map((g) => g.dV), h / hKV); // hKV × (S, dV)

    // 1) back through the projections (the per-head gradients side by side, then the fused weights)
    const gQ = _linearBackward(trace.query, p.wQ, _concatHeads(grads.map((g) => g.dQ)), p.bQ != null); // dX (L, dModel)
    const gK = _linearBackward(trace.key, p.wK, _concatHeads(dKs), p.bK != null); // dX (S, kdim)
    const gV = _linearBackward(trace.value, p.wV, _concatHeads(dVs), p.bV != null); // dX (S, vdim)
    return {
      dQuery: gQ.dX, dKey: gK.dX, dValue: gV.dX,
      dParams: {
        wQ: gQ.dW, wK: gK.dW, wV: gV.dW, wO: dWO, bQ: gQ.db, bK: gK.db, bV: gV.db, bO: dbO,
        ...(wA != null ? { wA: grads.map((g) => g.dParams!.wV) } : {}), // (h, dK)
      },
    };
  }
}

/** The worst difference between two equally shaped matrices, relative to 1 + |want|, and where. */
function _worstDiff(got: Matrix, want: Matrix): [number, number, number] {
  let worst: [number, number, number] = [0, 0, 0];
  for (let r = 0; r < want.length; r++) {
    for (let c = 0; c < want[r].length; c++) {
      const d = Math.abs(got[r][c] - want[r][c]) / (1 + Math.abs(want[r][c]));
      if (!(d <= worst[0])) worst = [d, r, c];
    }
  }
  return worst;
}

/**
 * The check an additive layer's backward starts with (_backwardInputs checks dot-product traces): the forward is
 * run again on the trace's query, key, value and mask, and every head's q, k, v, weights, concat and output must agree to
 * TRACE_TOLERANCE, so a trace from another layer, weights changed in between, or an edited field is an error naming
 * the field and the head. Costs one forward pass, as _backwardInputs does.
 */
function _checkAdditiveTrace(mha: MultiHeadAttention, trace: AttentionTrace, dOutput: Matrix): void {
  if (trace == null || typeof trace !== "object" || !Array.isArray(trace.heads) || !Array.isArray(trace.output)) {
    throw new Error("trace must be the object forward returned (with heads, concat, output)");
  }
  let again: AttentionTrace;
  try {
    again = mha.forward(trace.query, trace.key, trace.value, trace.mask == null ? {} : { attnMask: trace.mask });
  } catch (e) {
    throw new Error(`backward: the trace's query, key, value or mask do not fit this layer: ${(e as Error).message}`);
  }
  const [L, E] = [again.output.length, mha.dModel];
  if (trace.heads.length !== mha.numHeads) throw new Error(`trace is from another layer: it has ${trace.heads.length} heads, but this layer has numHeads ${mha.numHeads}`);
  const fields: [string, unknown, Matrix][] = [
    ...again.heads.flatMap((hd, i) => (["q", "k", "v", "weights"] as const).map((f): [string, unknown, Matrix] =>
      [`trace.heads[${i}].${f} (head ${i + 1})`, trace.heads[i]?.[f], hd[f]])),
    ["trace.concat", trace.concat, again.concat], ["trace.output", trace.output, again.output],
  ];
  for (const [name, got, want] of fields) {
    checkMatrix(name, got, { rows: { n: want.length, why: "the forward gives that" }, cols: { n: want[0].length, why: "the forward gives that" } });
    const d = _worstDiff(got as Matrix, want);
    if (!(d[0] <= TRACE_TOLERANCE)) {
      throw new Error(`backward: ${name} differs from what this layer computes from the trace's inputs by ${d[0].toPrecision(3)} ` +
        `(relative) at [${d[1]}][${d[2]}]; pass the trace this layer's forward returned, unedited, and do not change the ` +
        "weights between forward and backward");
    }
  }
  checkMatrix("dOutput", dOutput, {
    rows: { n: L, why: `trace.output is ${L}×${E}` }, cols: { n: E, why: `trace.output is ${L}×${E}` },
  });
}
