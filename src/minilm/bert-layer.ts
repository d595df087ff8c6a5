/**
 * One BERT encoder layer: our MultiHeadAttention, then residual + LayerNorm, the feed-forward block,
 * residual + LayerNorm again (the "post-LN" layer of BERT and of the original Transformer).
 *
 * Dependencies: MultiHeadAttention.forward (src/math; kernel "fast" = fastForward), applyHeadMask, _layerNormFlat, _feedForwardFlat.
 */
import type { MultiHeadAttention } from "../math/multi-head";
import type { AttentionTrace, Matrix } from "../math/trace";
import { _lazy } from "../math/_lazy";
import { _toFlat, _toNested, NormParams } from "./_dense";
import { _feedForwardFlat, FeedForwardWeights } from "./feed-forward";
import { applyHeadMask } from "./head-mask";
import { _layerNormFlat, BERT_LAYER_NORM_EPS } from "./layer-norm";

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

/**
 * One encoder layer on one sentence.
 *   a = MHA(x)                        (our MultiHeadAttention; W^O and b^O are BERT's attention.output.dense)
 *   h = LayerNorm(x + a)
 *   f = GELU(h·W_1ᵀ + b_1)·W_2ᵀ + b_2
 *   y = LayerNorm(h + f)
 *
 * @param x       (L, d) the layer's input, hidden_states[l]
 * @param weights the layer's weights
 * @param options { headMask (h,), kernel, eps }
 * @return the BertLayerTrace; .output is (L, d)
 * @example (illustrative) bertLayer(hidden[0], model.weights.layers[0]).output.length // returns L
 */
export function bertLayer(x: Matrix, weights: BertLayerWeights, options: BertLayerOptions = {}): BertLayerTrace {
  const mha = weights.attention;
  const d = mha.dModel;
  const L = x.length;
  const eps = options.eps ?? BERT_LAYER_NORM_EPS;

  // 1) self-attention, every head (our layer), then Hugging Face's head mask
  let attention = mha.forward(x, { kernel: options.kernel ?? "fast" }); // output (L, d); "fast" = fastForward's lazy trace
  if (options.headMask !== undefined) attention = applyHeadMask(attention, options.headMask, mha.params.wO, mha.params.bO);

  // 2) residual + LayerNorm
  const h = _toFlat("x", x, d); // (L, d)
  const a = _toFlat("attention output", attention.output, d);
  for (let i = 0; i < h.length; i++) h[i] += a[i]; // x + a
  _layerNormFlat(h, L, d, weights.attentionNorm, eps); // (L, d)

  // 3) feed-forward, residual + LayerNorm
  const { intermediate, output: f } = _feedForwardFlat(h, L, weights.feedForward); // (L, dFF), (L, d)
  const y = Float64Array.from(h);
  for (let i = 0; i < y.length; i++) y[i] += f[i]; // h + f
  _layerNormFlat(y, L, d, weights.outputNorm, eps); // (L, d)

  const dFF = weights.feedForward.intermediate.outFeatures;
  const trace = { attention, output: _toNested(y, L, d) } as BertLayerTrace; // the output: the next layer's input
  _lazy(trace, "attentionNorm", () => _toNested(h, L, d)); // (L, d) the rest is built when first read
  _lazy(trace, "intermediate", () => _toNested(intermediate, L, dFF)); // (L, dFF)
  _lazy(trace, "ffnOutput", () => _toNested(f, L, d)); // (L, d)
  return trace;
}
