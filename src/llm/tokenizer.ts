/**
 * The chat model's tokenizer and chat template, both from the GGUF file's own metadata:
 *   - tokenizer.ggml.tokens / token_type / merges become a tokenizer.json (byte-level BPE; llama.cpp's "smollm"
 *     pre-tokenizer = every digit alone, then GPT-2's byte-level split) run by @huggingface/tokenizers, not a
 *     hand-written BPE;
 *   - tokenizer.chat_template (Jinja) is rendered by @huggingface/jinja, not re-typed.
 *
 * Dependencies: @huggingface/tokenizers 0.2.0, @huggingface/jinja 0.5.11, ./gguf (types).
 */
import { Template } from "@huggingface/jinja";
import { Tokenizer } from "@huggingface/tokenizers";
import { _describe } from "../math/_describe";
import type { GgufValue } from "./gguf";

/** One chat message. */
export interface ChatMessage {
  /** "system", "user" or "assistant" */ role: string;
  content: string;
}

/** A tokenized text. */
export interface ChatTokens {
  /** (L,) vocabulary ids */ ids: number[];
  /** (L,) the tokens as text (byte-level BPE pieces decoded one by one: "Ġ" shows as a space) */ tokens: string[];
}

interface _Tok {
  encode(text: string, options: { add_special_tokens: boolean }): { ids: number[] };
  decode(ids: number[], options: { skip_special_tokens: boolean }): string;
}

const TOKEN_TYPE_CONTROL = 3;
const TOKEN_TYPE_USER_DEFINED = 4;

/** A string array from the metadata, or an error naming the key. */
function _strings(metadata: Record<string, GgufValue>, key: string): string[] {
  const v = metadata[key];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw new Error(`the GGUF file has no ${key} (a list of strings): it carries no tokenizer`);
  return v as string[];
}

/**
 * The tokenizer.json that @huggingface/tokenizers reads, made from a GGUF file's gpt2-style tokenizer metadata.
 * @param metadata the file's metadata (tokenizer.ggml.*)
 * @return a tokenizer.json object: BPE model with the file's vocabulary and merges, its control tokens as special
 *   added tokens, digits split one by one, byte-level pre-tokenizer and decoder
 * @example (illustrative) tokenizerJsonFromGguf(h.metadata).model.merges[0] // returns "Ġ t"
 */
export function tokenizerJsonFromGguf(metadata: Record<string, GgufValue>): Record<string, unknown> {
  const kind = metadata["tokenizer.ggml.model"];
  if (kind !== "gpt2") throw new Error(`the GGUF file's tokenizer is ${JSON.stringify(kind)}; only the byte-level BPE "gpt2" kind is supported`);
  const tokens = _strings(metadata, "tokenizer.ggml.tokens");
  const merges = _strings(metadata, "tokenizer.ggml.merges");
  const types = metadata["tokenizer.ggml.token_type"];
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => (vocab[t] = i));
  const added = tokens
    .map((content, id) => ({ content, id, type: Array.isArray(types) ? Number(types[id]) : 1 }))
    .filter((t) => t.type === TOKEN_TYPE_CONTROL || t.type === TOKEN_TYPE_USER_DEFINED)
    .map(({ content, id, type }) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: type === TOKEN_TYPE_CONTROL }));
  const pre = metadata["tokenizer.ggml.pre"];
  const byteLevel = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: "1.0",
    added_tokens: added,
    normalizer: null,
    // llama.cpp's "smollm" (and "starcoder", "refact") pre-tokenizers split every digit alone first
    pre_tokenizer: ["smollm", "starcoder", "refact"].includes(String(pre))
      ? { type: "Sequence", pretokenizers: [{ type: "Digits", individual_digits: true }, byteLevel] }
      : byteLevel,
    post_processor: null,
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges },
  };
}

/** The tokenizer and chat template of a GGUF chat model. */
export class ChatTokenizer {
  /** vocabulary size */ readonly vocabSize: number;
  /** the token strings by id, as stored (byte-level: "Ġ" is a space) */ readonly vocab: readonly string[];
  /** id of the end-of-sequence token (tokenizer.ggml.eos_token_id; SmolLM2: <|im_end|>, the end of a turn) */ readonly eosId: number;
  /** id of the beginning-of-sequence token (not added: add_bos_token is false) */ readonly bosId: number;
  private readonly _tok: _Tok; // a local type, so our .d.ts does not pull in the library's types
  private readonly _template: Template | null;

  /** @param metadata a GGUF file's metadata */
  constructor(metadata: Record<string, GgufValue>) {
    this._tok = new Tokenizer(tokenizerJsonFromGguf(metadata), { add_bos_token: false, add_eos_token: false }) as unknown as _Tok;
    this.vocab = _strings(metadata, "tokenizer.ggml.tokens");
    this.vocabSize = this.vocab.length;
    this.eosId = Number(metadata["tokenizer.ggml.eos_token_id"] ?? -1);
    this.bosId = Number(metadata["tokenizer.ggml.bos_token_id"] ?? -1);
    const t = metadata["tokenizer.chat_template"];
    this._template = typeof t === "string" ? new Template(t) : null;
  }

  /**
   * Split a text into the model's tokens. No BOS is added (the file says add_bos_token false); control tokens
   * written in the text (<|im_start|>, <|im_end|>) become their single ids.
   * @param text any non-empty string
   * @return { ids, tokens }, each (L,)
   * @example (illustrative) tok.tokenize("Hello world") // returns { ids: [19556, 905], tokens: ["Hello", " world"] }
   */
  tokenize(text: string): ChatTokens {
    if (typeof text !== "string") throw new Error(`tokenize needs a string, got ${_describe(text)}`);
    if (text.length === 0) throw new Error("tokenize: the text is empty; type at least one character");
    const ids = this._tok.encode(text, { add_special_tokens: false }).ids.slice();
    return { ids, tokens: ids.map((id) => this.tokenText(id)) };
  }

  /** One token as text (its bytes decoded; a piece of a multi-byte character shows as �). */
  tokenText(id: number): string {
    return this._tok.decode([id], { skip_special_tokens: false });
  }

  /**
   * The text of a list of ids (special tokens kept).
   * @param ids vocabulary ids
   * @example (illustrative) tok.detokenize([19556, 905]) // returns "Hello world"
   */
  detokenize(ids: number[]): string {
    if (!Array.isArray(ids)) throw new Error(`detokenize needs an array of token ids, got ${_describe(ids)}`);
    ids.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) throw new Error(`detokenize: ids[${i}] is ${String(id)}, not a token id in 0 … ${this.vocabSize - 1}`);
    });
    return this._tok.decode(ids, { skip_special_tokens: false });
  }

  /**
   * The prompt text of a conversation: the file's chat template with the assistant's turn opened, as
   * transformers' apply_chat_template(messages, add_generation_prompt=True) gives.
   * @param messages [{ role, content }, …], at least one
   * @example (illustrative) tok.chatPrompt([{ role: "user", content: "Hi" }])
   *   // returns "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
   */
  chatPrompt(messages: ChatMessage[]): string {
    if (this._template === null) throw new Error("the GGUF file has no tokenizer.chat_template: use a plain text prompt");
    checkMessages(messages);
    return this._template.render({ messages, add_generation_prompt: true, bos_token: this.vocab[this.bosId] ?? "", eos_token: this.vocab[this.eosId] ?? "" });
  }
}

const ROLES = ["system", "user", "assistant"];

/** Throws an error naming the message and field when `messages` is not a non-empty list of { role, content }. */
export function checkMessages(messages: unknown): asserts messages is ChatMessage[] {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new Error(`messages must be a non-empty array of { role, content }, got ${Array.isArray(messages) ? "an empty array" : _describe(messages)}`);
  }
  messages.forEach((m, i) => {
    if (m === null || typeof m !== "object" || Array.isArray(m)) throw new Error(`messages[${i}] must be an object { role, content }, got ${_describe(m)}`);
    const { role, content } = m as Record<string, unknown>;
    if (typeof role !== "string" || !ROLES.includes(role)) throw new Error(`messages[${i}].role must be one of ${ROLES.join(", ")}, got ${_describe(role)}`);
    if (typeof content !== "string") throw new Error(`messages[${i}].content must be a string, got ${_describe(content)}`);
    const extra = Object.keys(m as object).filter((k) => k !== "role" && k !== "content");
    if (extra.length > 0) throw new Error(`messages[${i}] has unknown key ${JSON.stringify(extra[0])} (a message is { role, content })`);
  });
}
