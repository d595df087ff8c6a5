/**
 * Every block's forward and backward against PyTorch autograd in float64: the fixtures in test/blocks/fixtures
 * were written by scripts/golden_blocks.py (.venv-ref/bin/python scripts/golden_blocks.py) from torch.nn.functional
 * and nn.MultiheadAttention; the loss there is sum(output ⊙ G), so the upstream gradient here is G.
 */
import { describe, expect, it } from "vitest";
import {
  Attention, CrossEntropy, Embedding, FeedForward, LayerNorm, LearnedPositions, Linear, Residual,
} from "../../src/blocks";
import type { AttentionParams } from "../../src/blocks";
import { f64, fixtures, maxRelDiff } from "./_fixtures";

const TOL = 1e-12;

describe("blocks against PyTorch autograd (test/blocks/fixtures)", () => {
  it("the script wrote every case", () => {
    expect(Object.keys(fixtures).sort()).toEqual([
      "attention_causal", "attention_cross", "attention_self", "causal_lm_attention_only", "causal_lm_feed_forward",
      "cross_entropy", "embedding", "feed_forward_gelu",
      "feed_forward_relu", "layer_norm", "layer_norm_bert_eps", "linear", "linear_no_bias",
    ]);
  });

  for (const name of ["linear", "linear_no_bias"]) {
    it(`Linear.forward(x, { w, b }) and linearBackward equal torch (${name})`, () => {
      const fx = fixtures[name];
      const { n, dIn, dOut } = fx.sizes as Record<string, number>;
      const p = { w: f64(fx.params.w), b: fx.params.b ? f64(fx.params.b) : null };
      const x = f64(fx.inputs.x);
      expect(maxRelDiff(Linear.forward(x, p, n, dIn, dOut), fx.outputs.y.data)).toBeLessThan(TOL);
      const g = { w: new Float64Array(dIn * dOut), b: p.b ? new Float64Array(dOut) : null };
      const dX = Linear.backward(x, p, f64(fx.G!), g, n, dIn, dOut);
      expect(maxRelDiff(dX, fx.grads.x.data)).toBeLessThan(TOL);
      expect(maxRelDiff(g.w, fx.grads.w.data)).toBeLessThan(TOL);
      if (p.b) expect(maxRelDiff(g.b!, fx.grads.b.data)).toBeLessThan(TOL);
    });
  }

  it("embedding + addPositions and their backward equal torch", () => {
    const fx = fixtures.embedding;
    const { d, B, L, vocab, maxLength } = fx.sizes as Record<string, number>;
    const tokens = (fx.tokens.tokens as number[][]).flat();
    const table = f64(fx.params.table);
    const pos = f64(fx.params.positions);
    const x = LearnedPositions.forward(Embedding.forward(tokens, table, d), pos, B, L, d);
    expect(maxRelDiff(x, fx.outputs.x.data)).toBeLessThan(TOL);
    const dTable = new Float64Array(vocab * d);
    const dPos = new Float64Array(maxLength * d);
    Embedding.backward(tokens, f64(fx.G!), dTable, d);
    LearnedPositions.backward(f64(fx.G!), dPos, B, L, d);
    expect(maxRelDiff(dTable, fx.grads.table.data)).toBeLessThan(TOL);
    expect(maxRelDiff(dPos, fx.grads.positions.data)).toBeLessThan(TOL);
  });

  for (const name of ["layer_norm", "layer_norm_bert_eps"]) {
    it(`layerNorm and layerNormBackward equal torch (${name})`, () => {
      const fx = fixtures[name];
      const { n, d, eps } = fx.sizes as Record<string, number>;
      const p = { gamma: f64(fx.params.gamma), beta: f64(fx.params.beta) };
      const c = LayerNorm.forward(f64(fx.inputs.x), p, n, d, eps);
      expect(maxRelDiff(c.y, fx.outputs.y.data)).toBeLessThan(TOL);
      const g = { gamma: new Float64Array(d), beta: new Float64Array(d) };
      const dX = LayerNorm.backward(c, p, f64(fx.G!), g, n, d);
      expect(maxRelDiff(dX, fx.grads.x.data)).toBeLessThan(TOL);
      expect(maxRelDiff(g.gamma, fx.grads.gamma.data)).toBeLessThan(TOL);
      expect(maxRelDiff(g.beta, fx.grads.beta.data)).toBeLessThan(TOL);
    });
  }

  for (const activation of ["gelu", "relu"] as const) {
    it(`FeedForward.forward(…, "${activation}") and its backward equal torch`, () => {
      const fx = fixtures[`feed_forward_${activation}`];
      const { n, d, hidden } = fx.sizes as Record<string, number>;
      const p = { up: { w: f64(fx.params.upW), b: f64(fx.params.upB) }, down: { w: f64(fx.params.downW), b: f64(fx.params.downB) } };
      const c = FeedForward.forward(f64(fx.inputs.x), p, n, d, hidden, activation);
      expect(maxRelDiff(c.pre, fx.outputs.pre.data)).toBeLessThan(TOL);
      expect(maxRelDiff(c.y, fx.outputs.y.data)).toBeLessThan(TOL);
      const g = { up: { w: new Float64Array(d * hidden), b: new Float64Array(hidden) }, down: { w: new Float64Array(hidden * d), b: new Float64Array(d) } };
      const dX = FeedForward.backward(c, p, f64(fx.G!), g, n, d, hidden, activation);
      expect(maxRelDiff(dX, fx.grads.x.data)).toBeLessThan(TOL);
      expect(maxRelDiff(g.up.w, fx.grads.upW.data)).toBeLessThan(TOL);
      expect(maxRelDiff(g.up.b!, fx.grads.upB.data)).toBeLessThan(TOL);
      expect(maxRelDiff(g.down.w, fx.grads.downW.data)).toBeLessThan(TOL);
      expect(maxRelDiff(g.down.b!, fx.grads.downB.data)).toBeLessThan(TOL);
    });
  }

  for (const role of ["self", "causal", "cross"]) {
    it(`attention in its ${role} role and attentionBackward equal nn.MultiheadAttention`, () => {
      const fx = fixtures[`attention_${role}`];
      const { B, L, S, d, h } = fx.sizes as Record<string, number>;
      const keys = ["wQ", "wK", "wV", "wO", "bQ", "bK", "bV", "bO"] as const;
      const p = Object.fromEntries(keys.map((k) => [k, f64(fx.params[k])])) as unknown as AttentionParams;
      const context = role === "cross" ? f64(fx.inputs.context) : undefined;
      const c = Attention.forward(f64(fx.inputs.x), p, B, L, d, h, { causal: role === "causal", context, contextLength: S });
      expect(maxRelDiff(c.y, fx.outputs.y.data)).toBeLessThan(TOL);
      expect(maxRelDiff(c.weights, fx.outputs.weights.data)).toBeLessThan(TOL);
      const g = Object.fromEntries(keys.map((k) => [k, new Float64Array(p[k]!.length)])) as unknown as AttentionParams;
      const r = Attention.backward(c, p, f64(fx.G!), g);
      expect(maxRelDiff(r.dX, fx.grads.x.data)).toBeLessThan(TOL);
      if (context) expect(maxRelDiff(r.dContext!, fx.grads.context.data)).toBeLessThan(TOL);
      else expect(r.dContext).toBeNull();
      for (const k of keys) expect(maxRelDiff(g[k]!, fx.grads[k].data), k).toBeLessThan(TOL);
    });
  }

  it("crossEntropy (a target of −1 not scored) and its backward equal F.cross_entropy(ignore_index=-1)", () => {
    const fx = fixtures.cross_entropy;
    const { n, C } = fx.sizes as Record<string, number>;
    const c = CrossEntropy.forward(f64(fx.inputs.logits), fx.tokens.targets as number[], n, C);
    expect(c.count).toBe(4);
    expect(maxRelDiff([c.loss], fx.outputs.loss.data)).toBeLessThan(TOL);
    expect(maxRelDiff(CrossEntropy.backward(c, n, C), fx.grads.logits.data)).toBeLessThan(TOL);
  });
});
