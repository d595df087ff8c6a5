/**
 * The SwiGLU gate of llama's feed-forward (Shazeer 2020, "GLU variants"), with its backward:
 *   FFN(x) = (SiLU(x·W_gate) ⊙ x·W_up)·W_down,   SiLU(a) = a·σ(a) = a / (1 + e^(−a))
 * This block is the middle of it, h = SiLU(a) ⊙ b, on the two projections a = x·W_gate and b = x·W_up (n, hidden);
 * the three projections are linear steps of the model (the chat model keeps its weights as the file stores them).
 *
 * Dependencies: none.
 */

/** The SwiGLU gate: forward h = SiLU(a) ⊙ b, backward ∂a and ∂b. */
export const SwiGLU = Object.freeze({
  /**
   * The gated activation, entry by entry.
   *   h = SiLU(a) ⊙ b = a·σ(a) ⊙ b
   * @param a (n, hidden) the gate projection x·W_gate
   * @param b (n, hidden) the up projection x·W_up
   * @return (n, hidden)
   * @example Array.from(SwiGLU.forward(Float64Array.of(0, 1), Float64Array.of(5, 2))) // returns [0, 1.4621171572600098]
   */
  forward(a: Float64Array, b: Float64Array): Float64Array {
    if (a.length !== b.length) throw new Error(`SwiGLU: the gate has ${a.length} numbers but the up projection has ${b.length}`);
    const h = new Float64Array(a.length); // (n, hidden)
    for (let i = 0; i < a.length; i++) h[i] = (a[i] / (1 + Math.exp(-a[i]))) * b[i];
    return h;
  },

  /**
   * The backward pass of SwiGLU.
   *   ∂a = ∂h ⊙ b ⊙ σ(a)·(1 + a·(1 − σ(a))),   ∂b = ∂h ⊙ SiLU(a)
   * @param a (n, hidden) the forward's gate input
   * @param b (n, hidden) the forward's up input
   * @param dH (n, hidden) ∂loss/∂h
   * @return { dA, dB }, each (n, hidden)
   * @example Array.from(SwiGLU.backward(Float64Array.of(0), Float64Array.of(2), Float64Array.of(1)).dA) // returns [1]
   */
  backward(a: Float64Array, b: Float64Array, dH: Float64Array): { dA: Float64Array; dB: Float64Array } {
    const dA = new Float64Array(a.length); // (n, hidden)
    const dB = new Float64Array(a.length); // (n, hidden)
    for (let i = 0; i < a.length; i++) {
      const s = 1 / (1 + Math.exp(-a[i]));
      dA[i] = dH[i] * b[i] * s * (1 + a[i] * (1 - s));
      dB[i] = dH[i] * a[i] * s;
    }
    return { dA, dB };
  },
});
