/**
 * The whole EncoderDecoder against PyTorch autograd in float64: scripts/golden_seq2seq.py builds the same model
 * from torch.nn.functional (layer_norm, multi_head_attention_forward with separate projections, a causal mask for
 * the decoder's self-attention, key_padding_mask for source PAD, relu, cross_entropy with ignore_index = PAD) with the weights it writes, keyed by
 * EncoderDecoder's parameter names; here those weights are put into θ and the loss, the logits, every
 * cross-attention map and the gradient of every parameter must agree.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EncoderDecoder } from "../../src/models";
import type { EncoderDecoderOptions } from "../../src/models";
import { maxRelDiff } from "../blocks/_fixtures";

interface Arr { shape: number[]; data: number[] }
interface Fixture {
  sizes: Record<string, number>;
  tokens: { sources: number[][]; targets: number[][] };
  params: Record<string, Arr>;
  outputs: { loss: Arr; logits: Arr; cross_weights: Arr[] };
  grads: Record<string, Arr>;
}
const load = (name: string): Fixture => JSON.parse(readFileSync(join(__dirname, "../fixtures/seq2seq", `${name}.json`), "utf8"));

describe("EncoderDecoder against PyTorch autograd (test/fixtures/seq2seq)", () => {
  for (const name of ["seq2seq_feed_forward", "seq2seq_attention_only", "seq2seq_additive"]) {
    it(`loss, logits, cross-attention maps and every parameter's gradient equal torch (${name})`, () => {
      const fx = load(name);
      const shape = EncoderDecoder.random({ ...(fx.sizes as unknown as EncoderDecoderOptions), activation: "relu" });
      const names = shape.parameterNames;
      expect(names.map((p) => p.name).sort()).toEqual(Object.keys(fx.params).sort());
      const theta = new Float64Array(shape.numParams);
      let o = 0;
      for (const p of names) {
        expect(fx.params[p.name].shape, p.name).toEqual(p.shape);
        theta.set(fx.params[p.name].data, o);
        o += fx.params[p.name].data.length;
      }
      const model = new EncoderDecoder(shape.config, theta);
      const grad = new Float64Array(model.numParams);
      const r = model.lossAndGrad(fx.tokens, grad);
      expect(maxRelDiff([r.loss], fx.outputs.loss.data)).toBeLessThan(1e-12);
      const traces = fx.tokens.sources.map((s, b) => model.forward(s, fx.tokens.targets[b]));
      expect(maxRelDiff(traces.flatMap((t) => t.logits.flat()), fx.outputs.logits.data)).toBeLessThan(1e-12);
      fx.outputs.cross_weights.forEach((w, l) => {
        expect(maxRelDiff(traces.flatMap((t) => t.attentions.cross[l].flat(2)), w.data), `decoder layer ${l} cross weights`).toBeLessThan(1e-12);
      });
      o = 0;
      for (const p of names) {
        const n = fx.params[p.name].data.length;
        expect(maxRelDiff(grad.subarray(o, o + n), fx.grads[p.name].data), p.name).toBeLessThan(1e-12);
        o += n;
      }
    });
  }

  it("the reference masked the source padding (key_padding_mask) and so do we: every cross weight on a source PAD is exactly 0, and a source's padding changes nothing", () => {
    const fx = load("seq2seq_feed_forward");
    const S = fx.tokens.sources[0].length;
    const padded = fx.tokens.sources.flatMap((s, b) => s.flatMap((t, k) => (t === 0 ? [[b, k]] : [])));
    expect(padded.length).toBeGreaterThan(0); // the fixture has padding to mask
    for (const w of fx.outputs.cross_weights) {
      const [, h, T] = w.shape;
      for (const [b, k] of padded) for (let i = 0; i < h; i++) for (let t = 0; t < T; t++) expect(w.data[((b * h + i) * T + t) * S + k]).toBe(0);
    }
    // the same source with one more or one less PAD at its end gives the same loss (padding is invisible)
    const model = EncoderDecoder.random({ sourceVocab: 6, targetVocab: 7, sourceLength: 6, targetLength: 5, dModel: 8, numHeads: 2, seed: 3 });
    const loss = (source: number[]) => model.evaluate({ sources: [source], targets: [[1, 4, 6, 2]] }).loss;
    expect(loss([3, 4, 5, 0, 0])).toBeCloseTo(loss([3, 4, 5]), 14);
    expect(loss([3, 4, 5, 0, 0, 0])).toBeCloseTo(loss([3, 4, 5]), 14);
  });
});
