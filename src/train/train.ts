/**
 * The training loop: seeded batches from a task, Adam or SGD on the fast backward pass, a validation split,
 * early stopping, a history of loss and accuracy at every step, and snapshots of every head's attention map.
 *
 * Dependencies: stepper, mulberry32.
 */
import { _checkedLater, _isSafeInteger } from "../math/_validate";
import type { OptionCheck } from "../math/_validate";
import { _describe } from "../math/_describe";
import { mulberry32 } from "../math/random";
import {
  _batchBytes, _checkBytes, _checkExamples, _checkOptions, _examplesBytes, _intAtLeast, _isFunction, _isNonNegative, _maxBatch, _maxExamples,
  MAX_STEPS,
} from "./_check";
import type { Matrix } from "../math/trace";
import { _checkTokens, TinyModel } from "./model";
import type { Optimizer } from "./optimizers";
import { _optimizer, _optimizerSpec, stepper } from "./stepper";
import type { Example, Task } from "./tasks";

/** Options of train. */
export interface TrainOptions {
  /** "adam" (default), "sgd", or an optimizer from adam()/sgd() (it keeps its state: make a new one per run) */
  optimizer?: "adam" | "sgd" | Optimizer;
  /** learning rate for "adam" (default 0.01) or "sgd" (default 0.1) */ lr?: number;
  /** number of updates (default 1000) */ steps?: number;
  /** examples per update (default 32) */ batchSize?: number;
  /** seed of the batch order (default 0); the data come from the task's own seed */ seed?: number;
  /** examples drawn from the task, split into train and validation (default 2000) */ datasetSize?: number;
  /** fraction held out for validation (default 0.2) */ validationFraction?: number;
  /** evaluate on the validation split every this many steps (default 25, and always at the last step) */ evalEvery?: number;
  /** stop when the validation loss has not beaten its best by more than minDelta (default 0) for `patience`
   *  evaluations in a row, and return the weights of the lowest validation loss seen (even if that last
   *  improvement was smaller than minDelta) (default false: run every step) */ earlyStopping?: false | { patience: number; minDelta?: number };
  /** steps after which every head's attention map on `probe` is recorded; 0 = before training (default []) */ snapshotSteps?: number[];
  /** (L,) tokens the snapshots run on (default the first validation example) */ probe?: number[];
  /** called every progressEvery steps and at the end */ onProgress?: (p: Progress) => void;
  /** default 100 */ progressEvery?: number;
}

/** One step of training history: the batch's loss and accuracy BEFORE that step's update. */
export interface HistoryEntry {
  /** 1, 2, … */ step: number;
  loss: number;
  accuracy: number;
}

/** One validation evaluation, after `step` updates. */
export interface ValidationEntry {
  step: number;
  loss: number;
  accuracy: number;
  /** per output part */ parts: { name: string; accuracy: number }[];
}

/** Every head's attention map on the probe after `step` updates. */
export interface Snapshot {
  step: number;
  /** (L,) the probe */ tokens: number[];
  /** (h, L, L) attention weights of every head (weights[0] is head 1) */ weights: Matrix[];
  /** parts × (L,) the model's predictions on the probe */ predictions: number[][];
}

/** What onProgress receives. */
export interface Progress {
  step: number;
  steps: number;
  /** the last batch's loss and accuracy */ loss: number;
  accuracy: number;
  /** the last validation result, if any yet */ validation?: ValidationEntry;
}

/** What train returns. */
export interface TrainResult {
  /** the trained model (the best-validation weights when early stopping is on) */ model: TinyModel;
  /** one entry per step */ history: HistoryEntry[];
  /** one entry per evaluation */ validation: ValidationEntry[];
  snapshots: Snapshot[];
  /** updates made (less than steps when stopped early) */ steps: number;
  /** the step whose weights were kept */ bestStep: number;
  stoppedEarly: boolean;
  /** the examples trained on and held out */ data: { train: Example[]; validation: Example[] };
  /** wall-clock milliseconds of the loop (not deterministic, unlike everything else) */ ms: number;
}

const _isFraction: OptionCheck = (v, name) => {
  if (typeof v !== "number" || !(v > 0 && v < 1)) throw new Error(`${name} must be a number in (0, 1), got ${_describe(v)}`);
};

const _isEarlyStopping: OptionCheck = (v, name) => {
  if (v === false) return;
  _checkOptions(`train's ${name}`, v, {
    patience: (x) => _intAtLeast(1)(x, `${name}.patience`), minDelta: (x) => _isNonNegative(x, `${name}.minDelta`),
  }, ["patience"]);
};

const _isStepList: OptionCheck = (v, name) => {
  if (!Array.isArray(v)) throw new Error(`${name} must be an array of step numbers (0 = before training), got ${_describe(v)}`);
  v.forEach((s, i) => _intAtLeast(0)(s, `${name}[${i}]`));
};

const _isStepCount: OptionCheck = (v, name) => {
  _intAtLeast(0)(v, name);
  if ((v as number) > MAX_STEPS) {
    throw new Error(`${name} is ${_describe(v)}, over mha-lab/train's limit of ${MAX_STEPS} steps per train() call (a million steps of even ` +
      `the smallest model take minutes); train in several calls, each starting from the last result's model`);
  }
};

/** Every option of train and its check (src/math/_validate.ts: unknown keys suggest the right one). */
const _TRAIN_SPEC: { [key: string]: OptionCheck } = {
  ..._optimizerSpec, steps: _isStepCount, batchSize: _intAtLeast(1), seed: _isSafeInteger, datasetSize: _intAtLeast(2),
  validationFraction: _isFraction, evalEvery: _intAtLeast(1), earlyStopping: _isEarlyStopping, snapshotSteps: _isStepList,
  probe: _checkedLater, onProgress: _isFunction, progressEvery: _intAtLeast(1),
};

/**
 * Train a TinyModel on a task. Everything is determined by the model, the task's seed and options.seed:
 * the same inputs give the same loss curve on every run.
 *   each step: batch ~ train split (shuffled each epoch), θ ← optimizer(θ, ∂ mean cross-entropy/∂θ)
 * The model passed in is not changed; result.model is a new one.
 * @param model the starting model (e.g. TinyModel.random({ task, dModel: 32, numHeads: 4, seed: 1 }))
 * @param task where the examples come from (task.examples(datasetSize))
 * @param options see TrainOptions
 * @return { model, history, validation, snapshots, steps, bestStep, stoppedEarly, data, ms }
 * @example (illustrative) train(TinyModel.random({ task, dModel: 32, numHeads: 4 }), task, { steps: 1000, snapshotSteps: [0, 100, 1000] })
 */
export function train(model: TinyModel, task: Task, options: TrainOptions = {}): TrainResult {
  if (!(model instanceof TinyModel)) throw new Error("model must be a TinyModel (TinyModel.random({ … }))");
  if (task == null || typeof task.examples !== "function") throw new Error(`task must be a Task (e.g. tasks.previousToken({ vocab, length })), got ${_describe(task)}`);
  for (const k of ["vocab", "length", "numClasses"] as const) {
    if (!Number.isSafeInteger(task[k]) || task[k] < 1) throw new Error(`task.${k} must be a positive integer, got ${_describe(task[k])}`);
  }
  if (!Array.isArray(task.parts) || task.parts.length < 1) throw new Error(`task.parts must name the output parts (e.g. ["previous"]), got ${_describe(task.parts)}`);
  const c = model.config;
  if (task.vocab > c.vocab || task.length > c.length || task.numClasses > c.numClasses || task.parts.length !== c.parts) {
    throw new Error(
      `task ${task.name} (vocab ${task.vocab}, length ${task.length}, ${task.numClasses} classes, ${task.parts.length} parts) ` +
        `does not fit the model (vocab ${c.vocab}, length ${c.length}, ${c.numClasses} classes, ${c.parts} parts)`,
    );
  }
  _checkOptions("train", options, _TRAIN_SPEC);
  const steps = options.steps ?? 1000;
  const batchSize = options.batchSize ?? 32;
  const datasetSize = options.datasetSize ?? 2000;
  const evalEvery = options.evalEvery ?? 25;
  const progressEvery = options.progressEvery ?? 100;
  const valFraction = options.validationFraction ?? 0.2;
  const early = options.earlyStopping ?? false;
  const minDelta = early === false ? 0 : early.minDelta ?? 0;
  const snapshotSteps = new Set(options.snapshotSteps ?? []);
  for (const s of snapshotSteps) {
    if (s > steps) throw new Error(`snapshotSteps has ${s} but steps is ${steps}: that snapshot would never be taken`);
  }
  const nVal = Math.max(1, Math.round(datasetSize * valFraction));
  const nTrain = datasetSize - nVal;
  if (nTrain < 1) {
    throw new Error(`datasetSize ${datasetSize} with validationFraction ${valFraction} holds out ${nVal} examples and leaves ` +
      `${nTrain} to train on: raise datasetSize or lower validationFraction`);
  }
  _checkBytes(`train({ datasetSize: ${datasetSize} })`, _examplesBytes(datasetSize, task.length, task.parts.length),
    `use a datasetSize of at most ${_maxExamples(task.length, task.parts.length)} for task ${task.name} (${task.length} tokens)`);
  _checkBytes(`train({ batchSize: ${batchSize} })`, _batchBytes(batchSize, c, task.length), `use a batchSize of at most ${_maxBatch(c)} for this model`);
  const optimizer = _optimizer(options.optimizer, options.lr);

  const data = task.examples(datasetSize);
  _checkExamples(`train (task ${task.name}'s examples)`, "examples", data, c);
  const trainSet = data.slice(0, nTrain);
  const valSet = data.slice(nTrain);
  const probe = _checkTokens("probe", options.probe ?? valSet[0].tokens, c.vocab, c.length, "train: ");

  const s = stepper(model, { optimizer });
  const rand = mulberry32(options.seed ?? 0);
  let order: number[] = [];
  let cursor = 0;
  const nextBatch = (): Example[] => {
    const batch: Example[] = [];
    while (batch.length < batchSize) {
      if (cursor >= order.length) {
        order = trainSet.map((_, i) => i);
        for (let i = order.length - 1; i > 0; i--) { // Fisher–Yates with the seeded PRNG
          const j = Math.floor(rand() * (i + 1));
          [order[i], order[j]] = [order[j], order[i]];
        }
        cursor = 0;
      }
      batch.push(trainSet[order[cursor++]]);
    }
    return batch;
  };
  const snapshots: Snapshot[] = [];
  const snap = (step: number) => {
    const t = s.model().forward(probe);
    snapshots.push({ step, tokens: probe.slice(), weights: t.attention.weights, predictions: t.predictions });
  };
  const validate = (step: number): ValidationEntry => {
    const r = s.evaluate(valSet);
    return { step, loss: r.loss, accuracy: r.accuracy, parts: r.parts.map((p) => ({ name: p.name, accuracy: p.accuracy })) };
  };

  const history: HistoryEntry[] = [];
  const validation: ValidationEntry[] = [];
  // best: the lowest validation loss so far and its weights (what early stopping returns);
  // sinceImproved: evaluations since the loss last beat the best by more than minDelta (the patience counter)
  let best = { loss: Infinity, step: 0, theta: s.theta.slice() };
  let sinceImproved = 0;
  let stoppedEarly = false;
  let step = 0;
  const t0 = Date.now();
  if (snapshotSteps.has(0)) snap(0);
  while (step < steps) {
    const r = s.step(nextBatch());
    step++;
    history.push({ step, loss: r.loss, accuracy: r.accuracy });
    if (snapshotSteps.has(step)) snap(step);
    if (step % evalEvery === 0 || step === steps) {
      const v = validate(step);
      validation.push(v);
      const significant = v.loss < best.loss - minDelta;
      if (v.loss < best.loss) best = { loss: v.loss, step, theta: s.theta.slice() };
      if (significant) sinceImproved = 0;
      else if (early !== false && ++sinceImproved >= early.patience) stoppedEarly = true;
    }
    const last = history[history.length - 1];
    if (options.onProgress && (step % progressEvery === 0 || step === steps || stoppedEarly)) {
      options.onProgress({ step, steps, loss: last.loss, accuracy: last.accuracy, validation: validation[validation.length - 1] });
    }
    if (stoppedEarly) break;
  }
  const ms = Date.now() - t0;
  const keepBest = early !== false && best.step > 0;
  if (keepBest) s.theta.set(best.theta);
  return {
    model: s.model(),
    history, validation, snapshots, steps: step, bestStep: keepBest ? best.step : step, stoppedEarly,
    data: { train: trainSet, validation: valSet }, ms,
  };
}
