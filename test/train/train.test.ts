/**
 * The training loop: it reduces the loss on a task a single linear map solves, it is deterministic,
 * snapshots, early stopping, progress and ablation work, and bad options name themselves.
 */
import { describe, expect, it } from "vitest";
import { ablationTable, adam, evaluate, sgd, stepper, tasks, TinyModel, train } from "../../src/train";

const copy = tasks.tokenBack({ vocab: 6, length: 6, k: 0, seed: 1 }); // x_i → x_i: embedding + residual + read-out

describe("train(model, task, options)", () => {
  it("reduces the loss on a task a single linear map solves (copy the current token), with Adam and with SGD", () => {
    for (const optimizer of ["adam", "sgd"] as const) {
      const model = TinyModel.random({ task: copy, dModel: 8, numHeads: 2, seed: 1 });
      const before = evaluate(model, copy.examples(200, 77));
      const r = train(model, copy, { optimizer, lr: optimizer === "adam" ? 0.02 : 0.5, steps: 150, batchSize: 16, datasetSize: 400 });
      const after = evaluate(r.model, copy.examples(200, 77));
      expect(after.loss, optimizer).toBeLessThan(before.loss / 4);
      expect(after.accuracy, optimizer).toBeGreaterThan(0.95);
      expect(r.history).toHaveLength(150);
      expect(r.history[149].loss).toBeLessThan(r.history[0].loss);
    }
  });

  it("the same seed gives the same loss curve; another batch seed another", () => {
    const run = (seed: number) => train(TinyModel.random({ task: copy, dModel: 8, numHeads: 2, seed: 2 }), copy,
      { steps: 40, batchSize: 8, datasetSize: 100, seed }).history.map((h) => h.loss);
    const a = run(0);
    expect(run(0)).toEqual(a);
    expect(run(1)).not.toEqual(a);
  });

  it("does not change the model passed in", () => {
    const model = TinyModel.random({ task: copy, dModel: 8, numHeads: 2, seed: 2 });
    const before = JSON.stringify([model.params, model.mha.params]);
    train(model, copy, { steps: 5, batchSize: 4, datasetSize: 20 });
    expect(JSON.stringify([model.params, model.mha.params])).toBe(before);
  });

  it("records snapshots of every head's attention on the probe at the chosen steps", () => {
    const task = tasks.previousToken({ vocab: 6, length: 5, seed: 1 });
    const r = train(TinyModel.random({ task, dModel: 8, numHeads: 2, seed: 1 }), task,
      { steps: 20, batchSize: 8, datasetSize: 50, snapshotSteps: [0, 10, 20], probe: [0, 1, 2, 3, 4] });
    expect(r.snapshots.map((s) => s.step)).toEqual([0, 10, 20]);
    for (const s of r.snapshots) {
      expect(s.tokens).toEqual([0, 1, 2, 3, 4]);
      expect(s.weights).toHaveLength(2);
      for (const w of s.weights) {
        expect(w).toHaveLength(5);
        for (const row of w) expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
      }
    }
    expect(r.snapshots[0].weights).not.toEqual(r.snapshots[2].weights);
    // the last snapshot is the returned model's own attention on the probe
    expect(r.snapshots[2].weights).toEqual(r.model.forward([0, 1, 2, 3, 4]).attention.weights);
  });

  it("early stopping stops when the validation loss stalls and returns the best weights", () => {
    const r = train(TinyModel.random({ task: copy, dModel: 8, numHeads: 2, seed: 1 }), copy, {
      lr: 0.05, steps: 2000, batchSize: 16, datasetSize: 200, evalEvery: 10, earlyStopping: { patience: 3, minDelta: 1e-3 },
    });
    expect(r.stoppedEarly).toBe(true);
    expect(r.steps).toBeLessThan(2000);
    const best = r.validation.find((v) => v.step === r.bestStep)!;
    expect(best.loss).toBe(Math.min(...r.validation.map((v) => v.loss)));
    expect(Math.abs(evaluate(r.model, r.data.validation).loss - best.loss)).toBeLessThan(1e-12);
  });

  it("calls onProgress every progressEvery steps and at the end", () => {
    const seen: number[] = [];
    train(TinyModel.random({ task: copy, dModel: 8, numHeads: 2 }), copy,
      { steps: 25, batchSize: 4, datasetSize: 40, progressEvery: 10, onProgress: (p) => seen.push(p.step) });
    expect(seen).toEqual([10, 20, 25]);
  });

  it("accepts an optimizer object", () => {
    expect(train(TinyModel.random({ task: copy, dModel: 8, numHeads: 2 }), copy,
      { optimizer: sgd({ lr: 0.1, momentum: 0.9 }), steps: 3, batchSize: 4, datasetSize: 20 }).steps).toBe(3);
    expect(adam({ lr: 0.5 }).lr).toBe(0.5);
  });

  it("names bad input", () => {
    const model = TinyModel.random({ task: copy, dModel: 8, numHeads: 2 });
    const wide = tasks.neighbours({ vocab: 6, length: 6 });
    expect(() => train(model, wide)).toThrow(
      "task neighbours (vocab 6, length 6, 6 classes, 2 parts) does not fit the model (vocab 6, length 6, 6 classes, 1 parts)",
    );
    expect(() => train(model, copy, { steps: -1 })).toThrow("steps must be an integer ≥ 0, got -1");
    expect(() => train(model, copy, { validationFraction: 1 })).toThrow("validationFraction must be a number in (0, 1), got 1");
    expect(() => train(model, copy, { optimizer: "rmsprop" as never })).toThrow('optimizer must be "adam", "sgd", adam()/sgd(), or an object { name, lr, step(theta, grad) }, got the string "rmsprop"');
    expect(() => train(model, copy, { probe: [9] })).toThrow("probe[0] is 9, not a token id in 0…5");
  });
});

describe("stepper(model, options)", () => {
  it("step(batch) returns the loss before the update, lowers it, and evaluate() equals evaluate(stepper.model())", () => {
    const model = TinyModel.random({ task: copy, dModel: 8, numHeads: 2, seed: 4 });
    const s = stepper(model, { lr: 0.05 });
    const batch = copy.examples(16, 3);
    const first = s.step(batch);
    expect(first.loss).toBeCloseTo(evaluate(model, batch).loss, 12);
    for (let i = 0; i < 20; i++) s.step(batch);
    expect(s.step(batch).loss).toBeLessThan(first.loss);
    expect(s.evaluate(batch, { headMask: [0, 1] })).toEqual(evaluate(s.model(), batch, { headMask: [0, 1] }));
    expect(() => s.step([])).toThrow("stepper().step: batch must be a non-empty array of { tokens, targets }, got an empty array");
  });
});

describe("ablationTable(model, examples)", () => {
  it("lists the full model, then each head removed, with per-part accuracy", () => {
    const task = tasks.neighbours({ vocab: 5, length: 5, seed: 1 });
    const model = TinyModel.random({ task, dModel: 8, numHeads: 2, seed: 1 });
    const rows = ablationTable(model, task.examples(30), { pairs: true });
    expect(rows.map((r) => r.label)).toEqual(["all heads", "without head 1", "without head 2", "without heads 1 and 2"]);
    expect(rows[1].result.parts.map((p) => p.name)).toEqual(["left", "right"]);
    expect(rows[1].result).toEqual(evaluate(model, task.examples(30), { headMask: [0, 1] }));
  });
});
