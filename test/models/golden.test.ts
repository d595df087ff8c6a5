/**
 * The whole CausalLM against PyTorch autograd in float64: scripts/golden_blocks.py builds the same model from
 * torch.nn.functional (layer_norm, multi_head_attention_forward with a causal mask, gelu, cross_entropy) with
 * the weights it writes, keyed by CausalLM's parameter names; here those weights are put into θ and the loss,
 * the logits and the gradient of every parameter must agree.
 */
import { describe, expect, it } from "vitest";
import { CausalLM } from "../../src/models";
import { fixtures, maxRelDiff } from "../blocks/_fixtures";

describe("CausalLM against PyTorch autograd (test/blocks/fixtures/causal_lm_*)", () => {
  for (const name of ["causal_lm_attention_only", "causal_lm_feed_forward"]) {
    it(`loss, logits and every parameter's gradient equal torch (${name})`, () => {
      const fx = fixtures[name];
      const { vocab, contextLength, dModel, numHeads, numLayers, feedForward } = fx.sizes as Record<string, number>;
      const shape = CausalLM.random({ vocab, contextLength, dModel, numHeads, numLayers, feedForward });
      const names = shape.parameterNames;
      expect(names.map((p) => p.name).sort()).toEqual(Object.keys(fx.params).sort());
      const theta = new Float64Array(shape.numParams);
      let o = 0;
      for (const p of names) {
        theta.set(fx.params[p.name].data, o);
        o += fx.params[p.name].data.length;
      }
      const model = new CausalLM(shape.config, theta);
      const batch = fx.tokens.tokens as number[][];
      const grad = new Float64Array(model.numParams);
      const r = model.lossAndGrad(batch, grad);
      expect(maxRelDiff([r.loss], fx.outputs.loss.data)).toBeLessThan(1e-12);
      const logits = batch.flatMap((s) => model.forward(s).logits.flat());
      expect(maxRelDiff(logits, fx.outputs.logits.data)).toBeLessThan(1e-12);
      o = 0;
      for (const p of names) {
        const n = fx.params[p.name].data.length;
        expect(maxRelDiff(grad.subarray(o, o + n), fx.grads[p.name].data), p.name).toBeLessThan(1e-12);
        o += n;
      }
    });
  }
});
