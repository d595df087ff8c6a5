/**
 * One optimiser step at a time: the model as a flat θ, its gradient on a batch (the fast backward) and an
 * optimiser update. train() runs on this; a notebook or a benchmark can too.
 *
 * Dependencies: _flatModel, _modelFromFlat, _lossAndGrad, adam, sgd.
 */
import { _describe } from "../math/_describe";
import type { OptionCheck } from "../math/_validate";
import { _batchBytes, _checkBytes, _checkExamples, _checkOptions, _firstNonFinite, _isPositive, _maxBatch, _nonFinite } from "./_check";
import { _flatModel, _lossAndGrad, _modelFromFlat, _thetaName } from "./_flat";
import { _evaluateFlat } from "./evaluate";
import type { EvaluateOptions, Evaluation } from "./evaluate";
import { TinyModel } from "./model";
import { _checkOptimizer, adam, Optimizer, sgd } from "./optimizers";
import type { Example } from "./tasks";

/** Options of stepper. */
export interface StepperOptions {
  /** "adam" (default), "sgd", or an optimizer from adam()/sgd() */ optimizer?: "adam" | "sgd" | Optimizer;
  /** learning rate for "adam" (default 0.01) or "sgd" (default 0.1) */ lr?: number;
}

/** A model being trained, one batch at a time. */
export interface Stepper {
  /**
   * Compute the batch's mean cross-entropy and its gradient, then update θ once.
   * @param batch examples of equal length
   * @return the batch's loss and accuracy BEFORE the update
   */
  step(batch: Example[]): { loss: number; accuracy: number };
  /** A TinyModel holding a copy of the current weights. */
  model(): TinyModel;
  /** The current weights, flat (changing them changes the model being trained). */
  readonly theta: Float64Array;
  /** The optimiser in use. */
  readonly optimizer: Optimizer;
  /**
   * Loss and accuracy of the current weights on examples (as evaluate(stepper.model(), …), without the copy).
   * @param examples examples of the model's length
   * @param options { headMask }
   */
  evaluate(examples: Example[], options?: EvaluateOptions): Evaluation;
}

/** The optimizer option: "adam", "sgd", an object from adam()/sgd(), or a hand-made { name, lr, step }. */
export const _isOptimizer: OptionCheck = (v, name) => {
  if (v === "adam" || v === "sgd") return;
  _checkOptimizer(v, name);
};

/** The option checks stepper and train share. */
export const _optimizerSpec: { [key: string]: OptionCheck } = { optimizer: _isOptimizer, lr: _isPositive };

/** The optimizer option resolved to an Optimizer (options already checked by _validateOptions). */
export function _optimizer(opt: StepperOptions["optimizer"], lr: number | undefined): Optimizer {
  const o = opt ?? "adam";
  if (o === "adam") return adam(lr == null ? {} : { lr });
  if (o === "sgd") return sgd(lr == null ? {} : { lr });
  const checked = _checkOptimizer(o);
  if (lr != null) throw new Error(`lr is not used with an optimizer object (its lr is ${checked.lr}): pass it to ${checked.name}({ lr: ${lr} }) instead`);
  return checked;
}

/**
 * Start training a copy of model: every step(batch) is one forward, one fast backward and one optimiser update.
 *   θ ← optimizer(θ, ∂ mean cross-entropy(batch)/∂θ)
 * @param model the starting model (not changed)
 * @param options { optimizer = "adam", lr }
 * @return { step(batch), model(), evaluate(examples, { headMask }), theta, optimizer }
 * @example (illustrative) const s = stepper(model, { lr: 0.01 }); s.step(task.examples(32)).loss
 */
export function stepper(model: TinyModel, options: StepperOptions = {}): Stepper {
  if (!(model instanceof TinyModel)) throw new Error(`stepper needs a TinyModel (TinyModel.random({ … })), got ${_describe(model)}`);
  _checkOptions("stepper", options, _optimizerSpec);
  const optimizer = _optimizer(options.optimizer, options.lr);
  const fm = _flatModel(model);
  const grad = new Float64Array(fm.theta.length);
  let steps = 0;
  return {
    theta: fm.theta,
    optimizer,
    step(batch: Example[]) {
      _checkExamples("stepper().step", "batch", batch, fm.config);
      _checkBytes(`stepper().step on a batch of ${batch.length}`, _batchBytes(batch.length, fm.config, batch[0].tokens.length),
        `split it into batches of at most ${_maxBatch(fm.config)}`);
      const step = steps + 1;
      for (let i = 0; i < fm.theta.length; i++) { // θ is the caller's to edit (stepper().theta): a NaN there is not the learning rate's fault
        if (!Number.isFinite(fm.theta[i])) {
          throw new Error(`stepper().step: the weights are not finite before step ${step}: theta[${i}] (${_thetaName(fm, i)}) is ${fm.theta[i]}; was stepper().theta edited?`);
        }
      }
      grad.fill(0);
      const r = _lossAndGrad(fm, fm.theta, batch, grad);
      if (!Number.isFinite(r.loss)) throw _nonFinite("loss", r.loss, step, optimizer);
      const g = _firstNonFinite(grad);
      if (g != null) throw _nonFinite("the gradient", g, step, optimizer);
      optimizer.step(fm.theta, grad);
      const w = _firstNonFinite(fm.theta);
      if (w != null) throw _nonFinite("the weights", w, step, optimizer);
      steps = step;
      return { loss: r.loss, accuracy: r.count === 0 ? 0 : r.correct / r.count };
    },
    model: () => _modelFromFlat(fm),
    evaluate: (examples: Example[], opts: EvaluateOptions = {}) => _evaluateFlat(fm, examples, opts, "stepper().evaluate"),
  };
}
