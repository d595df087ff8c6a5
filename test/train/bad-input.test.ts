/**
 * Bad input to every public entry of mha-lab/train, and the exact error text each gives: examples whose
 * tokens or targets the model cannot score (index, position, value and allowed range named), options with a
 * typo (the right name suggested), sizes that leave nothing to train on, and a learning rate that blows up.
 * Before these checks, the first row returned loss NaN with accuracy 0.33 and the datasetSize row a TypeError.
 */
import { describe, expect, it } from "vitest";
import { ablationTable, adam, evaluate, stepper, tasks, TinyModel, train } from "../../src/train";
import type { Example, Task } from "../../src/train";

const copy = tasks.tokenBack({ vocab: 6, length: 6, k: 0, seed: 1 }); // vocab 6, 6 classes, length 6, 1 part
const model = TinyModel.random({ task: copy, dModel: 8, numHeads: 2, seed: 1 });
const good: Example = { tokens: [0, 1, 2, 3], targets: [[-1, 0, 1, 2]] };
const ex = (tokens: unknown, targets: unknown) => ({ tokens, targets }) as Example;

/** [what is wrong, examples, the error's text after "evaluate: "] */
const badExamples: [string, unknown, string][] = [
  ["token ≥ vocab (the reviewer's case)", [ex([0, 9, 1, 2], [[-1, 0, 9, 1]])],
    "examples[0].tokens[1] is 9, not a token id in 0…5 (the model's vocab is 6)"],
  ["target ≥ numClasses", [good, ex([0, 1, 2, 3], [[-1, 0, 9, 1]])],
    "examples[1].targets[0][2] is 9, not a class in 0…5 or −1 (not scored)"],
  ["target −2 (only −1 means not scored)", [ex([0, 1, 2, 3], [[-2, 0, 1, 2]])],
    "examples[0].targets[0][0] is -2, not a class in 0…5 or −1 (not scored)"],
  ["negative token", [good, good, ex([0, -1, 2, 3], [[-1, 0, 1, 2]])],
    "examples[2].tokens[1] is -1, not a token id in 0…5 (the model's vocab is 6)"],
  ["fractional token", [ex([0, 1.5, 2, 3], [[-1, 0, 1, 2]])],
    "examples[0].tokens[1] is 1.5, not a token id in 0…5 (the model's vocab is 6)"],
  ["NaN target", [ex([0, 1, 2, 3], [[-1, 0, NaN, 2]])],
    "examples[0].targets[0][2] is NaN, not a class in 0…5 or −1 (not scored)"],
  ["string token", [ex([0, "1", 2, 3], [[-1, 0, 1, 2]])],
    "examples[0].tokens[1] is \"1\", not a token id in 0…5 (the model's vocab is 6)"],
  ["targets row shorter than tokens", [ex([0, 1, 2, 3], [[-1, 0, 1]])],
    "examples[0].targets[0] must have one target per token (4), got an array of 3"],
  ["two target rows for a one-part model", [ex([0, 1, 2, 3], [[-1, 0, 1, 2], [0, 1, 2, 3]])],
    "examples[0].targets must have one row per output part (1), got an array of 2"],
  ["targets missing", [{ tokens: [0, 1] }],
    "examples[0].targets must have one row per output part (1), got undefined"],
  ["examples of different lengths", [good, ex([0, 1, 2], [[-1, 0, 1]])],
    "examples[1].tokens has 3 tokens but examples[0].tokens has 4; all examples must be equally long"],
  ["longer than the model", [ex([0, 1, 2, 3, 4, 5, 0], [[0, 1, 2, 3, 4, 5, 0]])],
    "examples[0].tokens has 7 tokens but the model's length is 6"],
  ["empty tokens", [ex([], [[]])], "examples[0].tokens must be a non-empty array of token ids, got an array of 0"],
  ["an example that is not an object", [good, 3], "examples[1] must be { tokens, targets }, got 3"],
  ["no examples", [], "examples must be a non-empty array of { tokens, targets }, got an array of 0"],
  ["not an array", "abc", "examples must be a non-empty array of { tokens, targets }, got \"abc\""],
];

describe("examples the model cannot score are errors, never a NaN loss", () => {
  it.each(badExamples)("evaluate: %s", (_, examples, text) => {
    expect(() => evaluate(model, examples as Example[])).toThrow(`evaluate: ${text}`);
  });

  it.each(badExamples)("ablationTable: %s", (_, examples, text) => {
    expect(() => ablationTable(model, examples as Example[])).toThrow(`ablationTable: ${text}`);
  });

  it.each(badExamples)("stepper().step and stepper().evaluate: %s", (_, examples, text) => {
    const s = stepper(model);
    const before = s.theta.slice();
    expect(() => s.step(examples as Example[])).toThrow(`stepper().step: ${text.replace(/^examples|examples(?=\[)/g, "batch")}`);
    expect(s.theta).toEqual(before); // nothing was updated
    expect(() => s.evaluate(examples as Example[])).toThrow(`stepper().evaluate: ${text}`);
  });

  it("train: a task whose examples the model cannot score", () => {
    const bad: Task = { ...copy, name: "broken", examples: (n: number) => copy.examples(n).map((e, i) => (i === 3 ? ex(e.tokens, [e.targets[0].map(() => 6)]) : e)) };
    expect(() => train(model, bad, { steps: 1, datasetSize: 10 })).toThrow(
      "train (task broken's examples): examples[3].targets[0][0] is 6, not a class in 0…5 or −1 (not scored)");
  });

  it("TinyModel.forward: tokens outside the vocabulary, too many tokens", () => {
    expect(() => model.forward([0, 9])).toThrow("TinyModel.forward: tokens[1] is 9, not a token id in 0…5 (the model's vocab is 6)");
    expect(() => model.forward([0, 1, 2, 3, 4, 5, 0])).toThrow("TinyModel.forward: tokens has 7 tokens but the model's length is 6");
  });
});

/** [call, the error's text] */
const badOptions: [string, () => unknown, string][] = [
  // train: the reviewer's empty train split, then sizes and fractions
  ["train datasetSize 2, validationFraction 0.9", () => train(model, copy, { datasetSize: 2, validationFraction: 0.9 }),
    "datasetSize 2 with validationFraction 0.9 holds out 2 examples and leaves 0 to train on: raise datasetSize or lower validationFraction"],
  ["train datasetSize 1", () => train(model, copy, { datasetSize: 1 }), "datasetSize must be an integer ≥ 2, got 1"],
  ["train validationFraction 0", () => train(model, copy, { validationFraction: 0 }), "validationFraction must be a number in (0, 1), got 0"],
  ["train validationFraction NaN", () => train(model, copy, { validationFraction: NaN }), "validationFraction must be a number in (0, 1), got NaN"],
  ["train steps 1.5", () => train(model, copy, { steps: 1.5 }), "steps must be an integer ≥ 0, got 1.5"],
  ["train batchSize 0", () => train(model, copy, { batchSize: 0 }), "batchSize must be an integer ≥ 1, got 0"],
  ["train evalEvery \"10\"", () => train(model, copy, { evalEvery: "10" as never }), "evalEvery must be an integer ≥ 1, got \"10\""],
  ["train seed 0.5", () => train(model, copy, { seed: 0.5 }), "seed must be an integer, got 0.5"],
  ["train lr -1", () => train(model, copy, { lr: -1 }), "lr must be a finite number > 0, got -1"],
  ["train lr NaN", () => train(model, copy, { lr: NaN }), "lr must be a finite number > 0, got NaN"],
  ["train lr with an optimizer object", () => train(model, copy, { optimizer: adam({ lr: 0.1 }), lr: 0.5 }),
    "lr is not used with an optimizer object (its lr is 0.1): pass it to adam({ lr: 0.5 }) instead"],
  ["train optimizer \"rmsprop\"", () => train(model, copy, { optimizer: "rmsprop" as never }), "optimizer must be \"adam\", \"sgd\" or adam()/sgd(), got \"rmsprop\""],
  ["train earlyStopping.minDelta NaN", () => train(model, copy, { earlyStopping: { patience: 3, minDelta: NaN } }),
    "earlyStopping.minDelta must be a finite number ≥ 0, got NaN"],
  ["train earlyStopping.minDelta -0.1", () => train(model, copy, { earlyStopping: { patience: 3, minDelta: -0.1 } }),
    "earlyStopping.minDelta must be a finite number ≥ 0, got -0.1"],
  ["train earlyStopping.patience 0", () => train(model, copy, { earlyStopping: { patience: 0 } }),
    "earlyStopping.patience must be an integer ≥ 1, got 0"],
  ["train earlyStopping without patience", () => train(model, copy, { earlyStopping: {} as never }), "train's earlyStopping needs `patience`"],
  ["train earlyStopping typo", () => train(model, copy, { earlyStopping: { patients: 3 } as never }),
    "`patients` is not an option of train's earlyStopping; did you mean `patience`?"],
  ["train earlyStopping true", () => train(model, copy, { earlyStopping: true as never }),
    "train's earlyStopping options must be an object { patience, minDelta }, got true"],
  ["train snapshotSteps [0, -1]", () => train(model, copy, { snapshotSteps: [0, -1] }), "snapshotSteps[1] must be an integer ≥ 0, got -1"],
  ["train snapshotSteps after the last step", () => train(model, copy, { steps: 10, snapshotSteps: [0, 20] }),
    "snapshotSteps has 20 but steps is 10: that snapshot would never be taken"],
  ["train onProgress not a function", () => train(model, copy, { onProgress: "log" as never }), "onProgress must be a function, got \"log\""],
  ["train probe outside the vocabulary", () => train(model, copy, { probe: [9] }), "train: probe[0] is 9, not a token id in 0…5 (the model's vocab is 6)"],
  ["train option typo step", () => train(model, copy, { step: 10 } as never), "`step` is not an option of train; did you mean `steps`?"],
  ["train option typo batch_size", () => train(model, copy, { batch_size: 8 } as never), "`batch_size` is not an option of train; did you mean `batchSize`?"],
  ["train option typo validation_fraction", () => train(model, copy, { validation_fraction: 0.1 } as never),
    "`validation_fraction` is not an option of train; did you mean `validationFraction`?"],
  ["train option typo early_stopping", () => train(model, copy, { early_stopping: { patience: 2 } } as never),
    "`early_stopping` is not an option of train; did you mean `earlyStopping`?"],
  ["train options not an object", () => train(model, copy, 5 as never), "train options must be an object { optimizer, lr, steps,"],
  // stepper, evaluate, ablationTable, forward, random
  ["stepper option typo", () => stepper(model, { optimiser: "sgd" } as never), "`optimiser` is not an option of stepper; did you mean `optimizer`?"],
  ["stepper option unknown", () => stepper(model, { learningRate: 0.1 } as never), "`learningRate` is not an option of stepper; the options are `optimizer`, `lr`"],
  ["stepper lr 0", () => stepper(model, { lr: 0 }), "lr must be a finite number > 0, got 0"],
  ["stepper without a model", () => stepper({} as never), "stepper needs a TinyModel (TinyModel.random({ … })), got object"],
  ["evaluate option typo", () => evaluate(model, [good], { head_mask: [1, 0] } as never), "`head_mask` is not an option of evaluate; did you mean `headMask`?"],
  ["evaluate headMask of the wrong length", () => evaluate(model, [good], { headMask: [1] }), "headMask must have one entry per head (2), got 1"],
  ["evaluate without a model", () => evaluate(null as never, [good]), "evaluate needs a TinyModel (TinyModel.random({ … })), got null"],
  ["ablationTable option typo", () => ablationTable(model, [good], { pair: true } as never), "`pair` is not an option of ablationTable; did you mean `pairs`?"],
  ["ablationTable pairs \"yes\"", () => ablationTable(model, [good], { pairs: "yes" } as never), "pairs must be true or false, got the string \"yes\""],
  ["forward option typo", () => model.forward([0, 1], { headmask: [1, 0] } as never), "`headmask` is not an option of TinyModel.forward; did you mean `headMask`?"],
  ["TinyModel.random option typo", () => TinyModel.random({ task: copy, dModel: 8, num_heads: 2 } as never),
    "`num_heads` is not an option of TinyModel.random; did you mean `numHeads`?"],
  ["TinyModel.random positions", () => TinyModel.random({ task: copy, dModel: 8, numHeads: 2, positions: "rotary" as never }),
    "positions must be \"learned\" or \"sinusoidal\", got the string \"rotary\""],
];

describe("bad options name themselves (and suggest the right name)", () => {
  it.each(badOptions)("%s", (_, call, text) => {
    expect(call).toThrow(text);
  });
});

describe("a learning rate that blows up stops training with an error, never NaN in the history", () => {
  it("sgd lr 1e6: the loss becomes NaN at step 5", () => {
    expect(() => train(model, copy, { optimizer: "sgd", lr: 1e6, steps: 50, batchSize: 16, datasetSize: 100 }))
      .toThrow("loss became NaN at step 5 (sgd, lr 1e6): lower the learning rate");
  });

  it("sgd lr 1e12: the gradient becomes NaN at step 4", () => {
    expect(() => train(model, copy, { optimizer: "sgd", lr: 1e12, steps: 50, batchSize: 16, datasetSize: 100 }))
      .toThrow("the gradient became NaN at step 4 (sgd, lr 1e12): lower the learning rate");
  });

  it("stepper().step throws at the same step, and the steps before it were finite", () => {
    const s = stepper(model, { optimizer: "sgd", lr: 1e6 });
    const batch = copy.examples(16, 5);
    const losses: number[] = [];
    expect(() => { for (;;) losses.push(s.step(batch).loss); }).toThrow(/became (NaN|-?Infinity) at step \d+ \(sgd, lr 1e6\): lower the learning rate/);
    expect(losses.length).toBeGreaterThan(0);
    for (const l of losses) expect(Number.isFinite(l)).toBe(true);
  });
});
