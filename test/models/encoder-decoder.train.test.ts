/**
 * trainSeq2Seq: the adapter from EncoderDecoder to src/train's optimisers. It trains a copy (the model passed in is
 * unchanged), is deterministic for a seed, keeps the requested snapshots, keeps masked heads out of training (their
 * projections get no gradient, so Adam never moves them), and rejects bad options with the text of the error.
 */
import { describe, expect, it } from "vitest";
import { EncoderDecoder, toyTranslation, trainSeq2Seq } from "../../src/models";

const task = toyTranslation();
const small = () => EncoderDecoder.random({
  sourceVocab: task.sourceVocab, targetVocab: task.targetVocab, sourceLength: task.sourceLength, targetLength: task.targetLength,
  dModel: 8, numHeads: 2, feedForward: 8, seed: 4,
});
const heldOut = task.heldOut(16);
const view = (m: EncoderDecoder, name: string) => {
  let o = 0;
  for (const p of m.parameterNames) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    if (p.name === name) return Array.from(m.theta.subarray(o, o + n));
    o += n;
  }
  throw new Error(`no ${name}`);
};

describe("trainSeq2Seq", () => {
  it("trains a copy, deterministically, with the loss falling and the snapshots asked for", () => {
    const m = small();
    const before = m.theta.slice();
    const opts = { steps: 30, batchSize: 8, lr: 0.01, heldOut, evalEvery: 10, snapshotSteps: [0, 30] };
    const a = trainSeq2Seq(m, task, opts);
    const b = trainSeq2Seq(m, task, opts);
    expect(m.theta).toEqual(before);
    expect(a.model.theta).toEqual(b.model.theta);
    expect(a.history.length).toBe(30);
    expect(a.heldOut.map((e) => e.step)).toEqual([10, 20, 30]);
    expect(a.heldOut[2].loss).toBeLessThan(a.heldOut[0].loss);
    expect(a.snapshots.map((s) => s.step)).toEqual([0, 30]);
    expect(a.snapshots[0].theta).toEqual(before);
    expect(a.snapshots[1].attentions.cross[0][0].length).toBe(task.targetLength);
  });

  it("headMasks keep the masked heads out of training: the encoder's attention projections never move", () => {
    const m = small();
    const r = trainSeq2Seq(m, task, { steps: 5, batchSize: 8, heldOut, headMasks: { encoderHeadMask: [[0, 0]] } });
    for (const w of ["wQ", "wK", "wV", "wO"]) expect(view(r.model, `encoder.0.attn.${w}`)).toEqual(view(m, `encoder.0.attn.${w}`));
    expect(view(r.model, "decoder.0.cross.wQ")).not.toEqual(view(m, "decoder.0.cross.wQ"));
  });

  it.each([
    ["an unknown option", { step: 3 }, "`step` is not an option of trainSeq2Seq; did you mean `steps`?"],
    ["a snapshot after the last step", { steps: 3, snapshotSteps: [5] }, "snapshotSteps[0] is 5 but steps is 3: that snapshot would never be taken"],
    ["a head mask of the wrong shape", { steps: 1, headMasks: { crossHeadMask: [[1]] } }, "crossHeadMask[0] must have one entry per head (2)"],
  ])("%s: a clear error", (_, opts, text) => {
    expect(() => trainSeq2Seq(small(), task, { heldOut, ...(opts as object) })).toThrow(text);
  });

  it("a task that does not fit the model: an error naming both sizes", () => {
    const tiny = EncoderDecoder.random({ sourceVocab: 5, targetVocab: 6, sourceLength: 3, targetLength: 4, dModel: 4, numHeads: 1 });
    expect(() => trainSeq2Seq(tiny, task)).toThrow("task toyTranslation (vocabularies 23 and 25, lengths 7 and 9) does not fit the model (5 and 6, 3 and 4)");
  });
});
