/**
 * Optimisers over one flat parameter vector θ: Adam (Kingma & Ba 2015) and SGD with momentum.
 * Deterministic: only arithmetic, no randomness.
 *
 * Dependencies: _validateOptions (unknown keys suggest the right one), the option checks of ./_check.
 */
import { _describe } from "../math/_describe";
import { _checkOptions, _isPositive, _isRateBelowOne } from "./_check";

/** An optimiser: it updates θ in place from ∂loss/∂θ. */
export interface Optimizer {
  /** "adam" or "sgd" */ readonly name: string;
  /** the learning rate */ readonly lr: number;
  /**
   * One update, θ ← θ − step(∂θ), in place.
   * @param theta (n,) parameters
   * @param grad (n,) ∂loss/∂θ
   */
  step(theta: Float64Array, grad: Float64Array): void;
}

/** Options of adam. */
export interface AdamOptions {
  /** default 0.01 */ lr?: number;
  /** default 0.9 */ beta1?: number;
  /** default 0.999 */ beta2?: number;
  /** default 1e-8 */ eps?: number;
}

/** Options of sgd. */
export interface SgdOptions {
  /** default 0.1 */ lr?: number;
  /** default 0 (plain gradient descent) */ momentum?: number;
}

const _ADAM_SPEC = {
  lr: _isPositive,
  beta1: _isRateBelowOne("with β₁ = 1 the running mean m stays 0, so Adam's bias correction divides 0 by 0"),
  beta2: _isRateBelowOne("with β₂ = 1 the running square v stays 0, so Adam's bias correction divides 0 by 0"),
  eps: _isPositive,
};

const _SGD_SPEC = {
  lr: _isPositive,
  momentum: _isRateBelowOne("with momentum 1 the velocity never forgets a gradient, and the steps grow without end"),
};

/**
 * Throw unless o is an optimiser train and stepper can use: adam(), sgd(), or a hand-made
 * { name: string, lr: finite > 0, step(theta, grad) }, naming what is missing.
 * @param o what the user passed as `optimizer`
 * @param name the option's name for the message
 */
export function _checkOptimizer(o: unknown, name = "optimizer"): Optimizer {
  const shape = `"adam", "sgd", adam()/sgd(), or an object { name, lr, step(theta, grad) }`;
  if (o == null || typeof o !== "object") throw new Error(`${name} must be ${shape}, got ${_describe(o)}`);
  const opt = o as Partial<Optimizer>;
  if (typeof opt.step !== "function") throw new Error(`${name} must be ${shape}; this object's step is ${_describe(opt.step)}, not a function`);
  if (typeof opt.name !== "string" || opt.name === "") throw new Error(`${name} must be ${shape}; this object's name is ${_describe(opt.name)}, not a string (errors quote it)`);
  if (typeof opt.lr !== "number" || !Number.isFinite(opt.lr) || opt.lr <= 0) {
    throw new Error(`${name} must be ${shape}; this object's lr is ${_describe(opt.lr)}, not a finite number > 0`);
  }
  return opt as Optimizer;
}

/**
 * Adam: running means of the gradient and of its square, bias-corrected.
 *   m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,   θ ← θ − lr·(m/(1 − β₁ᵗ)) / (√(v/(1 − β₂ᵗ)) + ε)
 * @param options { lr = 0.01 (> 0), beta1 = 0.9 and beta2 = 0.999 (in [0, 1)), eps = 1e-8 (> 0) }
 * @example adam({ lr: 0.1 }).name // returns "adam"
 */
export function adam(options: AdamOptions = {}): Optimizer {
  _checkOptions("adam", options, _ADAM_SPEC);
  const lr = options.lr ?? 0.01;
  const b1 = options.beta1 ?? 0.9;
  const b2 = options.beta2 ?? 0.999;
  const eps = options.eps ?? 1e-8;
  let m: Float64Array | null = null;
  let v: Float64Array | null = null;
  let t = 0;
  return {
    name: "adam", lr,
    step(theta, grad) {
      if (m == null || v == null) { m = new Float64Array(theta.length); v = new Float64Array(theta.length); }
      if (m.length !== theta.length || grad.length !== theta.length) {
        throw new Error(`adam: theta has ${theta.length} entries, grad ${grad.length}, state ${m.length}`);
      }
      t++;
      // PyTorch's arrangement (torch.optim.Adam): θ ← θ − (lr/(1 − β₁ᵗ))·m / (√v/√(1 − β₂ᵗ) + ε), the same
      // equation with the bias corrections as constants of the step (two divisions per parameter, not four)
      const stepSize = lr / (1 - Math.pow(b1, t));
      const c2Sqrt = Math.sqrt(1 - Math.pow(b2, t));
      for (let i = 0; i < theta.length; i++) {
        const g = grad[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        theta[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / c2Sqrt + eps);
      }
    },
  };
}

/**
 * Stochastic gradient descent with optional momentum.
 *   u ← μu + g,   θ ← θ − lr·u   (μ = 0: θ ← θ − lr·g)
 * @param options { lr = 0.1 (> 0), momentum = 0 (in [0, 1)) }
 * @example sgd({ lr: 0.5 }).lr // returns 0.5
 */
export function sgd(options: SgdOptions = {}): Optimizer {
  _checkOptions("sgd", options, _SGD_SPEC);
  const lr = options.lr ?? 0.1;
  const mu = options.momentum ?? 0;
  let u: Float64Array | null = null;
  return {
    name: "sgd", lr,
    step(theta, grad) {
      if (grad.length !== theta.length) throw new Error(`sgd: theta has ${theta.length} entries, grad ${grad.length}`);
      if (mu === 0) {
        for (let i = 0; i < theta.length; i++) theta[i] -= lr * grad[i];
        return;
      }
      if (u == null) u = new Float64Array(theta.length);
      for (let i = 0; i < theta.length; i++) {
        u[i] = mu * u[i] + grad[i];
        theta[i] -= lr * u[i];
      }
    },
  };
}
