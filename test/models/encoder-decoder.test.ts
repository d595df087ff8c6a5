/**
 * The encoder–decoder: its gradient against finite differences (every parameter), greedy decoding against
 * argmax recomputed on the whole prefix, the properties that define the roles (the encoder never reads the
 * target; the decoder at t never reads target tokens after t; PAD targets are not scored), a batch equal to its
 * pairs one at a time, ablation per role, and every bad input's error text.
 */
import { describe, expect, it } from "vitest";
import { BOS, EOS, EncoderDecoder } from "../../src/models";
import { maxRelDiff, numericGrad } from "../blocks/_fixtures";

const tiny = (over: Record<string, unknown> = {}) => EncoderDecoder.random({
  sourceVocab: 6, targetVocab: 7, sourceLength: 5, targetLength: 6, dModel: 4, numHeads: 2, encoderLayers: 2, decoderLayers: 2,
  feedForward: 6, seed: 3, ...over,
});
const batch = { sources: [[3, 4, 5, 0], [5, 2, 1, 3]], targets: [[1, 4, 6, 2, 0], [1, 3, 2, 0, 0]] };

describe("EncoderDecoder gradient", () => {
  for (const [label, over] of [
    ["2 + 2 layers, ReLU feed-forward", {}],
    ["1 + 1 layers, GELU feed-forward, 1 head", { encoderLayers: 1, decoderLayers: 1, activation: "gelu", numHeads: 1 }],
    ["attention only", { feedForward: 0 }],
    ["additive heads in all three roles", { scoring: "additive", encoderLayers: 1 }],
  ] as const) {
    it(`lossAndGrad equals finite differences of the loss in every parameter (${label})`, () => {
      const m = tiny(over as Record<string, unknown>);
      const g = new Float64Array(m.numParams);
      m.lossAndGrad(batch, g);
      const fd = numericGrad(m.theta, () => m.lossAndGrad(batch).loss);
      expect(maxRelDiff(g, fd)).toBeLessThan(1e-7);
    });
  }

  it("a head removed by a mask gets no gradient in its own W^Q columns (crossHeadMask)", () => {
    const m = tiny({ decoderLayers: 1 });
    const g = new Float64Array(m.numParams);
    m.lossAndGrad(batch, g, { crossHeadMask: [[0, 1]] });
    const names = m.parameterNames;
    let o = 0;
    for (const p of names) {
      if (p.name === "decoder.0.cross.wQ") {
        const w = g.subarray(o, o + 16); // (4, 4): head 1 is columns 0–1
        for (let r = 0; r < 4; r++) {
          expect([w[r * 4], w[r * 4 + 1]]).toEqual([0, 0]);
          expect(Math.abs(w[r * 4 + 2]) + Math.abs(w[r * 4 + 3])).toBeGreaterThan(0);
        }
      }
      o += p.shape.reduce((a, b) => a * b, 1);
    }
  });
});

describe("EncoderDecoder forward", () => {
  it("the encoder never reads the target: every encoder map is the same whatever the target", () => {
    const m = tiny();
    const a = m.forward([3, 4, 5, 1], [1, 4, 6, 2]);
    const b = m.forward([3, 4, 5, 1], [1, 3, 3, 5, 6]);
    expect(b.attentions.encoder).toEqual(a.attentions.encoder);
    expect(maxRelDiff(b.attentions.cross[0][0][0], a.attentions.cross[0][0][0])).toBe(0); // row 0 reads BOS alone
  });

  it("decoder position t never reads target tokens after t (logits and maps of rows ≤ t unchanged)", () => {
    const m = tiny();
    const a = m.forward([3, 4, 5], [1, 4, 6, 2, 5]);
    const b = m.forward([3, 4, 5], [1, 4, 6, 3, 3]);
    expect(b.logits.slice(0, 3)).toEqual(a.logits.slice(0, 3));
    expect(b.attentions.cross.map((l) => l.map((h) => h.slice(0, 3)))).toEqual(a.attentions.cross.map((l) => l.map((h) => h.slice(0, 3))));
    expect(maxRelDiff(b.logits[3], a.logits[3])).toBeGreaterThan(1e-6);
    for (const layer of a.attentions.decoder) for (const A of layer) A.forEach((row, i) => row.forEach((w, j) => { if (j > i) expect(w).toBe(0); }));
  });

  it("changing the source changes every decoder row (cross-attention reads it)", () => {
    const m = tiny();
    const a = m.forward([3, 4, 5], [1, 4, 6]);
    const b = m.forward([3, 4, 2], [1, 4, 6]);
    a.logits.forEach((row, t) => expect(maxRelDiff(b.logits[t], row)).toBeGreaterThan(1e-6));
  });

  it("every map is a distribution: rows sum to 1, shapes (S, S), (T, T), (T, S) per layer and head", () => {
    const t = tiny().forward([3, 4, 5, 1], [1, 4, 6]);
    const shape = (m: number[][]) => [m.length, m[0].length];
    expect(t.attentions.encoder.map((l) => l.map(shape))).toEqual([[[4, 4], [4, 4]], [[4, 4], [4, 4]]]);
    expect(t.attentions.decoder.map((l) => l.map(shape))).toEqual([[[3, 3], [3, 3]], [[3, 3], [3, 3]]]);
    expect(t.attentions.cross.map((l) => l.map(shape))).toEqual([[[3, 4], [3, 4]], [[3, 4], [3, 4]]]);
    for (const role of [t.attentions.encoder, t.attentions.decoder, t.attentions.cross]) {
      for (const row of role.flat(2)) expect(Math.abs(row.reduce((s, w) => s + w, 0) - 1)).toBeLessThan(1e-14);
    }
  });

  it("the loss is the mean of −log p(next) over non-PAD next tokens, computed from forward's own logits", () => {
    const m = tiny();
    const t = m.forward([3, 4, 5, 0], [1, 4, 6, 2, 0]);
    const lse = (z: number[]) => { const mx = Math.max(...z); return Math.log(z.reduce((s, v) => s + Math.exp(v - mx), 0)) + mx; };
    const manual = [4, 6, 2].map((next, i) => lse(t.logits[i]) - t.logits[i][next]);
    expect(maxRelDiff(t.losses.slice(0, 3), manual)).toBeLessThan(1e-14);
    expect(t.losses[3]).toBeNaN();
    expect(t.loss).toBeCloseTo(manual.reduce((a, b) => a + b) / 3, 14);
  });

  it("a batch's loss is the token-weighted mean of its pairs' losses (pairs one at a time)", () => {
    const m = tiny();
    const one = batch.sources.map((s, b) => m.forward(s, batch.targets[b]));
    const scored = one.flatMap((t) => t.losses.filter((x) => !Number.isNaN(x)));
    expect(m.lossAndGrad(batch).loss).toBeCloseTo(scored.reduce((a, b) => a + b) / scored.length, 13);
    expect(m.evaluate(batch).loss).toBeCloseTo(m.lossAndGrad(batch).loss, 14);
  });

  it("attentions(batch) in one batched pass equals forward(source, target).attentions pair by pair", () => {
    const m = tiny();
    const all = m.attentions(batch, { decoderHeadMask: [[1, 0], [1, 1]] });
    batch.sources.forEach((s, b) => {
      const one = m.forward(s, batch.targets[b], { decoderHeadMask: [[1, 0], [1, 1]] }).attentions;
      for (const role of ["encoder", "decoder", "cross"] as const) expect(maxRelDiff(all[b][role].flat(3), one[role].flat(3))).toBeLessThan(1e-14);
    });
  });

  it("a cross-attention head mask of all ones changes nothing; all zeros makes the output independent of the source", () => {
    const m = tiny();
    const ones = [[1, 1], [1, 1]];
    expect(m.forward([3, 4, 5], [1, 4], { crossHeadMask: ones }).logits).toEqual(m.forward([3, 4, 5], [1, 4]).logits);
    const zeros = { crossHeadMask: [[0, 0], [0, 0]] };
    expect(m.forward([3, 4, 5], [1, 4], zeros).logits).toEqual(m.forward([2, 2, 1], [1, 4], zeros).logits);
  });
});

describe("EncoderDecoder.translate (greedy)", () => {
  it("equals argmax step by step, recomputing forward on the whole prefix", () => {
    const m = tiny({ targetLength: 6 });
    const sources = [[3, 4, 5, 0], [5, 2, 1, 3], [1, 1, 1, 1]];
    const got = m.translate(sources);
    sources.forEach((src, b) => {
      const seq = [BOS];
      while (seq.length < 6) {
        const z = m.forward(src, seq).logits[seq.length - 1];
        const next = z.indexOf(Math.max(...z));
        seq.push(next);
        if (next === EOS) break;
      }
      expect(got[b].tokens).toEqual(seq);
      expect(got[b].finished).toBe(seq[seq.length - 1] === EOS);
      expect(got[b].words).toEqual(seq.slice(1).filter((t) => t !== EOS));
    });
  });
});

describe("EncoderDecoder errors name what was passed", () => {
  const m = tiny();
  it.each([
    ["a source longer than sourceLength", () => m.forward([1, 2, 3, 4, 5, 1], [1, 2]), "EncoderDecoder.forward: source has 6 tokens but the model's longest source is 5 (sourceLength)"],
    ["a target longer than targetLength", () => m.lossAndGrad({ sources: [[1]], targets: [[1, 3, 3, 3, 3, 3, 2]] }), "EncoderDecoder.lossAndGrad: targets[0] has 7 tokens but the model's longest target is 6 (targetLength)"],
    ["a source token out of range", () => m.forward([3, 9], [1, 2]), "EncoderDecoder.forward: source[1] is 9, not a token id in 0…5 (the model's source vocab is 6)"],
    ["a target token out of range", () => m.lossAndGrad({ sources: [[1], [2]], targets: [[1, 2], [1, -1]] }), "EncoderDecoder.lossAndGrad: targets[1][1] is -1, not a token id in 0…6 (the model's target vocab is 7)"],
    ["mismatched batch sizes", () => m.lossAndGrad({ sources: [[1], [2]], targets: [[1, 2]] }), "EncoderDecoder.lossAndGrad: sources has 2 sentences but targets has 1; each source needs its target"],
    ["sources of different lengths", () => m.evaluate({ sources: [[1, 2], [2]], targets: [[1, 2], [1, 2]] }), "EncoderDecoder.evaluate: sources[1] has 1 tokens but sources[0] has 2; all sequences of a batch must be equally long"],
    ["a target without BOS", () => m.lossAndGrad({ sources: [[1]], targets: [[3, 2]] }), "EncoderDecoder.lossAndGrad: targets[0] starts with 3, not BOS (1): the decoder reads [BOS y₁ … EOS]"],
    ["a one-token target in training", () => m.lossAndGrad({ sources: [[1]], targets: [[1]] }), "EncoderDecoder.lossAndGrad: targets[0] has 1 token; teacher forcing needs at least 2"],
    ["a head mask with the wrong number of layers", () => m.forward([1], [1], { crossHeadMask: [[1, 1]] }), "EncoderDecoder.forward: crossHeadMask must be (2 layers, 2 heads): one row per layer, got an array of 1"],
    ["an unknown option key", () => m.forward([1], [1], { cross_head_mask: [[1, 1], [1, 1]] } as never), "`cross_head_mask` is not an option of EncoderDecoder.forward; did you mean `crossHeadMask`?"],
    ["an option key too far from any", () => m.forward([1], [1], { crossMask: [[1, 1], [1, 1]] } as never), "`crossMask` is not an option of EncoderDecoder.forward; the options are `encoderHeadMask`, `decoderHeadMask`, `crossHeadMask`"],
    ["an unknown scoring", () => tiny({ scoring: "bilinear" }), 'scoring must be "dot" or "additive", got the string "bilinear"'],
    ["an unknown model option", () => tiny({ numLayer: 2 }), "`numLayer` is not an option of EncoderDecoder.random"],
    ["dModel not divisible by numHeads", () => tiny({ numHeads: 3 }), "dModel 4 is not divisible by numHeads 3: each head gets dModel/numHeads columns"],
    ["a grad of the wrong size", () => m.lossAndGrad(batch, new Float64Array(3)), "EncoderDecoder.lossAndGrad: grad must be a Float64Array of"],
  ])("%s", (_, f, text) => {
    expect(f).toThrow(text);
  });
});
