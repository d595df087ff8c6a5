/**
 * A tiny random chat model for unit tests that need no model file: 2 layers, d = 16, 4 query heads sharing
 * 2 key/value heads (dHead 4), SwiGLU 24, a 64-token context, and a byte-level vocabulary of printable ASCII
 * (space is "Ġ", newline "Ċ") plus <|im_start|> and <|im_end|>, with the SmolLM2 chat template. Seeded.
 */
import { mulberry32 } from "../../src/math/random";
import { ChatModel } from "../../src/llm/chat-model";
import { ChatTokenizer } from "../../src/llm/tokenizer";
import type { ChatModelConfig, ChatWeights } from "../../src/llm/weights";

export const TINY_TEMPLATE =
  "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are tiny.<|im_end|>\\n' }}{% endif %}" +
  "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export function tinyChatModel(seed = 1): ChatModel {
  const tokens = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "Ġ", "Ċ"];
  for (let c = 33; c <= 126; c++) tokens.push(String.fromCharCode(c));
  const metadata = {
    "tokenizer.ggml.model": "gpt2", "tokenizer.ggml.pre": "smollm", "tokenizer.ggml.tokens": tokens,
    "tokenizer.ggml.token_type": tokens.map((_, i) => (i < 3 ? 3 : 1)), "tokenizer.ggml.merges": ["Ġ t", "h e"].filter(() => false),
    "tokenizer.ggml.bos_token_id": 1, "tokenizer.ggml.eos_token_id": 2, "tokenizer.chat_template": TINY_TEMPLATE,
  };
  const c: ChatModelConfig = { numLayers: 2, dModel: 16, numHeads: 4, numKVHeads: 2, dHead: 4, ffnHidden: 24, vocabSize: tokens.length, contextLength: 64, ropeBase: 10000, rmsEps: 1e-5 };
  const rand = mulberry32(seed);
  const r = (n: number, scale = 0.5) => Float64Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
  const ones = (n: number) => Float64Array.from({ length: n }, () => 1 + 0.1 * (rand() - 0.5));
  const d = c.dModel, dKV = c.numKVHeads * c.dHead;
  const weights: ChatWeights = {
    embedding: r(c.vocabSize * d, 1),
    layers: Array.from({ length: c.numLayers }, () => ({
      attnNorm: ones(d), wQ: r(d * d), wK: r(dKV * d), wV: r(dKV * d), wO: r(d * d),
      ffnNorm: ones(d), wGate: r(c.ffnHidden * d), wUp: r(c.ffnHidden * d), wDown: r(d * c.ffnHidden),
    })),
    finalNorm: ones(d),
  };
  return new ChatModel(c, weights, new ChatTokenizer(metadata), "(tiny random model)");
}
