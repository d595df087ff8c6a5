/**
 * The tiny model: the fast flat loss equals the readable TinyModel.forward's cross-entropy; its gradient equals
 * central finite differences of the loss (with and without the feed-forward block); removing a head equals zeroing
 * its rows of W^O.
 */
import { describe, expect, it } from "vitest";
import { MultiHeadAttention } from "../../src/math/multi-head";
import { mulberry32 } from "../../src/math/random";
import { _modelFromFlat, _lossAndGrad, _flatModel } from "../../src/train/_flat";
import { evaluate, neighbours, previousToken, sinusoidalPositions, TinyModel } from "../../src/train";
import type { Example } from "../../src/train";
import { maxAbsDiff } from "../math/_fd";

/** Mean cross-entropy and accuracy computed from the readable forward's probabilities. */
function readableLoss(model: TinyModel, examples: Example[], headMask?: number[]): { loss: number; accuracy: number } {
  let sum = 0, n = 0, right = 0;
  for (const ex of examples) {
    const t = model.forward(ex.tokens, { headMask });
    ex.targets.forEach((targets, p) => targets.forEach((c, i) => {
      if (c < 0) return;
      sum -= Math.log(t.probs[p][i][c]);
      n++;
      if (t.predictions[p][i] === c) right++;
    }));
  }
  return { loss: sum / n, accuracy: right / n };
}

const configs = [
  { name: "learned positions, residual", positions: "learned" as const, residual: true, causal: false, feedForward: 0 },
  { name: "sinusoidal positions, no residual, causal", positions: "sinusoidal" as const, residual: false, causal: true, feedForward: 0 },
  { name: "learned positions, residual, feed-forward of width 8", positions: "learned" as const, residual: true, causal: false, feedForward: 8 },
  { name: "sinusoidal positions, no residual, causal, feed-forward of width 5", positions: "sinusoidal" as const, residual: false, causal: true, feedForward: 5 },
];

describe("TinyModel", () => {
  for (const c of configs) {
    it(`${c.name}: the flat loss equals the readable forward's, and the gradient equals finite differences`, () => {
      const task = neighbours({ vocab: 5, length: 5, seed: 2 });
      const random = TinyModel.random({ task, dModel: 6, numHeads: 2, positions: c.positions, residual: c.residual, causal: c.causal, feedForward: c.feedForward, seed: 3 });
      const r0 = mulberry32(11); // non-zero feed-forward biases, so that a dropped or misplaced bias would show
      const ffn = random.params.ffn == null ? null : { ...random.params.ffn, b1: random.params.ffn.b1.map(() => r0() - 0.5), b2: random.params.ffn.b2.map(() => r0() - 0.5) };
      const model = new TinyModel(random.config, { ...random.params, ffn }, random.mha);
      const data = task.examples(4);
      const fm = _flatModel(model);
      expect(fm.theta.length).toBe(model.numParams);
      const grad = new Float64Array(fm.theta.length);
      const r = _lossAndGrad(fm, fm.theta, data, grad);
      const ref = readableLoss(model, data);
      expect(Math.abs(r.loss - ref.loss)).toBeLessThan(1e-12);
      expect(r.correct / r.count).toBe(ref.accuracy);
      let worst = 0;
      for (let i = 0; i < fm.theta.length; i++) { // every parameter
        const o = fm.theta[i];
        fm.theta[i] = o + 1e-6;
        const lp = _lossAndGrad(fm, fm.theta, data, null).loss;
        fm.theta[i] = o - 1e-6;
        const lm = _lossAndGrad(fm, fm.theta, data, null).loss;
        fm.theta[i] = o;
        worst = Math.max(worst, Math.abs((lp - lm) / 2e-6 - grad[i]));
      }
      expect(worst).toBeLessThan(1e-7);
    });
  }

  it("_flatModel and _modelFromFlat round-trip every parameter", () => {
    for (const feedForward of [0, 6]) {
      const model = TinyModel.random({ vocab: 4, length: 3, dModel: 4, numHeads: 2, feedForward, seed: 1 });
      const back = _modelFromFlat(_flatModel(model));
      expect(back.params).toEqual(model.params);
      expect(back.mha.params).toEqual(model.mha.params);
    }
  });

  it("feedForward: 0 is the model without the block, drawn as before; a block adds 2·dModel·H + H + dModel parameters", () => {
    const plain = TinyModel.random({ vocab: 5, length: 4, dModel: 4, numHeads: 2, seed: 2 });
    const zero = TinyModel.random({ vocab: 5, length: 4, dModel: 4, numHeads: 2, feedForward: 0, seed: 2 });
    const withFF = TinyModel.random({ vocab: 5, length: 4, dModel: 4, numHeads: 2, feedForward: 6, seed: 2 });
    expect(zero.params).toEqual(plain.params);
    expect(plain.params.ffn).toBeNull();
    expect(withFF.params.embedding).toEqual(plain.params.embedding); // the block is drawn last
    expect(withFF.mha.params).toEqual(plain.mha.params);
    expect(withFF.numParams - plain.numParams).toBe(2 * 4 * 6 + 6 + 4);
    expect(plain.forward([0, 1, 2]).ffn).toBeNull();
    const t = withFF.forward([0, 1, 2]);
    expect(t.ffn!.pre.map((r) => r.length)).toEqual([6, 6, 6]);
    expect(maxAbsDiff(t.hidden, t.ffn!.input.map((row, i) => row.map((v, j) => v + t.ffn!.output[i][j])))).toBe(0);
  });

  it("sinusoidal positions are fixed and follow PE(pos, 2i) = sin(pos/10000^(2i/d)), PE(pos, 2i+1) = cos(…)", () => {
    const pe = sinusoidalPositions(3, 4);
    expect(pe[2][2]).toBeCloseTo(Math.sin(2 / 100), 15);
    expect(pe[2][3]).toBeCloseTo(Math.cos(2 / 100), 15);
    const m = TinyModel.random({ vocab: 4, length: 3, dModel: 4, numHeads: 2, positions: "sinusoidal" });
    expect(m.params.positions).toEqual(pe);
    expect(m.numParams).toBe(TinyModel.random({ vocab: 4, length: 3, dModel: 4, numHeads: 2 }).numParams - 12);
  });

  it("removing head i (headMask 0) equals zeroing head i's rows of W^O, in evaluate and in forward", () => {
    const task = previousToken({ vocab: 6, length: 6, seed: 1 });
    const model = TinyModel.random({ task, dModel: 8, numHeads: 4, seed: 7 });
    const data = task.examples(20, 9);
    for (let i = 0; i < 4; i++) {
      const headMask = [1, 1, 1, 1].map((_, j) => (j === i ? 0 : 1));
      const p = model.mha.params;
      const dV = model.mha.dV;
      const wO = p.wO.map((row, r) => (Math.floor(r / dV) === i ? row.map(() => 0) : row.slice()));
      const zeroed = new TinyModel(model.config, model.params, new MultiHeadAttention({ ...p, wO }, 4));
      const a = evaluate(model, data, { headMask });
      const b = evaluate(zeroed, data);
      expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-12);
      expect(a.accuracy).toBe(b.accuracy);
      const ta = model.forward(data[0].tokens, { headMask });
      const tb = zeroed.forward(data[0].tokens);
      expect(maxAbsDiff(ta.logits, tb.logits)).toBeLessThan(1e-12);
      expect(Math.abs(readableLoss(model, data, headMask).loss - a.loss)).toBeLessThan(1e-12);
    }
  });

  it("names bad input", () => {
    const model = TinyModel.random({ vocab: 4, length: 3, dModel: 4, numHeads: 2 });
    expect(() => model.forward([0, 4])).toThrow("tokens[1] is 4, not a token id in 0…3");
    expect(() => model.forward([0, 1, 2, 3])).toThrow("tokens has 4 tokens but the model's length is 3");
    expect(() => model.forward([0], { headMask: [1] })).toThrow("headMask must have one entry per head (2), got 1");
    expect(() => TinyModel.random({ vocab: 4, length: 3, dModel: 5, numHeads: 2 })).toThrow("dModel 5 is not divisible by numHeads 2");
    expect(() => TinyModel.random({ vocab: 4, length: 3, dModel: 4, numHeads: 2, feedForward: 1.5 })).toThrow("feedForward must be an integer ≥ 0 (0 for no feed-forward block), got 1.5");
    expect(() => TinyModel.random({ vocab: 4, length: 3, dModel: 4, numHeads: 2, feed_forward: 8 } as never)).toThrow("`feed_forward` is not an option of TinyModel.random; did you mean `feedForward`?");
    const ff = TinyModel.random({ vocab: 4, length: 3, dModel: 4, numHeads: 2, feedForward: 3 });
    expect(() => new TinyModel(ff.config, { ...ff.params, ffn: null }, ff.mha)).toThrow("new TinyModel: config.feedForward is 3 but model.params.ffn is null, not { w1, b1, w2, b2 }");
    expect(() => new TinyModel(model.config, { ...model.params, ffn: ff.params.ffn }, model.mha)).toThrow("model.params.ffn is set but config.feedForward is 0");
    ff.params.ffn!.w2[2][1] = NaN;
    expect(() => ff.forward([0])).toThrow("TinyModel.forward: model.params.ffn.w2[2][1] is NaN; every weight must be a finite number");
    expect(() => evaluate(ff, [{ tokens: [0], targets: [[1]] }])).toThrow("model.params.ffn.w2[2][1] is NaN");
  });
});
