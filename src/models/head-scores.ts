/**
 * What each head of a causal model does, as numbers measured on held-out sequences:
 *   - previous-token score: the weight a position puts on the position just before it;
 *   - induction score: the weight on the token AFTER the earlier occurrence of the current token (the copy
 *     an induction head makes: … A B … A → attend to B);
 *   - first-token (sink) score: the weight on position 0.
 * Each is a mean of attention weights, so 1 is a head that does only that and 0 one that never does.
 *
 * Dependencies: CausalLM (forward).
 */
import type { Matrix } from "../math/trace";
import type { CausalLM, CausalLMRunOptions } from "./causal-lm";

/** The three scores of one head on one sequence (NaN when no position qualifies). */
export interface HeadScore {
  /** mean over i ≥ 1 of A[i][i − 1] */ previousToken: number;
  /** mean over i whose token occurred before (last at j < i) of A[i][j + 1] */ induction: number;
  /** mean over i ≥ 1 of A[i][0] */ firstToken: number;
}

/** Sums and counts of the three scores, to be averaged over many sequences. */
interface _Sums { prev: number; prevN: number; ind: number; indN: number; first: number; firstN: number }

function _accumulate(s: _Sums, A: Matrix, tokens: number[]): void {
  const last = new Map<number, number>(); // token → its most recent position so far
  for (let i = 0; i < tokens.length; i++) {
    if (i >= 1) {
      s.prev += A[i][i - 1];
      s.first += A[i][0];
      s.prevN++;
      s.firstN++;
    }
    const j = last.get(tokens[i]);
    if (j != null) { // the token after its earlier occurrence sits at j + 1 ≤ i
      s.ind += A[i][j + 1];
      s.indN++;
    }
    last.set(tokens[i], i);
  }
}

const _score = (s: _Sums): HeadScore => ({
  previousToken: s.prevN === 0 ? NaN : s.prev / s.prevN,
  induction: s.indN === 0 ? NaN : s.ind / s.indN,
  firstToken: s.firstN === 0 ? NaN : s.first / s.firstN,
});

const _empty = (): _Sums => ({ prev: 0, prevN: 0, ind: 0, indN: 0, first: 0, firstN: 0 });

/**
 * The previous-token, induction and first-token scores of one attention map on its sequence.
 *   previousToken = mean_{i≥1} A[i][i−1],   induction = mean_{i: t_j = t_i, j < i last} A[i][j+1],   firstToken = mean_{i≥1} A[i][0]
 * @param weights (L, L) one head's attention weights (row i: where position i looks)
 * @param tokens (L,) the sequence
 * @return { previousToken, induction, firstToken } (NaN when no position qualifies, e.g. no token repeats)
 * @example headScore([[1, 0, 0], [1, 0, 0], [0, 1, 0]], [5, 6, 7]).previousToken // returns 1
 * @example headScore([[1, 0, 0], [0, 1, 0], [0, 1, 0]], [5, 6, 5]).induction // returns 1
 */
export function headScore(weights: Matrix, tokens: number[]): HeadScore {
  const L = tokens.length;
  if (!Array.isArray(weights) || weights.length !== L || weights.some((r) => !Array.isArray(r) || r.length !== L)) {
    throw new Error(`headScore: weights must be ${L}×${L} (one row and column per token), got ${Array.isArray(weights) ? `${weights.length} rows` : typeof weights}`);
  }
  const s = _empty();
  _accumulate(s, weights, tokens);
  return _score(s);
}

/**
 * Every head's three scores, averaged over held-out sequences (each score over every qualifying position of
 * every sequence).
 * @param model a CausalLM
 * @param sequences sequences the model was not trained on
 * @param options { headMask, keyHeadMask } as CausalLM.forward (e.g. the induction score with a layer-1 head
 *   removed from layer 2's keys)
 * @return (numLayers, numHeads) scores: scores[1][0] is layer 2, head 1
 * @example (illustrative) scoreHeads(model, task.sequences(100, 7))[1].map((s) => s.induction)
 */
export function scoreHeads(model: CausalLM, sequences: number[][], options: CausalLMRunOptions = {}): HeadScore[][] {
  if (!Array.isArray(sequences) || sequences.length === 0) throw new Error("scoreHeads: sequences must be a non-empty array of token sequences");
  const { numLayers, numHeads } = model.config;
  const sums = Array.from({ length: numLayers }, () => Array.from({ length: numHeads }, _empty));
  for (const seq of sequences) {
    const t = model.forward(seq, options);
    t.attentions.forEach((layer, l) => layer.forEach((A, h) => _accumulate(sums[l][h], A, seq)));
  }
  return sums.map((layer) => layer.map(_score));
}
