/**
 * Optimisers over one flat parameter vector θ: Adam (Kingma & Ba 2015) and SGD with momentum.
 * Deterministic: only arithmetic, no randomness.
 *
 * Dependencies: none.
 */

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

function _checkRate(name: string, x: number, max = Infinity): number {
  if (typeof x !== "number" || !Number.isFinite(x) || x < 0 || x > max) throw new Error(`${name} must be a number in [0, ${max}], got ${String(x)}`);
  return x;
}

/**
 * Adam: running means of the gradient and of its square, bias-corrected.
 *   m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,   θ ← θ − lr·(m/(1 − β₁ᵗ)) / (√(v/(1 − β₂ᵗ)) + ε)
 * @param options { lr = 0.01, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 }
 * @example adam({ lr: 0.1 }).name // returns "adam"
 */
export function adam(options: AdamOptions = {}): Optimizer {
  const lr = _checkRate("lr", options.lr ?? 0.01);
  const b1 = _checkRate("beta1", options.beta1 ?? 0.9, 1);
  const b2 = _checkRate("beta2", options.beta2 ?? 0.999, 1);
  const eps = _checkRate("eps", options.eps ?? 1e-8);
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
      const c1 = 1 - Math.pow(b1, t);
      const c2 = 1 - Math.pow(b2, t);
      for (let i = 0; i < theta.length; i++) {
        const g = grad[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        theta[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
      }
    },
  };
}

/**
 * Stochastic gradient descent with optional momentum.
 *   u ← μu + g,   θ ← θ − lr·u   (μ = 0: θ ← θ − lr·g)
 * @param options { lr = 0.1, momentum = 0 }
 * @example sgd({ lr: 0.5 }).lr // returns 0.5
 */
export function sgd(options: SgdOptions = {}): Optimizer {
  const lr = _checkRate("lr", options.lr ?? 0.1);
  const mu = _checkRate("momentum", options.momentum ?? 0, 1);
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
