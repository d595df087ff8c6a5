/**
 * Training an EncoderDecoder on a translation task: fresh seeded pairs every step, the course's optimisers
 * (src/train: adam, sgd) on the model's flat θ, the held-out loss and accuracies every evalEvery steps, and
 * snapshots of every head's maps (all three roles) on one held-out pair for a slider.
 * The adapter is the same as trainCausalLM's: a model with `theta` and `lossAndGrad(batch, grad)` is all it needs.
 *
 * Dependencies: _optimizer, _optimizerSpec (src/train/stepper), _firstNonFinite, _nonFinite, EncoderDecoder.
 */
import { _describe } from "../math/_describe";
import { _checkedLater, _isSafeInteger, _validateOptions } from "../math/_validate";
import { _firstNonFinite, _intAtLeast, _snapshotSteps, _isFunction, _nonFinite } from "../train/_check";
import type { Optimizer } from "../train/optimizers";
import { _optimizer, _optimizerSpec } from "../train/stepper";
import { EncoderDecoder, EncoderDecoderAttentions, EncoderDecoderRunOptions, Seq2SeqBatch, Seq2SeqLoss } from "./encoder-decoder";
import type { TranslationTask } from "./translation";

/** Options of trainSeq2Seq. */
export interface TrainSeq2SeqOptions {
  /** updates (default 500) */ steps?: number;
  /** pairs per update (default 32) */ batchSize?: number;
  /** "adam" (default), "sgd", or an optimizer from adam()/sgd() */ optimizer?: "adam" | "sgd" | Optimizer;
  /** learning rate (default 0.01 for adam, 0.1 for sgd) */ lr?: number;
  /** seed of the training pairs (default 0) */ seed?: number;
  /** held-out pairs (default task.heldOut(256)) */ heldOut?: Seq2SeqBatch;
  /** evaluate on the held-out pairs every this many steps (default 25, and at the last step) */ evalEvery?: number;
  /** steps after which every head's maps on the probe are kept (0 = before training) */ snapshotSteps?: number[];
  /** the pair the snapshots run on (default the first held-out pair) */ probe?: { source: number[]; target: number[] };
  /** called every progressEvery steps and at the end */ onProgress?: (p: { step: number; steps: number; loss: number; heldOut: HeldOutSeq2Seq }) => void;
  /** default 100 */ progressEvery?: number;
  /**
   * heads switched off for the whole run, training and evaluation alike (e.g. { encoderHeadMask: [[0, 0]] }: an
   * encoder that cannot move information between source positions); the trained model is returned without them
   */
  headMasks?: EncoderDecoderRunOptions;
}

/** One held-out evaluation (teacher forcing). */
export interface HeldOutSeq2Seq extends Seq2SeqLoss { step: number }

/** What trainSeq2Seq returns. */
export interface TrainSeq2SeqResult {
  /** the trained model (a new one: the model passed in is not changed) */ model: EncoderDecoder;
  /** the batch loss and token accuracy before each update */ history: { step: number; loss: number; accuracy: number }[];
  heldOut: HeldOutSeq2Seq[];
  /** the maps of every head in the three roles on the probe, and a copy of θ then (new EncoderDecoder(config, theta)) */
  snapshots: { step: number; attentions: EncoderDecoderAttentions; theta: Float64Array }[];
  probe: { source: number[]; target: number[] };
  /** wall-clock milliseconds of the whole run, and of the updates alone (not deterministic, unlike everything else) */ ms: number;
  /** milliseconds spent in lossAndGrad + the optimiser step, summed over the steps */ stepMs: number;
}

const _SPEC = {
  ..._optimizerSpec, steps: _intAtLeast(0), batchSize: _intAtLeast(1), seed: _isSafeInteger, heldOut: _checkedLater,
  evalEvery: _intAtLeast(1), snapshotSteps: _checkedLater, probe: _checkedLater, onProgress: _isFunction, progressEvery: _intAtLeast(1),
  headMasks: _checkedLater,
};

/**
 * Train a copy of an EncoderDecoder on a translation task, one fresh seeded batch per step (teacher forcing).
 *   each step: batch ~ task.batch(batchSize), θ ← optimizer(θ, ∂ mean target-token loss/∂θ)
 * @param model the starting model (not changed)
 * @param task where pairs come from (its vocabularies and lengths must fit the model)
 * @param options see TrainSeq2SeqOptions
 * @return { model, history, heldOut, snapshots, probe, ms, stepMs }
 * @example (illustrative) trainSeq2Seq(EncoderDecoder.random({ ...sizesOf(task), dModel: 32, numHeads: 2 }), toyTranslation(), { steps: 600 })
 */
export function trainSeq2Seq(model: EncoderDecoder, task: TranslationTask, options: TrainSeq2SeqOptions = {}): TrainSeq2SeqResult {
  if (!(model instanceof EncoderDecoder)) throw new Error(`trainSeq2Seq needs an EncoderDecoder (EncoderDecoder.random({ … })), got ${_describe(model)}`);
  if (task == null || typeof task.batch !== "function") throw new Error(`trainSeq2Seq needs a translation task (toyTranslation()), got ${_describe(task)}`);
  const c = model.config;
  if (task.sourceVocab > c.sourceVocab || task.targetVocab > c.targetVocab || task.sourceLength > c.sourceLength || task.targetLength > c.targetLength) {
    throw new Error(`task ${task.name} (vocabularies ${task.sourceVocab} and ${task.targetVocab}, lengths ${task.sourceLength} and ${task.targetLength}) does not fit the model (${c.sourceVocab} and ${c.targetVocab}, ${c.sourceLength} and ${c.targetLength})`);
  }
  _validateOptions("trainSeq2Seq", options, _SPEC);
  const steps = options.steps ?? 500;
  const batchSize = options.batchSize ?? 32;
  const evalEvery = options.evalEvery ?? 25;
  const progressEvery = options.progressEvery ?? 100;
  const heldOut = options.heldOut ?? task.heldOut(256);
  const probe = options.probe ?? { source: heldOut.sources[0], target: heldOut.targets[0] };
  const masks = options.headMasks ?? {};
  model.forward(probe.source, probe.target, masks); // checks the probe and the masks
  const snapshotSteps = _snapshotSteps(options.snapshotSteps, steps);
  const optimizer = _optimizer(options.optimizer, options.lr);
  const m = model.clone();
  const grad = new Float64Array(m.numParams);
  const data = task.batch(Math.max(1, steps * batchSize), options.seed ?? 0);
  const history: TrainSeq2SeqResult["history"] = [];
  const held: HeldOutSeq2Seq[] = [];
  const snapshots: TrainSeq2SeqResult["snapshots"] = [];
  const snap = (step: number) => snapshots.push({ step, attentions: m.forward(probe.source, probe.target, masks).attentions, theta: m.theta.slice() });
  const t0 = Date.now();
  let stepMs = 0;
  if (snapshotSteps.has(0)) snap(0);
  for (let step = 1; step <= steps; step++) {
    const ts = Date.now();
    grad.fill(0);
    const range = [(step - 1) * batchSize, step * batchSize];
    const r = m.lossAndGrad({ sources: data.sources.slice(range[0], range[1]), targets: data.targets.slice(range[0], range[1]) }, grad, masks);
    const g = _firstNonFinite(grad);
    if (g != null) throw _nonFinite("the gradient", g, step, optimizer);
    optimizer.step(m.theta, grad);
    stepMs += Date.now() - ts;
    history.push({ step, loss: r.loss, accuracy: r.accuracy });
    if (snapshotSteps.has(step)) snap(step);
    if (step % evalEvery === 0 || step === steps) held.push({ step, ...m.evaluate(heldOut, masks) });
    if (options.onProgress && (step % progressEvery === 0 || step === steps)) {
      options.onProgress({ step, steps, loss: r.loss, heldOut: held[held.length - 1] });
    }
  }
  return { model: m, history, heldOut: held, snapshots, probe: { source: probe.source.slice(), target: probe.target.slice() }, ms: Date.now() - t0, stepMs };
}
