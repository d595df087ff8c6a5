/**
 * The chat model's machinery on a tiny random model (test/llm/_tiny.ts; no model file needed): the KV cache equals
 * recomputing the whole sequence, grouped-query attention equals repeating K/V heads, head masks, sampling,
 * and every bad input's error text.
 */
import { describe, expect, it } from "vitest";
import { KVCache } from "../../src/llm/attention";
import { _step } from "../../src/llm/model";
import { sampleNext } from "../../src/llm/sampling";
import { mulberry32 } from "../../src/math/random";
import { tinyChatModel } from "./_tiny";

const model = tinyChatModel();
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe("the KV cache", () => {
  it("decoding token by token with the cache equals recomputing the whole sequence (logits and attention rows)", () => {
    const ids = model.tokenize("Hello there, general").ids;
    const full = model.forward(ids);
    const cache = new KVCache(model.config, ids.length);
    const first = _step(model.config, model.weights, ids.slice(0, 5), cache, { headMask: null, lastOnly: false, trace: true });
    expect(maxDiff(first.logits, full.logits.slice(0, 5).flat())).toBeLessThan(1e-12);
    for (let t = 5; t < ids.length; t++) {
      const r = _step(model.config, model.weights, [ids[t]], cache, { headMask: null, lastOnly: true, trace: true });
      expect(cache.length).toBe(t + 1);
      expect(maxDiff(r.logits, full.logits[t])).toBeLessThan(1e-12);
      for (let l = 0; l < 2; l++) for (let h = 0; h < 4; h++) expect(maxDiff(r.attentions![l][h][0], full.attentions[l][h][t].slice(0, t + 1))).toBeLessThan(1e-12);
    }
  });
  it("generate with the cache gives the ids that greedy recomputation gives", () => {
    const out = model.generate("abc", { maxNewTokens: 8, stop: [] });
    const seq = model.tokenize("abc").ids;
    for (let t = 0; t < 8; t++) {
      const f = model.forward(seq);
      const last = f.logits[f.logits.length - 1];
      seq.push(last.indexOf(Math.max(...last)));
    }
    expect(out.ids).toEqual(seq.slice(3));
    expect(out.finishReason).toBe("length");
  });
  it("grows as it fills: from 16 positions, doubling, it still equals recomputing, and never grows past capacity", () => {
    const ids = Array.from({ length: 60 }, (_, i) => (i * 7 + 3) % model.config.vocabSize);
    const full = model.forward(ids);
    const cache = new KVCache(model.config, 60);
    const width = model.config.numKVHeads * model.config.dHead;
    expect(cache.keys[0].length).toBe(16 * width); // not 60 positions up front
    _step(model.config, model.weights, ids.slice(0, 10), cache, { headMask: null, lastOnly: true, trace: false });
    for (let t = 10; t < ids.length; t++) {
      const r = _step(model.config, model.weights, [ids[t]], cache, { headMask: null, lastOnly: true, trace: false });
      expect(maxDiff(r.logits, full.logits[t])).toBeLessThan(1e-12);
      if (t === 16) expect(cache.values[1].length).toBe(32 * width); // 16 → 32 at the 17th position
    }
    expect(cache.keys[1].length).toBe(60 * width); // 32 → 60 (capped at capacity, not 64)
    expect(() => cache.reserve(61)).toThrow("the cache holds at most 60 positions; 61 were asked for");
  });
  it("its size is 2 × layers × positions × numKVHeads·dHead × 8 bytes", () => {
    expect(new KVCache(model.config, 10).bytes).toBe(2 * 2 * 10 * 2 * 4 * 8);
  });
});

describe("grouped-query attention and head masks", () => {
  it("query heads 2i and 2i+1 share key/value head i: with numKVHeads = numHeads and K/V repeated, nothing changes", () => {
    const c = model.config;
    const w = model.weights;
    const repeat = (m: Float64Array | Float32Array) => { // (numKVHeads·dHead, d) → (numHeads·dHead, d), each K/V head twice (repeat_kv)
      const out = new Float64Array(c.numHeads * c.dHead * c.dModel);
      for (let h = 0; h < c.numHeads; h++) out.set(m.subarray(Math.floor(h / 2) * c.dHead * c.dModel, (Math.floor(h / 2) + 1) * c.dHead * c.dModel), h * c.dHead * c.dModel);
      return out;
    };
    const mha = { ...c, numKVHeads: c.numHeads };
    const wMha = { ...w, layers: w.layers.map((p) => ({ ...p, wK: repeat(p.wK), wV: repeat(p.wV) })) };
    const ids = model.tokenize("grouped query").ids;
    const a = _step(c, w, ids, new KVCache(c, ids.length), { headMask: null, lastOnly: false, trace: true });
    const b = _step(mha, wMha, ids, new KVCache(mha, ids.length), { headMask: null, lastOnly: false, trace: true });
    expect(maxDiff(a.logits, b.logits)).toBeLessThan(1e-12);
  });
  it("headMask 0 zeroes a head's weights and equals zeroing its columns of W_O", () => {
    const ids = model.tokenize("mask me").ids;
    const mask = [[1, 1, 1, 1], [1, 0, 1, 1]];
    const f = model.forward(ids, { headMask: mask });
    expect(f.attentions[1][1].flat().every((v) => v === 0)).toBe(true);
    const c = model.config;
    const wO = model.weights.layers[1].wO.slice();
    for (let r = 0; r < c.dModel; r++) for (let j = 0; j < c.dHead; j++) wO[r * c.dModel + 1 * c.dHead + j] = 0;
    const w2 = { ...model.weights, layers: model.weights.layers.map((p, l) => (l === 1 ? { ...p, wO } : p)) };
    const r = _step(c, w2, ids, new KVCache(c, ids.length), { headMask: null, lastOnly: false, trace: false });
    expect(maxDiff(r.logits, f.logits.flat())).toBeLessThan(1e-12);
  });
});

describe("sampling", () => {
  const logits = Float64Array.of(1, 3, 2, 0);
  it("temperature 0 is argmax; topK 1 is argmax at any temperature", () => {
    expect(sampleNext(logits, { temperature: 0, topK: 0, topP: 1 }, Math.random)).toBe(1);
    expect(sampleNext(logits, { temperature: 5, topK: 1, topP: 1 }, mulberry32(3))).toBe(1);
  });
  it("topP keeps the smallest set reaching p; draws follow softmax(logits / T)", () => {
    const rand = mulberry32(7);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[sampleNext(logits, { temperature: 1, topK: 0, topP: 0.9 }, rand)]++;
    expect(counts[3]).toBe(0); // p(3) = 0.032 is outside the 0.9 nucleus {1, 2, 0}
    const e = [Math.E, Math.E ** 3, Math.E ** 2];
    const z = e[0] + e[1] + e[2];
    expect(counts[1] / 4000).toBeCloseTo(e[1] / z, 1);
  });
  it("the same seed gives the same text", () => {
    const a = model.generate("xyz", { maxNewTokens: 6, temperature: 1, seed: 5, stop: [] });
    const b = model.generate("xyz", { maxNewTokens: 6, temperature: 1, seed: 5, stop: [] });
    expect(a.ids).toEqual(b.ids);
  });
  it("onToken streams every token, in order, and the stop token ends the answer without being included", () => {
    const seen: number[] = [];
    const out = model.generate([{ role: "user", content: "hi" }], { maxNewTokens: 5, onToken: (t) => seen.push(t.id), stop: [] });
    expect(seen).toEqual(out.ids);
    const stopAt = out.ids[2];
    const cut = model.generate([{ role: "user", content: "hi" }], { maxNewTokens: 5, stop: [stopAt] });
    expect(cut.ids).toEqual(out.ids.slice(0, out.ids.indexOf(stopAt)));
    expect(cut.finishReason).toBe("stop");
  });
});

describe("bad input: each error names what was passed", () => {
  const long = "a".repeat(70);
  const cases: [string, () => unknown, string][] = [
    ["empty prompt", () => model.generate(""), "generate: the prompt is empty; pass a text or a list of messages"],
    ["non-string prompt", () => model.generate(42 as never), "generate needs a prompt (a string) or messages ([{ role, content }, …]), got 42"],
    ["prompt longer than the context", () => model.generate(long), "generate: 70 prompt tokens + 64 new ones = 134 is longer than the model's context of 64 tokens"],
    ["prompt + maxNewTokens over the context", () => model.generate("abcdef", { maxNewTokens: 60 }), "generate: 6 prompt tokens + 60 new ones = 66 is longer than the model's context of 64 tokens"],
    ["messages without roles", () => model.generate([{ content: "hi" }] as never), "messages[0].role must be one of system, user, assistant, got undefined"],
    ["empty messages", () => model.generate([]), "messages must be a non-empty array of { role, content }, got an empty array"],
    ["temperature < 0", () => model.generate("a", { temperature: -0.5 }), "generate: temperature must be a number ≥ 0 (0 = greedy), got -0.5"],
    ["temperature NaN", () => model.generate("a", { temperature: NaN }), "generate: temperature must be a number ≥ 0 (0 = greedy), got NaN"],
    ["topP 0", () => model.generate("a", { topP: 0 }), "generate: topP must be in (0, 1], got 0"],
    ["topP > 1", () => model.generate("a", { topP: 1.5 }), "generate: topP must be in (0, 1], got 1.5"],
    ["topK negative", () => model.generate("a", { topK: -1 }), "generate: topK must be an integer ≥ 0 (0 = all tokens), got -1"],
    ["maxNewTokens 0", () => model.generate("a", { maxNewTokens: 0 }), "generate: maxNewTokens must be an integer in 1 … 64 (the context), got 0"],
    ["maxNewTokens 2.5", () => model.generate("a", { maxNewTokens: 2.5 }), "generate: maxNewTokens must be an integer in 1 … 64 (the context), got 2.5"],
    ["maxNewTokens above the context", () => model.generate("a", { maxNewTokens: 65 }), "generate: maxNewTokens must be an integer in 1 … 64 (the context), got 65"],
    ["seed not an integer", () => model.generate("a", { seed: 0.5 }), "generate: seed must be an integer, got 0.5"],
    ["stop not ids", () => model.generate("a", { stop: ["<|im_end|>"] as never }), "generate: stop must be an array of token ids (default [2], <|im_end|>)"],
    ["onToken not a function", () => model.generate("a", { onToken: "print" as never }), 'generate: onToken must be a function, got the string "print"'],
    ["unknown option, misspelt", () => model.generate("a", { max_new_tokens: 3 } as never), 'generate: unknown option "max_new_tokens" (did you mean "maxNewTokens"?)'],
    ["unknown option, alias", () => model.generate("a", { temp: 1 } as never), 'generate: unknown option "temp" (did you mean "temperature"?)'],
    ["unknown option, top_p", () => model.generate("a", { top_p: 0.9 } as never), 'generate: unknown option "top_p" (did you mean "topP"?)'],
    ["options not an object", () => model.generate("a", 5 as never), "generate: options must be an object, got 5"],
    ["forward: not ids", () => model.forward("abc" as never), 'forward needs an array of token ids, got the string "abc"'],
    ["forward: empty", () => model.forward([]), "forward: the ids are empty; pass at least one token id"],
    ["forward: id out of range", () => model.forward([1, 500]), `forward: ids[1] is 500, not a token id in 0 … ${model.config.vocabSize - 1}`],
    ["forward: longer than the context", () => model.forward(new Array(65).fill(3)), "forward: 65 prompt tokens = 65 is longer than the model's context of 64 tokens"],
    ["headMask: wrong rows", () => model.forward([3], { headMask: [[1, 1, 1, 1]] }), "headMask must be (2, 4): one row per layer, one number per head; got 1 rows"],
    ["headMask: wrong row length", () => model.forward([3], { headMask: [[1, 1, 1, 1], [1, 1]] }), "headMask must be (2, 4): one row per layer, one number per head; row 1 is 2 long"],
    ["headMask: not a number", () => model.forward([3], { headMask: [[1, 1, 1, 1], [1, NaN, 1, 1]] }), "headMask[1][1] is NaN, not a finite number"],
    ["forward: unknown option", () => model.forward([3], { head_mask: null } as never), 'forward: unknown option "head_mask" (did you mean "headMask"?)'],
  ];
  for (const [what, f, text] of cases) {
    it(`${what}: ${text.slice(0, 70)}`, () => {
      expect(f).toThrow(text);
    });
  }
});

describe("prefill and next (the KV cache as a learner drives it)", () => {
  it("prefill(ids).next(id) equals forward(ids + [id])'s last logits, and the cache grows by one", () => {
    const ids = model.tokenize("cache me").ids;
    const d = model.prefill(ids);
    expect(d.cache.length).toBe(ids.length);
    const got = d.next(7);
    expect(d.cache.length).toBe(ids.length + 1);
    const f = model.forward([...ids, 7]);
    expect(maxDiff(got, f.logits[f.logits.length - 1])).toBeLessThan(1e-12);
  });
  it("errors: a full cache, a bad capacity, a bad id", () => {
    const d = model.prefill([3, 4], 3);
    d.next(5);
    expect(() => d.next(5)).toThrow("next: the cache is full (3 tokens); prefill with a larger capacity");
    expect(() => model.prefill([3, 4], 1)).toThrow("prefill: capacity must be an integer in 2 … 64, got 1");
    expect(() => model.prefill([3]).next(-1)).toThrow(`next: ids[0] is -1, not a token id in 0 … ${model.config.vocabSize - 1}`);
  });
});
