/**
 * The cross-entropy loss block: the mean of −log softmax(logits)[target] over the scored rows, with its
 * backward (softmax minus the one-hot target). The softmax is src/math's (one softmax per path): its unchecked
 * step _softmaxRows, after this block's own check of the logits (a loop over the flat buffer).
 *
 * Dependencies: _softmaxRows.
 */
import { _softmaxRows } from "../math/softmax";

/** What crossEntropy computed. */
export interface CrossEntropyCache {
  /** mean over scored rows of −log p[target] (0 when no row is scored) */ loss: number;
  /** (n,) −log p[target] of each row, NaN where not scored */ losses: Float64Array;
  /** (n, C) softmax of every row */ probs: Float64Array;
  /** (n,) the targets (−1 = not scored) */ targets: ArrayLike<number>;
  /** number of scored rows */ count: number;
  /** scored rows whose largest logit is the target */ correct: number;
}

/** The cross-entropy loss block: forward mean −log softmax(z)[t], backward (p − onehot(t))/N. */
export const CrossEntropy = Object.freeze({
  /**
   * Mean cross-entropy of n rows of logits against their target classes; a target of −1 is not scored.
   *   p = softmax(z),   loss = (1/N) Σ_{r scored} −log p_r[t_r]
   * @param logits (n, C) row-major
   * @param targets (n,) class ids in 0 … C − 1, or −1 for a row that is not scored
   * @param n rows
   * @param C classes
   * @return { loss, losses (n,), probs (n, C), targets, count, correct }
   * @example CrossEntropy.forward(Float64Array.of(0, 0), [1], 1, 2).loss // returns 0.6931471805599453  (ln 2)
   */
  forward(logits: Float64Array, targets: ArrayLike<number>, n: number, C: number): CrossEntropyCache {
    for (let k = 0; k < n * C; k++) {
      if (!Number.isFinite(logits[k])) throw new Error(`logits[${Math.floor(k / C)}][${k % C}] is ${logits[k]}`);
    }
    const rows = Array.from({ length: n }, (_, r) => Array.from(logits.subarray(r * C, (r + 1) * C))); // (n, C) nested
    const probs = new Float64Array(n * C); // (n, C)
    _softmaxRows(rows).forEach((row, r) => probs.set(row, r * C));
    const losses = new Float64Array(n).fill(NaN); // (n,)
    let sum = 0;
    let count = 0;
    let correct = 0;
    for (let r = 0; r < n; r++) {
      const t = targets[r];
      if (t < 0) continue;
      losses[r] = -Math.log(probs[r * C + t]);
      sum += losses[r];
      count++;
      let arg = 0;
      for (let c = 1; c < C; c++) if (logits[r * C + c] > logits[r * C + arg]) arg = c;
      if (arg === t) correct++;
    }
    return { loss: count === 0 ? 0 : sum / count, losses, probs, targets, count, correct };
  },

  /**
   * The backward pass of crossEntropy: ∂loss/∂logits (rows not scored get 0).
   *   ∂z_r = (p_r − onehot(t_r)) / N
   * @param cache what crossEntropy returned
   * @param n rows
   * @param C classes
   * @return (n, C)
   * @example Array.from(CrossEntropy.backward(CrossEntropy.forward(Float64Array.of(0, 0), [1], 1, 2), 1, 2)) // returns [0.5, -0.5]
   */
  backward(cache: CrossEntropyCache, n: number, C: number): Float64Array {
    const dZ = new Float64Array(n * C); // (n, C)
    if (cache.count === 0) return dZ;
    for (let r = 0; r < n; r++) {
      const t = cache.targets[r];
      if (t < 0) continue;
      for (let c = 0; c < C; c++) dZ[r * C + c] = cache.probs[r * C + c] / cache.count;
      dZ[r * C + t] -= 1 / cache.count;
    }
    return dZ;
  },
});
