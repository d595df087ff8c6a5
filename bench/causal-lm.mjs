// One Adam step of the two-layer causal language model of notebook 10b (mha-lab/models CausalLM: token
// embedding + learned positions, 2 × [LayerNorm → causal self-attention (h = 2) → residual], LayerNorm, linear
// read-out, next-token cross-entropy), batch 16, L = 16, dModel 32, vocab 16, against the same model in PyTorch
// float64 on one thread (bench/causal_lm_torch.py, another process). Goal (issue 23): within 2× of PyTorch.
//   ours   model.lossAndGrad(batch, grad) + adam().step(theta, grad): float64, the blocks' forward and backward
//   torch  zero_grad, forward, backward, Adam step (float64, torch.set_num_threads(1))
// Each figure: median over rounds of the mean of `steps` consecutive steps, with min–max.
// Standalone, on an idle machine: npm run build && node bench/causal-lm.mjs [--rounds 7] [--steps 50]
// From bench/run.mjs (--only causal-lm): run(opts), which is common.mjs's adamStepPart on runOurs and runTorch.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { adamStepPart, require, runReferenceScript, timeSteps } from "./common.mjs";

export const CONFIG = { batchSize: 16, length: 16, dModel: 32, numHeads: 2, numLayers: 2, vocab: 16, lr: 0.01, seed: 1 };
/** Issue 23's goal: ours within 2× of PyTorch float64 on one thread. */
export const GOAL = 2;

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
};

/** ms per Adam step of ours: { median, min, max } over rounds, and the model's numParams. */
export function runOurs({ rounds = 7, steps = 50 } = {}) {
  const { CausalLM, repeatedTokens } = require("mha-lab/models");
  const { adam } = require("mha-lab/train");
  const c = CONFIG;
  const task = repeatedTokens({ vocab: c.vocab, length: c.length, seed: c.seed });
  const model = CausalLM.random({ vocab: c.vocab, contextLength: c.length, dModel: c.dModel, numHeads: c.numHeads, numLayers: c.numLayers, seed: c.seed });
  const opt = adam({ lr: c.lr });
  const grad = new Float64Array(model.numParams);
  const batches = [0, 1, 2, 3].map((k) => task.sequences(c.batchSize, 100 + k));
  const step = (k) => { grad.fill(0); model.lossAndGrad(batches[k % 4], grad); opt.step(model.theta, grad); };
  return { ...timeSteps(step, { rounds, steps }), numParams: model.numParams };
}

/** ms per Adam step of PyTorch float64, one thread (bench/causal_lm_torch.py): { median, min, max, numParams }. */
export function runTorch({ rounds = 7, steps = 50 } = {}) {
  return runReferenceScript("causal_lm_torch.py", { ...CONFIG, rounds, steps });
}

/** Ours, then PyTorch: { ours, torch, ratio (median, best, worst), goal, markdown } (common.mjs adamStepPart). */
export function run(opts = {}) {
  return adamStepPart({ CONFIG, GOAL, runOurs, runTorch }, opts);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(run({ rounds: arg("rounds", 7), steps: arg("steps", 50), force: true }).markdown); // the load average is in it
}
