/**
 * What training shows about heads, checked on small seeded runs (about a second each):
 * - neighbours (output [x_{i−1}; x_{i+1}]): two heads solve it, and removing either head breaks exactly one part;
 *   one head solves one part at most (its single weighted sum cannot keep left and right apart);
 * - induction: one attention layer does not solve it (it needs a previous-token step before the match).
 */
import { describe, expect, it } from "vitest";
import { ablationTable, evaluate, tasks, TinyModel, train } from "../../src/train";

const neighbours = tasks.neighbours({ vocab: 8, length: 8, seed: 1 });
const test = neighbours.examples(500, 99);
const fit = (numHeads: number, seed: number) =>
  train(TinyModel.random({ task: neighbours, dModel: 8, numHeads, seed }), neighbours,
    { steps: 400, batchSize: 32, lr: 0.02, datasetSize: 1000 }).model;

// a generous time limit: the claims are about accuracy, not speed (a loaded machine takes several times a quiet one's)
describe("heads specialise", { timeout: 60_000 }, () => {
  it("neighbours: two heads reach > 98% on both parts; each head carries one part (ablation drops the other to < 30%)", () => {
    const model = fit(2, 1);
    const rows = ablationTable(model, test);
    const acc = (i: number) => rows[i].result.parts.map((p) => p.accuracy);
    expect(Math.min(...acc(0))).toBeGreaterThan(0.98);
    for (const i of [1, 2]) { // without head 1, without head 2
      const [left, right] = acc(i);
      expect(Math.max(left, right), rows[i].label).toBeGreaterThan(0.95);
      expect(Math.min(left, right), rows[i].label).toBeLessThan(0.3);
    }
    // the two heads carry different parts
    expect(acc(1)[0] > acc(1)[1]).not.toBe(acc(2)[0] > acc(2)[1]);
  });

  it("neighbours: one head, same size and training, stays below 75% overall with one part below 50% (3 seeds)", () => {
    for (const seed of [1, 2, 3]) {
      const e = evaluate(fit(1, seed), test);
      expect(e.accuracy, `seed ${seed}`).toBeLessThan(0.75);
      expect(Math.min(...e.parts.map((p) => p.accuracy)), `seed ${seed}`).toBeLessThan(0.5);
    }
  });

  it("induction: one attention layer learns something (> 30%) but stays below 80%", () => {
    const task = tasks.induction({ vocab: 6, length: 12, seed: 1 });
    const r = train(TinyModel.random({ task, dModel: 16, numHeads: 2, seed: 1 }), task,
      { steps: 600, batchSize: 32, lr: 0.02, datasetSize: 2000 });
    const e = evaluate(r.model, task.examples(1000, 99));
    expect(e.accuracy).toBeGreaterThan(0.3);
    expect(e.accuracy).toBeLessThan(0.8);
  });
});
