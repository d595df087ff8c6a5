/**
 * Word-level attention from token-level attention, Clark et al. (2019)'s way: attention TO a split word is
 * the sum over its pieces (a word gets all the weight its pieces got), attention FROM a split word is the mean
 * over its pieces (each query row still sums to at most 1). [CLS] and [SEP] are dropped, so a row sums to
 * 1 minus the weight that query put on them.
 *
 *   A^w[u][v] = (1/|u|) Σ_{i∈u} Σ_{j∈v} A[i][j]
 *
 * Dependencies: none.
 */
import type { Matrix } from "../math/trace";

/**
 * One head's (L, L) token attention as (W, W) word attention.
 * @param a           (L, L) attention weights, rows = queries
 * @param wordOfToken (L,) from alignWords: the word of each token, −1 for tokens that belong to no word
 * @param numWords    W
 * @return (W, W)
 * @example wordAttention([[0.5, 0.5, 0], [0.2, 0.2, 0.6], [0, 0, 1]], [0, 0, 1], 2) // returns [[0.7, 0.3], [0, 1]]
 */
export function wordAttention(a: Matrix, wordOfToken: number[], numWords: number): Matrix {
  const L = wordOfToken.length;
  if (!Array.isArray(a) || a.length !== L) throw new Error(`wordAttention: the attention has ${Array.isArray(a) ? a.length : "no"} rows but wordOfToken has ${L} tokens`);
  const pieces = new Array<number>(numWords).fill(0);
  for (let t = 0; t < L; t++) {
    const u = wordOfToken[t];
    if (!Number.isInteger(u) || u < -1 || u >= numWords) throw new Error(`wordAttention: token ${t} belongs to word ${u}, but there are ${numWords} words (−1 = none)`);
    if (u >= 0) pieces[u]++;
  }
  const empty = pieces.indexOf(0);
  if (empty >= 0) throw new Error(`wordAttention: word ${empty} has no token`);
  const out: Matrix = Array.from({ length: numWords }, () => new Array<number>(numWords).fill(0)); // (W, W)
  for (let i = 0; i < L; i++) {
    const u = wordOfToken[i];
    if (u < 0) continue;
    const row = a[i];
    if (!Array.isArray(row) || row.length !== L) throw new Error(`wordAttention: row ${i} of the attention has ${Array.isArray(row) ? row.length : "no"} entries, expected ${L}`);
    for (let j = 0; j < L; j++) {
      const v = wordOfToken[j];
      if (v < 0) continue;
      if (!Number.isFinite(row[j])) throw new Error(`wordAttention: the attention at row ${i}, column ${j} is ${row[j]}`);
      out[u][v] += row[j] / pieces[u]; // to: sum over v's pieces; from: mean over u's pieces
    }
  }
  return out;
}

/**
 * Every head's word attention: (layers, heads, L, L) → (layers, heads, W, W).
 * @param attentions  (layers, heads, L, L), e.g. MiniLM's encode(text).attentions
 * @param wordOfToken (L,) from alignWords
 * @param numWords    W
 * @example wordAttentions([[[[1, 0], [0, 1]]]], [0, 1], 2) // returns [[[[1, 0], [0, 1]]]]
 */
export function wordAttentions(attentions: Matrix[][], wordOfToken: number[], numWords: number): Matrix[][] {
  return attentions.map((layer) => layer.map((a) => wordAttention(a, wordOfToken, numWords))); // (layers, heads, W, W)
}
