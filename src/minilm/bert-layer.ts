/**
 * One BERT encoder layer: our MultiHeadAttention, then residual + LayerNorm, the feed-forward block,
 * residual + LayerNorm again (the "post-LN" layer of BERT and of the original Transformer).
 *
 * Layers pass flat (L, d) buffers to each other (_bertLayerFlat); nested matrices are built only when a trace field is read.
 *
 * Dependencies: _selfAttentionFlat (the one flat forward) or MultiHeadAttention.forward (readable), applyHeadMask,
 * _layerNormFlat, _feedForwardFlat.
 */
import type { MultiHeadAttention } from "../math/multi-head";
import type { AttentionTrace, Matrix } from "../math/trace";
import { _lazy } from "../math/_lazy";
import { _checkedLater, _isOneOf } from "../math/_validate";
import { _describe } from "../math/_describe";
import { _checkOptions } from "./_check";
import { _flatOf, _toFlat, _toNested, NormParams } from "./_dense";
import { _feedForwardFlat, FeedForwardWeights } from "./feed-forward";
import { _checkHeadMaskRow, applyHeadMask } from "./head-mask";
import { _layerNormFlat, BERT_LAYER_NORM_EPS } from "./layer-norm";
import { _selfAttentionFlat } from "./self-attention";

/** The weights of one encoder layer. */
export interface BertLayerWeights {
  /** Q, K, V and the output dense as our layer (built with fromTorchStateDict) */ attention: MultiHeadAttention;
  /** attention.output.LayerNorm */ attentionNorm: NormParams;
  /** intermediate.dense (with GELU) and output.dense */ feedForward: FeedForwardWeights;
  /** output.LayerNorm */ outputNorm: NormParams;
}

/** What one layer computed, in order (attentionNorm, intermediate and ffnOutput are built when first read). */
export interface BertLayerTrace {
  /** our MultiHeadAttention's trace (head mask applied); .output is (L, d), before the residual */ attention: AttentionTrace;
  /** (L, d) LayerNorm(x + attention.output) */ attentionNorm: Matrix;
  /** (L, dFF) GELU(attentionNorm·W_1ᵀ + b_1) */ intermediate: Matrix;
  /** (L, d) intermediate·W_2ᵀ + b_2, before the residual */ ffnOutput: Matrix;
  /** (L, d) LayerNorm(attentionNorm + ffnOutput): the layer's output, hidden_states[l + 1] */ output: Matrix;
}

/** Options of bertLayer. */
export interface BertLayerOptions {
  /** (h,) Hugging Face head mask of this layer: 1 keeps a head, 0 ablates it (default all 1) */ headMask?: number[];
  /** forward's kernel: "fast" (default, the fused kernel of mha-lab/fast) or "readable" (each step through mathjs) */
  kernel?: "fast" | "readable";
  /** LayerNorm ε (default 1e-12) */ eps?: number;
}

/** One layer's numbers on flat buffers, as encode chains them (nested arrays only when a trace field is read). */
export interface _FlatLayer {
  /** our MultiHeadAttention's trace (head mask applied) */ attention: AttentionTrace;
  /** (L, d) LayerNorm(x + a) */ h: Float64Array;
  /** (L, dFF) GELU(h·W_1ᵀ + b_1) */ intermediate: Float64Array;
  /** (L, d) intermediate·W_2ᵀ + b_2 */ f: Float64Array;
  /** (L, d) LayerNorm(h + f): the layer's output */ y: Float64Array;
}

/**
 * One encoder layer on a flat (L, d) input, unchecked (encode and bertLayer check what they are given).
 * @param x (L·d,) the layer's input, row-major
 * @param headMask (h,) factors, or null
 * @param nested () → x as a nested (L, d) matrix, the same one each call (the trace's query; the readable kernel's input)
 */
export function _bertLayerFlat(
  x: Float64Array, L: number, weights: BertLayerWeights, headMask: number[] | null, kernel: "fast" | "readable", eps: number,
  nested: () => Matrix,
): _FlatLayer {
  const mha = weights.attention;
  const d = mha.dModel;

  // 1) self-attention, every head (our layer), then Hugging Face's head mask
  let attention: AttentionTrace = kernel === "fast" ? _selfAttentionFlat(x, L, mha, nested) : mha.forward(nested()); // output (L, d)
  if (headMask !== null) attention = applyHeadMask(attention, headMask, mha.params.wO, mha.params.bO);

  // 2) residual + LayerNorm
  const a = _flatOf(attention, "output", L, d); // (L, d)
  const h = Float64Array.from(x); // (L, d)
  for (let i = 0; i < h.length; i++) h[i] += a[i]; // x + a
  _layerNormFlat(h, L, d, weights.attentionNorm, eps); // (L, d)

  // 3) feed-forward, residual + LayerNorm
  const { intermediate, output: f } = _feedForwardFlat(h, L, weights.feedForward); // (L, dFF), (L, d)
  const y = Float64Array.from(h);
  for (let i = 0; i < y.length; i++) y[i] += f[i]; // h + f
  _layerNormFlat(y, L, d, weights.outputNorm, eps); // (L, d)
  return { attention, h, intermediate, f, y };
}

/**
 * The nested BertLayerTrace of a flat layer, every matrix built when first read.
 * @param output the nested output when the caller already has it (encode shares it with hiddenStates)
 */
export function _layerTrace(r: _FlatLayer, L: number, d: number, dFF: number, output: () => Matrix = () => _toNested(r.y, L, d)): BertLayerTrace {
  const trace = { attention: r.attention } as BertLayerTrace;
  _lazy(trace, "attentionNorm", () => _toNested(r.h, L, d)); // (L, d)
  _lazy(trace, "intermediate", () => _toNested(r.intermediate, L, dFF)); // (L, dFF)
  _lazy(trace, "ffnOutput", () => _toNested(r.f, L, d)); // (L, d)
  _lazy(trace, "output", output); // (L, d): the next layer's input
  return trace;
}

/** The kernel option of encode and bertLayer. */
export const _isKernel = _isOneOf(["fast", "readable"]);

/** Every option of bertLayer and its check (unknown keys suggest the right one: `headmask` → `headMask`). */
const _BERT_LAYER_SPEC = {
  headMask: _checkedLater, kernel: _isKernel, eps: (v: unknown, name: string) => {
    if (typeof v !== "number" || !(v > 0 && v < 1)) throw new Error(`${name} must be a number in (0, 1), got ${_describe(v)}`);
  },
};

/**
 * One encoder layer on one sentence.
 *   a = MHA(x)                        (our MultiHeadAttention; W^O and b^O are BERT's attention.output.dense)
 *   h = LayerNorm(x + a)
 *   f = GELU(h·W_1ᵀ + b_1)·W_2ᵀ + b_2
 *   y = LayerNorm(h + f)
 *
 * @param x       (L, d) the layer's input, hidden_states[l]
 * @param weights the layer's weights
 * @param options { headMask (h,), kernel, eps }; an unknown key is an error that suggests the right one
 * @return the BertLayerTrace; .output is (L, d)
 * @example (illustrative) bertLayer(hidden[0], model.weights.layers[0]).output.length // returns L
 */
export function bertLayer(x: Matrix, weights: BertLayerWeights, options: BertLayerOptions = {}): BertLayerTrace {
  _checkOptions("bertLayer", options, _BERT_LAYER_SPEC);
  const mha = weights?.attention;
  if (mha == null || typeof mha.forward !== "function") throw new Error(`bertLayer: weights must be one layer of model.weights.layers, got ${_describe(weights)}`);
  const d = mha.dModel;
  const headMask = options.headMask === undefined ? null : _checkHeadMaskRow(options.headMask, mha.numHeads, "headMask");
  const flat = _toFlat("x", x, d); // (L, d)
  let xn: Matrix | undefined; // a copy of x, nested, built when the trace's query is first read
  const nested = () => xn ?? (xn = _toNested(flat, x.length, d));
  const r = _bertLayerFlat(flat, x.length, weights, headMask, options.kernel ?? "fast", options.eps ?? BERT_LAYER_NORM_EPS, nested);
  return _layerTrace(r, x.length, d, weights.feedForward.intermediate.outFeatures);
}
