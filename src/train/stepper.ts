/**
 * One optimiser step at a time: the model as a flat θ, its gradient on a batch (the fast backward) and an
 * optimiser update. train() runs on this; a notebook or a benchmark can too.
 *
 * Dependencies: _toFlat, _fromFlat, _lossAndGrad, adam, sgd.
 */
import { _fromFlat, _lossAndGrad, _toFlat } from "./_flat";
import { _evaluateFlat } from "./evaluate";
import type { EvaluateOptions, Evaluation } from "./evaluate";
import type { TinyModel } from "./model";
import { adam, Optimizer, sgd } from "./optimizers";
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

/** The optimizer option resolved to an Optimizer. */
export function _optimizer(opt: StepperOptions["optimizer"], lr: number | undefined): Optimizer {
  const o = opt ?? "adam";
  if (o === "adam") return adam(lr == null ? {} : { lr });
  if (o === "sgd") return sgd(lr == null ? {} : { lr });
  if (o != null && typeof o === "object" && typeof o.step === "function") return o;
  throw new Error(`optimizer must be "adam", "sgd" or adam()/sgd(), got ${String(o)}`);
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
  const optimizer = _optimizer(options.optimizer, options.lr);
  const fm = _toFlat(model);
  const grad = new Float64Array(fm.theta.length);
  return {
    theta: fm.theta,
    optimizer,
    step(batch: Example[]) {
      if (!Array.isArray(batch) || batch.length === 0) throw new Error("batch must be a non-empty array of examples");
      grad.fill(0);
      const r = _lossAndGrad(fm, fm.theta, batch, grad);
      optimizer.step(fm.theta, grad);
      return { loss: r.loss, accuracy: r.count === 0 ? 0 : r.correct / r.count };
    },
    model: () => _fromFlat(fm),
    evaluate: (examples: Example[], opts: EvaluateOptions = {}) => _evaluateFlat(fm, examples, opts),
  };
}
