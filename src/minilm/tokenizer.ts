/**
 * The model's own tokenizer: its tokenizer.json (uncased WordPiece with BERT's normaliser and [CLS] … [SEP]
 * template) run by Hugging Face's @huggingface/tokenizers, not a hand-written WordPiece.
 *
 * Dependencies: @huggingface/tokenizers 0.2.0, fs.
 */
import * as fs from "fs";
import { Tokenizer } from "@huggingface/tokenizers";

/** A tokenized sentence. */
export interface MiniLMTokens {
  /** WordPiece strings, "[CLS]" … "[SEP]", length L */ tokens: string[];
  /** (L,) vocabulary ids */ inputIds: number[];
  /** (L,) segment ids, 0 for one sentence */ tokenTypeIds: number[];
}

interface _Tok {
  encode(text: string, options: { return_token_type_ids: true }): { ids: number[]; tokens: string[]; token_type_ids: number[] };
}

/** The tokenizer of all-MiniLM-L6-v2, with the model's length limit. */
export class MiniLMTokenizer {
  /** the longest input the model takes, [CLS] and [SEP] included (its position embeddings) */ readonly maxLength: number;
  private readonly _tok: _Tok; // a local type, so our .d.ts does not pull in the library's types

  /**
   * @param tokenizerJson   path of tokenizer.json
   * @param tokenizerConfig path of tokenizer_config.json
   * @param maxLength       the model's max_position_embeddings (512)
   */
  constructor(tokenizerJson: string, tokenizerConfig: string, maxLength: number) {
    this._tok = new Tokenizer(JSON.parse(fs.readFileSync(tokenizerJson, "utf8")), JSON.parse(fs.readFileSync(tokenizerConfig, "utf8")));
    this.maxLength = maxLength;
  }

  /**
   * Split a sentence into the model's tokens, with [CLS] first and [SEP] last.
   * Errors: a non-string, an empty (or blank) sentence, more than maxLength tokens.
   *
   * @param sentence any text
   * @return { tokens, inputIds, tokenTypeIds }, each of length L ≤ maxLength
   * @example (illustrative) tok.encode("He gave her the ball").tokens // returns ["[CLS]", "he", "gave", "her", "the", "ball", "[SEP]"]
   */
  encode(sentence: string): MiniLMTokens {
    if (typeof sentence !== "string") {
      const shown = sentence === null ? "null" : Array.isArray(sentence) ? "an array" : `${typeof sentence} ${String(sentence).slice(0, 40)}`;
      throw new Error(`encode needs a sentence (a string), got ${shown}`);
    }
    if (sentence.trim() === "") throw new Error(`the sentence is empty${sentence.length > 0 ? ` (${sentence.length} blank characters)` : ""}: type at least one word`);
    const e = this._tok.encode(sentence, { return_token_type_ids: true });
    if (e.ids.length <= 2) throw new Error(`the sentence ${JSON.stringify(sentence.slice(0, 40))} has no tokens besides [CLS] and [SEP]`);
    if (e.ids.length > this.maxLength) {
      throw new Error(
        `the sentence has ${e.ids.length} tokens ([CLS] and [SEP] included) but all-MiniLM-L6-v2 takes at most ${this.maxLength} ` +
          `(its position embeddings); shorten it by ${e.ids.length - this.maxLength} tokens`,
      );
    }
    return { tokens: e.tokens.slice(), inputIds: e.ids.slice(), tokenTypeIds: e.token_type_ids.slice() };
  }
}
