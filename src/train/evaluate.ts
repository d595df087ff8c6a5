/**
 * Accuracy and loss of a trained model, with some heads removed if asked (head ablation).
 *
 * Dependencies: _flatModel, _lossAndGrad (the fast flat forward).
 */
import { _describe } from "../math/_describe";
import { _checkedLater, _isBoolean } from "../math/_validate";
import { _batchBytes, _checkBytes, _checkExamples, _checkOptions, _maxBatch } from "./_check";
import { _FlatModel, _lossAndGrad, _flatModel } from "./_flat";
import { _checkHeadMask, TinyModel } from "./model";
import type { Example } from "./tasks";

/** Options of evaluate. */
export interface EvaluateOptions {
  /** (h,) 1 keeps a head, 0 removes its contribution head_i·W^O_i; default all 1 */ headMask?: number[];
}

/** What evaluate reports. */
export interface Evaluation {
  /** mean cross-entropy over the scored (position, part) entries */ loss: number;
  /** fraction of scored entries predicted right */ accuracy: number;
  /** number of scored entries */ count: number;
  /** per output part: { name, accuracy, count } */ parts: { name: string; accuracy: number; count: number }[];
}

/**
 * Loss and accuracy of the model on examples (overall and per output part), on the fast path.
 * headMask scales each head's contribution; 0 removes it, which equals zeroing that head's rows of W^O (tested).
 * @param model a TinyModel
 * @param examples examples of the model's length (e.g. a task's examples or the validation split)
 * @param options { headMask (h,) }
 * @return { loss, accuracy, count, parts }
 * @example (illustrative) evaluate(model, task.examples(500, 99), { headMask: [1, 0, 1, 1] }).parts // without head 2
 */
export function evaluate(model: TinyModel, examples: Example[], options: EvaluateOptions = {}): Evaluation {
  _checkModel("evaluate", model);
  return _evaluateFlat(_flatModel(model, "evaluate"), examples, options);
}

function _checkModel(where: string, model: unknown): void {
  if (!(model instanceof TinyModel)) throw new Error(`${where} needs a TinyModel (TinyModel.random({ … })), got ${_describe(model)}`);
}

/** evaluate on a flat model (what train and stepper use: no copy into nested arrays). */
export function _evaluateFlat(fm: _FlatModel, examples: Example[], options: EvaluateOptions = {}, where = "evaluate"): Evaluation {
  _checkOptions(where, options, { headMask: _checkedLater }); // checked below, where h is known
  _checkExamples(where, "examples", examples, fm.config);
  const h = fm.config.numHeads;
  const headMask = options.headMask == null ? null : Float64Array.from(_checkHeadMask(options.headMask, h));
  const chunk = Math.min(256, _maxBatch(fm.config)); // examples per forward pass, within the memory budget
  _checkBytes(`${where} on one example`, _batchBytes(1, fm.config), "the model is too large to evaluate");
  let lossSum = 0;
  let count = 0;
  const parts = fm.config.partNames.map((name) => ({ name, count: 0, correct: 0 }));
  for (let i = 0; i < examples.length; i += chunk) {
    const r = _lossAndGrad(fm, fm.theta, examples.slice(i, i + chunk), null, headMask);
    lossSum += r.loss * r.count;
    count += r.count;
    r.parts.forEach((p, k) => { parts[k].count += p.count; parts[k].correct += p.correct; });
  }
  const correct = parts.reduce((s, p) => s + p.correct, 0);
  if (!Number.isFinite(lossSum)) {
    throw new Error(`${where}: the loss is ${String(lossSum)}: the model's weights are too large or not finite (was it trained with too high a learning rate?)`);
  }
  return {
    loss: count === 0 ? 0 : lossSum / count, accuracy: count === 0 ? 0 : correct / count, count,
    parts: parts.map((p) => ({ name: p.name, accuracy: p.count === 0 ? 0 : p.correct / p.count, count: p.count })),
  };
}

/** One row of an ablation table. */
export interface AblationRow {
  /** 0-based indices of the removed heads ([] = the full model) */ removed: number[];
  /** e.g. "without head 2" (1-based, as prose numbers heads) */ label: string;
  /** evaluate's result with those heads removed */ result: Evaluation;
}

/**
 * Remove heads one at a time (and, with pairs: true, two at a time) and report what breaks.
 * @param model a TinyModel
 * @param examples the examples to score
 * @param options { pairs = false }
 * @return the full model first, then one row per removed head (set)
 * @example (illustrative) ablationTable(result.model, task.examples(500, 99)).map((r) => [r.label, r.result.accuracy])
 */
export function ablationTable(model: TinyModel, examples: Example[], options: { pairs?: boolean } = {}): AblationRow[] {
  _checkModel("ablationTable", model);
  _checkOptions("ablationTable", options, { pairs: _isBoolean });
  _checkExamples("ablationTable", "examples", examples, model.config);
  const h = model.config.numHeads;
  const sets: number[][] = [[]];
  for (let i = 0; i < h; i++) sets.push([i]);
  if (options.pairs) for (let i = 0; i < h; i++) for (let j = i + 1; j < h; j++) sets.push([i, j]);
  return sets.map((removed) => ({
    removed,
    label: removed.length === 0 ? "all heads" : `without head${removed.length > 1 ? "s" : ""} ${removed.map((i) => i + 1).join(" and ")}`,
    result: evaluate(model, examples, { headMask: Array.from({ length: h }, (_, i) => (removed.includes(i) ? 0 : 1)) }),
  }));
}
