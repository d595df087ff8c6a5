/**
 * The tiny model: the fast flat loss equals the readable TinyModel.forward's cross-entropy; its gradient equals
 * central finite differences of the loss; removing a head equals zeroing its rows of W^O.
 */
import { describe, expect, it } from "vitest";
import { MultiHeadAttention } from "../../src/math/multi-head";
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
  { name: "learned positions, residual", positions: "learned" as const, residual: true, causal: false },
  { name: "sinusoidal positions, no residual, causal", positions: "sinusoidal" as const, residual: false, causal: true },
];

describe("TinyModel", () => {
  for (const c of configs) {
    it(`${c.name}: the flat loss equals the readable forward's, and the gradient equals finite differences`, () => {
      const task = neighbours({ vocab: 5, length: 5, seed: 2 });
      const model = TinyModel.random({ task, dModel: 6, numHeads: 2, positions: c.positions, residual: c.residual, causal: c.causal, seed: 3 });
      const data = task.examples(4);
      const fm = _flatModel(model);
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
    const model = TinyModel.random({ vocab: 4, length: 3, dModel: 4, numHeads: 2, seed: 1 });
    const back = _modelFromFlat(_flatModel(model));
    expect(back.params).toEqual(model.params);
    expect(back.mha.params).toEqual(model.mha.params);
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
  });
});
