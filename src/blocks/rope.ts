/**
 * Rotary position embedding (RoPE; Su et al. 2021, as llama and Hugging Face's rotate_half apply it), with its
 * backward. Each head's query (or key) vector is split in two halves, and the pair (x_i, x_{i+d/2}) is rotated
 * by the angle p·θ_i of its position p:
 *   θ_i = base^(−2i/d)   (i = 0 … d/2 − 1)
 *   x′_i       = x_i·cos(pθ_i) − x_{i+d/2}·sin(pθ_i)
 *   x′_{i+d/2} = x_{i+d/2}·cos(pθ_i) + x_i·sin(pθ_i)
 * So q′·k′ depends on the positions only through their difference: attention sees relative positions.
 * (llama.cpp rotates adjacent pairs (x_{2i}, x_{2i+1}) instead, and its GGUF files store the rows of W_Q and
 * W_K permuted to match; the chat model's loader undoes that permutation, as transformers does.)
 *
 * Dependencies: none.
 */

/** RoPE: forward rotates every head's pairs by their position's angles, backward rotates back. */
export const RoPE = Object.freeze({
  /**
   * The angles θ_i = base^(−2i/d) of one head of width d.
   * @param d head width (even)
   * @param base the frequency base (10000 in the paper; 100000 in SmolLM2)
   * @return (d/2,)
   * @example Array.from(RoPE.frequencies(4, 10000)) // returns [1, 0.01]
   */
  frequencies(d: number, base: number): Float64Array {
    if (!Number.isInteger(d) || d < 2 || d % 2 !== 0) throw new Error(`RoPE: the head width d = ${d} must be a positive even integer`);
    return Float64Array.from({ length: d / 2 }, (_, i) => 1 / base ** ((2 * i) / d)); // (d/2,)
  },

  /**
   * Rotate every head of every row by its position.
   * @param x (n, h·d) row-major: n positions, h heads of width d side by side
   * @param positions (n,) the position of each row (e.g. start … start + n − 1 with a KV cache)
   * @param h heads
   * @param d head width
   * @param base the frequency base
   * @return (n, h·d)
   * @example Array.from(RoPE.forward(Float64Array.of(1, 0), [1], 1, 2, 10000)).map((v) => +v.toFixed(6)) // returns [0.540302, 0.841471]
   */
  forward(x: Float64Array, positions: ArrayLike<number>, h: number, d: number, base: number): Float64Array {
    return _rotate(x, positions, h, d, base, 1);
  },

  /**
   * The backward pass of RoPE: the same rotation by the opposite angles (a rotation's transpose is its inverse).
   *   ∂x_i = ∂x′_i·cos + ∂x′_{i+d/2}·sin,   ∂x_{i+d/2} = ∂x′_{i+d/2}·cos − ∂x′_i·sin
   * @param dY (n, h·d) ∂loss/∂x′
   * @return (n, h·d) ∂loss/∂x
   * @example Array.from(RoPE.backward(RoPE.forward(Float64Array.of(1, 2), [3], 1, 2, 10000), [3], 1, 2, 10000)).map((v) => +v.toFixed(12)) // returns [1, 2]
   */
  backward(dY: Float64Array, positions: ArrayLike<number>, h: number, d: number, base: number): Float64Array {
    return _rotate(dY, positions, h, d, base, -1);
  },
});

/** x rotated by sign·(angles of each row's position). */
function _rotate(x: Float64Array, positions: ArrayLike<number>, h: number, d: number, base: number, sign: 1 | -1): Float64Array {
  const n = positions.length;
  if (x.length !== n * h * d) throw new Error(`RoPE: x has ${x.length} numbers but ${n} positions × ${h} heads × ${d} = ${n * h * d}`);
  const theta = RoPE.frequencies(d, base); // (d/2,)
  const half = d / 2;
  const y = new Float64Array(x.length); // (n, h·d)
  for (let r = 0; r < n; r++) {
    const p = positions[r];
    for (let i = 0; i < half; i++) {
      const c = Math.cos(p * theta[i]);
      const s = sign * Math.sin(p * theta[i]);
      for (let head = 0; head < h; head++) {
        const o = (r * h + head) * d;
        const x1 = x[o + i];
        const x2 = x[o + i + half];
        y[o + i] = x1 * c + -x2 * s;
        y[o + i + half] = x2 * c + x1 * s;
      }
    }
  }
  return y;
}
