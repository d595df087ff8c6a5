// mha-lab/minilm: a real pretrained model (all-MiniLM-L6-v2): the committed fixture, head-pattern scores, and the whole model in our code.
// Re-exports only.
export type { MiniLMAttentions, MiniLMInfo, MiniLMLayer, MiniLMSentence, MiniLMStateDict } from "./fixture";
export { loadMiniLM, loadMiniLMAttentions, miniLMDataDir, miniLMInfo } from "./fixture";
export type { HeadPatternScores } from "./head-patterns";
export { headPatternScores, meanAttentionDistance, tokenAttention } from "./head-patterns";

// The whole model in our code: load it, encode any sentence.
export type { EncodeOptions, MiniLMConfig, MiniLMEncoding, MiniLMWeights } from "./minilm-model";
export { MiniLMModel } from "./minilm-model";
export { loadMiniLMModel } from "./load";
export type { MiniLMFiles, MiniLMFilesOptions } from "./files";
export { findMiniLMFiles, hasMiniLMFiles } from "./files";
export type { MiniLMTokens } from "./tokenizer";
export { MiniLMTokenizer } from "./tokenizer";
// The blocks around attention, one step per file.
export type { BertEmbeddingWeights, EmbeddingTable } from "./embeddings";
export { bertEmbeddings } from "./embeddings";
export { BERT_LAYER_NORM_EPS, layerNorm } from "./layer-norm";
export { erf } from "../blocks/erf";
export { gelu } from "../blocks/activation";
export type { FeedForwardWeights } from "./feed-forward";
export { feedForward } from "./feed-forward";
export { addResidual } from "./residual";
export { l2Normalize, meanPooling } from "./pooling";
export type { MaskedAttentionTrace } from "./head-mask";
export { applyHeadMask } from "./head-mask";
export type { BertLayerOptions, BertLayerTrace, BertLayerWeights } from "./bert-layer";
export { bertLayer } from "./bert-layer";
export type { Dense, NormParams } from "./_dense";
// Reading the weights, and the golden values from the real model.
export type { SafetensorsDtype, SafetensorsEntry, SafetensorsFile } from "./safetensors";
export { parseSafetensors, readTensor } from "./safetensors";
export type { GoldenAblation, GoldenSentence, MiniLMGolden } from "./golden";
export { goldenTensor, miniLMGolden, miniLMGoldenDir } from "./golden";
export type { WeightDrilldown } from "./drilldown";
export { weightDrilldown } from "./drilldown";
