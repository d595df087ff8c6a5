/**
 * mha-lab/syntax: heads scored against dependency parses (Clark et al. 2019), with baselines, held-out
 * halves and bootstrap intervals. Re-exports only.
 */
export type { ParsedSentence, ParsedSentenceSet, ParserInfo } from "./parsed";
export { checkParsedSentence, loadParsedSentences, syntaxDataDir } from "./parsed";
export { alignWords } from "./align";
export { wordAttention, wordAttentions } from "./word-attention";
export type { Direction, Relation } from "./relations";
export { DIRECTIONS, RELATIONS, relationByName, relationPairs } from "./relations";
export { headHits, mostAttended, offsetHits } from "./head-accuracy";
export type { BootstrapOptions } from "./bootstrap";
export { bootstrapInterval } from "./bootstrap";
export type { HeadRef, RelationScore, ScoreOptions, SyntaxScores } from "./score-relations";
export { scoreRelations, splitHalves } from "./score-relations";
export type { AttentionModel, SyntaxAnalysis } from "./analyze";
export { analyzeSyntax, encodeWordAttentions } from "./analyze";
export { formatSyntaxTable } from "./format-table";
export { headPeak } from "./head-peak";
export type { EncodedSentence, PrunableModel } from "./pruning";
export { embeddingWithHeadMask, headImportance, maskWithout, pruningCurve, randomHeadOrder } from "./pruning";
