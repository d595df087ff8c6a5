/**
 * trainCausalLM: deterministic, the loss falls on a task a model can learn, snapshots and held-out regions are
 * recorded where asked, the model passed in is not changed, and bad options are errors that name them.
 */
import { describe, expect, it } from "vitest";
import { CausalLM, repeatedTokens, tinyGrammar, trainCausalLM } from "../../src/models";

const grammar = tinyGrammar({ length: 8, seed: 2 });
const model = () => CausalLM.random({ vocab: 15, contextLength: 8, dModel: 8, numHeads: 2, numLayers: 1, seed: 1 });

describe("trainCausalLM", () => {
  it("the same inputs give the same loss curve; the loss falls; the model passed in is unchanged", () => {
    const m = model();
    const before = m.theta.slice();
    const opts = { steps: 60, batchSize: 8, evalEvery: 20, snapshotSteps: [0, 30, 60], heldOut: grammar.sequences(32, 9) };
    const a = trainCausalLM(m, grammar, opts);
    const b = trainCausalLM(m, grammar, opts);
    expect(a.history).toEqual(b.history);
    expect(m.theta).toEqual(before);
    expect(a.heldOut.map((e) => e.step)).toEqual([20, 40, 60]);
    expect(a.heldOut[2].loss).toBeLessThan(a.heldOut[0].loss);
    expect(a.snapshots.map((s) => s.step)).toEqual([0, 30, 60]);
    expect(new CausalLM(m.config, a.snapshots[2].theta).forward(a.probe).attentions).toEqual(a.snapshots[2].attentions);
    expect(a.snapshots[2].theta).toEqual(a.model.theta);
  }, 30000);

  it("held-out entries carry the task's regions", () => {
    const task = repeatedTokens({ vocab: 8, length: 8, seed: 1 });
    const r = trainCausalLM(CausalLM.random({ vocab: 8, contextLength: 8, dModel: 8, numHeads: 2 }), task, { steps: 2, batchSize: 4, evalEvery: 1, heldOut: task.sequences(8, 5) });
    expect(Object.keys(r.heldOut[0].regions)).toEqual(["first half", "second half"]);
  });

  it("onProgress is called every progressEvery steps and at the end", () => {
    const seen: number[] = [];
    trainCausalLM(model(), grammar, { steps: 5, batchSize: 2, heldOut: grammar.sequences(4, 5), progressEvery: 2, onProgress: (p) => seen.push(p.step) });
    expect(seen).toEqual([2, 4, 5]);
  });

  const cases: [string, () => unknown, string][] = [
    ["a task that does not fit", () => trainCausalLM(model(), tinyGrammar({ length: 9 })), "task tinyGrammar (vocab 15, length 9) does not fit the model (vocab 15, contextLength 8)"],
    ["not a model", () => trainCausalLM({} as never, grammar), "trainCausalLM needs a CausalLM (CausalLM.random({ … })), got an object"],
    ["an unknown option", () => trainCausalLM(model(), grammar, { batch_size: 4 } as never), "`batch_size` is not an option of trainCausalLM; did you mean `batchSize`?"],
    ["a snapshot after the end", () => trainCausalLM(model(), grammar, { steps: 5, snapshotSteps: [6] }), "snapshotSteps[0] is 6 but steps is 5: that snapshot would never be taken"],
    ["a bad learning rate", () => trainCausalLM(model(), grammar, { lr: 0 }), "lr must be a finite number > 0, got 0"],
    ["an unknown optimizer", () => trainCausalLM(model(), grammar, { optimizer: "adamw" as never }), "optimizer must be \"adam\" or \"sgd\", got the string \"adamw\""],
    ["held-out tokens out of range", () => trainCausalLM(model(), grammar, { heldOut: [[0, 15]] }), "trainCausalLM: heldOut[0][1] is 15, not a token id in 0…14 (the model's vocab is 15)"],
  ];
  for (const [what, call, text] of cases) it(`bad input: ${what}`, () => expect(call).toThrow(text));
});
