/**
 * The training loop: seeded batches from a task, Adam or SGD on the fast backward pass, a validation split,
 * early stopping, a history of loss and accuracy at every step, and snapshots of every head's attention map.
 *
 * Dependencies: stepper, mulberry32.
 */
import { mulberry32 } from "../math/random";
import type { Matrix } from "../math/trace";
import { _checkTokens, TinyModel } from "./model";
import type { Optimizer } from "./optimizers";
import { _optimizer, stepper } from "./stepper";
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
  /** stop when the validation loss has not improved by minDelta for `patience` evaluations, and keep the
   *  best weights (default false: run every step) */ earlyStopping?: false | { patience: number; minDelta?: number };
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

function _int(name: string, x: number, min: number): number {
  if (!Number.isInteger(x) || x < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${String(x)}`);
  return x;
}

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
  if (task == null || typeof task.examples !== "function") throw new Error("task must be a Task (e.g. tasks.previousToken({ vocab, length }))");
  const c = model.config;
  if (task.vocab > c.vocab || task.length > c.length || task.numClasses > c.numClasses || task.parts.length !== c.parts) {
    throw new Error(
      `task ${task.name} (vocab ${task.vocab}, length ${task.length}, ${task.numClasses} classes, ${task.parts.length} parts) ` +
        `does not fit the model (vocab ${c.vocab}, length ${c.length}, ${c.numClasses} classes, ${c.parts} parts)`,
    );
  }
  const steps = _int("steps", options.steps ?? 1000, 0);
  const batchSize = _int("batchSize", options.batchSize ?? 32, 1);
  const datasetSize = _int("datasetSize", options.datasetSize ?? 2000, 2);
  const evalEvery = _int("evalEvery", options.evalEvery ?? 25, 1);
  const progressEvery = _int("progressEvery", options.progressEvery ?? 100, 1);
  const valFraction = options.validationFraction ?? 0.2;
  if (!(valFraction > 0 && valFraction < 1)) throw new Error(`validationFraction must be in (0, 1), got ${valFraction}`);
  const early = options.earlyStopping ?? false;
  if (early !== false && (!Number.isInteger(early.patience) || early.patience < 1)) {
    throw new Error(`earlyStopping.patience must be a positive integer, got ${String(early.patience)}`);
  }
  const snapshotSteps = new Set(options.snapshotSteps ?? []);
  for (const s of snapshotSteps) _int("snapshotSteps entry", s, 0);
  const optimizer = _optimizer(options.optimizer, options.lr);

  const data = task.examples(datasetSize);
  const nVal = Math.max(1, Math.round(datasetSize * valFraction));
  const trainSet = data.slice(0, datasetSize - nVal);
  const valSet = data.slice(datasetSize - nVal);
  const probe = _checkTokens("probe", options.probe ?? valSet[0].tokens, c.vocab, c.length);

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
  let best = { loss: Infinity, step: 0, theta: s.theta.slice() };
  let sinceBest = 0;
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
      if (v.loss < best.loss - (early === false ? 0 : early.minDelta ?? 0)) {
        best = { loss: v.loss, step, theta: s.theta.slice() };
        sinceBest = 0;
      } else if (early !== false && ++sinceBest >= early.patience) {
        stoppedEarly = true;
      }
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
