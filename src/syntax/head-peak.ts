/**
 * How decisive a head looks: the mean, over words, of the largest weight a word puts on another word.
 * A head near 1 draws one sharp line per word on a heatmap; whether that line is a relation is a separate
 * question (head-accuracy.ts).
 *
 *   peak_h = mean_{sentences, i} max_{j ≠ i} A^w_h[i][j]
 *
 * Dependencies: none.
 */
import type { Matrix } from "../math/trace";

/**
 * @param wordAtts (n, layers, heads, W, W) word attentions of n sentences
 * @return (layers, heads) mean largest weight on another word
 * @example headPeak([[[[[0, 1], [0.4, 0.6]]]]]) // returns [[0.7]]
 */
export function headPeak(wordAtts: Matrix[][][]): number[][] {
  if (!Array.isArray(wordAtts) || wordAtts.length === 0) throw new Error("headPeak needs the word attention of at least one sentence");
  const [N, h] = [wordAtts[0].length, wordAtts[0][0].length];
  const sum = Array.from({ length: N }, () => new Array<number>(h).fill(0));
  let words = 0;
  for (const s of wordAtts) {
    words += s[0][0].length;
    s.forEach((layer, l) => layer.forEach((a, k) => a.forEach((row, i) => {
      let m = 0;
      row.forEach((v, j) => { if (j !== i && v > m) m = v; });
      sum[l][k] += m;
    })));
  }
  return sum.map((r) => r.map((v) => v / words));
}
