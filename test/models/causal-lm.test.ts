/**
 * The causal language model: its gradient against finite differences (every parameter), the causal mask
 * (a later token never changes an earlier prediction), a batch equal to its sequences one at a time,
 * ablation, generation, and every bad input's error text.
 */
import { describe, expect, it } from "vitest";
import { CausalLM } from "../../src/models";
import { maxRelDiff, numericGrad } from "../blocks/_fixtures";

const tiny = (over: Record<string, unknown> = {}) =>
  CausalLM.random({ vocab: 5, contextLength: 6, dModel: 4, numHeads: 2, numLayers: 2, seed: 3, ...over });

describe("CausalLM gradient", () => {
  for (const [label, over] of [
    ["attention-only with LayerNorm", {}],
    ["with a GELU feed-forward and attention biases", { feedForward: 6, bias: true }],
    ["with a ReLU feed-forward, no LayerNorm, no positions", { feedForward: 6, activation: "relu", layerNorm: false, positions: "none" }],
  ] as const) {
    it(`lossAndGrad equals finite differences of the loss in every parameter (${label})`, () => {
      const m = tiny(over as Record<string, unknown>);
      const batch = [[0, 1, 2, 3, 1], [4, 4, 0, 2, 3]];
      const g = new Float64Array(m.numParams);
      m.lossAndGrad(batch, g);
      const fd = numericGrad(m.theta, () => m.lossAndGrad(batch).loss);
      expect(maxRelDiff(g, fd)).toBeLessThan(1e-7);
    });
  }

  it("lossAndGrad ADDS into grad (two calls give twice the gradient)", () => {
    const m = tiny();
    const g1 = new Float64Array(m.numParams);
    m.lossAndGrad([[0, 1, 2]], g1);
    const g2 = new Float64Array(m.numParams);
    m.lossAndGrad([[0, 1, 2]], g2);
    m.lossAndGrad([[0, 1, 2]], g2);
    expect(maxRelDiff(g2, g1.map((x) => 2 * x))).toBeLessThan(1e-15);
  });
});

describe("CausalLM forward", () => {
  it("a later token never changes an earlier prediction (the causal mask)", () => {
    const m = tiny({ feedForward: 6 });
    const a = m.forward([0, 1, 2, 3, 4]);
    const b = m.forward([0, 1, 2, 0, 0]);
    expect(b.logits.slice(0, 3)).toEqual(a.logits.slice(0, 3));
    expect(maxRelDiff(b.logits[4], a.logits[4])).toBeGreaterThan(1e-6);
    for (const layer of a.attentions) for (const A of layer) A.forEach((row, i) => row.forEach((w, j) => { if (j > i) expect(w).toBe(0); }));
  });

  it("forward's loss is the mean of −log p(next token), computed from its own logits", () => {
    const m = tiny();
    const t = m.forward([3, 1, 4, 1]);
    const manual = [1, 4, 1].map((next, i) => {
      const z = t.logits[i];
      const max = Math.max(...z);
      return Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0)) + max - z[next];
    });
    expect(maxRelDiff(t.losses, manual)).toBeLessThan(1e-14);
    expect(t.loss).toBeCloseTo(manual.reduce((a, b) => a + b) / 3, 14);
  });

  it("a batch equals its sequences one at a time; evaluate equals lossAndGrad's loss", () => {
    const m = tiny();
    const seqs = [[0, 1, 2, 3], [4, 3, 2, 1], [1, 1, 1, 1]];
    const batch = m.lossAndGrad(seqs);
    seqs.forEach((s, b) => expect(maxRelDiff(batch.losses[b], m.forward(s).losses)).toBeLessThan(1e-14));
    expect(m.evaluate(seqs).loss).toBeCloseTo(batch.loss, 14);
  });

  it("headMask 0 removes a head: its output no longer reaches the logits; all ones changes nothing", () => {
    const m = tiny();
    const s = [0, 1, 2, 3, 4];
    expect(m.forward(s, { headMask: [[1, 1], [1, 1]] }).logits).toEqual(m.forward(s).logits);
    const off = m.forward(s, { headMask: [[1, 1], [0, 1]] });
    expect(maxRelDiff(off.logits[4], m.forward(s).logits[4])).toBeGreaterThan(1e-6);
    // layer 2 is the last: removing head 1 there equals zeroing its rows of W^O
    const z = m.clone();
    const wO = z.parameterNames.findIndex((p) => p.name === "layers.1.attn.wO");
    const offset = z.parameterNames.slice(0, wO).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
    z.theta.fill(0, offset, offset + 2 * 4); // head 1 owns rows 0 … dK − 1 = 0 … 1 (2 rows of 4)
    expect(maxRelDiff(z.forward(s).logits.flat(), off.logits.flat())).toBeLessThan(1e-14);
  });

  it("keyHeadMask changes only what later layers' keys read: the removed head's own layer is unchanged", () => {
    const m = tiny();
    const s = [0, 1, 2, 3, 4, 0];
    const full = m.forward(s);
    const k = m.forward(s, { keyHeadMask: [[0, 1], [1, 1]] });
    expect(k.attentions[0]).toEqual(full.attentions[0]);
    expect(maxRelDiff(k.attentions[1].flat(2), full.attentions[1].flat(2))).toBeGreaterThan(1e-6);
    // with the head removed everywhere instead, layer 2's keys AND queries/values change: a different result
    const everywhere = m.forward(s, { headMask: [[0, 1], [1, 1]] });
    expect(maxRelDiff(everywhere.logits.flat(), k.logits.flat())).toBeGreaterThan(1e-6);
    // removing nothing from the keys changes nothing
    expect(m.forward(s, { keyHeadMask: [[1, 1], [1, 1]] }).logits).toEqual(full.logits);
  });

  it("numParams counts every parameter (1 layer, attention-only, LayerNorm, learned positions)", () => {
    const m = CausalLM.random({ vocab: 5, contextLength: 4, dModel: 8, numHeads: 2, numLayers: 1 });
    expect(m.numParams).toBe(5 * 8 + 4 * 8 + 2 * 8 + 4 * 64 + 2 * 8 + 8 * 5);
  });
});

describe("CausalLM.generate", () => {
  const m = tiny();
  it("greedy appends the argmax of the last position's logits, one token at a time", () => {
    const g = m.generate([0, 1], { maxNewTokens: 3 });
    expect(g.tokens.slice(0, 2)).toEqual([0, 1]);
    expect(g.newTokens).toHaveLength(3);
    let seq = [0, 1];
    for (let k = 0; k < 3; k++) {
      const last = m.forward(seq).logits[seq.length - 1];
      seq = [...seq, last.indexOf(Math.max(...last))];
    }
    expect(g.tokens).toEqual(seq);
  });

  it("crops the context to contextLength when the sequence grows past it", () => {
    const g = m.generate([0, 1, 2, 3, 4, 0], { maxNewTokens: 2 });
    const last = m.forward(g.tokens.slice(1, 7)).logits[5];
    expect(g.tokens[7]).toBe(last.indexOf(Math.max(...last)));
  });

  it("sampling is seeded: the same seed gives the same tokens, topK 1 equals greedy", () => {
    const a = m.generate([2], { maxNewTokens: 8, sample: true, seed: 5 });
    expect(m.generate([2], { maxNewTokens: 8, sample: true, seed: 5 })).toEqual(a);
    expect(m.generate([2], { maxNewTokens: 8, sample: true, topK: 1, seed: 9 })).toEqual(m.generate([2], { maxNewTokens: 8 }));
    const draws = new Set(Array.from({ length: 20 }, (_, s) => m.generate([2], { maxNewTokens: 4, sample: true, temperature: 5, seed: s }).newTokens.join()));
    expect(draws.size).toBeGreaterThan(5);
  });
});

describe("bad input is an error that names it", () => {
  const m = tiny();
  const cases: [string, () => unknown, string][] = [
    ["empty prompt", () => m.generate([], { maxNewTokens: 2 }), "CausalLM.generate: prompt must be a non-empty array of token ids, got an empty array"],
    ["prompt longer than the context", () => m.generate([0, 1, 2, 3, 4, 0, 1], { maxNewTokens: 2 }), "CausalLM.generate: prompt has 7 tokens but the model's context is 6 (contextLength)"],
    ["token out of range", () => m.generate([0, 5], { maxNewTokens: 2 }), "CausalLM.generate: prompt[1] is 5, not a token id in 0…4 (the model's vocab is 5)"],
    ["token not an integer", () => m.generate([0.5], { maxNewTokens: 2 }), "CausalLM.generate: prompt[0] is 0.5, not a token id in 0…4 (the model's vocab is 5)"],
    ["temperature 0 with sampling", () => m.generate([0], { maxNewTokens: 2, sample: true, temperature: 0 }), "CausalLM.generate: temperature must be a finite number > 0 when sampling, got 0; for the most likely token every time, use sample: false (greedy)"],
    ["negative temperature", () => m.generate([0], { maxNewTokens: 2, sample: true, temperature: -1 }), "temperature must be a finite number > 0 when sampling, got -1"],
    ["temperature without sampling", () => m.generate([0], { maxNewTokens: 2, temperature: 0.5 }), "CausalLM.generate: temperature only applies with sample: true (greedy takes the most likely token)"],
    ["maxNewTokens 0", () => m.generate([0], { maxNewTokens: 0 }), "CausalLM.generate: maxNewTokens must be a positive integer, got 0"],
    ["maxNewTokens 2.5", () => m.generate([0], { maxNewTokens: 2.5 }), "CausalLM.generate: maxNewTokens must be a positive integer, got 2.5"],
    ["maxNewTokens missing", () => m.generate([0], {} as never), "CausalLM.generate needs `maxNewTokens`"],
    ["unknown option", () => m.generate([0], { maxNewTokens: 2, max_new_tokens: 3 } as never), "`max_new_tokens` is not an option of CausalLM.generate; did you mean `maxNewTokens`?"],
    ["misspelt option", () => m.generate([0], { maxNewTokens: 2, temprature: 3 } as never), "`temprature` is not an option of CausalLM.generate; did you mean `temperature`?"],
    ["topK out of range", () => m.generate([0], { maxNewTokens: 2, sample: true, topK: 6 }), "CausalLM.generate: topK must be an integer in 1…5 (the vocab), got 6"],
    ["unequal batch", () => m.lossAndGrad([[0, 1], [0, 1, 2]]), "CausalLM.lossAndGrad: batch[1] has 3 tokens but batch[0] has 2; all sequences of a batch must be equally long"],
    ["a one-token batch", () => m.lossAndGrad([[0]]), "CausalLM.lossAndGrad: batch[0] has 1 token; a next-token loss needs at least 2"],
    ["wrong gradient buffer", () => m.lossAndGrad([[0, 1]], new Float64Array(3)), `CausalLM.lossAndGrad: grad must be a Float64Array of ${m.numParams} numbers (the model's θ), got 3`],
    ["headMask of the wrong shape", () => m.forward([0, 1], { headMask: [[1, 1]] }), "CausalLM.forward: headMask must be (2 layers, 2 heads): one row per layer, got an array of 1"],
    ["headMask with NaN", () => m.forward([0, 1], { headMask: [[1, 1], [1, NaN]] }), "CausalLM.forward: headMask[1][1] is NaN, not a finite number"],
    ["unknown forward option", () => m.forward([0, 1], { head_mask: [] } as never), "`head_mask` is not an option of CausalLM.forward; did you mean `headMask`?"],
    ["unknown model option", () => CausalLM.random({ vocab: 5, contextLength: 4, dModel: 8, numHeads: 2, numLayer: 2 } as never), "`numLayer` is not an option of CausalLM.random; did you mean `numLayers`?"],
    ["dModel not divisible", () => CausalLM.random({ vocab: 5, contextLength: 4, dModel: 6, numHeads: 4 }), "dModel 6 is not divisible by numHeads 4: each head gets dModel/numHeads columns"],
    ["vocab missing", () => CausalLM.random({ contextLength: 4, dModel: 8, numHeads: 2 } as never), "CausalLM.random needs `vocab`"],
  ];
  for (const [what, call, text] of cases) it(what, () => expect(call).toThrow(text));
});
