/**
 * How often a head's most-attended word is the related word (Clark et al. 2019, §4.1), and the same for a
 * fixed-offset baseline (always predict the word k places away).
 *
 *   prediction_h(i) = argmax_{j ≠ i} A^w_h[i][j],   accuracy_h = #{(i, t) : prediction_h(i) = t} / #pairs
 *
 * Dependencies: none.
 */
import type { Matrix } from "../math/trace";

/**
 * The most-attended other word of every query, for every head: a word attending to itself is not a relation.
 * Ties go to the first word.
 * @param wordAtts (layers, heads, W, W) one sentence's word attention
 * @return (layers, heads, W) word indices
 * @example mostAttended([[[[0.9, 0.1], [0.3, 0.7]]]]) // returns [[[1, 0]]]
 */
export function mostAttended(wordAtts: Matrix[][]): number[][][] {
  return wordAtts.map((layer) => layer.map((a) => a.map((row, i) => { // (W,)
    let best = -1;
    for (let j = 0; j < row.length; j++) if (j !== i && (best < 0 || row[j] > row[best])) best = j;
    return best;
  })));
}

/**
 * Pairs each head gets right, per sentence.
 * @param predictions per sentence (layers, heads, W), from mostAttended
 * @param pairs       per sentence, the [from, to] pairs of one relation and direction
 * @return per sentence (layers, heads) counts of pairs whose `from` word's most-attended word is `to`
 * @example headHits([[[[1, 0]]]], [[[0, 1], [1, 0]]]) // returns [[[2]]]
 */
export function headHits(predictions: number[][][][], pairs: [number, number][][]): number[][][] {
  if (predictions.length !== pairs.length) throw new Error(`headHits: ${predictions.length} sentences of predictions but ${pairs.length} of pairs`);
  return predictions.map((p, s) => p.map((layer) => layer.map((pred) => pairs[s].reduce((n, [from, to]) => n + (pred[from] === to ? 1 : 0), 0))));
}

/**
 * Pairs the fixed-offset baseline gets right, per sentence: it predicts word i + offset (wrong off the end).
 * @param pairs  per sentence, [from, to] pairs
 * @param offset k ≠ 0 (−1 = the previous word)
 * @return per sentence, the number of pairs with to = from + offset
 * @example offsetHits([[[0, 1], [2, 1]]], -1) // returns [1]
 */
export function offsetHits(pairs: [number, number][][], offset: number): number[] {
  if (!Number.isInteger(offset) || offset === 0) throw new Error(`offsetHits: offset must be a non-zero integer, got ${offset}`);
  return pairs.map((ps) => ps.reduce((n, [from, to]) => n + (to === from + offset ? 1 : 0), 0));
}
