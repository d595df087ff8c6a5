/**
 * Early stopping keeps the weights of the lowest validation loss (the true minimum), while its patience
 * counter only resets on an improvement of at least minDelta. The run below is constructed so that every
 * improvement after the first evaluation is smaller than minDelta: patience runs out at the 4th evaluation,
 * yet the loss kept falling, so the best weights are the LAST evaluation's, not the first's.
 */
import { describe, expect, it } from "vitest";
import { evaluate, tasks, TinyModel, train } from "../../src/train";

const copy = tasks.tokenBack({ vocab: 6, length: 6, k: 0, seed: 1 });

describe("train(…, { earlyStopping })", () => {
  it("keeps the weights of the true minimum even when that improvement was below minDelta", () => {
    const minDelta = 1; // far larger than any change in 4 evaluations × 5 steps at lr 0.002
    const r = train(TinyModel.random({ task: copy, dModel: 8, numHeads: 2, seed: 1 }), copy, {
      lr: 0.002, steps: 1000, batchSize: 16, datasetSize: 200, evalEvery: 5, earlyStopping: { patience: 3, minDelta },
    });
    const losses = r.validation.map((v) => v.loss);
    // the construction holds: the loss fell at every evaluation, each time by less than minDelta
    expect(losses).toHaveLength(4);
    for (let i = 1; i < losses.length; i++) {
      expect(losses[i]).toBeLessThan(losses[i - 1]);
      expect(losses[0] - losses[i]).toBeLessThan(minDelta);
    }
    expect(r.stoppedEarly).toBe(true);
    expect(r.steps).toBe(20); // patience 3 ran out after evaluations 2, 3, 4 brought no minDelta improvement
    const min = Math.min(...losses);
    expect(r.bestStep).toBe(r.validation[losses.indexOf(min)].step); // 20, not 5
    expect(r.bestStep).toBe(20);
    // the returned weights ARE the minimum's: evaluated again, they give that loss exactly
    expect(evaluate(r.model, r.data.validation).loss).toBe(min);
  });

  it("with minDelta 0, stops after `patience` evaluations without a new minimum and keeps the minimum", () => {
    const r = train(TinyModel.random({ task: copy, dModel: 8, numHeads: 2, seed: 1 }), copy, {
      lr: 0.05, steps: 2000, batchSize: 16, datasetSize: 200, evalEvery: 10, earlyStopping: { patience: 3 },
    });
    const losses = r.validation.map((v) => v.loss);
    const min = Math.min(...losses);
    const at = losses.indexOf(min);
    expect(r.stoppedEarly).toBe(true);
    expect(losses.length - 1 - at).toBe(3); // exactly patience evaluations after the minimum
    expect(r.bestStep).toBe(r.validation[at].step);
    expect(evaluate(r.model, r.data.validation).loss).toBe(min);
  });
});
