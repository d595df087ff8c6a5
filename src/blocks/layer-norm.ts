/**
 * The LayerNorm block: normalise each row to mean 0 and variance 1, then scale and shift, with its backward.
 * (RMSNorm, which skips the mean and the shift, sits beside it in rms-norm.ts.)
 *
 * Dependencies: none.
 */

/** LayerNorm's parameters (or their gradients): γ and β, both (d,). */
export interface LayerNormParams {
  /** (d,) γ, the scale (PyTorch's weight) */ gamma: Float64Array;
  /** (d,) β, the shift (PyTorch's bias) */ beta: Float64Array;
}

/** What layerNorm computed: the output and what its backward needs. */
export interface LayerNormCache {
  /** (n, d) γ ⊙ x̂ + β */ y: Float64Array;
  /** (n, d) x̂ = (x − μ)/√(σ² + ε) */ xHat: Float64Array;
  /** (n,) 1/√(σ² + ε) of each row */ invStd: Float64Array;
}

/** The LayerNorm block: forward y = γ ⊙ (x − μ)/√(σ² + ε) + β, backward ∂x, ∂γ, ∂β. */
export const LayerNorm = Object.freeze({
  /**
   * Layer normalisation over the d features of every row (biased variance, as torch.nn.LayerNorm).
   *   μ = (1/d) Σ_j x_j,   σ² = (1/d) Σ_j (x_j − μ)²,   x̂ = (x − μ)/√(σ² + ε),   y = γ ⊙ x̂ + β
   * @param x (n, d) row-major
   * @param p { gamma (d,), beta (d,) }
   * @param n rows
   * @param d features per row
   * @param eps added to the variance (default 1e-5, PyTorch's; BERT uses 1e-12)
   * @return { y (n, d), xHat (n, d), invStd (n,) }
   * @example Array.from(LayerNorm.forward(Float64Array.of(1, 3), { gamma: Float64Array.of(1, 1), beta: Float64Array.of(0, 0) }, 1, 2, 0).y) // returns [-1, 1]
   */
  forward(x: Float64Array, p: LayerNormParams, n: number, d: number, eps = 1e-5): LayerNormCache {
    const y = new Float64Array(n * d); // (n, d)
    const xHat = new Float64Array(n * d); // (n, d)
    const invStd = new Float64Array(n); // (n,)
    const { gamma, beta } = p;
    for (let i = 0; i < n; i++) {
      const o = i * d;
      let mean = 0;
      for (let j = 0; j < d; j++) mean += x[o + j];
      mean /= d;
      let v = 0;
      for (let j = 0; j < d; j++) {
        const c = x[o + j] - mean;
        v += c * c;
      }
      const inv = 1 / Math.sqrt(v / d + eps);
      invStd[i] = inv;
      for (let j = 0; j < d; j++) {
        const h = (x[o + j] - mean) * inv;
        xHat[o + j] = h;
        y[o + j] = h * gamma[j] + beta[j];
      }
    }
    return { y, xHat, invStd };
  },

  /**
   * The backward pass of layerNorm: ADD ∂γ and ∂β into grads and return ∂x.
   *   ∂γ += Σ_rows ∂y ⊙ x̂,   ∂β += Σ_rows ∂y,   g = ∂y ⊙ γ,
   *   ∂x = (1/√(σ² + ε)) · (g − mean_j(g) − x̂ ⊙ mean_j(g ⊙ x̂))
   * @param cache what layerNorm returned
   * @param p the forward's parameters
   * @param dY (n, d) ∂loss/∂y
   * @param grads where ∂γ and ∂β are added
   * @return (n, d) ∂loss/∂x
   * @example Array.from(LayerNorm.backward(LayerNorm.forward(Float64Array.of(1, 3), { gamma: Float64Array.of(1, 1), beta: Float64Array.of(0, 0) }, 1, 2, 0), { gamma: Float64Array.of(1, 1), beta: Float64Array.of(0, 0) }, Float64Array.of(1, 1), { gamma: new Float64Array(2), beta: new Float64Array(2) }, 1, 2)) // returns [0, 0]
   */
  backward(
    cache: LayerNormCache, p: LayerNormParams, dY: Float64Array, grads: LayerNormParams, n: number, d: number,
  ): Float64Array {
    const { xHat, invStd } = cache;
    const dX = new Float64Array(n * d); // (n, d)
    const { gamma } = p;
    const [dGamma, dBeta] = [grads.gamma, grads.beta];
    for (let i = 0; i < n; i++) {
      const o = i * d;
      let meanG = 0;
      let meanGx = 0;
      for (let j = 0; j < d; j++) {
        const dy = dY[o + j];
        const h = xHat[o + j];
        const g = dy * gamma[j];
        meanG += g;
        meanGx += g * h;
        dGamma[j] += dy * h;
        dBeta[j] += dy;
      }
      meanG /= d;
      meanGx /= d;
      const inv = invStd[i];
      for (let j = 0; j < d; j++) dX[o + j] = inv * (dY[o + j] * gamma[j] - meanG - xHat[o + j] * meanGx);
    }
    return dX;
  },
});
