/**
 * Kept so imports of "src/minilm/model" still work: the model is in minilm-model.ts (no file I/O) and the loader
 * in load.ts (all of it). Re-exports only.
 */
export type { EncodeOptions, MiniLMConfig, MiniLMEncoding, MiniLMWeights } from "./minilm-model";
export { MiniLMModel } from "./minilm-model";
export { loadMiniLMModel } from "./load";
