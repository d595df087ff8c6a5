/**
 * Training a CausalLM: fresh seeded batches from a task, Adam on the model's flat θ and its gradient, the
 * held-out loss per region (e.g. first vs second half), and snapshots of every head's map on a probe.
 * It is the smallest adapter to src/train's optimisers: train() there takes a TinyModel only; a model
 * with `theta` and `lossAndGrad(batch, grad)` is all this loop needs.
 *
 * Dependencies: adam, sgd (src/train/optimizers), CausalLM, _validateOptions.
 */
import { _describe } from "../math/_describe";
import { _checkedLater, _isSafeInteger, _validateOptions } from "../math/_validate";
import type { Matrix } from "../math/trace";
import { _intAtLeast, _snapshotSteps, _isFunction, _isPositive } from "../train/_check";
import { adam, Optimizer, sgd } from "../train/optimizers";
import { _checkSequences } from "./_check";
import { CausalLM } from "./causal-lm";
import type { SequenceTask } from "./tasks";

/** Options of trainCausalLM. */
export interface TrainCausalLMOptions {
  /** updates (default 500) */ steps?: number;
  /** sequences per update (default 32) */ batchSize?: number;
  /** "adam" (default) or "sgd" */ optimizer?: "adam" | "sgd";
  /** learning rate (default 0.01 for adam, 0.1 for sgd) */ lr?: number;
  /** seed of the training sequences (default 0; the held-out ones use the task's seed + 1) */ seed?: number;
  /** held-out sequences (default task.sequences(256, task.seed + 1)) */ heldOut?: number[][];
  /** evaluate on the held-out sequences every this many steps (default 25, and at the last step) */ evalEvery?: number;
  /** steps after which every head's map on `probe` is kept (0 = before training) */ snapshotSteps?: number[];
  /** the sequence the snapshots run on (default the first held-out sequence) */ probe?: number[];
  /** called every progressEvery steps and at the end */ onProgress?: (p: { step: number; steps: number; loss: number; heldOut?: HeldOutEntry }) => void;
  /** default 100 */ progressEvery?: number;
}

/** One held-out evaluation. */
export interface HeldOutEntry {
  step: number;
  loss: number;
  /** mean loss of each of the task's regions, e.g. { "first half": 2.3, "second half": 0.1 } */ regions: { [name: string]: number };
}

/** What trainCausalLM returns. */
export interface TrainCausalLMResult {
  /** the trained model (a new one: the model passed in is not changed) */ model: CausalLM;
  /** the batch loss before each update, one per step */ history: { step: number; loss: number }[];
  heldOut: HeldOutEntry[];
  /** every head's map on the probe, attentions (numLayers, numHeads, L, L), and a copy of θ then (model: new CausalLM(config, theta)) */
  snapshots: { step: number; attentions: Matrix[][]; theta: Float64Array }[];
  /** (L,) the probe */ probe: number[];
  /** wall-clock milliseconds (not deterministic, unlike everything else) */ ms: number;
}

/**
 * Mean loss of each of a task's regions (e.g. the first and the second half), over every prediction of every sequence.
 *   loss_region = mean over (sequence s, position i with regionsOf(s)[i] = region) of losses[s][i]
 * @param losses (n, L − 1) the loss of every prediction, as CausalLM.evaluate returns
 * @param sequences (n, L) the sequences they were computed on
 * @param task the task (its regionNames and regionsOf)
 * @example (illustrative) regionLosses(model.evaluate(seqs).losses, seqs, task) // returns { "first half": 3.1…, "second half": 0.02… }
 */
export function regionLosses(
  losses: number[][], sequences: number[][], task: Pick<SequenceTask, "regionNames" | "regionsOf">,
): { [name: string]: number } {
  const sum = new Map<string, [number, number]>(task.regionNames.map((r) => [r, [0, 0]]));
  sequences.forEach((seq, s) => task.regionsOf(seq).forEach((r, i) => {
    const acc = sum.get(r);
    if (acc) { acc[0] += losses[s][i]; acc[1]++; }
  }));
  return Object.fromEntries([...sum].map(([r, [total, count]]) => [r, count === 0 ? NaN : total / count]));
}

const _SPEC = {
  steps: _intAtLeast(0), batchSize: _intAtLeast(1), optimizer: (v: unknown, name: string) => {
    if (v !== "adam" && v !== "sgd") throw new Error(`${name} must be "adam" or "sgd", got ${_describe(v)}`);
  }, lr: _isPositive, seed: _isSafeInteger, heldOut: _checkedLater, evalEvery: _intAtLeast(1),
  snapshotSteps: _checkedLater, probe: _checkedLater, onProgress: _isFunction, progressEvery: _intAtLeast(1),
};

/**
 * Train a copy of a CausalLM on a task with Adam (or SGD), one fresh seeded batch per step.
 *   each step: batch ~ task.sequences(batchSize), θ ← optimizer(θ, ∂ mean next-token loss/∂θ)
 * @param model the starting model (not changed)
 * @param task where sequences come from (its vocab and length must fit the model)
 * @param options see TrainCausalLMOptions
 * @return { model, history, heldOut, snapshots, probe, ms }
 * @example (illustrative) trainCausalLM(CausalLM.random({ vocab: 16, contextLength: 16, dModel: 32, numHeads: 2 }), repeatedTokens({ vocab: 16, half: 8 }), { steps: 400 })
 */
export function trainCausalLM(model: CausalLM, task: SequenceTask, options: TrainCausalLMOptions = {}): TrainCausalLMResult {
  if (!(model instanceof CausalLM)) throw new Error(`trainCausalLM needs a CausalLM (CausalLM.random({ … })), got ${_describe(model)}`);
  if (task == null || typeof task.sequences !== "function") throw new Error(`trainCausalLM needs a task (e.g. repeatedTokens({ vocab, half })), got ${_describe(task)}`);
  const c = model.config;
  if (task.vocab > c.vocab || task.length > c.contextLength) {
    throw new Error(`task ${task.name} (vocab ${task.vocab}, length ${task.length}) does not fit the model (vocab ${c.vocab}, contextLength ${c.contextLength})`);
  }
  _validateOptions("trainCausalLM", options, _SPEC);
  const steps = options.steps ?? 500;
  const batchSize = options.batchSize ?? 32;
  const evalEvery = options.evalEvery ?? 25;
  const progressEvery = options.progressEvery ?? 100;
  const heldOut = options.heldOut ?? task.sequences(256, task.seed + 1);
  _checkSequences("trainCausalLM", "heldOut", heldOut, c, 2);
  const probe = options.probe ?? heldOut[0];
  _checkSequences("trainCausalLM", "probe", [probe], c);
  const snapshotSteps = _snapshotSteps(options.snapshotSteps, steps);
  const optimizer: Optimizer = (options.optimizer ?? "adam") === "adam"
    ? adam(options.lr == null ? {} : { lr: options.lr }) : sgd(options.lr == null ? {} : { lr: options.lr });

  const m = model.clone();
  const grad = new Float64Array(m.numParams);
  const data = task.sequences(steps * batchSize, options.seed ?? 0);
  const history: { step: number; loss: number }[] = [];
  const held: HeldOutEntry[] = [];
  const snapshots: { step: number; attentions: Matrix[][]; theta: Float64Array }[] = [];
  const snap = (step: number) => snapshots.push({ step, attentions: m.forward(probe).attentions, theta: m.theta.slice() });
  const t0 = Date.now();
  if (snapshotSteps.has(0)) snap(0);
  for (let step = 1; step <= steps; step++) {
    grad.fill(0);
    const r = m.lossAndGrad(data.slice((step - 1) * batchSize, step * batchSize), grad);
    for (let i = 0; i < grad.length; i++) {
      if (!Number.isFinite(grad[i])) throw new Error(`the gradient became ${grad[i]} at step ${step} (${optimizer.name}, lr ${optimizer.lr}): lower the learning rate`);
    }
    optimizer.step(m.theta, grad);
    history.push({ step, loss: r.loss });
    if (snapshotSteps.has(step)) snap(step);
    if (step % evalEvery === 0 || step === steps) {
      const e = m.evaluate(heldOut);
      held.push({ step, loss: e.loss, regions: regionLosses(e.losses, heldOut, task) });
    }
    if (options.onProgress && (step % progressEvery === 0 || step === steps)) {
      options.onProgress({ step, steps, loss: r.loss, heldOut: held[held.length - 1] });
    }
  }
  return { model: m, history, heldOut: held, snapshots, probe: probe.slice(), ms: Date.now() - t0 };
}
