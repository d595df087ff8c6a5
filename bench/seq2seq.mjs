// One Adam step of the encoder–decoder (mha-lab/models EncoderDecoder, pre-LN: source and target embeddings +
// learned positions, 2 encoder layers [self-attention, ReLU feed-forward 256], 2 decoder layers [causal
// self-attention, cross-attention, ReLU feed-forward 256], LayerNorms, linear read-out, cross-entropy with teacher
// forcing), batch 32, source and target length 10, dModel 64, h 4, vocabularies 32, against the same model in
// PyTorch float64 on one thread (bench/seq2seq_torch.py, another process). Goal (issue 22): within 2× of PyTorch.
//   ours   model.lossAndGrad(batch, grad) + adam().step(theta, grad): float64, the blocks' forward and backward
//   torch  zero_grad, forward, backward, Adam step (float64, torch.set_num_threads(1))
// Each figure: median over rounds of the mean of `steps` consecutive steps, with min–max.
// Standalone, on an idle machine: npm run build && node bench/seq2seq.mjs [--rounds 7] [--steps 20]
// From bench/run.mjs (--only seq2seq): run(opts), which is common.mjs's adamStepPart on runOurs and runTorch.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { adamStepPart, require, runReferenceScript, timeSteps } from "./common.mjs";

export const CONFIG = {
  batchSize: 32, sourceLength: 10, targetLength: 10, dModel: 64, numHeads: 4, encoderLayers: 2, decoderLayers: 2,
  feedForward: 256, sourceVocab: 32, targetVocab: 32, lr: 0.005, seed: 1,
};
/** Issue 22's goal: ours within 2× of PyTorch float64 on one thread. */
export const GOAL = 2;

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
};

/** Four seeded batches of random pairs: sources in 1 … V−1, targets [BOS, 3 … V−1 …] (no PAD: every token scored). */
function batches(c) {
  let s = c.seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const tok = (lo, hi) => lo + Math.floor(rand() * (hi - lo));
  return [0, 1, 2, 3].map(() => ({
    sources: Array.from({ length: c.batchSize }, () => Array.from({ length: c.sourceLength }, () => tok(1, c.sourceVocab))),
    targets: Array.from({ length: c.batchSize }, () => [1, ...Array.from({ length: c.targetLength - 1 }, () => tok(3, c.targetVocab))]),
  }));
}

/** ms per Adam step of ours: { median, min, max } over rounds, and the model's numParams. */
export function runOurs({ rounds = 7, steps = 20 } = {}) {
  const { EncoderDecoder } = require("mha-lab/models");
  const { adam } = require("mha-lab/train");
  const c = CONFIG;
  const model = EncoderDecoder.random({
    sourceVocab: c.sourceVocab, targetVocab: c.targetVocab, sourceLength: c.sourceLength, targetLength: c.targetLength,
    dModel: c.dModel, numHeads: c.numHeads, encoderLayers: c.encoderLayers, decoderLayers: c.decoderLayers,
    feedForward: c.feedForward, activation: "relu", seed: c.seed,
  });
  const opt = adam({ lr: c.lr });
  const grad = new Float64Array(model.numParams);
  const data = batches(c);
  const step = (k) => { grad.fill(0); model.lossAndGrad(data[k % 4], grad); opt.step(model.theta, grad); };
  return { ...timeSteps(step, { rounds, steps }), numParams: model.numParams };
}

/** ms per Adam step of PyTorch float64, one thread (bench/seq2seq_torch.py): { median, min, max, numParams }. */
export function runTorch({ rounds = 7, steps = 20 } = {}) {
  return runReferenceScript("seq2seq_torch.py", { ...CONFIG, rounds, steps });
}

/** Ours, then PyTorch: { ours, torch, ratio (median, best, worst), goal, markdown } (common.mjs adamStepPart). */
export function run(opts = {}) {
  return adamStepPart({ CONFIG, GOAL, runOurs, runTorch }, opts);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(run({ rounds: arg("rounds", 7), steps: arg("steps", 20), force: true }).markdown); // the load average is in it
}
