/**
 * MultiHeadAttention: the layer of Vaswani et al. (2017), numerically equal to PyTorch's
 * nn.MultiheadAttention (batch of one, float64), returning a trace of every intermediate.
 *
 * Dependencies: _forwardInputs, projectThenSplit, scaledDotProductAttention, concatHeads, outputProjection,
 * headContributions, glorotUniform, paramsFromTorchStateDict.
 */
import { concatHeads, concatHeadsBackward, meanOverHeads } from "./heads";
import { _backwardInputs } from "./_backward-inputs";
import { _forwardInputs } from "./_forward-inputs";
import { checkMatrix, checkPositiveInt, checkVector, headSize, shapeOf } from "./matrix";
import { headContributions, outputProjection, outputProjectionBackward } from "./output-projection";
import { projectThenSplit, projectThenSplitBackward } from "./projections";
import { glorotUniform, mulberry32 } from "./random";
import { scaledDotProductAttention, scaledDotProductAttentionBackward } from "./scaled-dot-product";
import { paramsFromTorchStateDict, torchStateDictFromParams } from "./torch-state-dict";
import type { FromTorchOptions, TorchStateDict } from "./torch-state-dict";
import type { AttentionTrace, BoolMask, HeadTrace, Matrix, MhaParams, Vector } from "./trace";

/** Options of MultiHeadAttention.random. */
export interface MhaRandomOptions {
  dModel: number;
  numHeads: number;
  /** any safe integer (taken modulo 2^32); default 0 */ seed?: number;
  /** key width (default dModel) */ kdim?: number;
  /** value width (default dModel) */ vdim?: number;
  /** with biases (default true); they start at zero, as in PyTorch */ bias?: boolean;
}

/** What MultiHeadAttention.backward returns: the gradient of the loss with respect to each input and parameter. */
export interface MhaGradients {
  /** (L, dModel) ∂loss/∂query */ dQuery: Matrix;
  /** (S, kdim) ∂loss/∂key (for self-attention, add dQuery + dKey + dValue to get ∂x) */ dKey: Matrix;
  /** (S, vdim) ∂loss/∂value */ dValue: Matrix;
  /** the same keys and shapes as mha.params; a bias gradient is null when the layer has no such bias */ dParams: MhaParams;
}

/** Options of MultiHeadAttention.forward; masks follow PyTorch's nn.MultiheadAttention. */
export interface ForwardOptions {
  /** (L, S) boolean (true = not allowed) or float (added to the scaled scores) */ attnMask?: BoolMask | Matrix | null;
  /** (S,) boolean (true = padding, ignored) or float (added) */ keyPaddingMask?: boolean[] | number[] | null;
  /** also apply causalMask(L, S): query i sees keys 0 … i */ causal?: boolean;
}

function _isOptions(x: unknown): x is ForwardOptions {
  return x != null && typeof x === "object" && !Array.isArray(x);
}

function _copy(m: Matrix): Matrix {
  return m.map((row) => row.slice());
}

/**
 * Multi-head attention.
 *   head_i = Attention(X_q·W_i^Q + b_i^Q, X_k·W_i^K + b_i^K, X_v·W_i^V + b_i^V)
 *   MultiHead = Concat(head_0, …, head_{h−1})·W^O + b^O,   dK = dV = dModel / h
 * Weights are kept in the paper's orientation (see MhaParams); PyTorch stores the transposes.
 * @example
 *   const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 1 });
 *   mha.forward(x, { causal: true }).output // returns (L, 8)
 */
export class MultiHeadAttention {
  readonly dModel: number;
  readonly numHeads: number;
  readonly dK: number;
  readonly dV: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly params: MhaParams;

  /**
   * Build a layer from paper-orientation parameters (copied and validated).
   * @param params wQ (dModel, dModel), wK (kdim, dModel), wV (vdim, dModel), wO (dModel, dModel), biases (dModel,) or null
   * @param numHeads h; dModel must be divisible by h
   */
  constructor(params: MhaParams, numHeads: number) {
    if (params == null || typeof params !== "object") throw new Error("params must be { wQ, wK, wV, wO, bQ, bK, bV, bO }");
    const [E] = shapeOf(checkMatrix("wQ", params.wQ));
    checkMatrix("wQ", params.wQ, { cols: { n: E, why: `wQ has ${E} rows (dModel)` } });
    checkPositiveInt("numHeads", numHeads);
    this.dModel = E;
    this.numHeads = numHeads;
    this.dK = this.dV = headSize("dModel", E, numHeads);
    const dModelIs = { n: E, why: `dModel is ${E}` };
    [this.kdim] = shapeOf(checkMatrix("wK", params.wK, { cols: dModelIs }));
    [this.vdim] = shapeOf(checkMatrix("wV", params.wV, { cols: dModelIs }));
    checkMatrix("wO", params.wO, { rows: dModelIs, cols: dModelIs });
    const bias = (name: string, b: Vector | null | undefined) => (b == null ? null : checkVector(name, b, dModelIs).slice());
    this.params = {
      wQ: _copy(params.wQ), wK: _copy(params.wK), wV: _copy(params.wV), wO: _copy(params.wO),
      bQ: bias("bQ", params.bQ), bK: bias("bK", params.bK), bV: bias("bV", params.bV), bO: bias("bO", params.bO),
    };
  }

  /**
   * A layer with Xavier/Glorot-uniform weights from a seeded PRNG (mulberry32): the same seed gives
   * the same weights on every run and machine. Draw order: wQ, wK, wV, wO, each row by row, each
   * U(−a, a) with a = √(6/(fanIn + fanOut)) of its own paper-orientation shape. Biases are zero
   * (as PyTorch initialises them).
   * @param options { dModel, numHeads, seed = 0, kdim = dModel, vdim = dModel, bias = true }
   * @example MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 0 }).dK // returns 4
   */
  static random(options: MhaRandomOptions): MultiHeadAttention {
    if (options == null || typeof options !== "object") throw new Error("random needs { dModel, numHeads, seed }");
    const E = checkPositiveInt("dModel", options.dModel);
    const h = checkPositiveInt("numHeads", options.numHeads);
    headSize("dModel", E, h);
    const kdim = checkPositiveInt("kdim", options.kdim ?? E);
    const vdim = checkPositiveInt("vdim", options.vdim ?? E);
    const rand = mulberry32(options.seed ?? 0);
    const zeros = (options.bias ?? true) ? () => new Array<number>(E).fill(0) : () => null;
    return new MultiHeadAttention({
      wQ: glorotUniform(E, E, rand), // (dModel, dModel)
      wK: glorotUniform(kdim, E, rand), // (kdim, dModel)
      wV: glorotUniform(vdim, E, rand), // (vdim, dModel)
      wO: glorotUniform(E, E, rand), // (dModel, dModel)
      bQ: zeros(), bK: zeros(), bV: zeros(), bO: zeros(),
    }, h);
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
   * @param options { attnMask (L, S), keyPaddingMask (S,), causal }
   * @return the AttentionTrace; trace.output is (L, dModel), trace.weights is (h, L, S)
   * @example
   *   const mha = MultiHeadAttention.random({ dModel: 4, numHeads: 2, seed: 0 });
   *   const t = mha.forward([[1, 0, 0, 0], [0, 1, 0, 0]], { causal: true });
   *   t.weights[0] // returns [[1, 0], [w, 1 − w]] for head 0; t.output is (2, 4)
   */
  forward(query: Matrix, options?: ForwardOptions): AttentionTrace;
  forward(query: Matrix, key?: Matrix | null, value?: Matrix | null, options?: ForwardOptions): AttentionTrace;
  forward(
    query: Matrix, keyOrOptions?: Matrix | ForwardOptions | null, value?: Matrix | null, options: ForwardOptions = {},
  ): AttentionTrace {
    let key: Matrix | null | undefined;
    if (_isOptions(keyOrOptions) && value == null && arguments.length <= 2) {
      options = keyOrOptions;
    } else {
      key = keyOrOptions as Matrix | null | undefined;
    }
    const { dModel: E, numHeads: h, dK, dV, params: p } = this;
    const inputs = _forwardInputs(this, query, key, value, options);
    const { mask, fullyMaskedRows } = inputs; // (L, S) additive mask, or null
    key = inputs.key; // (S, kdim)
    value = inputs.value; // (S, vdim)

    // 1) linear projections, done once with the fused weights, then split into h heads
    const qs = projectThenSplit(query, p.wQ, p.bQ, h); // h × (L, dK)
    const ks = projectThenSplit(key, p.wK, p.bK, h); // h × (S, dK)
    const vs = projectThenSplit(value, p.wV, p.bV, h); // h × (S, dV)

    // 2) scaled dot-product attention in every head
    const heads: HeadTrace[] = qs.map((q, i) => {
      const { scores, scaledScores, maskedScores, weights, output } = scaledDotProductAttention(q, ks[i], vs[i], mask);
      return { q, k: ks[i], v: vs[i], scores, scaledScores, maskedScores, weights, output };
    });

    // 3) concat + W^O
    const headOutputs = heads.map((head) => head.output); // h × (L, dV)
    const concat = concatHeads(headOutputs); // (L, h·dV)
    const contributions = headContributions(headOutputs, p.wO); // h × (L, dModel)
    const output = outputProjection(concat, p.wO, p.bO); // (L, dModel)

    const weights = heads.map((head) => head.weights); // (h, L, S)
    return {
      dModel: E, numHeads: h, dK, dV, query, key, value, mask, fullyMaskedRows,
      heads, weights, meanWeights: meanOverHeads(weights), concat, contributions, output,
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
    _backwardInputs(this, trace, dOutput);
    const { numHeads: h, params: p } = this;

    // 3) back through W^O and the concatenation
    const { dConcat, dWO, dbO } = outputProjectionBackward(trace.concat, p.wO, dOutput, p.bO != null); // (L, h·dV)
    const dHeads = concatHeadsBackward(dConcat, h); // h × (L, dV)

    // 2) back through scaled dot-product attention in every head
    const grads = trace.heads.map((hd, i) => scaledDotProductAttentionBackward(hd.q, hd.k, hd.v, hd.weights, dHeads[i]));

    // 1) back through the projections (the per-head gradients side by side, then the fused weights)
    const gQ = projectThenSplitBackward(trace.query, p.wQ, grads.map((g) => g.dQ), p.bQ != null); // dX (L, dModel)
    const gK = projectThenSplitBackward(trace.key, p.wK, grads.map((g) => g.dK), p.bK != null); // dX (S, kdim)
    const gV = projectThenSplitBackward(trace.value, p.wV, grads.map((g) => g.dV), p.bV != null); // dX (S, vdim)
    return {
      dQuery: gQ.dX, dKey: gK.dX, dValue: gV.dX,
      dParams: { wQ: gQ.dW, wK: gK.dW, wV: gV.dW, wO: dWO, bQ: gQ.db, bK: gK.db, bV: gV.db, bO: dbO },
    };
  }
}
