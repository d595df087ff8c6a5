// mha-lab/minilm: a real pretrained model (all-MiniLM-L6-v2): the committed fixture and head-pattern scores.
// Re-exports only.
export type { MiniLMAttentions, MiniLMInfo, MiniLMLayer, MiniLMSentence, MiniLMStateDict } from "./fixture";
export { loadMiniLM, loadMiniLMAttentions, miniLMDataDir, miniLMInfo } from "./fixture";
export type { HeadPatternScores } from "./head-patterns";
export { headPatternScores, tokenAttention } from "./head-patterns";
