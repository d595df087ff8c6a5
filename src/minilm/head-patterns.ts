/**
 * Measure what each attention head does, so heads can be named by numbers rather than by eye.
 * Pure: plain nested arrays in, plain numbers out.
 */
import type { Matrix } from "../math/trace";

/** Pattern scores of one head; each is a mean over query rows, in [0, 1]. */
export interface HeadPatternScores {
  head: number;
  /** mean of w[i][i−1] over i = 1 … L−1: attends to the previous token */ previous: number;
  /** mean of w[i][i+1] over i = 0 … L−2: attends to the next token */ next: number;
  /** mean of w[i][i]: attends to itself */ self: number;
  /** mean weight on "[CLS]" keys (position 0 when no tokens are given) */ cls: number;
  /** mean weight on "[SEP]" keys (position L−1 when no tokens are given) */ sep: number;
  /** mean row entropy / ln L: 0 = every row on one key, 1 = uniform */ entropy: number;
}

function _checkHeads(weights: Matrix[], tokens?: string[]): number {
  if (!Array.isArray(weights) || weights.length === 0) throw new Error("weights must hold at least one head, got 0");
  const L = weights[0].length;
  if (L < 2) throw new Error(`weights[0] has ${L} rows but head patterns need at least 2 positions`);
  weights.forEach((w, h) => {
    if (w.length !== L) throw new Error(`weights[${h}] has ${w.length} rows but weights[0] has ${L}`);
    w.forEach((row, i) => {
      if (row.length !== L) {
        throw new Error(`weights[${h}] row ${i} has ${row.length} columns but head patterns need square (${L}, ${L}) self-attention weights`);
      }
    });
  });
  if (tokens !== undefined && tokens.length !== L) {
    throw new Error(`tokens has ${tokens.length} entries but weights are (${L}, ${L})`);
  }
  return L;
}

const _mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Score every head for the classic patterns: previous token, next token, self, [CLS], [SEP], and spread.
 *
 * previous_h = mean_{i≥1} W_h[i][i−1],  self_h = mean_i W_h[i][i],  cls_h = mean_i Σ_{j: tok_j = [CLS]} W_h[i][j]
 *
 * @param weights  (h, L, L) attention weights of one layer, rows sum to 1
 * @param tokens   optional (L,) tokens; when given, cls/sep sum the weight on every "[CLS]"/"[SEP]" key,
 *                 otherwise position 0 counts as [CLS] and position L−1 as [SEP]
 * @returns one `HeadPatternScores` per head
 * @example
 * headPatternScores([[[1, 0], [1, 0]]])[0].previous // returns 1
 */
export function headPatternScores(weights: Matrix[], tokens?: string[]): HeadPatternScores[] {
  const L = _checkHeads(weights, tokens);
  const rows = [...Array(L).keys()];
  const clsCols = tokens ? rows.filter((j) => tokens[j] === "[CLS]") : [0];
  const sepCols = tokens ? rows.filter((j) => tokens[j] === "[SEP]") : [L - 1];
  return weights.map((w, head) => ({
    head,
    previous: _mean(rows.slice(1).map((i) => w[i][i - 1])),
    next: _mean(rows.slice(0, L - 1).map((i) => w[i][i + 1])),
    self: _mean(rows.map((i) => w[i][i])),
    cls: _mean(rows.map((i) => clsCols.reduce((a, j) => a + w[i][j], 0))),
    sep: _mean(rows.map((i) => sepCols.reduce((a, j) => a + w[i][j], 0))),
    entropy: _mean(rows.map((i) => w[i].reduce((a, p) => (p > 0 ? a - p * Math.log(p) : a), 0) / Math.log(L))),
  }));
}

/**
 * Per head, the weight that one token puts on another, e.g. how much "her" attends to "he".
 *
 * a_h = W_h[i][j] with i = first index of `from`, j = first index of `to` in tokens
 *
 * @param weights  (h, L, S) attention weights of one layer
 * @param tokens   (L,) tokens; queries and keys are the same sequence
 * @param from     the query token
 * @param to       the key token
 * @returns (h,) one weight per head
 * @example
 * tokenAttention([[[0.2, 0.8], [0.6, 0.4]]], ["he", "her"], "her", "he") // returns [0.6]
 */
export function tokenAttention(weights: Matrix[], tokens: string[], from: string, to: string): number[] {
  const i = tokens.indexOf(from);
  const j = tokens.indexOf(to);
  if (i < 0) throw new Error(`from token "${from}" is not among tokens [${tokens.join(", ")}]`);
  if (j < 0) throw new Error(`to token "${to}" is not among tokens [${tokens.join(", ")}]`);
  return weights.map((w, h) => {
    if (w.length !== tokens.length) throw new Error(`weights[${h}] has ${w.length} rows but tokens has ${tokens.length} entries`);
    return w[i][j];
  });
}

/**
 * How far a head looks, in tokens: the weighted mean of |i − j| over its weights, averaged over the queries.
 * Near 1 for previous/next-token heads, large for heads that spread out or sit on a far token.
 *
 * d_h = (1/L) Σ_i Σ_j W_h[i][j]·|i − j|
 *
 * @param weights (h, L, L) attention weights of one layer, rows sum to 1
 * @param skip    key positions whose weight is left out and the row renormalised, e.g. [0, L − 1] for [CLS] and [SEP]
 *                (default none); a row with no weight left counts as distance 0
 * @returns (h,) one distance per head
 * @example meanAttentionDistance([[[1, 0], [1, 0]]]) // returns [0.5]
 */
export function meanAttentionDistance(weights: Matrix[], skip: number[] = []): number[] {
  const L = _checkHeads(weights);
  const keep = [...Array(L).keys()].filter((j) => !skip.includes(j));
  return weights.map((w) => _mean(w.map((row, i) => {
    const total = keep.reduce((a, j) => a + row[j], 0);
    return total > 0 ? keep.reduce((a, j) => a + row[j] * Math.abs(i - j), 0) / total : 0;
  })));
}
