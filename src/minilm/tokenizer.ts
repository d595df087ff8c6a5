/**
 * The model's own tokenizer: its tokenizer.json (uncased WordPiece with BERT's normaliser and [CLS] … [SEP]
 * template) run by Hugging Face's @huggingface/tokenizers, not a hand-written WordPiece.
 *
 * Dependencies: @huggingface/tokenizers 0.2.0, fs (only when given paths).
 */
import * as fs from "fs";
import { Tokenizer } from "@huggingface/tokenizers";
import { _describe } from "../math/_describe";

/** A tokenized sentence. */
export interface MiniLMTokens {
  /** WordPiece strings, "[CLS]" … "[SEP]", length L */ tokens: string[];
  /** (L,) vocabulary ids */ inputIds: number[];
  /** (L,) segment ids, 0 for one sentence */ tokenTypeIds: number[];
}

interface _Tok {
  encode(text: string, options: { return_token_type_ids: true }): { ids: number[]; tokens: string[]; token_type_ids: number[] };
}

/** Read a JSON file, with errors that name it. */
export function _readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: is not valid JSON (${(e as Error).message})`);
  }
}

/** The tokenizer of all-MiniLM-L6-v2, with the model's length limit. */
export class MiniLMTokenizer {
  /** the longest input the model takes, [CLS] and [SEP] included (its position embeddings) */ readonly maxLength: number;
  private readonly _tok: _Tok; // a local type, so our .d.ts does not pull in the library's types

  /**
   * Build the tokenizer from tokenizer.json and tokenizer_config.json: their parsed contents (what
   * loadMiniLMModel passes, after reading them), or their paths (read here, errors naming the file).
   *
   * @param tokenizerJson   tokenizer.json: its parsed object, or its path
   * @param tokenizerConfig tokenizer_config.json: its parsed object, or its path
   * @param maxLength       the model's max_position_embeddings (512)
   * @param source          the file names for errors when objects are passed (default "tokenizer.json")
   */
  constructor(tokenizerJson: string | object, tokenizerConfig: string | object, maxLength: number, source = typeof tokenizerJson === "string" ? tokenizerJson : "tokenizer.json") {
    const json = typeof tokenizerJson === "string" ? _readJson(tokenizerJson) : tokenizerJson;
    const config = typeof tokenizerConfig === "string" ? _readJson(tokenizerConfig) : tokenizerConfig;
    const model = (json as { model?: { type?: unknown; vocab?: unknown } } | null)?.model;
    if (json == null || typeof json !== "object" || model == null || typeof model !== "object" || typeof model.vocab !== "object") {
      throw new Error(`${source}: is not a Hugging Face tokenizer.json (it has no model.vocab)`);
    }
    if (config == null || typeof config !== "object") throw new Error(`${typeof tokenizerConfig === "string" ? tokenizerConfig : "tokenizer_config.json"}: expected a JSON object, got ${_describe(config)}`);
    if (!Number.isSafeInteger(maxLength) || maxLength < 3) throw new Error(`MiniLMTokenizer: maxLength must be an integer ≥ 3 ([CLS], a token, [SEP]), got ${_describe(maxLength)}`);
    try {
      this._tok = new Tokenizer(json as never, config as never);
    } catch (e) {
      throw new Error(`${source}: @huggingface/tokenizers cannot build a tokenizer from it (${(e as Error).message})`);
    }
    this.maxLength = maxLength;
  }

  /**
   * Split a sentence into the model's tokens, with [CLS] first and [SEP] last.
   * Errors: a non-string, an empty (or blank) sentence, more than maxLength tokens.
   *
   * @param sentence any text
   * @return { tokens, inputIds, tokenTypeIds }, each of length L ≤ maxLength
   * @example (illustrative) tok.tokenize("He gave her the ball").tokens // returns ["[CLS]", "he", "gave", "her", "the", "ball", "[SEP]"]
   */
  tokenize(sentence: string): MiniLMTokens {
    if (typeof sentence !== "string") {
      const shown = sentence === null ? "null" : Array.isArray(sentence) ? "an array" : `${typeof sentence} ${String(sentence).slice(0, 40)}`;
      throw new Error(`encode needs a sentence (a string), got ${shown}`);
    }
    if (sentence.trim() === "") throw new Error(`the sentence is empty${sentence.length > 0 ? ` (${sentence.length} blank characters)` : ""}: type at least one word`);
    if (sentence.length > 200 * this.maxLength) {
      throw new Error(`the sentence has ${sentence.length} characters; all-MiniLM-L6-v2 takes at most ${this.maxLength} tokens, so at most ${200 * this.maxLength} characters are tokenized`);
    }
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

  /**
   * @deprecated use tokenize(sentence): MiniLMModel.encode runs the whole model, this only splits the sentence.
   * @param sentence any text
   * @return the same as tokenize(sentence)
   */
  encode(sentence: string): MiniLMTokens {
    return this.tokenize(sentence);
  }
}
