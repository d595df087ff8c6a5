/**
 * The embedding blocks: a token's row of a table, and a learned vector per position added to it, with their
 * backward passes (a scatter-add into the rows that were read).
 *
 * Dependencies: none.
 */

/** The token embedding block: forward X[r] = E[t_r], backward a scatter-add into E. */
export const Embedding = Object.freeze({
  /**
   * Look up every token's row of the table.
   *   X[r] = E[t_r]
   * @param tokens (n,) ids in 0 … vocab − 1 (a batch of B sequences of length L is n = B·L ids, sequence after sequence)
   * @param table (vocab, d) row-major
   * @param d the width of a row
   * @return (n, d)
   * @example Array.from(Embedding.forward([1, 0], Float64Array.of(1, 2, 3, 4), 2)) // returns [3, 4, 1, 2]
   */
  forward(tokens: ArrayLike<number>, table: Float64Array, d: number): Float64Array {
    const n = tokens.length;
    const x = new Float64Array(n * d); // (n, d)
    for (let r = 0; r < n; r++) x.set(table.subarray(tokens[r] * d, (tokens[r] + 1) * d), r * d);
    return x;
  },

  /**
   * The backward pass of embedding: each row of ∂X is ADDED to its token's row of ∂E (a token used twice gets both).
   *   ∂E[t] += Σ_{r : t_r = t} ∂X[r]
   * @param tokens (n,) the forward's ids
   * @param dX (n, d) ∂loss/∂X
   * @param dTable (vocab, d) where the gradient is added
   * @param d the width of a row
   * @return dTable
   * @example Array.from(Embedding.backward([1, 1], Float64Array.of(1, 2, 3, 4), new Float64Array(4), 2)) // returns [0, 0, 4, 6]
   */
  backward(tokens: ArrayLike<number>, dX: Float64Array, dTable: Float64Array, d: number): Float64Array {
    for (let r = 0; r < tokens.length; r++) {
      const o = tokens[r] * d;
      for (let j = 0; j < d; j++) dTable[o + j] += dX[r * d + j];
    }
    return dTable; // (vocab, d)
  },
});

/** The learned positions block: forward X[b, i] += P[i], backward ∂P[i] = Σ_b ∂X[b, i]. */
export const LearnedPositions = Object.freeze({
  /**
   * Add a learned vector per position to every sequence of a batch, in place.
   *   X[b, i] ← X[b, i] + P[i]
   * @param x (B·L, d) the token embeddings, changed in place
   * @param table (maxLength, d) one row per position, L ≤ maxLength
   * @param B sequences
   * @param L positions per sequence
   * @param d the width of a row
   * @return x
   * @example Array.from(LearnedPositions.forward(Float64Array.of(1, 1, 1, 1), Float64Array.of(10, 20, 30, 40), 1, 2, 2)) // returns [11, 21, 31, 41]
   */
  forward(x: Float64Array, table: Float64Array, B: number, L: number, d: number): Float64Array {
    for (let b = 0; b < B; b++) for (let i = 0; i < L; i++) for (let j = 0; j < d; j++) x[(b * L + i) * d + j] += table[i * d + j];
    return x; // (B·L, d)
  },

  /**
   * The backward pass of addPositions: position i's row of ∂P gets the sum over the batch of ∂X at i.
   *   ∂P[i] += Σ_b ∂X[b, i]
   * @param dX (B·L, d) ∂loss/∂X
   * @param dTable (maxLength, d) where the gradient is added
   * @return dTable
   * @example Array.from(LearnedPositions.backward(Float64Array.of(1, 2, 3, 4), new Float64Array(2), 2, 1, 2)) // returns [4, 6]
   */
  backward(dX: Float64Array, dTable: Float64Array, B: number, L: number, d: number): Float64Array {
    for (let b = 0; b < B; b++) for (let i = 0; i < L; i++) for (let j = 0; j < d; j++) dTable[i * d + j] += dX[(b * L + i) * d + j];
    return dTable; // (maxLength, d)
  },
});
