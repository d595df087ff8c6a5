/**
 * The RMSNorm block (Zhang & Sennrich 2019; llama's RMSNorm): scale each row by the inverse of its root mean
 * square, then by a learned gain, with its backward. Unlike LayerNorm (layer-norm.ts) it subtracts no mean and
 * adds no shift.
 *
 * Dependencies: none.
 */

/** What RMSNorm.forward computed: the output and what its backward needs. */
export interface RMSNormCache {
  /** (n, d) g ⊙ x̂ */ y: Float64Array;
  /** (n, d) x̂ = x / rms(x) */ xHat: Float64Array;
  /** (n,) 1/√(mean(x²) + ε) of each row */ invRms: Float64Array;
}

/** The RMSNorm block: forward y = g ⊙ x/√(mean(x²) + ε), backward ∂x and ∂g. */
export const RMSNorm = Object.freeze({
  /**
   * RMS normalisation over the d features of every row.
   *   rms(x) = √((1/d) Σ_j x_j² + ε),   x̂ = x / rms(x),   y = g ⊙ x̂
   * @param x (n, d) row-major
   * @param g (d,) the gain (PyTorch's weight)
   * @param n rows
   * @param d features per row
   * @param eps added to the mean square (default 1e-5, llama's and SmolLM2's)
   * @return { y (n, d), xHat (n, d), invRms (n,) }
   * @example Array.from(RMSNorm.forward(Float64Array.of(3, 4), Float64Array.of(1, 2), 1, 2, 0).y) // returns [0.848528137423857, 2.262741699796952]
   */
  forward(x: Float64Array, g: Float64Array, n: number, d: number, eps = 1e-5): RMSNormCache {
    if (x.length !== n * d) throw new Error(`RMSNorm: x has ${x.length} numbers but n·d = ${n}·${d} = ${n * d}`);
    if (g.length !== d) throw new Error(`RMSNorm: the gain has ${g.length} numbers but rows have d = ${d}`);
    const y = new Float64Array(n * d); // (n, d)
    const xHat = new Float64Array(n * d); // (n, d)
    const invRms = new Float64Array(n); // (n,)
    for (let i = 0; i < n; i++) {
      const o = i * d;
      let ms = 0;
      for (let j = 0; j < d; j++) ms += x[o + j] * x[o + j];
      const inv = 1 / Math.sqrt(ms / d + eps);
      invRms[i] = inv;
      for (let j = 0; j < d; j++) {
        xHat[o + j] = x[o + j] * inv;
        y[o + j] = g[j] * xHat[o + j];
      }
    }
    return { y, xHat, invRms };
  },

  /**
   * The backward pass of RMSNorm: ADD ∂g into gradG and return ∂x.
   *   ∂g += Σ_rows ∂y ⊙ x̂,   u = ∂y ⊙ g,   ∂x = (1/rms(x)) · (u − x̂ · mean_j(u ⊙ x̂))
   * @param cache what RMSNorm.forward returned
   * @param g (d,) the forward's gain
   * @param dY (n, d) ∂loss/∂y
   * @param gradG (d,) where ∂g is added
   * @param n rows
   * @param d features per row
   * @return (n, d) ∂loss/∂x
   * @example Array.from(RMSNorm.backward(RMSNorm.forward(Float64Array.of(3, 4), Float64Array.of(1, 1), 1, 2, 0), Float64Array.of(1, 1), Float64Array.of(3, 4), new Float64Array(2), 1, 2)) // returns [0, 0]
   */
  backward(cache: RMSNormCache, g: Float64Array, dY: Float64Array, gradG: Float64Array, n: number, d: number): Float64Array {
    const { xHat, invRms } = cache;
    const dX = new Float64Array(n * d); // (n, d)
    for (let i = 0; i < n; i++) {
      const o = i * d;
      let mean = 0;
      for (let j = 0; j < d; j++) {
        mean += dY[o + j] * g[j] * xHat[o + j];
        gradG[j] += dY[o + j] * xHat[o + j];
      }
      mean /= d;
      for (let j = 0; j < d; j++) dX[o + j] = invRms[i] * (dY[o + j] * g[j] - xHat[o + j] * mean);
    }
    return dX;
  },
});
