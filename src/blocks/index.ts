/**
 * mha-lab/blocks: the shared transformer blocks every model is built from, one block per file with its
 * forward and backward side by side (linear, embedding, norms, feed-forwards, rotary positions, attention).
 * Each block is one frozen object { forward, backward } (as PyTorch's modules, llama's RMSNorm, Attention,
 * FeedForward): forward(x, params, sizes…) and backward(cache or input, params, ∂output, grads, sizes…). Every
 * block works on flat row-major Float64Array buffers, sizes passed as numbers; a backward ADDS its parameter
 * gradients into buffers shaped like the parameters and returns the input gradient.
 * Re-exports only.
 *
 * The chat model's blocks follow the same conventions: rms-norm.ts (RMSNorm), swiglu.ts (the gated feed-forward),
 * rope.ts (rotary positions); grouped-query attention is attention.ts's `numKVHeads` option, additive heads its
 * `scoring: "additive"` option.
 */
export { Linear } from "./linear";
export type { LinearParams } from "./linear";
export { Embedding, LearnedPositions } from "./embedding";
export { LayerNorm } from "./layer-norm";
export type { LayerNormCache, LayerNormParams } from "./layer-norm";
export { GELU, ReLU } from "./activation";
export type { Activation } from "./activation";
export { FeedForward } from "./feed-forward";
export type { FeedForwardCache, FeedForwardParams } from "./feed-forward";
export { Residual } from "./residual";
export { Attention } from "./attention";
export type { AttentionCache, AttentionInputGradients, AttentionOptions, AttentionParams } from "./attention";
export type { Scoring } from "../math/types";
export { CrossEntropy } from "./cross-entropy";
export type { CrossEntropyCache } from "./cross-entropy";
export { RMSNorm } from "./rms-norm";
export type { RMSNormCache } from "./rms-norm";
export { SwiGLU } from "./swiglu";
export { RoPE } from "./rope";
