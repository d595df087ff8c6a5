/**
 * mha-lab/llm: a real chat model (SmolLM2-135M-Instruct, from its GGUF file) run by our own code.
 * Re-exports only.
 */
export { loadChatModel, ChatModel } from "./chat-model";
export type { Decoder, GenerateOptions, Generation, LoadChatModelOptions } from "./chat-model";
export type { ChatForward, ForwardOptions } from "./model";
export { KVCache, causalSelfAttention } from "./attention";
export { linearT } from "./linear";
export type { WeightArray } from "./linear";
export { chatModelConfig, loadChatWeights } from "./weights";
export type { ChatModelConfig, ChatWeights, LayerWeights } from "./weights";
export { ChatTokenizer, tokenizerJsonFromGguf } from "./tokenizer";
export type { ChatMessage, ChatTokens } from "./tokenizer";
export { readGgufHeader, ggmlTypeSize } from "./gguf";
export type { GgufHeader, GgufTensorInfo, GgufValue } from "./gguf";
export { dequantize, halfToFloat } from "./dequantize";
export { argmax, sampleNext } from "./sampling";
export type { SamplingOptions } from "./sampling";
export { findChatModelFile, hasChatModelFile, CHAT_MODEL_FILE } from "./files";
export type { ChatModelFileOptions } from "./files";
