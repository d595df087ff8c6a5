/**
 * mha-lab/models: trainable models composed only of mha-lab/blocks (the causal language model, the
 * encoder–decoder), their tasks, training loop and head scores. Re-exports only.
 */
export { CausalLM } from "./causal-lm";
export type { CausalLMConfig, CausalLMLoss, CausalLMOptions, CausalLMRunOptions, CausalLMTrace, GenerateOptions, Generation } from "./causal-lm";
export { repeatedTokens, tinyGrammar } from "./tasks";
export type { SequenceTask } from "./tasks";
export { regionLosses, trainCausalLM } from "./train-lm";
export type { HeldOutEntry, TrainCausalLMOptions, TrainCausalLMResult } from "./train-lm";
export { headScore, scoreHeads } from "./head-scores";
export type { HeadScore } from "./head-scores";
export { BOS, EOS, EncoderDecoder, PAD } from "./encoder-decoder";
export type {
  EncoderDecoderAttentions, EncoderDecoderConfig, EncoderDecoderOptions, EncoderDecoderRunOptions, EncoderDecoderTrace, Scoring,
  Seq2SeqBatch, Seq2SeqLoss, Translation,
} from "./encoder-decoder";
export { alignmentShare, crossAlignmentShares, toyTranslation } from "./translation";
export type { TranslationTask } from "./translation";
export { trainSeq2Seq } from "./train-seq2seq";
export type { HeldOutSeq2Seq, TrainSeq2SeqOptions, TrainSeq2SeqResult } from "./train-seq2seq";
