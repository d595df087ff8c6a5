/**
 * The whole analysis in one call, on the committed sentences or on a reader's own: run the model on each
 * sentence, turn its token attention into word attention, score every head against the parses.
 *
 * Dependencies: alignWords, wordAttentions, checkParsedSentence, scoreRelations.
 */
import type { Matrix } from "../math/trace";
import { _validateOptions } from "../math/_validate";
import { alignWords } from "./align";
import { checkParsedSentence, ParsedSentence } from "./parsed";
import { scoreRelations, ScoreOptions, SyntaxScores } from "./score-relations";
import { wordAttentions } from "./word-attention";

/** Any model with MiniLM's encode: tokens and (layers, heads, L, L) attentions. */
export interface AttentionModel {
  encode(text: string): { tokens: string[]; attentions: Matrix[][] };
}

/**
 * Run the model on each sentence and return its word attention (layers, heads, W, W).
 * @param model     e.g. loadMiniLMModel() from "mha-lab/minilm"
 * @param sentences (n,) parsed sentences
 * @param progress  called after each sentence with (done, n), e.g. to print progress
 * @return (n, layers, heads, W, W)
 * @example (illustrative) encodeWordAttentions(loadMiniLMModel(), [he])[0][0][0].length // returns 6 (words of "He gave her the ball.")
 */
export function encodeWordAttentions(model: AttentionModel, sentences: readonly ParsedSentence[], progress?: (done: number, total: number) => void): Matrix[][][] {
  if (model === null || typeof model !== "object" || typeof (model as AttentionModel).encode !== "function") throw new Error("encodeWordAttentions: model must have encode(text), e.g. loadMiniLMModel() from \"mha-lab/minilm\"");
  if (!Array.isArray(sentences)) throw new Error(`encodeWordAttentions: sentences must be an array of parsed sentences, got ${typeof sentences}`);
  return sentences.map((s, k) => {
    checkParsedSentence(s, `sentence ${k}`);
    const e = model.encode(s.text);
    let wordOfToken: number[];
    try {
      wordOfToken = alignWords(e.tokens, s.words);
    } catch (err) {
      throw new Error(`sentence ${k} (${JSON.stringify(s.text)}): ${(err as Error).message}`);
    }
    const out = wordAttentions(e.attentions, wordOfToken, s.words.length); // (layers, heads, W, W)
    progress?.(k + 1, sentences.length);
    return out;
  });
}

/** What analyzeSyntax returns. */
export interface SyntaxAnalysis extends SyntaxScores {
  /** (n, layers, heads, W, W) */ wordAtts: Matrix[][][];
  sentences: readonly ParsedSentence[];
}

/**
 * Rerun the whole analysis on your own sentences and parses: encode, word attention, the Clark-style table.
 * @param model     e.g. loadMiniLMModel()
 * @param sentences your parsed sentences { text, words, heads (root −1), deps (ClearNLP labels) }, at least 2
 * @param options   scoreRelations' options ({ relations, directions, seed, samples, offsets }) and progress
 * @return the table's rows, the halves, and the word attentions
 * @example (illustrative) analyzeSyntax(loadMiniLMModel(), mySentences).row("amod", "dep→head").best // returns { layer, head, heldOutAccuracy, ci, … }
 */
export function analyzeSyntax(model: AttentionModel, sentences: readonly ParsedSentence[], options: ScoreOptions & { progress?: (done: number, total: number) => void } = {}): SyntaxAnalysis {
  _validateOptions("analyzeSyntax", options, { relations: () => {}, directions: () => {}, seed: () => {}, samples: () => {}, offsets: () => {}, progress: () => {} });
  const { progress, ...scoreOptions } = options;
  const wordAtts = encodeWordAttentions(model, sentences, progress);
  return { ...scoreRelations([...sentences], wordAtts, scoreOptions), wordAtts, sentences };
}
