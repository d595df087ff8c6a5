/**
 * mha-lab/blocks: the shared transformer blocks every model is built from, one block per file with its
 * forward and backward side by side (linear, embedding, norms, feed-forwards, rotary positions, attention).
 * Every block works on flat row-major Float64Array buffers, sizes passed as numbers; a backward ADDS its
 * parameter gradients into a buffer shaped like the parameters and returns the input gradient.
 * Re-exports only.
 *
 * Slots for the chat model's blocks (same conventions, one file each): rms-norm.ts (RMSNorm), swiglu.ts
 * (the gated feed-forward), rope.ts (rotary positions); grouped-query attention is the `numKVHeads` option
 * of attention.ts.
 */
export { linear, linearBackward } from "./linear";
export type { LinearParams } from "./linear";
export { embedding, embeddingBackward, addPositions, addPositionsBackward } from "./embedding";
export { layerNorm, layerNormBackward } from "./layer-norm";
export type { LayerNormCache, LayerNormParams } from "./layer-norm";
export { gelu, geluBackward, relu, reluBackward } from "./activation";
export type { Activation } from "./activation";
export { feedForward, feedForwardBackward } from "./feed-forward";
export type { FeedForwardCache, FeedForwardParams } from "./feed-forward";
export { residual, residualBackward } from "./residual";
export { attention, attentionBackward } from "./attention";
export type { AttentionCache, AttentionInputGradients, AttentionOptions, AttentionParams } from "./attention";
export { crossEntropy, crossEntropyBackward } from "./cross-entropy";
export type { CrossEntropyCache } from "./cross-entropy";
