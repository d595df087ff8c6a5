/**
 * Choosing the next token from the last logits (nanoGPT's generate): greedy at temperature 0, otherwise
 * softmax(logits / T) restricted to the top k, then to the smallest set whose probability reaches top p, and a
 * seeded draw.
 *
 * Dependencies: softmaxRows (src/math).
 */
import { softmaxRows } from "../math/softmax";

/** How to pick. */
export interface SamplingOptions {
  /** 0 = greedy (argmax); > 0 divides the logits */ temperature: number;
  /** keep the k most likely tokens (0 or ≥ vocab: all) */ topK: number;
  /** keep the most likely tokens until their probability reaches p, in (0, 1] */ topP: number;
}

/**
 * The index of the largest logit (the first one on ties, as torch.argmax).
 * @example argmax(Float64Array.of(1, 3, 3)) // returns 1
 */
export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

/**
 * The next token id.
 * @param logits (vocab,) the last position's logits
 * @param o temperature, topK, topP
 * @param rand a uniform [0, 1) generator (seeded)
 * @return a token id
 * @example sampleNext(Float64Array.of(0, 5, 1), { temperature: 0, topK: 0, topP: 1 }, Math.random) // returns 1
 */
export function sampleNext(logits: Float64Array, o: SamplingOptions, rand: () => number): number {
  if (o.temperature === 0) return argmax(logits);
  const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a] || a - b); // most likely first
  const k = o.topK > 0 ? Math.min(o.topK, order.length) : order.length;
  const kept = order.slice(0, k);
  const probs = softmaxRows([kept.map((id) => logits[id] / o.temperature)], "logits / temperature")[0]; // (k,)
  let n = 0;
  let mass = 0;
  while (n < probs.length && mass < o.topP) mass += probs[n++]; // nucleus: the smallest prefix reaching topP
  let u = rand() * mass;
  for (let i = 0; i < n; i++) {
    u -= probs[i];
    if (u < 0) return kept[i];
  }
  return kept[n - 1];
}
